package dev.realign.job;

import dev.realign.stats.MomentSketch;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.SketchCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * The exact sketch of the aligned rows as the apply pass wrote them (float32 values, widened to
 * float64, not renormalised: the rows a reader of the shards gets), merged over the shards and
 * stored as {@code stats/aligned-<transform sha256>.sketch} (the sketch codec's format). The report
 * takes the full-data centroid gap and trace ratio after alignment from it.
 */
final class AlignedSketch {
  private AlignedSketch() {}

  static Path path(JobContext ctx, String transformSha256) {
    return new Path(ctx.layout.stats(), "aligned-" + transformSha256 + ".sketch");
  }

  /** Merges the shards' output sketches (any order: the sketch is exact) and stores the result. */
  static MomentSnapshot write(
      JobContext ctx, String transformSha256, List<ShardResult> shards, int dim) {
    MomentSketch all = new MomentSketch(dim);
    for (ShardResult r : shards) {
      all.merge(SketchCodec.decode(r.outputSketch()));
    }
    MomentSnapshot s = all.snapshot();
    AlignPipeline.write(ctx, path(ctx, transformSha256), SketchCodec.encode(s));
    return s;
  }

  /** The stored sketch for this transform, or null when there is none. */
  static MomentSnapshot read(JobContext ctx, String transformSha256) {
    Path p = path(ctx, transformSha256);
    try {
      if (!ctx.fs.exists(p)) {
        return null;
      }
      try (InputStream in = ctx.fs.open(p)) {
        return SketchCodec.decode(in.readAllBytes());
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " [in " + p + "]", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the aligned-rows sketch " + p, e);
    }
  }
}
