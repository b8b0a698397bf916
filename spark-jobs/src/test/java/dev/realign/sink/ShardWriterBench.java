package dev.realign.sink;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Timing of the shard writer alone (no Spark): MB/s of float32 payload per core, per codec and
 * dtype. Arguments: rows, d, output directory (kept, for reading back with pyarrow), repeats.
 */
public final class ShardWriterBench {
  public static void main(String[] args) throws Exception {
    int rows = Integer.parseInt(args.length > 0 ? args[0] : "50000");
    int d = Integer.parseInt(args.length > 1 ? args[1] : "1280");
    Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("shard-bench");
    int repeats = Integer.parseInt(args.length > 3 ? args[3] : "3");
    Files.createDirectories(dir);
    java.util.Random rnd = new java.util.Random(7);
    float[] v = new float[rows * d < 50_000_000 ? rows * d : d * 1000];
    for (int j = 0; j < v.length; j++) {
      v[j] = (float) (rnd.nextGaussian() / Math.sqrt(d));
    }
    int cycle = v.length / d;
    Configuration conf = new Configuration();
    FileSystem fs = FileSystem.getLocal(conf);
    fs.setWriteChecksum(false);
    for (ShardFormat.Dtype dtype : ShardFormat.Dtype.values()) {
      for (ShardFormat.Codec codec : ShardFormat.Codec.values()) {
        ShardFormat format = new ShardFormat(dtype, codec);
        double best = Double.MAX_VALUE;
        ShardInfo info = null;
        for (int rep = 0; rep < repeats; rep++) {
          long t0 = System.nanoTime();
          org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(
              dir.resolve(dtype.manifestName() + "-" + codec.name().toLowerCase(
                  java.util.Locale.ROOT) + ".parquet").toString());
          try (ShardWriter w = new ShardWriter(fs, p, d, true, format)) {
            for (int i = 0; i < rows; i++) {
              w.write("id-" + i, i % 3 == 0 ? null : "text " + i, v, (i % cycle) * d);
            }
            info = w.finish();
          }
          best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        System.out.printf(java.util.Locale.ROOT,
            "shard writer %s: %d rows x %d in %.3f s = %.0f MB/s of float32, file %.1f MB%n",
            format, rows, d, best, rows * (double) d * 4 / 1e6 / best, info.bytes() / 1e6);
      }
    }
  }
}
