package dev.realign.sink;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.io.api.RecordConsumer;

/**
 * Writes one output shard: rows of {@code id}, optional {@code text}, and exactly {@code d} floats
 * of {@code embedding}.
 */
public final class ShardWriter implements AutoCloseable {
  private final int dim;
  private final boolean withText;
  private final ParquetRowWriter<Row> out;
  private final Row row = new Row();

  private static final class Row {
    String id;
    String text;
    float[] values;
    int offset;
  }

  public ShardWriter(FileSystem fs, Path path, int dim, boolean withText, Configuration conf) {
    this.dim = dim;
    this.withText = withText;
    this.out = new ParquetRowWriter<>(fs, path, ShardSchemas.shard(withText), conf, this::write);
  }

  private void write(RecordConsumer c, Row r) {
    ParquetRowWriter.writeString(c, "id", 0, r.id);
    int field = 1;
    if (withText) {
      ParquetRowWriter.writeString(c, "text", field++, r.text);
    }
    ParquetRowWriter.writeVector(c, field, r.values, r.offset, dim);
  }

  /** Writes one row; the vector is {@code d} floats of {@code values} at {@code offset}. */
  public void write(String id, String text, float[] values, int offset) {
    row.id = id;
    row.text = text;
    row.values = values;
    row.offset = offset;
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
