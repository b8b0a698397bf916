package dev.realign.source;

import dev.realign.sink.CodecUnavailableException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
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

  /** Pages decompressed whole: how many a reader skipping to its split did not need to. */
  private long pagesDecompressed;

  private final Map<CompressionCodecName, Decompressor> pooled =
      new EnumMap<>(CompressionCodecName.class);

  PageDecompressor(Configuration conf) {
    this.codecs = new Codecs(conf);
  }

  /** Pages decompressed whole so far (not those only a prefix of was: {@link #snappyPrefix}). */
  long pagesDecompressed() {
    return pagesDecompressed;
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
    checkSizes(
        name, len, declared, name == CompressionCodecName.SNAPPY ? snappyLength(src, off, len) : 0);
    // Snappy and ZSTD are native code (snappy-java, zstd-jni), parquet-mr's codecs included: where
    // the library does not load, no path here can read the page, and the file is not to blame.
    try {
      return name == CompressionCodecName.SNAPPY
          ? snappy(src, off, len, declared, reuse)
          : viaCodec(name, src, off, len, declared, reuse);
    } catch (LinkageError | org.xerial.snappy.SnappyError e) {
      throw nativeFailure(name, e);
    }
  }

  /**
   * As {@link #decompress} for a Snappy page in a direct buffer ({@code src} from its position to
   * its limit), into a direct buffer: {@code reuse} where it holds {@code declared} bytes, else a
   * new one. snappy-java reads and writes direct buffers in place, where byte arrays cost the JDK's
   * copy of the page into a temporary direct buffer as it is read.
   *
   * @return the buffer holding the page's bytes at 0..declared (its limit)
   */
  ByteBuffer snappy(ByteBuffer src, int declared, ByteBuffer reuse) {
    int len = src.remaining();
    byte[] front = new byte[Math.min(5, len)]; // the stream's stated length, a varint
    src.get(src.position(), front);
    checkSizes(CompressionCodecName.SNAPPY, len, declared, snappyLength(front, 0, front.length));
    ByteBuffer out = reuse != null && reuse.capacity() >= declared ? reuse : null;
    if (out == null) {
      // declared: at most 22 x the compressed bytes there (checkSizes)
      out = ByteBuffer.allocateDirect(Math.max(declared, reuse == null ? 0 : reuse.capacity()));
    }
    out.clear();
    int n;
    try {
      n = org.xerial.snappy.Snappy.uncompress(src.duplicate(), out);
    } catch (IOException | RuntimeException e) {
      throw notSnappy(e);
    } catch (LinkageError | org.xerial.snappy.SnappyError e) {
      throw nativeFailure(CompressionCodecName.SNAPPY, e);
    }
    requireDeclaredSize(n, declared);
    return out.position(0).limit(declared);
  }

  /**
   * The checks before a page is decompressed: its declared size within what its compressed bytes
   * can become, and a Snappy stream's {@code stated} length equal to it. Counts the page.
   */
  private void checkSizes(CompressionCodecName name, int len, int declared, long stated) {
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
      if (stated != declared) {
        throw snappyLengthMismatch(stated, declared);
      }
    }
    pagesDecompressed++;
  }

  /**
   * snappy-java throws its own Error where it has no build for the platform or cannot unpack it, a
   * LinkageError where the unpacked library does not load (or failed to before): the codec is
   * unavailable. Other codecs' linkage errors (a version clash) are not about a native library: as
   * they are.
   */
  private static CodecUnavailableException nativeFailure(CompressionCodecName name, Error e) {
    if (name != CompressionCodecName.SNAPPY && name != CompressionCodecName.ZSTD) {
      throw e;
    }
    return new CodecUnavailableException(name.name(), e);
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
      throw notSnappy(e);
    }
    requireDeclaredSize(n, declared);
    return out;
  }

  /**
   * Decodes the first {@code want} bytes of the raw Snappy stream {@code src[off, off + len)} into
   * {@code out[0, want)}: what a reader that skips a page needs of it (its repetition levels, at
   * the front), without decompressing the rest. Returns {@code want}, or -1 when the given bytes
   * end before it (a prefix of the stream was given). Every length and offset is checked against
   * the bytes there and the bytes decoded so far.
   *
   * @throws CorruptPageException for an element no Snappy stream has (a copy from before the start,
   *     a literal length past 2^31) or a stated length that is not a varint
   * @throws IllegalArgumentException if {@code want} is negative or more than {@code out} holds
   */
  static int snappyPrefix(byte[] src, int off, int len, int want, byte[] out) {
    if (want < 0 || want > out.length) {
      throw new IllegalArgumentException(
          "Invalid want: " + want + " (must be in 0.." + out.length + ", the output's size)");
    }
    int end = off + len;
    int p = off;
    // The stream's stated length (a varint): the caller has checked it against the page header.
    for (int i = 0; ; i++) {
      if (p >= end) {
        return -1;
      }
      if (i == 5) {
        throw new CorruptPageException("the SNAPPY stream's length is not a varint");
      }
      if ((src[p++] & 0x80) == 0) {
        break;
      }
    }
    int o = 0;
    while (o < want) {
      if (p >= end) {
        return -1;
      }
      int tag = src[p++] & 0xff;
      int type = tag & 3;
      if (type == 0) { // literal: its length - 1 in the tag, or in the 1-4 bytes after it
        long n = tag >>> 2;
        if (n >= 60) {
          int extra = (int) n - 59;
          if (p + extra > end) {
            return -1;
          }
          n = 0;
          for (int k = 0; k < extra; k++) {
            n |= (long) (src[p + k] & 0xff) << (8 * k);
          }
          p += extra;
        }
        long literal = n + 1;
        if (literal > Integer.MAX_VALUE) {
          throw new CorruptPageException("a SNAPPY literal of " + literal + " bytes");
        }
        int take = (int) Math.min(literal, want - o);
        if (take > end - p) {
          return -1;
        }
        System.arraycopy(src, p, out, o, take);
        o += take;
        p += take; // past the literal only if all of it was taken: else o == want, and done
      } else {
        int length;
        long offset;
        if (type == 1) { // 4-11 bytes from an 11-bit offset
          if (p >= end) {
            return -1;
          }
          length = 4 + ((tag >>> 2) & 7);
          offset = ((long) (tag >>> 5) << 8) | (src[p++] & 0xff);
        } else {
          int bytes = type == 2 ? 2 : 4;
          if (p + bytes > end) {
            return -1;
          }
          length = 1 + (tag >>> 2);
          offset = 0;
          for (int k = 0; k < bytes; k++) {
            offset |= (long) (src[p + k] & 0xff) << (8 * k);
          }
          p += bytes;
        }
        if (offset <= 0 || offset > o) {
          throw new CorruptPageException(
              "a SNAPPY copy from offset " + offset + " at output byte " + o);
        }
        int take = Math.min(length, want - o);
        int from = o - (int) offset;
        for (int k = 0; k < take; k++) { // byte by byte: a copy may overlap its own output
          out[o + k] = out[from + k];
        }
        o += take;
      }
    }
    return o;
  }

  /** A Snappy stream whose stated length is not its page header's uncompressed size. */
  static CorruptPageException snappyLengthMismatch(long stated, int declared) {
    return new CorruptPageException(
        "page does not decompress to its declared size: the SNAPPY stream says "
            + stated
            + " bytes, the page header "
            + declared);
  }

  private static CorruptPageException notSnappy(Exception e) {
    return new CorruptPageException(
        "page does not decompress with SNAPPY (" + e.getMessage() + ")");
  }

  /** A Snappy page must come out at its declared size (its stream said so before it started). */
  private static void requireDeclaredSize(int n, int declared) {
    if (n != declared) {
      throw new CorruptPageException(
          "page does not decompress to its declared size: "
              + n
              + " bytes, its header says "
              + declared);
    }
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
