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
 * <p>Arguments: text .npy path, image .npy path (the fit sample), output directory, repeats, split
 * rows.
 */
public final class ShardStageBench {
  public static void main(String[] args) throws Exception {
    String texts = args[0];
    String images = args[1];
    String out = args[2];
    int repeats = Integer.parseInt(args.length > 3 ? args[3] : "3");
    int splitRows = Integer.parseInt(args.length > 4 ? args[4] : "50000");
    Configuration conf = new Configuration();
    EmbeddingSet set =
        EmbeddingSetPlanner.plan(
            new EmbeddingSetPlanner.Spec(
                "text", texts, EmbeddingFormat.NPY, null, Columns.DEFAULT, splitRows, 0),
            conf);
    int d = set.dim();
    AlignJobsKernel kernel = AlignJobsKernel.fit(texts, images, d);
    OutputLayout layout = new OutputLayout(out);
    ShardOutput output = ShardOutput.PARQUET_FLOAT32;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double mb = set.rows() * (double) d * 4 / 1e6;
    int stageThreads = Integer.getInteger("stage.threads", 0);
    int stageRounds = Integer.getInteger("stage.rounds", 1);
    for (int round = 0; stageThreads > 0 && round < stageRounds; round++) {
      // first, in the cold JVM: the stages as local[N] runs them (later rounds: warm)
      for (String mode : new String[] {"copy", "apply"}) {
        stage(
            mode,
            mode.equals("copy") ? ApplyPass.copy() : ApplyPass.align(kernel.transform.kernel()),
            set,
            layout,
            conf,
            output,
            stageThreads,
            mb,
            round == 0 ? "cold" : "warm");
      }
    }
    for (String mode : new String[] {"copy", "apply"}) {
      ApplyPass.RowFunction fn =
          mode.equals("copy") ? ApplyPass.copy() : ApplyPass.align(kernel.transform.kernel());
      for (int rep = 0; rep < repeats; rep++) {
        long wall = System.nanoTime();
        long cpu = threads.getCurrentThreadCpuTime();
        long rows = 0;
        for (EmbeddingSplit split : set.splits()) {
          ShardResult r =
              ApplyPass.shardOf(
                  set,
                  split,
                  set.splits().size(),
                  layout,
                  conf,
                  new long[0],
                  fn,
                  output,
                  "bench",
                  false,
                  -1,
                  new LongAccumulator(),
                  false);
          rows += r.shard().rows() + r.rejected();
        }
        double wallS = (System.nanoTime() - wall) / 1e9;
        double cpuS = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
        System.out.printf(
            Locale.ROOT,
            "%-5s rep %d: %d rows (%.0f MB) in %.2f s wall = %.0f MB/s,"
                + " %.2f s thread CPU = %.0f MB/s per core%n",
            mode,
            rep,
            rows,
            mb,
            wallS,
            mb / wallS,
            cpuS,
            mb / cpuS);
      }
    }
  }

  /**
   * One stage as a local[N] executor runs it, in this JVM: N task threads take the splits in order.
   * Prints the wall time, the task threads' CPU and the whole process's CPU (GC and JIT included)
   * over the stage; the process CPU divided by N is the stage time an idle machine would show if
   * the threads never waited.
   */
  private static void stage(
      String mode,
      ApplyPass.RowFunction fn,
      EmbeddingSet set,
      OutputLayout layout,
      Configuration conf,
      ShardOutput output,
      int n,
      double mb,
      String state)
      throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    java.util.concurrent.atomic.AtomicInteger next =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicLong taskCpu = new java.util.concurrent.atomic.AtomicLong();
    java.util.List<EmbeddingSplit> splits = set.splits();
    long process = os.getProcessCpuTime();
    long wall = System.nanoTime();
    Thread[] workers = new Thread[n];
    Throwable[] failure = new Throwable[1];
    for (int t = 0; t < n; t++) {
      workers[t] =
          new Thread(
              () -> {
                long cpu = threads.getCurrentThreadCpuTime();
                try {
                  for (int k = next.getAndIncrement();
                      k < splits.size();
                      k = next.getAndIncrement()) {
                    ApplyPass.shardOf(
                        set,
                        splits.get(k),
                        splits.size(),
                        layout,
                        conf,
                        new long[0],
                        fn,
                        output,
                        "bench",
                        false,
                        -1,
                        new LongAccumulator(),
                        false);
                  }
                } catch (Throwable e) {
                  failure[0] = e;
                }
                taskCpu.addAndGet(threads.getCurrentThreadCpuTime() - cpu);
              });
      workers[t].start();
    }
    for (Thread w : workers) {
      w.join();
    }
    if (failure[0] != null) {
      throw new IllegalStateException("stage failed", failure[0]);
    }
    double wallS = (System.nanoTime() - wall) / 1e9;
    double processS = (os.getProcessCpuTime() - process) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%-5s stage, %d threads, %s: %.0f MB in %.2f s wall = %.0f"
            + " MB/s per core; task CPU %.2f s = %.0f MB/s per core; process CPU %.2f s = %.0f MB/s"
            + " per core%n",
        mode,
        n,
        state,
        mb,
        wallS,
        mb / wallS / n,
        taskCpu.get() / 1e9,
        mb / (taskCpu.get() / 1e9),
        processS,
        mb / processS);
  }

  /** A transform fitted in memory on the first rows of each input: what the kernel costs. */
  private record AlignJobsKernel(ReAlignTransform transform) {
    static AlignJobsKernel fit(String texts, String images, int d) {
      float[] t = firstRows(texts, d);
      float[] i = firstRows(images, d);
      return new AlignJobsKernel(ReAlignFitter.fitInMemory(FitOptions.defaults(), t, i, d));
    }

    private static float[] firstRows(String path, int d) {
      java.nio.file.Path p =
          java.nio.file.Path.of(
              java.net.URI.create(path.startsWith("file:") ? path : "file:" + path));
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
