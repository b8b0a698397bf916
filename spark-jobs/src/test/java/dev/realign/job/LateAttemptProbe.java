package dev.realign.job;

import dev.realign.align.TransformJson;
import dev.realign.sink.OutputLayout;
import dev.realign.sink.ShardManifest;
import dev.realign.sink.ShardOutput;
import dev.realign.source.Columns;
import dev.realign.source.EmbeddingFormat;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.source.HadoopFiles;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.util.LongAccumulator;

/**
 * A late task attempt for tests outside the package: what a losing speculative attempt (or a
 * zombie) does when it finishes after the commit, {@link ApplyPass#shardOf} of one split again.
 */
public final class LateAttemptProbe {
  private LateAttemptProbe() {}

  /**
   * Runs the apply task of {@code split} again into the committed {@code out} (direct plan), with
   * the transform at {@code transformPath}.
   */
  public static void applyAgain(
      String texts, String out, String transformPath, int splitRows, int split, Configuration conf)
      throws Exception {
    EmbeddingSet set =
        EmbeddingSetPlanner.plan(
            new EmbeddingSetPlanner.Spec(
                "text", texts, EmbeddingFormat.NPY, null, Columns.DEFAULT, splitRows, 0),
            conf);
    OutputLayout layout = new OutputLayout(out);
    Path transform = new Path(transformPath);
    String json;
    try (var in = HadoopFiles.fs(transform, conf).open(transform)) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    var t = TransformJson.fromJson(json);
    ShardManifest m =
        ShardManifest.read(HadoopFiles.fs(layout.manifest(), conf), layout.manifest());
    ShardOutput output = ShardOutput.PARQUET_FLOAT32;
    ApplyPass.shardOf(
        set,
        set.splits().get(split),
        set.splits().size(),
        layout,
        conf,
        new long[0],
        ApplyPass.align(t.kernel()),
        output,
        output.completionKey(m.transformSha256()),
        false,
        -1,
        new LongAccumulator(),
        true);
  }
}
