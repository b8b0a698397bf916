package dev.realign.sink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Throwaway timing, not a test: one shard of random rows written through {@link ShardOutput} as
 * Parquet float32, Arrow float32 and Arrow float16, interleaved, best of N. Args: rows, d, reps,
 * directory.
 */
public final class ArrowWriterBench {
  public static void main(String[] args) throws Exception {
    int rows = Integer.parseInt(args.length > 0 ? args[0] : "20000");
    int d = Integer.parseInt(args.length > 1 ? args[1] : "1280");
    int reps = Integer.parseInt(args.length > 2 ? args[2] : "3");
    Path dir =
        args.length > 3
            ? Files.createDirectories(Path.of(args[3]))
            : Files.createTempDirectory("arrow-bench");
    float[] v = new float[rows * d];
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextDouble() - 0.5) * 0.1f;
    }
    Configuration conf = new Configuration();
    FileSystem fs = FileSystem.getLocal(conf);
    fs.setWriteChecksum(false);
    ShardOutput[] outputs = {
      ShardOutput.PARQUET_FLOAT32,
      new ShardOutput(ShardOutput.Format.ARROW, ShardFormat.Dtype.FLOAT32, 8192),
      new ShardOutput(ShardOutput.Format.ARROW, ShardFormat.Dtype.FLOAT16, 8192)
    };
    double[] best = new double[outputs.length];
    long[] bytes = new long[outputs.length];
    java.util.Arrays.fill(best, Double.MAX_VALUE);
    for (int rep = 0; rep < reps; rep++) {
      for (int k = 0; k < outputs.length; k++) {
        org.apache.hadoop.fs.Path p =
            new org.apache.hadoop.fs.Path(dir.toString(), outputs[k].shardName(k, outputs.length));
        long t0 = System.nanoTime();
        try (EmbeddingShardWriter w = outputs[k].open(fs, p, d, true, conf)) {
          for (int i = 0; i < rows; i++) {
            w.write("id-" + i, "a caption of row " + i, v, i * d);
          }
          bytes[k] = w.finish().bytes();
        }
        best[k] = Math.min(best[k], (System.nanoTime() - t0) / 1e9);
      }
    }
    double payload = (double) rows * d * 4 / 1e6;
    for (int k = 0; k < outputs.length; k++) {
      System.out.printf(
          "%-40s %7.3f s  %8.1f MB/s of float32 payload  %,d bytes%n",
          outputs[k], best[k], payload / best[k], bytes[k]);
    }
  }
}
