package dev.realign.sink;

import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.sink.ShardFormat.Dtype;
import java.io.Serializable;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * How aligned shards are stored: file format ({@code output.format}), element type ({@code
 * output.dtype}) and, for Arrow, rows per record batch. A plain class: tasks capture it.
 */
public final class ShardOutput implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Largest record batch, in embedding bytes: Arrow's limit is 2 GiB; readers want far less. */
  static final long MAX_BATCH_BYTES = 256L << 20;

  /** Shard file format. */
  public enum Format {
    PARQUET("parquet"),
    ARROW("arrow");

    private final String id;

    Format(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    public static Format fromId(String id) {
      for (Format f : values()) {
        if (f.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
          return f;
        }
      }
      throw new IllegalArgumentException(
          "Invalid value for "
              + ConfigKeys.OUTPUT_FORMAT
              + ": \""
              + id
              + "\" (must be one of [parquet, arrow])");
    }
  }

  public static final ShardOutput PARQUET_FLOAT32 =
      new ShardOutput(Format.PARQUET, Dtype.FLOAT32, 8192);

  private final Format format;
  private final Dtype dtype;
  private final int arrowBatchRows;

  /** The Parquet writer's element type and page codec (output.dtype, output.parquet.codec). */
  private final ShardFormat parquet;

  public ShardOutput(Format format, Dtype dtype, int arrowBatchRows) {
    this(
        format,
        dtype,
        arrowBatchRows,
        dtype == Dtype.FLOAT16
            ? new ShardFormat(Dtype.FLOAT16, ShardFormat.Codec.UNCOMPRESSED)
            : ShardFormat.DEFAULT);
  }

  public ShardOutput(Format format, Dtype dtype, int arrowBatchRows, ShardFormat parquet) {
    if (arrowBatchRows < 1) {
      throw new IllegalArgumentException(
          "Invalid "
              + ConfigKeys.OUTPUT_ARROW_BATCH_ROWS
              + ": "
              + arrowBatchRows
              + " (must be >= 1)");
    }
    this.format = format;
    this.dtype = dtype;
    this.arrowBatchRows = arrowBatchRows;
    this.parquet = parquet;
  }

  public static ShardOutput fromConfig(PipelineConfig c) {
    // output.dtype is parsed once: the same element type for Arrow and Parquet shards.
    Dtype dtype = Dtype.fromId(c.get(ConfigKeys.OUTPUT_DTYPE));
    Format format = Format.fromId(c.get(ConfigKeys.OUTPUT_FORMAT));
    ShardFormat.Codec codec =
        ShardFormat.Codec.parse(
            ConfigKeys.OUTPUT_PARQUET_CODEC, c.get(ConfigKeys.OUTPUT_PARQUET_CODEC));
    if (format == Format.PARQUET) {
      codec.requireLoadable(); // a native codec that does not load here fails before any work
    }
    return new ShardOutput(
        format, dtype, c.getInt(ConfigKeys.OUTPUT_ARROW_BATCH_ROWS), new ShardFormat(dtype, codec));
  }

  /** The Parquet writer's element type and codec. */
  public ShardFormat parquet() {
    return parquet;
  }

  public Format format() {
    return format;
  }

  public Dtype dtype() {
    return dtype;
  }

  public int arrowBatchRows() {
    return arrowBatchRows;
  }

  /** {@code part-00003-of-00064.parquet} or {@code .arrow}. */
  public String shardName(int index, int count) {
    return OutputLayout.shardName(index, count, format.id());
  }

  /**
   * What a completion record must match, besides the shard's SHA-256, for a resumed run to keep the
   * shard: the transform, and the dtype (and for Parquet the codec; the format is in the file
   * name). The default (Parquet, float32, uncompressed) keeps the bare transform SHA-256, so
   * completion records of earlier runs stay valid.
   */
  public String completionKey(String transformSha256) {
    if (format == Format.ARROW) {
      return dtype == Dtype.FLOAT32 ? transformSha256 : transformSha256 + "+" + dtype.id();
    }
    return parquet.toString().equals(ShardFormat.DEFAULT.toString())
        ? transformSha256
        : transformSha256 + "/" + parquet;
  }

  /** Opens the writer for one shard at {@code path}. */
  public EmbeddingShardWriter open(
      FileSystem fs, Path path, int dim, boolean withText, Configuration conf) {
    if (format == Format.ARROW) {
      long batchBytes = (long) arrowBatchRows * dim * dtype.bytes();
      if (batchBytes > MAX_BATCH_BYTES) {
        throw new IllegalArgumentException(
            "Invalid "
                + ConfigKeys.OUTPUT_ARROW_BATCH_ROWS
                + ": "
                + arrowBatchRows
                + " rows x "
                + dim
                + " x "
                + dtype.bytes()
                + " bytes = "
                + batchBytes
                + " bytes per record batch (must be <= "
                + MAX_BATCH_BYTES
                + ")");
      }
      return new ArrowShardWriter(fs, path, dim, withText, dtype, arrowBatchRows);
    }
    ShardWriter w = new ShardWriter(fs, path, dim, withText, parquet);
    return new EmbeddingShardWriter() {
      @Override
      public void write(String id, String text, float[] values, int offset) {
        w.write(id, text, values, offset);
      }

      @Override
      public ShardInfo finish() {
        return w.finish();
      }

      @Override
      public void close() {
        w.close();
      }
    };
  }

  @Override
  public String toString() {
    return format == Format.ARROW
        ? "arrow/" + dtype.id() + " (" + arrowBatchRows + " rows per batch)"
        : "parquet/" + parquet;
  }
}
