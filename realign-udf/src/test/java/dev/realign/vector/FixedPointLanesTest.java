package dev.realign.vector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link FixedPointLanes#addTruncated} against the scalar cast it replaces, {@code (long) ((double)
 * v * 2^s)}, value by value: every float exponent that can occur below 2, the edges of each (zeros,
 * subnormals, the smallest normal, values just under 1 and 2, the powers of two around the scale's
 * last bit) and random floats, at every tail length and offset.
 */
class FixedPointLanesTest {
  private static final int SCALE_BITS = 52;

  @Test
  void theModuleIsPresentSoTheLanesAreTested() {
    // The surefire and launcher JVMs add jdk.incubator.vector: the vector path is the one tested.
    assertThat(VectorSupport.ENABLED).isTrue();
  }

  @Test
  void everyEdgeValueGetsTheScalarCastsBits() {
    List<Float> values = new ArrayList<>();
    for (float v :
        new float[] {
          0f,
          -0f,
          Float.MIN_VALUE,
          -Float.MIN_VALUE,
          0x1p-149f * 3,
          Float.MIN_NORMAL,
          -Float.MIN_NORMAL,
          Math.nextDown(Float.MIN_NORMAL),
          1f,
          -1f,
          Math.nextDown(1f),
          Math.nextUp(1f),
          Math.nextDown(2f),
          -Math.nextDown(2f),
          1.0000005f,
          0x1p-52f,
          0x1p-53f,
          -0x1p-52f,
          Math.nextUp(0x1p-52f),
          Math.nextDown(0x1p-52f),
          0x1.8p-52f,
          -0x1.8p-53f,
          0.5f,
          -0.5f,
          0.1f,
          -0.1f
        }) {
      values.add(v);
    }
    for (int e = -149; e <= 0; e++) { // every power of two below 2, both signs, and its neighbours
      float p = Math.scalb(1f, e);
      for (float v : new float[] {p, Math.nextUp(p), Math.nextDown(p), p * 1.75f}) {
        if (Math.abs(v) < 2f) {
          values.add(v);
          values.add(-v);
        }
      }
    }
    Random rnd = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      float v =
          switch (i % 3) {
            case 0 -> (float) (rnd.nextGaussian() * 0.03); // what unit rows of d = 1280 hold
            case 1 -> Math.scalb(rnd.nextFloat(), -rnd.nextInt(140)) * (rnd.nextBoolean() ? 1 : -1);
            default -> Float.intBitsToFloat(rnd.nextInt()); // any bits; kept when below 2
          };
      if (Math.abs(v) < 2f) {
        values.add(v);
      }
    }
    float[] x = new float[values.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = values.get(i);
    }
    // Checked on the first call (interpreted) and again once the JIT has compiled the lanes.
    for (int round = 0; round < 400; round++) {
      long[] acc = new long[x.length];
      FixedPointLanes.addTruncated(x, 0, x.length, SCALE_BITS, acc);
      if (round % 399 == 0) {
        for (int i = 0; i < x.length; i++) {
          assertThat(acc[i])
              .as("round %s, value %s (bits %08x)", round, x[i], Float.floatToRawIntBits(x[i]))
              .isEqualTo(scalar(x[i]));
        }
      }
    }
  }

  @Test
  void everyTailLengthAndOffsetAddsIntoWhatIsThere() {
    Random rnd = new Random(11);
    for (int d = 1; d <= 70; d++) {
      for (int off : new int[] {0, 1, 5}) {
        float[] x = new float[off + d];
        long[] acc = new long[d];
        long[] expected = new long[d];
        for (int j = 0; j < d; j++) {
          x[off + j] = (float) (rnd.nextGaussian() * 0.5);
          acc[j] = rnd.nextLong() >> 8;
          expected[j] = acc[j] + scalar(x[off + j]);
        }
        FixedPointLanes.addTruncated(x, off, d, SCALE_BITS, acc);
        assertThat(acc).as("d %s, offset %s", d, off).containsExactly(expected);
      }
    }
  }

  @Test
  void otherScalesToo() {
    Random rnd = new Random(3);
    float[] x = new float[257];
    for (int j = 0; j < x.length; j++) {
      x[j] = (float) (rnd.nextGaussian() * 0.4);
    }
    for (int s : new int[] {1, 23, 24, 30, 51}) {
      long[] acc = new long[x.length];
      FixedPointLanes.addTruncated(x, 0, x.length, s, acc);
      for (int j = 0; j < x.length; j++) {
        assertThat(acc[j])
            .as("scale %s, value %s", s, x[j])
            .isEqualTo((long) (x[j] * Math.scalb(1.0, s)));
      }
    }
  }

  private static long scalar(float v) {
    return (long) ((double) v * 0x1p52);
  }
}
