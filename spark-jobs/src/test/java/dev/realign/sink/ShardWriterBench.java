package dev.realign.sink;

import dev.realign.source.Columns;
import dev.realign.source.EmbeddingFormat;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.source.EmbeddingSplit;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Single-thread timing of the shard writer and the column-level reader, no Spark: MB/s of float32
 * payload, per dtype and codec, best of N; then reads each extra Parquet file given (e.g. one
 * pyarrow wrote) through the same reader. Driven by spark-jobs/bench/run-shard-micro-bench.sh.
 *
 * <p>Arguments: rows, d, output directory, repeats, [Parquet files to read ...].
 */
public final class ShardWriterBench {
  public static void main(String[] args) throws Exception {
    int rows = Integer.parseInt(args.length > 0 ? args[0] : "50000");
    int d = Integer.parseInt(args.length > 1 ? args[1] : "1280");
    Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("shard-bench");
    int repeats = Integer.parseInt(args.length > 3 ? args[3] : "3");
    Files.createDirectories(dir);
    java.util.Random rnd = new java.util.Random(7);
    float[] v = new float[Math.min(rows, 10_000) * d];
    for (int j = 0; j < v.length; j++) {
      v[j] = (float) (rnd.nextGaussian() / Math.sqrt(d));
    }
    int cycle = v.length / d;
    Configuration conf = new Configuration();
    FileSystem fs = FileSystem.getLocal(conf);
    fs.setWriteChecksum(false);
    double mb = rows * (double) d * 4 / 1e6;
    for (ShardFormat.Dtype dtype : ShardFormat.Dtype.values()) {
      for (ShardFormat.Codec codec : ShardFormat.Codec.values()) {
        ShardFormat format = new ShardFormat(dtype, codec);
        double best = Double.MAX_VALUE;
        ShardInfo info = null;
        Path file = dir.resolve(format.toString().replace('/', '-') + ".parquet");
        for (int rep = 0; rep < repeats; rep++) {
          long t0 = System.nanoTime();
          try (ShardWriter w =
              new ShardWriter(
                  fs, new org.apache.hadoop.fs.Path(file.toString()), d, false, format)) {
            for (int i = 0; i < rows; i++) {
              w.write("id-" + i, null, v, (i % cycle) * d);
            }
            info = w.finish();
          }
          best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        System.out.printf(
            Locale.ROOT,
            "realign write %-18s %8.0f MB/s  (%d x %d, file %.1f MB," + " best of %d)%n",
            format,
            mb / best,
            rows,
            d,
            info.bytes() / 1e6,
            repeats);
        System.out.printf(
            Locale.ROOT,
            "realign read  %-18s %8.0f MB/s%n",
            format,
            mb / readSeconds(file, repeats, conf));
      }
    }
    for (int i = 4; i < args.length; i++) {
      Path file = Path.of(args[i]);
      System.out.printf(
          Locale.ROOT,
          "realign read  %-18s %8.0f MB/s%n",
          file.getFileName(),
          mb / readSeconds(file, repeats, conf));
    }
  }

  /** Best-of-N seconds to read every vector of {@code file} through the column-level reader. */
  static double readSeconds(Path file, int repeats, Configuration conf) {
    double best = Double.MAX_VALUE;
    for (int rep = 0; rep < repeats; rep++) {
      long t0 = System.nanoTime();
      EmbeddingSet set =
          EmbeddingSetPlanner.plan(
              new EmbeddingSetPlanner.Spec(
                  "text",
                  file.toUri().toString(),
                  EmbeddingFormat.PARQUET,
                  null,
                  Columns.DEFAULT,
                  1 << 30,
                  0),
              conf);
      long n = 0;
      for (EmbeddingSplit split : set.splits()) {
        RowBatch batch = new RowBatch(set.dim(), 1024);
        try (SplitReader r = EmbeddingSetPlanner.open(set, split, false, conf)) {
          while (r.next(batch)) {
            n += batch.size;
          }
        }
      }
      if (n != set.rows()) {
        throw new IllegalStateException("read " + n + " rows of " + set.rows());
      }
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return best;
  }
}
