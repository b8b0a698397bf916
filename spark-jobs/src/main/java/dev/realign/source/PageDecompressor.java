package dev.realign.source;

import dev.realign.sink.CodecUnavailableException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.CodecPool;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.Decompressor;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Decompresses page bodies with the size checks parquet-mr's decompressor leaves out: a declared
 * uncompressed size is bounded by the compressed bytes really there (each format's largest
 * expansion) before anything is allocated; a Snappy stream's own length must equal the declared one
 * (the Snappy decompressor allocates from it); the output buffer grows only as bytes really come
 * out; and the stream must end exactly at the declared size ("a page that does not decompress to
 * its declared size", pyarrow's check). One per split reader, shared by its columns.
 */
final class PageDecompressor implements AutoCloseable {
  /**
   * The most bytes one compressed byte can become, per codec: Snappy's 3-byte copy yields at most
   * 64 bytes; an LZ4 sequence adds 255 bytes of match per extension byte; deflate's maximum is
   * 1032:1; a ZSTD RLE block turns 4 bytes into a 128 KiB block. Others: the ZSTD bound.
   */
  static long maxExpansion(CompressionCodecName codec) {
    return switch (codec) {
      case UNCOMPRESSED -> 1;
      case SNAPPY -> 22;
      case LZ4, LZ4_RAW -> 256;
      case GZIP -> 1032;
      default -> 32768;
    };
  }

  /** Slack for stream headers on tiny pages. */
  private static final long HEADER_SLACK = 64;

  private static final int FIRST_BUFFER = 1 << 16;

  private final Codecs codecs;

  private final Map<CompressionCodecName, Decompressor> pooled =
      new EnumMap<>(CompressionCodecName.class);

  PageDecompressor(Configuration conf) {
    this.codecs = new Codecs(conf);
  }

  /** Exposes parquet-mr's codec lookup (by name, cached, configured as the writer side does). */
  private static final class Codecs extends CodecFactory {
    Codecs(Configuration conf) {
      super(conf, 0);
    }

    CompressionCodec codec(CompressionCodecName name) {
      return getCodec(name);
    }
  }

  /**
   * Decompresses {@code src[off, off + len)}, which its page header says holds {@code declared}
   * bytes, into {@code reuse} (grown as needed: the returned array holds the bytes at 0..declared).
   *
   * @throws CorruptPageException when the sizes do not add up or the bytes do not decompress
   * @throws CodecUnavailableException when the codec's native library does not load here
   */
  byte[] decompress(
      CompressionCodecName name, byte[] src, int off, int len, int declared, byte[] reuse) {
    if (declared < 0) {
      throw new CorruptPageException("page header says " + declared + " bytes uncompressed");
    }
    long most = len * maxExpansion(name) + HEADER_SLACK;
    if (declared > most) {
      throw new CorruptPageException(
          "page does not decompress to its declared size: its header says "
              + declared
              + " bytes from "
              + len
              + " compressed bytes ("
              + name
              + " expands at most "
              + maxExpansion(name)
              + "x)");
    }
    if (name == CompressionCodecName.SNAPPY) {
      long stated = snappyLength(src, off, len);
      if (stated != declared) {
        throw new CorruptPageException(
            "page does not decompress to its declared size: the SNAPPY stream says "
                + stated
                + " bytes, the page header "
                + declared);
      }
    }
    // Snappy and ZSTD are native code (snappy-java, zstd-jni), parquet-mr's codecs included: where
    // the library does not load, no path here can read the page, and the file is not to blame.
    try {
      return name == CompressionCodecName.SNAPPY
          ? snappy(src, off, len, declared, reuse)
          : viaCodec(name, src, off, len, declared, reuse);
    } catch (LinkageError e) {
      throw new CodecUnavailableException(name.name(), e);
    }
  }

  /** Any codec through parquet-mr's codec streams. */
  private byte[] viaCodec(
      CompressionCodecName name, byte[] src, int off, int len, int declared, byte[] reuse) {
    CompressionCodec codec = codecs.codec(name);
    if (codec == null) {
      throw new CorruptPageException("no decompressor for codec " + name);
    }
    Decompressor d = pooled.computeIfAbsent(name, k -> CodecPool.getDecompressor(codec));
    if (d != null) {
      d.reset();
    }
    // An LZ4_RAW stream decompresses the whole input in one call, into a buffer of the size asked
    // for (bounded above): it gets the declared size at once, and fails past it.
    boolean whole = name == CompressionCodecName.LZ4_RAW;
    int first = whole ? declared : Math.min(declared, FIRST_BUFFER);
    byte[] out = reuse.length >= first ? reuse : new byte[first];
    int total = 0;
    try (InputStream in = codec.createInputStream(new ByteArrayInputStream(src, off, len), d)) {
      while (total < declared) {
        if (total == out.length) {
          out = Arrays.copyOf(out, (int) Math.min(declared, Math.max(FIRST_BUFFER, 2L * total)));
        }
        int r = in.read(out, total, Math.min(out.length, declared) - total);
        if (r < 0) {
          break;
        }
        total += r;
      }
      if (total < declared) {
        throw new CorruptPageException(
            "page does not decompress to its declared size: "
                + total
                + " bytes, its header says "
                + declared);
      }
      if (!whole && in.read() >= 0) {
        throw new CorruptPageException(
            "page does not decompress to its declared size: more than the " + declared + " bytes");
      }
    } catch (CorruptPageException e) {
      throw e;
    } catch (IOException | RuntimeException | InternalError e) {
      throw new CorruptPageException(
          "page does not decompress with " + name + " (" + e.getMessage() + ")");
    }
    return out;
  }

  /**
   * A raw Snappy page, whose stream states exactly {@code declared} bytes (checked by the caller),
   * from the page's array straight into {@code reuse}: parquet-mr's codec stream copied the page
   * into a direct buffer, decompressed into another and copied that out, three passes over every
   * byte where this makes one (Snappy writes no further than the length its stream states).
   */
  private static byte[] snappy(byte[] src, int off, int len, int declared, byte[] reuse) {
    byte[] out = reuse.length >= declared ? reuse : new byte[declared];
    int n;
    try {
      n = org.xerial.snappy.Snappy.uncompress(src, off, len, out, 0);
    } catch (IOException | RuntimeException e) {
      throw new CorruptPageException(
          "page does not decompress with SNAPPY (" + e.getMessage() + ")");
    }
    if (n != declared) {
      throw new CorruptPageException(
          "page does not decompress to its declared size: "
              + n
              + " bytes, its header says "
              + declared);
    }
    return out;
  }

  /** The uncompressed length a raw Snappy stream starts with (a varint); -1 if it has none. */
  static long snappyLength(byte[] src, int off, int len) {
    long v = 0;
    for (int i = 0; i < 5 && i < len; i++) {
      int b = src[off + i] & 0xff;
      v |= (long) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    return -1;
  }

  @Override
  public void close() {
    for (Decompressor d : pooled.values()) {
      if (d != null) {
        CodecPool.returnDecompressor(d);
      }
    }
    pooled.clear();
    codecs.release();
  }
}
