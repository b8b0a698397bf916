package dev.realign.job;

import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.io.Npy;
import dev.realign.sink.OutputLayout;
import dev.realign.sink.ShardOutput;
import dev.realign.source.Columns;
import dev.realign.source.EmbeddingFormat;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.source.EmbeddingSplit;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.util.LongAccumulator;

/**
 * One task's work of the copy and apply stages, on one thread and without Spark: every split of a
 * .npy text input through {@link ApplyPass#shardOf} (read, align or copy, write the shard with its
 * SHA-256, sketch the output), timed in wall and thread CPU seconds, best of N. The CPU figure is
 * the per-core rate that the stage figures of run-shard-io-bench.sh approach on an idle machine,
 * and the one that stays meaningful when others load the machine. Driven by
 * spark-jobs/bench/run-shard-stage-bench.sh.
 *
 * <p>Arguments: text .npy path, image .npy path (the fit sample), output directory, repeats,
 * split rows.
 */
public final class ShardStageBench {
  public static void main(String[] args) throws Exception {
    String texts = args[0];
    String images = args[1];
    String out = args[2];
    int repeats = Integer.parseInt(args.length > 3 ? args[3] : "3");
    int splitRows = Integer.parseInt(args.length > 4 ? args[4] : "50000");
    Configuration conf = new Configuration();
    EmbeddingSet set = EmbeddingSetPlanner.plan(new EmbeddingSetPlanner.Spec("text", texts,
        EmbeddingFormat.NPY, null, Columns.DEFAULT, splitRows, 0), conf);
    int d = set.dim();
    AlignJobsKernel kernel = AlignJobsKernel.fit(texts, images, d);
    OutputLayout layout = new OutputLayout(out);
    ShardOutput output = ShardOutput.PARQUET_FLOAT32;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double mb = set.rows() * (double) d * 4 / 1e6;
    for (String mode : new String[] {"copy", "apply"}) {
      ApplyPass.RowFunction fn = mode.equals("copy") ? ApplyPass.copy()
          : ApplyPass.align(kernel.transform.kernel());
      for (int rep = 0; rep < repeats; rep++) {
        long wall = System.nanoTime();
        long cpu = threads.getCurrentThreadCpuTime();
        long rows = 0;
        for (EmbeddingSplit split : set.splits()) {
          ShardResult r = ApplyPass.shardOf(set, split, set.splits().size(), layout, conf,
              new long[0], fn, output, "bench", false, -1, new LongAccumulator());
          rows += r.shard().rows() + r.rejected();
        }
        double wallS = (System.nanoTime() - wall) / 1e9;
        double cpuS = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
        System.out.printf(Locale.ROOT, "%-5s rep %d: %d rows (%.0f MB) in %.2f s wall = %.0f MB/s,"
            + " %.2f s thread CPU = %.0f MB/s per core%n", mode, rep, rows, mb, wallS,
            mb / wallS, cpuS, mb / cpuS);
      }
    }
  }

  /** A transform fitted in memory on the first rows of each input: what the kernel costs. */
  private record AlignJobsKernel(ReAlignTransform transform) {
    static AlignJobsKernel fit(String texts, String images, int d) {
      float[] t = firstRows(texts, d);
      float[] i = firstRows(images, d);
      return new AlignJobsKernel(ReAlignFitter.fitInMemory(FitOptions.defaults(), t, i, d));
    }

    private static float[] firstRows(String path, int d) {
      java.nio.file.Path p = java.nio.file.Path.of(java.net.URI.create(
          path.startsWith("file:") ? path : "file:" + path));
      if (java.nio.file.Files.isDirectory(p)) {
        try (var files = java.nio.file.Files.list(p)) {
          p = files.filter(f -> f.toString().endsWith(".npy")).sorted().findFirst().orElseThrow();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      try (Npy.RowReader r = Npy.openRows(p)) {
        int rows = (int) Math.min(20_000, r.header().rows());
        float[] out = new float[rows * d];
        r.read(0, rows, out, 0);
        return out;
      }
    }
  }
}
