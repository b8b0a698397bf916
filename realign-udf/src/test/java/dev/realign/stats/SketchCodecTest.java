package dev.realign.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.RowFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The versioned binary form of sketches: round trip, the golden v1 file, and every failure. */
class SketchCodecTest {
  static final String GOLDEN_V1 = "/golden/moment-sketch-v1.bin";

  /** Rows of the golden fixture repeated this often, so the totals pass 2^64 and blocks spill. */
  static final int GOLDEN_REPEAT = 5000;

  static final long ONE = 1L << 52;

  /**
   * The golden fixture, d = 4: (1,0,0,0) and (0,-2,0,0) 5,000 times each, then (1,1,1,1),
   * (3,0,-4,0) and one NaN row (rejected). Unit rows: e0, -e1, (1/2,1/2,1/2,1/2), (3/5,0,-4/5,0).
   */
  static MomentSnapshot goldenFixture() {
    MomentSketch s = new MomentSketch(4);
    for (int i = 0; i < GOLDEN_REPEAT; i++) {
      s.add(new float[] {1, 0, 0, 0});
      s.add(new float[] {0, -2, 0, 0});
    }
    s.add(new float[] {1, 1, 1, 1});
    s.add(new float[] {3, 0, -4, 0});
    s.add(new float[] {Float.NaN, 0, 0, 0});
    return s.snapshot();
  }

  /** Writes the golden file; run once per format version: {@code java ... SketchCodecTest DIR}. */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]).resolve("moment-sketch-v1.bin");
    Files.createDirectories(file.getParent());
    Files.write(file, SketchCodec.encode(goldenFixture()));
    System.out.println("wrote " + file);
  }

  static byte[] golden() throws IOException {
    try (InputStream in = SketchCodecTest.class.getResourceAsStream(GOLDEN_V1)) {
      assertThat(in).as("test resource %s", GOLDEN_V1).isNotNull();
      return in.readAllBytes();
    }
  }

  static BigInteger big(long v) {
    return BigInteger.valueOf(v);
  }

  @Test
  void goldenV1DecodesToTheFixtureSumsAndReencodesByteForByte() throws IOException {
    byte[] bytes = golden();
    assertThat(bytes).hasSize(SketchCodec.encodedSize(4)).hasSize(24 + 16 * 5 + 4);
    MomentSnapshot s = SketchCodec.decode(bytes);
    assertThat(s.dimension()).isEqualTo(4);
    assertThat(s.count()).isEqualTo(2L * GOLDEN_REPEAT + 2);
    BigInteger n = big(GOLDEN_REPEAT);
    assertThat(s.exactSum(0))
        .isEqualTo(n.multiply(big(ONE)).add(big(ONE / 2)).add(big((long) (0.6 * 0x1p52))));
    assertThat(s.exactSum(1)).isEqualTo(n.multiply(big(-ONE)).add(big(ONE / 2)));
    assertThat(s.exactSum(2)).isEqualTo(big(ONE / 2).add(big((long) (-0.8 * 0x1p52))));
    assertThat(s.exactSum(3)).isEqualTo(big(ONE / 2));
    assertThat(s.exactSum(4))
        .isEqualTo(
            n.multiply(big(2 * ONE))
                .add(big(ONE))
                .add(big((long) ((0.6 * 0.6 + 0.8 * 0.8) * 0x1p52))));
    assertThat(s.exactSum(0).bitLength()).as("a total beyond 64 bits").isGreaterThan(64);
    assertThat(SketchCodec.encode(s)).isEqualTo(bytes);
    assertThat(s).isEqualTo(goldenFixture());
    assertThat(SketchCodec.encode(goldenFixture()))
        .as("today's encoder writes the golden bytes")
        .isEqualTo(bytes);
  }

  @Test
  void goldenV1HeaderFieldsAreWhereTheLayoutSays() throws IOException {
    ByteBuffer b = ByteBuffer.wrap(golden());
    assertThat(b.getInt(0)).isEqualTo(0x52414D53);
    assertThat(new String(golden(), 0, 4, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("RAMS");
    assertThat(b.getShort(4)).isEqualTo((short) 1);
    assertThat(b.getShort(6)).isZero();
    assertThat(b.getInt(8)).isEqualTo(52);
    assertThat(b.getInt(12)).isEqualTo(4);
    assertThat(b.getLong(16)).isEqualTo(2L * GOLDEN_REPEAT + 2);
  }

  @Test
  void roundTripIsByteForByte() {
    Random rnd = new Random(31);
    for (int dim : new int[] {1, 3, 512, 1280}) {
      for (int rows : new int[] {0, 1, 77, 2100}) {
        MomentSketch s = new MomentSketch(dim);
        s.addAll(RowFixtures.randomRowsAround(rnd, rows, dim, 0.3), 0, rows, RejectListener.IGNORE);
        MomentSnapshot snap = s.snapshot();
        byte[] bytes = SketchCodec.encode(snap);
        assertThat(bytes).hasSize(SketchCodec.encodedSize(dim));
        MomentSnapshot back = SketchCodec.decode(bytes);
        assertThat(back).isEqualTo(snap);
        assertThat(SketchCodec.encode(back)).isEqualTo(bytes);
        assertThat(SketchCodec.fingerprint(back))
            .isEqualTo(SketchCodec.fingerprint(snap))
            .hasSize(64);
      }
    }
  }

  @Test
  void truncatedInputsFailNamingExpectedAndActualLength() throws IOException {
    byte[] g = golden();
    for (int len : new int[] {0, 1, 4, 27}) {
      assertThatThrownBy(() -> SketchCodec.decode(Arrays.copyOf(g, len)))
          .as("length %s", len)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid sketch: truncated, expected at least 28 bytes, actual " + len);
    }
    for (int len : new int[] {28, 40, g.length - 4, g.length - 1}) {
      assertThatThrownBy(() -> SketchCodec.decode(Arrays.copyOf(g, len)))
          .as("length %s", len)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Invalid sketch length: expected %d bytes for dimension 4, actual %d"
                  + " (truncated)",
              g.length, len);
    }
  }

  @Test
  void trailingBytesFail() throws IOException {
    byte[] g = golden();
    assertThatThrownBy(() -> SketchCodec.decode(Arrays.copyOf(g, g.length + 3)))
        .hasMessage(
            "Invalid sketch length: expected %d bytes for dimension 4, actual %d"
                + " (trailing bytes)",
            g.length, g.length + 3);
  }

  @Test
  void aFlippedByteFailsTheChecksum() throws IOException {
    byte[] g = golden();
    // Every byte of the count, the sums and the checksum itself.
    for (int i = 16; i < g.length; i++) {
      byte[] bad = g.clone();
      bad[i] ^= 0x10;
      assertThatThrownBy(() -> SketchCodec.decode(bad))
          .as("byte %s", i)
          .hasMessageStartingWith("Sketch checksum mismatch: expected 0x")
          .hasMessageContaining("(computed), actual 0x")
          .hasMessageContaining("(stored)");
    }
  }

  @Test
  void wrongMagicFails() throws IOException {
    byte[] bad = golden();
    bad[0] = 'X';
    assertThatThrownBy(() -> SketchCodec.decode(withCrc(bad)))
        .hasMessage("Invalid sketch magic: expected 0x52414D53 (\"RAMS\"), actual 0x58414D53");
  }

  @Test
  void aNewerSerialVersionFailsOnTheVersionNotTheChecksum() throws IOException {
    byte[] bad = golden();
    ByteBuffer.wrap(bad).putShort(4, (short) 2);
    assertThatThrownBy(() -> SketchCodec.decode(withCrc(bad)))
        .hasMessage(
            "Sketch serial version mismatch: expected 1, actual 2 (written by a newer"
                + " realign; upgrade to read it)");
    ByteBuffer.wrap(bad).putShort(4, (short) 0);
    assertThatThrownBy(() -> SketchCodec.decode(withCrc(bad)))
        .hasMessage("Sketch serial version mismatch: expected 1, actual 0");
  }

  @Test
  void aWrongFixedPointScaleFails() throws IOException {
    byte[] bad = golden();
    ByteBuffer.wrap(bad).putInt(8, 60);
    assertThatThrownBy(() -> SketchCodec.decode(withCrc(bad)))
        .hasMessage("Sketch fixed-point scale mismatch: expected 52 fraction bits, actual 60");
  }

  @Test
  void aBadDimensionOrCountFails() throws IOException {
    byte[] bad = golden();
    ByteBuffer.wrap(bad).putInt(12, 0);
    assertThatThrownBy(() -> SketchCodec.decode(withCrc(bad)))
        .hasMessage("Invalid sketch dimension: 0 (must be > 0)");
    byte[] wrongDim = golden();
    ByteBuffer.wrap(wrongDim).putInt(12, 5);
    assertThatThrownBy(() -> SketchCodec.decode(withCrc(wrongDim)))
        .hasMessageContaining("expected 124 bytes for dimension 5, actual 108");
    byte[] negative = golden();
    ByteBuffer.wrap(negative).putLong(16, -1);
    assertThatThrownBy(() -> SketchCodec.decode(withCrc(negative)))
        .hasMessage("Invalid sketch count: -1 (must be >= 0)");
  }

  /** Recomputes the trailing CRC32C, so that the field under test is what the decoder rejects. */
  static byte[] withCrc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
    return bytes;
  }
}
