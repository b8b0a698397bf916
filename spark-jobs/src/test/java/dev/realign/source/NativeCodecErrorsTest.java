package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.sink.CodecUnavailableException;
import org.junit.jupiter.api.Test;

/**
 * Which errors under parquet-mr's readers are a native codec failing to load (and become an error
 * naming the file), and which stay as they are. The errors are the ones snappy-java throws (seen in
 * runs with its bundled library off: {@code NativeCodecMissingTest}) or made to look like them.
 */
class NativeCodecErrorsTest {
  private static final String FILE = "file:/data/meta.parquet";

  private static <T extends Throwable> T at(T e, String className) {
    e.setStackTrace(
        new StackTraceElement[] {
          new StackTraceElement(className, "decompress", "X.java", 1),
          new StackTraceElement("org.apache.parquet.io.RecordReaderImplementation", "read", "", 2)
        });
    return e;
  }

  @Test
  void snappyJavasOwnErrorsAreSnappy() {
    assertThat(
            NativeCodecErrors.codecOf(
                new org.xerial.snappy.SnappyError(
                    org.xerial.snappy.SnappyErrorCode.FAILED_TO_LOAD_NATIVE_LIBRARY, "no build")))
        .isEqualTo("SNAPPY");
    assertThat(
            NativeCodecErrors.codecOf(
                new UnsatisfiedLinkError("no snappyjava in java.library.path: /usr/lib")))
        .isEqualTo("SNAPPY");
    assertThat(
            NativeCodecErrors.codecOf(
                new NoClassDefFoundError("Could not initialize class org.xerial.snappy.Snappy")))
        .isEqualTo("SNAPPY");
  }

  @Test
  void anErrorFromInsideACodecIsThatCodecs() {
    assertThat(
            NativeCodecErrors.codecOf(
                at(new UnsatisfiedLinkError("load failed"), "org.xerial.snappy.SnappyNative")))
        .isEqualTo("SNAPPY");
    assertThat(
            NativeCodecErrors.codecOf(
                at(new UnsatisfiedLinkError("load failed"), "com.github.luben.zstd.Zstd")))
        .isEqualTo("ZSTD");
    assertThat(
            NativeCodecErrors.codecOf(
                at(
                    new NoClassDefFoundError("Could not initialize class X"),
                    "org.apache.parquet.hadoop.codec.ZstandardCodec")))
        .isEqualTo("ZSTD");
    Error wrapped = new ExceptionInInitializerError(new UnsatisfiedLinkError("no zstd-jni"));
    assertThat(NativeCodecErrors.codecOf(wrapped)).isEqualTo("ZSTD");
  }

  @Test
  void otherErrorsAreNotACodecsAndAreThrownAsTheyAre() {
    NoSuchMethodError clash =
        at(new NoSuchMethodError("'void org.example.Foo.bar()'"), "org.example.Foo");
    assertThat(NativeCodecErrors.codecOf(clash)).isNull();
    assertThat(NativeCodecErrors.codecOf(new UnsatisfiedLinkError("no onnxruntime"))).isNull();
    assertThatThrownBy(() -> NativeCodecErrors.cannotRead(clash, FILE)).isSameAs(clash);
  }

  @Test
  void aCodecFailingToLoadNamesTheFileAndTheFix() {
    UnsatisfiedLinkError e = new UnsatisfiedLinkError("no snappyjava in java.library.path: /x");
    IllegalStateException thrown = NativeCodecErrors.cannotRead(e, FILE);
    assertThat(thrown)
        .hasMessageStartingWith(
            "Cannot read Parquet file "
                + FILE
                + ": the SNAPPY codec's native library did not load in this JVM"
                + " (UnsatisfiedLinkError: no snappyjava in java.library.path: /x)")
        .hasMessageContaining("-Dorg.xerial.snappy.tempdir=DIR")
        .hasCauseInstanceOf(CodecUnavailableException.class);
    assertThat(thrown.getCause()).hasCause(e);
  }
}
