package dev.realign.source;

import dev.realign.sink.CodecUnavailableException;
import java.util.Locale;

/**
 * The errors of a page codec's native library under parquet-mr's own readers (the metadata files of
 * .npy inputs, Parquet text corpora): snappy-java and zstd-jni throw a bare {@code
 * UnsatisfiedLinkError}, {@code NoClassDefFoundError} or {@code SnappyError} from inside
 * parquet-mr's decompressor where their library does not load, which named neither the file nor the
 * cause. As {@link PageDecompressor} does for realign's own page reader, such an error becomes a
 * {@link CodecUnavailableException} in a message that names the file; any other error stays as it
 * is.
 */
final class NativeCodecErrors {
  private NativeCodecErrors() {}

  /**
   * The codec whose native library {@code e} (or a cause of it) comes from, by its type, message or
   * stack frames: "SNAPPY", "ZSTD", or null where it is about something else.
   */
  static String codecOf(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.xerial.snappy.SnappyError) {
        return "SNAPPY";
      }
      String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (m.contains("snappy")) {
        return "SNAPPY";
      }
      if (m.contains("zstd")) {
        return "ZSTD";
      }
      for (StackTraceElement f : t.getStackTrace()) {
        String c = f.getClassName();
        if (c.startsWith("org.xerial.snappy.")
            || c.startsWith("org.apache.parquet.hadoop.codec.Snappy")) {
          return "SNAPPY";
        }
        if (c.startsWith("com.github.luben.zstd.")
            || c.startsWith("org.apache.parquet.hadoop.codec.Zstandard")
            || c.startsWith("org.apache.parquet.hadoop.codec.ZstdDecompressor")) {
          return "ZSTD";
        }
      }
    }
    return null;
  }

  /**
   * The exception to throw for {@code e}, raised while reading {@code file}: a {@link
   * CodecUnavailableException} in a message naming the file where {@code e} is a native codec's
   * failure to load; else {@code e} itself is thrown.
   */
  static IllegalStateException cannotRead(Error e, String file) {
    String codec = codecOf(e);
    if (codec == null) {
      throw e;
    }
    return cannotRead(new CodecUnavailableException(codec, e), file);
  }

  /**
   * {@code e}, met while reading {@code file}, as the failure to throw: this machine's fault, not
   * the file's (a failure, not an invalid input), in a message that names the file.
   */
  static IllegalStateException cannotRead(CodecUnavailableException e, String file) {
    return new IllegalStateException("Cannot read Parquet file " + file + ": " + e.getMessage(), e);
  }
}
