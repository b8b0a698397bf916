package dev.realign.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * The segmented row-group buffer holds exactly what a flat little-endian buffer would: bytes,
 * floats (raw bits) and halves, across segment boundaries at any alignment, and its ranges write
 * and checksum like the flat array's.
 */
class SegmentedBytesTest {
  private static final int SEGMENT = SegmentedBytes.SEGMENT;

  /** Floats with every class of value, NaN payloads included. */
  private static float[] floats(int n, long seed) {
    Random rnd = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    v[0] = Float.intBitsToFloat(0x7fc0_1234);
    v[1] = -0f;
    v[2] = Float.intBitsToFloat(0xff80_0001); // a signalling NaN's bits
    return v;
  }

  @Test
  void floatsAcrossSegmentBoundariesAtEveryAlignmentAreTheRawLittleEndianBits() throws Exception {
    for (int lead = 0; lead < 4; lead++) {
      SegmentedBytes s = new SegmentedBytes();
      int n = (3 * SEGMENT / 4 / 1_000 + 1) * 1_000; // rows of 1,000 floats over 3 segments
      ByteBuffer flat = ByteBuffer.allocate(lead + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
      byte[] head = new byte[lead];
      for (int i = 0; i < lead; i++) {
        head[i] = (byte) (0x51 + i);
      }
      s.put(head, 0, lead);
      flat.put(head);
      float[] v = floats(n, lead);
      for (int off = 0; off < v.length; off += 1_000) {
        s.putFloats(v, off, 1_000);
        for (int j = off; j < off + 1_000; j++) {
          flat.putInt(Float.floatToRawIntBits(v[j]));
        }
      }
      assertThat(s.size()).isEqualTo(flat.capacity()).isGreaterThan(3L * SEGMENT);
      assertSameBytes(s, flat.array());
      s.clear();
      assertThat(s.size()).isZero();
    }
  }

  @Test
  void halvesAreTheLittleEndianFloat16OfEachFloat() throws Exception {
    SegmentedBytes s = new SegmentedBytes();
    s.put(new byte[] {7}, 0, 1); // odd start: a half straddles a segment boundary
    float[] v = floats(SEGMENT / 2 + 10_000, 3);
    s.putHalves(v, 0, v.length);
    ByteBuffer flat = ByteBuffer.allocate(1 + 2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    flat.put((byte) 7);
    for (float f : v) {
      flat.putShort(dev.realign.vector.Float16.fromFloat(f));
    }
    assertSameBytes(s, flat.array());
  }

  /** Every range: written and checksummed as the same range of the flat array. */
  private static void assertSameBytes(SegmentedBytes s, byte[] flat) throws Exception {
    int[] largestWrite = new int[1];
    ByteArrayOutputStream all =
        new ByteArrayOutputStream() {
          @Override
          public synchronized void write(byte[] b, int off, int len) {
            largestWrite[0] = Math.max(largestWrite[0], len);
            super.write(b, off, len);
          }
        };
    s.writeTo(all, 0, s.size());
    assertThat(largestWrite[0]).isEqualTo(SegmentedBytes.WRITE_BYTES);
    assertThat(all.toByteArray()).isEqualTo(flat);
    long[][] ranges = {
      {0, 0},
      {0, 5},
      {SEGMENT - 3, SEGMENT + 3},
      {1, flat.length},
      {SEGMENT, 2L * SEGMENT + 17},
      {flat.length - 2, flat.length}
    };
    int checked = 0;
    for (long[] r : ranges) {
      if (r[1] > flat.length) {
        continue;
      }
      checked++;
      ByteArrayOutputStream part = new ByteArrayOutputStream();
      s.writeTo(part, r[0], r[1]);
      assertThat(part.toByteArray())
          .as("range %s..%s", r[0], r[1])
          .isEqualTo(java.util.Arrays.copyOfRange(flat, (int) r[0], (int) r[1]));
      CRC32 got = new CRC32();
      s.updateCrc(got, r[0], r[1]);
      CRC32 want = new CRC32();
      want.update(flat, (int) r[0], (int) (r[1] - r[0]));
      assertThat(got.getValue()).as("CRC of range %s..%s", r[0], r[1]).isEqualTo(want.getValue());
    }
    assertThat(checked).isGreaterThanOrEqualTo(5);
  }

  @Test
  void aRangeOutsideTheBytesFailsNamingTheRange() {
    SegmentedBytes s = new SegmentedBytes();
    s.put(new byte[10], 0, 10);
    assertThatThrownBy(() -> s.writeTo(new ByteArrayOutputStream(), 4, 11))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid byte range: [4, 11) (must lie within [0, 10))");
  }

  @Test
  void clearedSegmentsAreReusedWithoutLeakingOldBytesIntoNewContent() throws Exception {
    SegmentedBytes a = new SegmentedBytes();
    a.putFloats(floats(3 * SEGMENT / 4, 9), 0, 3 * SEGMENT / 4);
    a.clear();
    SegmentedBytes b = new SegmentedBytes();
    byte[] small = {1, 2, 3};
    b.put(small, 0, 3);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    b.writeTo(out, 0, b.size());
    assertThat(out.toByteArray()).isEqualTo(small);
  }
}
