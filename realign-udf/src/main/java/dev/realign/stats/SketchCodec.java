package dev.realign.stats;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The versioned binary form of a {@link MomentSnapshot}, big-endian:
 *
 * <pre>
 * offset size  field
 *   0     4    magic "RAMS" (0x52414D53)
 *   4     2    serial version (1)
 *   6     2    reserved, 0
 *   8     4    fixed-point fraction bits (52)
 *  12     4    dimension d
 *  16     8    count
 *  24   16(d+1) sums: d components then the squared norms, each as (hi, lo) of a signed 128-bit int
 *   .     4    CRC32C of every preceding byte
 * </pre>
 *
 * Equal snapshots encode to equal bytes, so the SHA-256 of the encoding is a fingerprint of the
 * statistics of an input, independent of how it was partitioned.
 */
public final class SketchCodec {
  public static final int MAGIC = 0x52414D53;
  public static final short SERIAL_VERSION = 1;
  static final int HEADER_BYTES = 24;
  static final int CHECKSUM_BYTES = 4;

  private SketchCodec() {}

  public static int encodedSize(int dim) {
    return HEADER_BYTES + 16 * (dim + 1) + CHECKSUM_BYTES;
  }

  public static byte[] encode(MomentSnapshot s) {
    int dim = s.dimension();
    ByteBuffer buf = ByteBuffer.allocate(encodedSize(dim)).order(ByteOrder.BIG_ENDIAN);
    buf.putInt(MAGIC).putShort(SERIAL_VERSION).putShort((short) 0);
    buf.putInt(FixedPoint.SCALE_BITS).putInt(dim).putLong(s.count());
    for (int j = 0; j <= dim; j++) {
      buf.putLong(s.hiAt(j)).putLong(s.loAt(j));
    }
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    return buf.array();
  }

  /**
   * Decodes a sketch, verifying every field.
   *
   * @throws IllegalArgumentException naming what was expected and what was found
   */
  public static MomentSnapshot decode(byte[] bytes) {
    if (bytes.length < HEADER_BYTES + CHECKSUM_BYTES) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid sketch: truncated, expected at least %d bytes, actual %d",
              HEADER_BYTES + CHECKSUM_BYTES, bytes.length));
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    int magic = buf.getInt();
    if (magic != MAGIC) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid sketch magic: expected 0x%08X (\"RAMS\"), actual 0x%08X", MAGIC, magic));
    }
    int version = Short.toUnsignedInt(buf.getShort());
    if (version != SERIAL_VERSION) {
      throw new IllegalArgumentException(
          String.format(
              "Sketch serial version mismatch: expected %d, actual %d%s",
              SERIAL_VERSION,
              version,
              version > SERIAL_VERSION ? " (written by a newer realign; upgrade to read it)" : ""));
    }
    buf.getShort();
    int scaleBits = buf.getInt();
    if (scaleBits != FixedPoint.SCALE_BITS) {
      throw new IllegalArgumentException(
          String.format(
              "Sketch fixed-point scale mismatch: expected %d fraction bits, actual %d",
              FixedPoint.SCALE_BITS, scaleBits));
    }
    int dim = buf.getInt();
    if (dim <= 0) {
      throw new IllegalArgumentException(
          String.format("Invalid sketch dimension: %d (must be > 0)", dim));
    }
    long expectedLength = HEADER_BYTES + 16L * (dim + 1) + CHECKSUM_BYTES;
    if (bytes.length != expectedLength) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid sketch length: expected %d bytes for dimension %d, actual %d (%s)",
              expectedLength,
              dim,
              bytes.length,
              bytes.length < expectedLength ? "truncated" : "trailing bytes"));
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - CHECKSUM_BYTES);
    int expectedCrc = (int) crc.getValue();
    int actualCrc = ByteBuffer.wrap(bytes, bytes.length - CHECKSUM_BYTES, CHECKSUM_BYTES).getInt();
    if (expectedCrc != actualCrc) {
      throw new IllegalArgumentException(
          String.format(
              "Sketch checksum mismatch: expected 0x%08X (computed), actual 0x%08X (stored): the"
                  + " sketch is corrupted",
              expectedCrc, actualCrc));
    }
    long count = buf.getLong();
    if (count < 0) {
      throw new IllegalArgumentException(
          String.format("Invalid sketch count: %d (must be >= 0)", count));
    }
    long[] hi = new long[dim + 1];
    long[] lo = new long[dim + 1];
    for (int j = 0; j <= dim; j++) {
      hi[j] = buf.getLong();
      lo[j] = buf.getLong();
    }
    return new MomentSnapshot(dim, count, hi, lo);
  }

  /** Hex SHA-256 of the encoding: the fingerprint of an input's statistics. */
  public static String fingerprint(MomentSnapshot s) {
    return sha256Hex(encode(s));
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }
}
