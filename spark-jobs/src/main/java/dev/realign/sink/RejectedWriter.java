package dev.realign.sink;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.io.api.RecordConsumer;

/**
 * Writes rejected rows with their reason, source file, row index and the original vector, so that
 * nothing is lost: a repaired row can be fed back in.
 */
public final class RejectedWriter implements AutoCloseable {
  private final ParquetRowWriter<Row> out;
  private final Row row = new Row();

  private static final class Row {
    String id;
    String source;
    long index;
    String reason;
    String detail;
    String text;
    float[] vector;
  }

  public RejectedWriter(FileSystem fs, Path path, Configuration conf) {
    this.out = new ParquetRowWriter<>(fs, path, ShardSchemas.rejected(), conf, RejectedWriter::put);
  }

  private static void put(RecordConsumer c, Row r) {
    ParquetRowWriter.writeString(c, "id", 0, r.id);
    ParquetRowWriter.writeString(c, "source", 1, r.source);
    c.startField("row", 2);
    c.addLong(r.index);
    c.endField("row", 2);
    ParquetRowWriter.writeString(c, "reason", 3, r.reason);
    ParquetRowWriter.writeString(c, "detail", 4, r.detail);
    ParquetRowWriter.writeString(c, "text", 5, r.text);
    if (r.vector != null) {
      ParquetRowWriter.writeVector(c, 6, r.vector, 0, r.vector.length);
    }
  }

  public void write(
      String id,
      String source,
      long rowInFile,
      String reason,
      String detail,
      String text,
      float[] vector) {
    row.id = id;
    row.source = source;
    row.index = rowInFile;
    row.reason = reason;
    row.detail = detail;
    row.text = text;
    row.vector = vector;
    out.write(row);
  }

  public ShardInfo finish() {
    return out.finish();
  }

  @Override
  public void close() {
    out.close();
  }
}
