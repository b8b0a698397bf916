package dev.realign.job;

import dev.realign.align.EncoderIdentity;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.TransformJson;
import dev.realign.align.Variant;
import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.sink.ShardInfo;
import dev.realign.sink.ShardManifest;
import dev.realign.sink.ShardManifest.ModalityCounts;
import dev.realign.source.Columns;
import dev.realign.source.EmbeddingFormat;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.stats.MomentSketch;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.SketchCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * The align stages as functions of a {@link JobContext}: plan, stats, fit, apply. The jobs
 * ({@code stats}, {@code fit}, {@code apply}, {@code run}) are compositions of these; the math is
 * the core's, this class moves data and keeps the books.
 */
public final class AlignPipeline {
  private AlignPipeline() {}

  /** Results of the stats stage. */
  public record Stats(MomentSnapshot text, MomentSnapshot image, StatsSummary summary,
      long[] imageDuplicates) {}

  /** What {@code run} and {@code apply} report. */
  public record Outcome(ReAlignTransform transform, ShardManifest manifest, double gapBefore,
      double gapAfter, Path transformPath, Path shardsPath) {}

  public static EmbeddingSet plan(JobContext ctx, String role) {
    PipelineConfig c = ctx.config;
    boolean text = role.equals("text");
    EmbeddingSetPlanner.Spec spec = new EmbeddingSetPlanner.Spec(role,
        c.require(text ? ConfigKeys.TEXT_EMBEDDINGS : ConfigKeys.IMAGE_EMBEDDINGS),
        EmbeddingFormat.fromConfig(c.get(text ? ConfigKeys.TEXT_FORMAT : ConfigKeys.IMAGE_FORMAT)),
        c.get(text ? ConfigKeys.TEXT_METADATA : ConfigKeys.IMAGE_METADATA),
        new Columns(c.get(ConfigKeys.ID_COLUMN), c.get(ConfigKeys.VECTOR_COLUMN),
            c.get(ConfigKeys.TEXT_COLUMN)),
        c.getInt(ConfigKeys.SPLIT_ROWS, 1, Integer.MAX_VALUE),
        c.getInt(ConfigKeys.PARTITIONS, 0, 1_000_000));
    EmbeddingSet set = EmbeddingSetPlanner.plan(spec, ctx.jsc.hadoopConfiguration());
    Console.info("%s embeddings: %s, %,d rows x %d in %d file(s), %d split(s)", role,
        set.format().name().toLowerCase(Locale.ROOT), set.rows(), set.dim(), set.files().size(),
        set.splits().size());
    return set;
  }

  static void requireSameDimension(EmbeddingSet texts, EmbeddingSet images) {
    if (texts.dim() != images.dim()) {
      throw new IllegalArgumentException("Invalid inputs: text embeddings " + texts.path()
          + " have dimension " + texts.dim() + ", image embeddings " + images.path() + " have "
          + images.dim() + " (must be equal: both modalities come from one encoder)");
    }
  }

  static long[] duplicates(JobContext ctx, EmbeddingSet set) {
    return ctx.config.getBoolean(ConfigKeys.CHECK_DUPLICATE_IDS)
        ? DuplicateIdPass.find(ctx, set) : new long[0];
  }

  /** Sketches both modalities, writes {@code stats/}, and enforces the rejected-row limit. */
  public static Stats stats(JobContext ctx, EmbeddingSet texts, long[] textDuplicates,
      EmbeddingSet images) {
    requireSameDimension(texts, images);
    long[] imageDuplicates = duplicates(ctx, images);
    SplitStats t = StatsPass.run(ctx, texts, textDuplicates);
    SplitStats i = StatsPass.run(ctx, images, imageDuplicates);
    Map<String, ModalityCounts> counts = new LinkedHashMap<>();
    counts.put("text", counts(t));
    counts.put("image", counts(i));
    List<ShardInfo> rejectFiles = new ArrayList<>(t.rejectFiles);
    rejectFiles.addAll(i.rejectFiles);
    StatsSummary summary = new StatsSummary(counts, rejectFiles);
    write(ctx, ctx.layout.sketch("text"), SketchCodec.encode(t.snapshot()));
    write(ctx, ctx.layout.sketch("image"), SketchCodec.encode(i.snapshot()));
    write(ctx, ctx.layout.statsSummary(), summary.toJson().getBytes(StandardCharsets.UTF_8));
    ReportJob.writeInputs(ctx);
    Console.info("stats: text %,d rows (%,d rejected), image %,d rows (%,d rejected) -> %s",
        t.rows, t.rejected, i.rows, i.rejected, ctx.layout.stats());
    double limit = ctx.config.getDouble(ConfigKeys.MAX_REJECTED_FRACTION, 0, 1);
    checkRejected(ctx, "text", t, limit);
    checkRejected(ctx, "image", i, limit);
    return new Stats(t.snapshot(), i.snapshot(), summary, imageDuplicates);
  }

  private static ModalityCounts counts(SplitStats s) {
    return new ModalityCounts(s.rows, s.rows - s.rejected, s.rejected, s.byReason);
  }

  private static void checkRejected(JobContext ctx, String role, SplitStats s, double limit) {
    if (s.rows > 0 && (double) s.rejected / s.rows > limit) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "Too many rejected %s rows: %,d of %,d (%.3f%%) exceed %s = %s; the rows and their"
              + " reasons are in %s (by reason: %s)", role, s.rejected, s.rows,
          100.0 * s.rejected / s.rows, ConfigKeys.MAX_REJECTED_FRACTION, limit,
          ctx.layout.rejected(role), s.byReason));
    }
  }

  /** Fits the transform from the two sketches plus the centroid passes over the texts. */
  public static ReAlignTransform fit(JobContext ctx, EmbeddingSet texts, long[] textDuplicates,
      MomentSnapshot text, MomentSnapshot image, EncoderIdentity encoder) {
    FitOptions options = new FitOptions(Variant.fromId(ctx.config.get(ConfigKeys.VARIANT)),
        ctx.config.getInt(ConfigKeys.REFINEMENT_ITERATIONS, 0, 16), encoder);
    ReAlignFitter fitter = ReAlignFitter.start(options, text, image);
    int pass = 1;
    while (fitter.needsCentroidPass()) {
      fitter.acceptCentroidPass(
          CentroidPass.run(ctx, texts, textDuplicates, fitter.currentKernel(), pass++));
    }
    ReAlignTransform t = fitter.result();
    write(ctx, ctx.layout.transform(),
        TransformJson.toJson(t).getBytes(StandardCharsets.UTF_8));
    Console.info("fit: variant %s, scale %.6f, sha256 %s -> %s", t.variant(), t.scale(),
        t.sha256(), ctx.layout.transform());
    return t;
  }

  /** Aligns every text row into staged shards, then commits them with the manifest. */
  public static Outcome apply(JobContext ctx, EmbeddingSet texts, long[] textDuplicates,
      ReAlignTransform t, StatsSummary summary) {
    if (t.dimension() != texts.dim()) {
      throw new IllegalArgumentException("Invalid transform " + ctx.layout.transform()
          + ": dimension " + t.dimension() + " does not match the text embeddings " + texts.path()
          + " (dimension " + texts.dim() + ")");
    }
    boolean resume = ctx.config.get(ConfigKeys.OUTPUT_MODE).equals("resume");
    int failSplit = ctx.config.getInt(ConfigKeys.FAIL_APPLY_SPLIT, -1, Integer.MAX_VALUE);
    List<ShardResult> results = ApplyPass.run(ctx, texts, textDuplicates,
        ApplyPass.align(t.kernel()), t.sha256(), resume, failSplit, "apply");
    MomentSketch out = new MomentSketch(t.dimension());
    long rows = 0;
    long rejected = 0;
    for (ShardResult r : results) {
      out.merge(SketchCodec.decode(r.outputSketch()));
      rows += r.shard().rows();
      rejected += r.rejected();
    }
    ModalityCounts textCounts = summary.counts().get("text");
    if (textCounts != null && (rows != textCounts.used() || rejected != textCounts.rejected())) {
      throw new IllegalStateException("Row accounting mismatch: apply wrote " + rows
          + " rows and rejected " + rejected + ", the stats pass counted " + textCounts.used()
          + " valid and " + textCounts.rejected() + " rejected (the input changed during the run?)");
    }
    double gapBefore = distance(t.muImage(), t.muText());
    double gapAfter = distance(t.muImage(), out.snapshot().mean());
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("centroid_gap_before", gapBefore);
    figures.put("centroid_gap_after", gapAfter);
    Map<String, ModalityCounts> inputs = new LinkedHashMap<>(summary.counts());
    inputs.put("text", new ModalityCounts(rows + rejected, rows, rejected,
        textCounts != null ? textCounts.byReason() : Map.of()));
    ShardManifest manifest = new ShardManifest(rows, t.dimension(),
        ApplyPass.shardFormat(ctx.config).dtype().manifestName(), t.sha256(),
        rejected, inputs, summary.rejectedFiles(), figures, StagedCommit.shards(results),
        Map.of("encoder", t.encoder().name(), "encoder_sha256",
            t.encoder().sha256() == null ? "" : t.encoder().sha256(), "variant",
            t.variant().id()));
    StagedCommit.commit(ctx.fs, ctx.layout.aligned(), ctx.layout.staging(), manifest);
    return new Outcome(t, manifest, gapBefore, gapAfter, ctx.layout.transform(),
        ctx.layout.aligned());
  }

  static double distance(double[] a, double[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      double d = a[j] - b[j];
      s += d * d;
    }
    return Math.sqrt(s);
  }

  static void write(JobContext ctx, Path path, byte[] bytes) {
    dev.realign.sink.AtomicFiles.write(ctx.fs, path, bytes);
  }

  static byte[] read(JobContext ctx, Path path, String what) {
    try {
      if (!ctx.fs.exists(path)) {
        throw new IllegalArgumentException("Missing " + what + ": " + path
            + " does not exist (run the earlier stage first)");
      }
      try (InputStream in = ctx.fs.open(path)) {
        return in.readAllBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + path, e);
    }
  }

  static MomentSnapshot readSketch(JobContext ctx, String role) {
    Path p = ctx.layout.sketch(role);
    try {
      return SketchCodec.decode(read(ctx, p, role + " sketch"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " [in " + p + "]", e);
    }
  }

  static StatsSummary readSummary(JobContext ctx) {
    return StatsSummary.fromJson(new String(
        read(ctx, ctx.layout.statsSummary(), "stats summary"), StandardCharsets.UTF_8));
  }

  static ReAlignTransform readTransform(JobContext ctx, String path) {
    Path p = path == null || path.isBlank() ? ctx.layout.transform() : new Path(path);
    try {
      return TransformJson.fromJson(
          new String(read(ctx, p, "transform"), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " [in " + p + "]", e);
    }
  }
}
