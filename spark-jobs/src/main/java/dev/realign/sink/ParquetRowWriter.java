package dev.realign.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * Writes one Parquet file from an executor with parquet-hadoop directly (no Spark row conversion):
 * deterministic bytes for the same rows (no timestamps, no UUIDs), SHA-256 computed while writing.
 *
 * @param <T> the row type; {@code writeRow} turns one into Parquet fields
 */
final class ParquetRowWriter<T> implements AutoCloseable {
  private final DigestingOutputFile file;
  private final ParquetWriter<T> writer;
  private final Path path;
  private long rows;
  private ShardInfo info;

  ParquetRowWriter(
      FileSystem fs,
      Path path,
      MessageType schema,
      Configuration conf,
      BiConsumer<RecordConsumer, T> writeRow) {
    this.path = path;
    this.file = new DigestingOutputFile(fs, path);
    WriteSupport<T> support =
        new WriteSupport<>() {
          private RecordConsumer consumer;

          @Override
          public WriteContext init(Configuration configuration) {
            return new WriteContext(schema, Map.of());
          }

          @Override
          public void prepareForWrite(RecordConsumer recordConsumer) {
            this.consumer = recordConsumer;
          }

          @Override
          public void write(T record) {
            consumer.startMessage();
            writeRow.accept(consumer, record);
            consumer.endMessage();
          }
        };
    try {
      this.writer =
          new Builder<>(file, support)
              .withConf(conf)
              // Uncompressed: a rejected row must be kept on any machine, and Snappy is native code
              // that does not load where java.io.tmpdir is mounted noexec (the job then failed at
              // the first rejected row). These files hold few rows.
              .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
              .withDictionaryEncoding(false)
              .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
              .withWriteMode(org.apache.parquet.hadoop.ParquetFileWriter.Mode.OVERWRITE)
              .build();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create Parquet file " + path, e);
    }
  }

  private static final class Builder<T> extends ParquetWriter.Builder<T, Builder<T>> {
    private final WriteSupport<T> support;

    Builder(org.apache.parquet.io.OutputFile file, WriteSupport<T> support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder<T> self() {
      return this;
    }

    @Override
    protected WriteSupport<T> getWriteSupport(Configuration conf) {
      return support;
    }
  }

  void write(T row) {
    try {
      writer.write(row);
      rows++;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write Parquet file " + path, e);
    }
  }

  /** Closes the file and returns its name, rows, bytes and SHA-256. */
  ShardInfo finish() {
    close();
    return info;
  }

  @Override
  public void close() {
    if (info != null) {
      return;
    }
    try {
      writer.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close Parquet file " + path, e);
    }
    info = new ShardInfo(path.getName(), rows, file.bytes(), file.sha256());
  }

  static void writeVector(RecordConsumer c, int field, float[] v, int off, int len) {
    c.startField("embedding", field);
    c.startGroup();
    if (len > 0) {
      c.startField("list", 0);
      for (int j = 0; j < len; j++) {
        c.startGroup();
        c.startField("element", 0);
        c.addFloat(v[off + j]);
        c.endField("element", 0);
        c.endGroup();
      }
      c.endField("list", 0);
    }
    c.endGroup();
    c.endField("embedding", field);
  }

  static void writeString(RecordConsumer c, String name, int field, String value) {
    if (value == null) {
      return;
    }
    c.startField(name, field);
    c.addBinary(org.apache.parquet.io.api.Binary.fromString(value));
    c.endField(name, field);
  }
}
