package dev.realign.sink;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/** Throwaway timing of the shard writer: rows/s and MB/s of float32 payload. */
public final class ShardWriterBench {
  public static void main(String[] args) throws Exception {
    int rows = Integer.parseInt(args.length > 0 ? args[0] : "50000");
    int d = Integer.parseInt(args.length > 1 ? args[1] : "1280");
    float[] v = new float[d];
    for (int j = 0; j < d; j++) {
      v[j] = (float) Math.sin(j);
    }
    Path dir = Files.createTempDirectory("shard-bench");
    Configuration conf = new Configuration();
    FileSystem fs = FileSystem.getLocal(conf);
    fs.setWriteChecksum(false);
    org.apache.parquet.schema.MessageType twoLevel = org.apache.parquet.schema.MessageTypeParser
        .parseMessageType("message m { required binary id (STRING); required group embedding"
            + " (LIST) { repeated float array; } }");
    for (int rep = 0; rep < 3; rep++) {
      long t0 = System.nanoTime();
      try (ParquetRowWriter<float[]> w = new ParquetRowWriter<>(fs, new org.apache.hadoop.fs.Path(
          dir.resolve("t" + rep + ".parquet").toString()), twoLevel, conf, (c, row) -> {
            ParquetRowWriter.writeString(c, "id", 0, "id-x");
            c.startField("embedding", 1);
            c.startGroup();
            c.startField("array", 0);
            for (int j = 0; j < row.length; j++) {
              c.addFloat(row[j]);
            }
            c.endField("array", 0);
            c.endGroup();
            c.endField("embedding", 1);
          })) {
        for (int i = 0; i < rows; i++) {
          v[0] = i;
          w.write(v);
        }
        w.finish();
      }
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("2-level rep %d: %.0f rows/s, %.0f MB/s%n", rep, rows / s,
          rows * (double) d * 4 / 1e6 / s);
    }
    for (int rep = 0; rep < 3; rep++) {
      long t0 = System.nanoTime();
      try (ShardWriter w = new ShardWriter(fs, new org.apache.hadoop.fs.Path(
          dir.resolve("s" + rep + ".parquet").toString()), d, false, conf)) {
        for (int i = 0; i < rows; i++) {
          v[0] = i;
          w.write("id-" + i, null, v, 0);
        }
        w.finish();
      }
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("rep %d: %d rows x %d in %.2f s = %.0f rows/s, %.0f MB/s%n", rep, rows, d,
          s, rows / s, rows * (double) d * 4 / 1e6 / s);
    }
  }
}
