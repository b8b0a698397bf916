package dev.realign.sink;

import java.util.Locale;

/**
 * A page codec whose native library does not load in this JVM: snappy-java and zstd-jni unpack
 * theirs into a temporary directory and load it from there, which fails where that directory is
 * mounted {@code noexec} (common on hardened cluster and Airflow hosts) or not writable, or where
 * the platform has no bundled build (snappy-java then throws its own {@code SnappyError}). Neither
 * has a pure-Java fallback, so nothing can read or write that codec here; this says so, and how to
 * point them elsewhere, instead of a bare {@code NoClassDefFoundError}. It is not the file's fault:
 * no row is rejected for it.
 */
public final class CodecUnavailableException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public CodecUnavailableException(String codec, Error cause) {
    super(message(codec, cause), cause);
  }

  private static String message(String codec, Error cause) {
    return String.format(
        Locale.ROOT,
        "the %s codec's native library did not load in this JVM (%s: %s). snappy-java and"
            + " zstd-jni unpack theirs into java.io.tmpdir, which must allow executing files; point"
            + " them at a directory that does with -Dorg.xerial.snappy.tempdir=DIR (Snappy) or"
            + " -Djava.io.tmpdir=DIR (both); see docs/troubleshooting.md",
        codec.toUpperCase(Locale.ROOT),
        cause.getClass().getSimpleName(),
        cause.getMessage());
  }
}
