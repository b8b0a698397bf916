package dev.realign.job;

import dev.realign.align.AlignmentKernel;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.report.ReportWarmup;
import dev.realign.sink.EmbeddingShardWriter;
import dev.realign.sink.ShardOutput;
import dev.realign.source.RowBatch;
import dev.realign.spark.SketchAggregation.CentroidAccumulator;
import dev.realign.spark.SketchAggregation.RowAccumulator;
import dev.realign.stats.MomentSketch;
import java.io.IOException;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The warm-up of the passes' per-row code ({@link Warmups} runs it first): the kernels are Vector
 * API code, which runs as slow generic Java until C2 has compiled it.
 */
final class PassWarmup {
  /** Synthetic rows (one batch) of the warm-up. */
  private static final int ROWS = 2_000;

  /**
   * Dimension of the synthetic rows. The first round runs the Vector API kernels as generic Java
   * (objects for every vector) until C2 has them, at a cost that grows with the dimension, while
   * the calls that make C2 take a kernel (a call a row or a pair of rows) do not; the loops'
   * back-edges do, four times fewer a call at 64, and the later rounds make up for them. With 256
   * the first round took 1.8-3.4 s on 2 cores and ran on into an 800k-row run's first stage; with
   * 64, 1.3-1.8 s. 8 alternated pairs at 800k, report off: the text stats stage 3.75 s against 4.08
   * s and the run 18.76 s against 19.54 s (means; faster in 6 of 8).
   */
  private static final int DIM = 64;

  /** Writes of the batch per warm-up shard: 6 MB, past a 4 MiB buffer segment. */
  private static final int WRITES = 12;

  /**
   * Rounds of the warm-up: until a round is no faster than 4/5 of the one before (C2 has compiled
   * the loops), at least 2 and at most 8. While Spark starts, C2's queue is long and its thresholds
   * scale with it: measured on 2 cores with 256 components (an earlier session), rounds took 1,100,
   * 250, 140, 90, 34 and 35 ms, and two rounds left the kernels for the real pass to compile; with
   * 64 (session 35, 800k runs), 1,338-1,774, 90-365, 41-133 ms and on.
   */
  private static final int MIN_ROUNDS = 2;

  /**
   * Alignments of the batch a round. The kernel aligns rows two at a time, and C2 takes a method
   * only after thousands of calls (3,000 and more with the launcher's raised thresholds, scaled up
   * further while C2's queue is long): with one alignment a round (1,000 calls) the rounds stopped
   * getting faster before the pair kernels were compiled, and the first apply tasks of a 200k-row
   * run aligned at a third of the speed of the later ones (260-490 ms against 90-114 ms for 256 MB;
   * -XX:+PrintCompilation showed the pair kernels reaching C2 mid-stage).
   */
  private static final int ALIGN_REPEATS = 6;

  private static final int MAX_ROUNDS = 8;

  /** One zero row and one NaN row in every this many rows of the warm-up batch. */
  private static final int BAD_ROW_EVERY = 50;

  private PassWarmup() {}

  /**
   * The passes' per-row code over synthetic rows, through the same calls as the real tasks: the
   * stats pass's sketch add, the centroid pass's kernel output and sketch, and the apply pass's
   * batch function ({@link ApplyPass#align}) and {@link ApplyPass#writeBatch} into a real shard
   * writer (a temporary file, deleted) with the sketch of the written rows, and the copy pass's
   * write of the rows as read. Rows throughout the batch are bad (zero rows, NaNs: 2 in every
   * {@link #BAD_ROW_EVERY}), so the reject branches real inputs take are compiled as well rather
   * than deoptimised later. The shards go to a new directory under {@code tmp}, deleted with them.
   * With {@link Warmups.Rows#COPY}, only the copy pass's write. Returns the rows the last round's
   * shards took (the caller drops it).
   */
  static long run(java.nio.file.Path tmp, Warmups.Rows rows) throws IOException {
    boolean passes = rows == Warmups.Rows.PASSES;
    float[] texts = ReportWarmup.syntheticRows(ROWS, DIM, 0, 3);
    float[] images = ReportWarmup.syntheticRows(ROWS, DIM, 1, 4);
    AlignmentKernel kernel =
        passes
            ? ReAlignFitter.fitInMemory(FitOptions.defaults(), texts, images, DIM).kernel()
            : null;
    // Throughout the batch: a kernel reaches C2 within the first round, from the profile of the
    // rows it has seen by then, and a branch no profiled row took is compiled as a trap. With one
    // zero row and one NaN near the end, an 800k-row run deoptimised the centroid kernel at its
    // first bad row (forwardUnit's reject branch) and the apply pass's pair kernel at its first
    // zero row (JFR: unstable_if, reinterpret), each then interpreted and compiled again mid-pass.
    // At even and odd rows alike: the pair kernel tests the first and the second row of a pair
    // apart (with bad rows at odd rows only, its first-row branch was still a trap).
    for (int k = 0; (k + 1) * BAD_ROW_EVERY <= ROWS; k++) {
      int zero = k * BAD_ROW_EVERY + BAD_ROW_EVERY / 2 + k % 2;
      java.util.Arrays.fill(texts, zero * DIM, (zero + 1) * DIM, 0f);
      texts[(zero + BAD_ROW_EVERY / 4) * DIM + 5] = Float.NaN;
    }
    RowBatch batch = new RowBatch(DIM, ROWS);
    System.arraycopy(texts, 0, batch.flat, 0, texts.length);
    for (int i = 0; i < ROWS; i++) {
      batch.ids[i] = "warmup-" + i;
    }
    batch.size = ROWS;
    ApplyPass.RowFunction align = passes ? ApplyPass.align(kernel) : null;
    float[] out = new float[ROWS * DIM];
    boolean[] accepted = new boolean[ROWS];
    double[] scratch = passes ? new double[align.scratchSize(DIM)] : null;
    Configuration conf = new Configuration();
    java.nio.file.Path dir = Files.createTempDirectory(tmp, "realign-warmup-");
    dir.toFile().deleteOnExit(); // a daemon thread: the JVM may exit before the finally below
    long written = 0;
    // An instance of its own, closed after: the cached one is the job's, with the job's settings.
    try (FileSystem fs = FileSystem.newInstance(dir.toUri(), conf)) {
      fs.setWriteChecksum(false); // as HadoopFiles.fs: no .crc side files
      long previous = Long.MAX_VALUE;
      for (int round = 0; round < MAX_ROUNDS; round++) {
        long start = System.nanoTime();
        written = 0;
        // Each shard takes the batch WRITES times: past a buffer segment and a few pages.
        if (passes) {
          RowAccumulator stats = new RowAccumulator(DIM);
          CentroidAccumulator centroid = new CentroidAccumulator(kernel);
          for (int i = 0; i < ROWS; i++) {
            stats.add(texts, i * DIM);
            centroid.add(texts, i * DIM); // bad rows too: the centroid pass meets them again
          }
          for (int a = 0; a < ALIGN_REPEATS; a++) {
            align.apply(batch, out, accepted, scratch);
          }
          MomentSketch sketch = new MomentSketch(DIM);
          try (EmbeddingShardWriter writer = shardWriter(fs, dir, "aligned-" + round, conf)) {
            for (int w = 0; w < WRITES; w++) {
              written += ROWS - ApplyPass.writeBatch(batch, out, accepted, writer, sketch);
            }
            writer.finish();
          }
        }
        try (EmbeddingShardWriter writer = shardWriter(fs, dir, "copied-" + round, conf)) {
          for (int w = 0; w < WRITES; w++) {
            written += ROWS - ApplyPass.writeBatch(batch, batch.flat, null, writer, null);
          }
          writer.finish();
        }
        long took = System.nanoTime() - start;
        if (Boolean.getBoolean("realign.warmup.log")) {
          System.err.printf(
              java.util.Locale.ROOT, "[realign] warm-up round %d: %.0f ms%n", round, took / 1e6);
        }
        if (round + 1 >= MIN_ROUNDS && took > previous * 4 / 5) {
          break; // no longer getting faster: compiled
        }
        previous = took;
      }
    } finally {
      try (java.util.stream.Stream<java.nio.file.Path> files = Files.list(dir)) {
        for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
    return written;
  }

  private static EmbeddingShardWriter shardWriter(
      FileSystem fs, java.nio.file.Path dir, String name, Configuration conf) {
    java.nio.file.Path file = dir.resolve(name + ".parquet");
    file.toFile().deleteOnExit(); // before the directory, which was registered first
    Path shard = new Path(file.toUri());
    return ShardOutput.PARQUET_FLOAT32.open(fs, shard, DIM, false, conf);
  }
}
