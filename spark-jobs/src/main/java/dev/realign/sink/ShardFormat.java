package dev.realign.sink;

import dev.realign.config.ConfigKeys;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import org.apache.parquet.format.CompressionCodec;

/**
 * How aligned shards store their vectors: the element type and the page codec. A plain class, not a
 * record: it travels to executors inside task closures.
 */
public final class ShardFormat implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * The element type of {@code embedding} in Parquet and Arrow shards alike ({@code output.dtype});
   * the manifest's {@code dtype}.
   */
  public enum Dtype {
    /** Parquet FLOAT, 4 bytes little-endian. */
    FLOAT32(4),
    /** Parquet FLOAT16 logical type: FIXED_LEN_BYTE_ARRAY(2), little-endian IEEE half. */
    FLOAT16(2);

    private final int bytes;

    Dtype(int bytes) {
      this.bytes = bytes;
    }

    public int bytes() {
      return bytes;
    }

    /** The config's and the manifest's spelling: {@code float32} or {@code float16}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code output.dtype}.
     *
     * @throws IllegalArgumentException naming the key, the value and the choices
     */
    public static Dtype fromId(String id) {
      return choose(Dtype.class, ConfigKeys.OUTPUT_DTYPE, id);
    }
  }

  /**
   * Page codecs. Uncompressed is the default: float vectors barely compress (measured with
   * ShardWriterBench on 20,000 x 1280 random-direction float32 rows: Snappy 0.3 % smaller, zstd-1
   * 7.7 %; float16 likewise 0.6 % and 9 %), so a codec spends CPU on every page for next to no
   * bytes, and readers (GPU loaders) decode plain pages with a copy.
   */
  public enum Codec {
    UNCOMPRESSED(CompressionCodec.UNCOMPRESSED),
    SNAPPY(CompressionCodec.SNAPPY),
    ZSTD(CompressionCodec.ZSTD);

    /** zstd level: 1 is the fastest; higher levels gain well under 1 % on float vectors. */
    static final int ZSTD_LEVEL = 1;

    private final CompressionCodec parquet;

    Codec(CompressionCodec parquet) {
      this.parquet = parquet;
    }

    CompressionCodec parquet() {
      return parquet;
    }

    /**
     * Parses a codec value ({@code output.parquet.codec}).
     *
     * @throws IllegalArgumentException naming the key, the value and the choices
     */
    public static Codec parse(String key, String value) {
      return choose(Codec.class, key, value);
    }

    /**
     * Compresses {@code src[0..n)}; returns the compressed bytes in {@code scratch[0]}'s array
     * (grown when needed) and their length.
     */
    int compress(byte[] src, int n, byte[][] scratch) {
      try {
        return compressOrFail(src, n, scratch);
      } catch (LinkageError | org.xerial.snappy.SnappyError e) {
        throw new CodecUnavailableException(name(), e);
      }
    }

    /**
     * Compresses a few bytes, so that a codec whose native library does not load here fails before
     * any work rather than at the first shard's first page.
     *
     * @throws CodecUnavailableException if it does not load
     */
    public Codec requireLoadable() {
      if (this != UNCOMPRESSED) {
        compress(new byte[64], 64, new byte[1][]);
      }
      return this;
    }

    private int compressOrFail(byte[] src, int n, byte[][] scratch) {
      try {
        switch (this) {
          case SNAPPY -> {
            int max = org.xerial.snappy.Snappy.maxCompressedLength(n);
            grow(scratch, max);
            return org.xerial.snappy.Snappy.compress(src, 0, n, scratch[0], 0);
          }
          case ZSTD -> {
            int max = (int) com.github.luben.zstd.Zstd.compressBound(n);
            grow(scratch, max);
            long r =
                com.github.luben.zstd.Zstd.compressByteArray(
                    scratch[0], 0, max, src, 0, n, ZSTD_LEVEL);
            if (com.github.luben.zstd.Zstd.isError(r)) {
              throw new IOException("zstd: " + com.github.luben.zstd.Zstd.getErrorName(r));
            }
            return (int) r;
          }
          default -> throw new IllegalStateException("no compression for " + this);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot compress a page with " + this, e);
      }
    }

    private static void grow(byte[][] scratch, int n) {
      if (scratch[0] == null || scratch[0].length < n) {
        scratch[0] = new byte[n];
      }
    }
  }

  public static final ShardFormat DEFAULT = new ShardFormat(Dtype.FLOAT32, Codec.UNCOMPRESSED);

  private final Dtype dtype;
  private final Codec codec;

  public ShardFormat(Dtype dtype, Codec codec) {
    this.dtype = dtype;
    this.codec = codec;
  }

  /**
   * Parses the config values.
   *
   * @throws IllegalArgumentException naming the key, the value and the choices
   */
  public static ShardFormat parse(String dtypeKey, String dtype, String codecKey, String codec) {
    return new ShardFormat(choose(Dtype.class, dtypeKey, dtype), Codec.parse(codecKey, codec));
  }

  private static <E extends Enum<E>> E choose(Class<E> type, String key, String value) {
    String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(v)) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        "Invalid value for "
            + key
            + ": \""
            + value
            + "\" (must be one of "
            + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT))
                .toList()
            + ")");
  }

  public Dtype dtype() {
    return dtype;
  }

  public Codec codec() {
    return codec;
  }

  @Override
  public String toString() {
    return dtype.id() + "/" + codec.name().toLowerCase(Locale.ROOT);
  }
}
