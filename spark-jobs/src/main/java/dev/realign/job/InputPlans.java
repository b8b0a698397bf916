package dev.realign.job;

import dev.realign.config.ConfigKeys;
import dev.realign.config.Modality;
import dev.realign.config.PipelineConfig;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;

/**
 * The embedding inputs a command will read, planned while Spark starts on another thread: the plan
 * lines come out about a second sooner (and a missing or damaged input is found before Spark is
 * up), and the warm-ups are sized to the input ({@link Warmups#start}).
 *
 * <p>The plans are made with the Hadoop configuration Spark's context makes for itself ({@code
 * SparkHadoopUtil.newConfiguration} over the same system properties), so a plan is the one the
 * command would make. {@link AlignPipeline#plan} takes a plan from here only when its spec is equal
 * (same path, format, columns, split size) and only once; anything else is planned as before. A
 * failed plan is kept and thrown when the command asks for that input, so errors and their order
 * stay the command's own (an output lease is still checked first).
 */
public final class InputPlans {
  /** No plans: every input is planned when the command asks for it. */
  public static final InputPlans NONE = new InputPlans(Map.of(), 0, false);

  /** A plan, or the failure of planning it. */
  private record Planned(EmbeddingSet set, RuntimeException failure) {}

  private final Map<EmbeddingSetPlanner.Spec, Planned> plans;
  private final long bytes;
  private final boolean complete;

  private InputPlans(Map<EmbeddingSetPlanner.Spec, Planned> plans, long bytes, boolean complete) {
    this.plans = plans;
    this.bytes = bytes;
    this.complete = complete;
  }

  /**
   * Plans (and prints, as {@link AlignPipeline#plan} does) the embedding inputs {@code command}
   * reads from the config as given: both modalities for {@code run} (without {@code --texts}, whose
   * text input is the encode stage's output) and {@code stats} (the image only without {@code
   * --image-stats}), the texts for {@code fit}, {@code apply} and {@code copy}; none for the other
   * commands.
   */
  public static InputPlans before(String command, PipelineConfig config) {
    List<Modality> modalities = new ArrayList<>();
    switch (command) {
      case "run" -> {
        if (config.get(ConfigKeys.TEXTS).isBlank()) {
          modalities.add(Modality.TEXT);
          modalities.add(Modality.IMAGE);
        }
      }
      case "stats" -> {
        modalities.add(Modality.TEXT);
        if (config.get(ConfigKeys.IMAGE_STATS).isBlank()) {
          modalities.add(Modality.IMAGE);
        }
      }
      case "fit", "apply", "copy" -> modalities.add(Modality.TEXT);
      default -> {}
    }
    if (modalities.isEmpty()) {
      return NONE;
    }
    // What SparkContext does for its hadoopConfiguration: spark.hadoop.* and the S3 environment.
    Configuration conf = SparkHadoopUtil.get().newConfiguration(new SparkConf(true));
    Map<EmbeddingSetPlanner.Spec, Planned> plans = new HashMap<>();
    long bytes = 0;
    boolean complete = true;
    for (Modality m : modalities) {
      String path = config.get(m.pathKey());
      if (path == null || path.isBlank()) {
        complete = false;
        continue;
      }
      EmbeddingSetPlanner.Spec spec = AlignPipeline.spec(config, m);
      try {
        EmbeddingSet set = AlignPipeline.planAndDescribe(spec, conf);
        plans.put(spec, new Planned(set, null));
        bytes += set.rows() * set.dim() * (long) Float.BYTES;
      } catch (RuntimeException e) {
        plans.put(spec, new Planned(null, e));
        complete = false;
      }
    }
    return new InputPlans(plans, bytes, complete);
  }

  /**
   * The plan made for {@code spec}, removed so that a second request plans again (as before); null
   * when there is none. A failed plan throws its failure.
   */
  synchronized EmbeddingSet take(EmbeddingSetPlanner.Spec spec) {
    Planned p = plans.isEmpty() ? null : plans.remove(spec); // NONE's map is immutable
    if (p != null && p.failure() != null) {
      throw p.failure();
    }
    return p == null ? null : p.set();
  }

  /**
   * Embedding bytes (rows x dim x 4, both modalities) from which a local run is worth the start-up
   * investments that pay back over many rows: the passes' warm-ups and the Vector API kernels (a
   * smaller run takes the passes' scalar loops, with the same bits: {@code realign.vector.rows}).
   * C2 spends seconds of CPU compiling the Vector API code, which a small run never earns back.
   * Measured on this project's 2-core machine, local[2], report off, d = 1280, alternated pairs
   * (wall, vector kernels with the warm-ups against scalar without them): 10,000 rows a modality
   * 2.92-3.42 s against 2.12-2.77 s; 25,000 3.92-4.78 against 3.09-3.41; 50,000 4.35-4.62 against
   * 3.98-4.75; 200,000 5.93-7.48 against 5.40-5.94 (peak RSS 1.08-1.19 GB against 0.54-0.55 GB);
   * 800,000 (8.2 GB) 10.87-13.36 against 10.97-11.99, the vector apply stage 0.6-1.0 s faster.
   * COCO-500 (500 rows, d = 512, no warm-ups either way): vector 2.40-3.52 s, scalar 1.99-2.81 s.
   */
  public static final long LARGE_EMBEDDING_BYTES = 4L << 30;

  /**
   * Whether the inputs are at least {@link #LARGE_EMBEDDING_BYTES} (or not known here: a run that
   * encodes its texts, an input whose plan failed).
   */
  public boolean large() {
    long b = embeddingBytes();
    return b < 0 || b >= LARGE_EMBEDDING_BYTES;
  }

  /**
   * The bytes of embeddings (rows x dim x 4) of every input planned; -1 when some input the command
   * reads is not known here (not planned, or its plan failed).
   */
  public long embeddingBytes() {
    return complete ? bytes : -1;
  }
}
