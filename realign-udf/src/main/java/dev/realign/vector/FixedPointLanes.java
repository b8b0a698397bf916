package dev.realign.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The exact sketch's fixed-point conversion, {@code (long) ((double) v * 2^scaleBits)}, of float32
 * components, computed from the float's bits in integer lanes. JDK 17 compiles the vector
 * double-to-long conversion poorly (measured 0.3x the scalar loop, see {@code MomentSketch}), but a
 * float32 needs none: {@code v = ±m 2^(e - 150)} with the 24-bit significand {@code m} (implicit
 * bit included) and the biased exponent {@code e}, so with {@code M = m << 29}, {@code v 2^s = ±M
 * 2^(e + s - 179)}, and truncating it toward zero is the integer shift {@code ±(M >>> (179 - s -
 * e))}. The shift is >= 0 whenever {@code |v| < 2^(180 - s - 127)}, that is {@code |v| < 2} at
 * {@code s = 52}, and a shift of 63 or more leaves 0 (as the cast does for such tiny values,
 * subnormals and zeros included). Integer shifts truncate exactly as the cast does, so the results
 * have the same bits; only the caller's bound makes them valid.
 *
 * <p>Callers test {@link VectorSupport#ENABLED} first, so this class is only loaded where the
 * module is present.
 */
public final class FixedPointLanes {
  /** Longs of the preferred width, and floats/ints with as many lanes (half the bits). */
  private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;

  private static final VectorSpecies<Float> F =
      VectorSpecies.of(float.class, VectorShape.forBitSize(L.vectorBitSize() / 2));

  /** Significand bits moved up front, so one right shift both scales and truncates. */
  private static final int UP = 29;

  private FixedPointLanes() {}

  /**
   * {@code acc[j] += (long) ((double) x[off + j] * 2^scaleBits)} for {@code j < d}, same bits as
   * the scalar cast, for components with {@code |x| < 2} (finite): the caller checks that bound (a
   * unit row's components are at most its norm). {@code scaleBits} is in [1, 52].
   */
  public static void addTruncated(float[] x, int off, int d, int scaleBits, long[] acc) {
    // v 2^s = (m << UP) 2^(e - 150 + s - UP): a right shift by top - e.
    int top = 150 + UP - scaleBits;
    int n = L.length();
    int j = 0;
    for (; j + n <= d; j += n) {
      IntVector bits = FloatVector.fromArray(F, x, off + j).reinterpretAsInts();
      // top - e >= 0 for |x| < 2 (e <= 127, top >= 127); at 63 or more the value truncates to 0.
      IntVector shift = bits.lanewise(VectorOperators.LSHR, 23).and(0xFF).neg().add(top).min(63);
      LongVector wide = (LongVector) bits.convertShape(VectorOperators.I2L, L, 0);
      LongVector sign = wide.lanewise(VectorOperators.ASHR, 63);
      LongVector magnitude =
          wide.and(0x7FFFFFL)
              .or(0x800000L)
              .lanewise(VectorOperators.LSHL, UP)
              .lanewise(
                  VectorOperators.LSHR, (LongVector) shift.convertShape(VectorOperators.I2L, L, 0));
      LongVector.fromArray(L, acc, j)
          .add(magnitude.lanewise(VectorOperators.XOR, sign).sub(sign))
          .intoArray(acc, j);
    }
    double scale = Math.scalb(1.0, scaleBits);
    for (; j < d; j++) {
      acc[j] += (long) (x[off + j] * scale);
    }
  }
}
