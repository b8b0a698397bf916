package dev.realign.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Four-lane float64 kernels on the Vector API ({@code jdk.incubator.vector}), in the documented
 * lane order of {@link RowValidator#sumOfSquares(float[], int, int)}: a 256-bit vector of four
 * doubles holds exactly the four partial sums (lane k takes the components {@code j = k mod 4}),
 * each updated in index order by a separate multiply and add (no FMA), so the results have the same
 * bits as the scalar loops. Callers test {@link VectorSupport#ENABLED} first and keep their scalar
 * loop as the fallback, so this class is only loaded where the module is present.
 */
public final class VectorLanes {
  public static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;
  public static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;

  private VectorLanes() {}

  /** Bits of the CPU's preferred double vector (256 or more: four-lane vectors are real). */
  static int preferredBits() {
    return DoubleVector.SPECIES_PREFERRED.vectorBitSize();
  }

  /** Four floats at {@code off} as four doubles. */
  public static DoubleVector widen(float[] x, int off) {
    return (DoubleVector)
        FloatVector.fromArray(F4, x, off).convertShape(VectorOperators.F2D, D4, 0);
  }

  /** {@link RowValidator#sumOfSquares(float[], int, int)}, same bits. */
  public static double sumOfSquares(float[] x, int off, int d) {
    DoubleVector acc = DoubleVector.zero(D4);
    int j = 0;
    for (; j + 3 < d; j += 4) {
      DoubleVector v = widen(x, off + j);
      acc = acc.add(v.mul(v));
    }
    double s0 = acc.lane(0);
    for (; j < d; j++) {
      double a = x[off + j];
      s0 += a * a;
    }
    return fold(s0, acc);
  }

  /**
   * {@link #sumOfSquares} of two rows in one loop, into {@code res[at]} and {@code res[at + 1]}:
   * same bits as two calls. Each row's sum is one chain of dependent vector adds; running two
   * independent chains side by side lets the adds' latency overlap.
   */
  public static void sumOfSquaresPair(float[] x, int offA, int offB, int d, double[] res, int at) {
    DoubleVector accA = DoubleVector.zero(D4);
    DoubleVector accB = DoubleVector.zero(D4);
    int j = 0;
    for (; j + 3 < d; j += 4) {
      DoubleVector a = widen(x, offA + j);
      DoubleVector b = widen(x, offB + j);
      accA = accA.add(a.mul(a));
      accB = accB.add(b.mul(b));
    }
    double a0 = accA.lane(0);
    double b0 = accB.lane(0);
    for (; j < d; j++) {
      double a = x[offA + j];
      a0 += a * a;
      double b = x[offB + j];
      b0 += b * b;
    }
    res[at] = fold(a0, accA);
    res[at + 1] = fold(b0, accB);
  }

  /** {@code out[o + j] = x[off + j] / divisor} for {@code j < d}: the scalar loop's bits. */
  public static void divide(float[] x, int off, double divisor, double[] out, int o, int d) {
    DoubleVector n = DoubleVector.broadcast(D4, divisor);
    int j = 0;
    for (; j + 3 < d; j += 4) {
      widen(x, off + j).div(n).intoArray(out, o + j);
    }
    for (; j < d; j++) {
      out[o + j] = x[off + j] / divisor;
    }
  }

  /** {@code out[o + j] = (float) (x[off + j] / divisor)} for {@code j < d}: the scalar bits. */
  public static void divideToFloat(float[] x, int off, double divisor, float[] out, int o, int d) {
    DoubleVector n = DoubleVector.broadcast(D4, divisor);
    int j = 0;
    for (; j + 3 < d; j += 4) {
      ((FloatVector) widen(x, off + j).div(n).convertShape(VectorOperators.D2F, F4, 0))
          .intoArray(out, o + j);
    }
    for (; j < d; j++) {
      out[o + j] = (float) (x[off + j] / divisor);
    }
  }

  /**
   * {@code sum[j] += x[off + j] / divisor} for {@code j < d}: the scalar loop's bits (each lane
   * divides one widened float and adds to one column's sum).
   */
  public static void addQuotients(float[] x, int off, double divisor, double[] sum, int d) {
    DoubleVector n = DoubleVector.broadcast(D4, divisor);
    int j = 0;
    for (; j + 3 < d; j += 4) {
      DoubleVector.fromArray(D4, sum, j).add(widen(x, off + j).div(n)).intoArray(sum, j);
    }
    for (; j < d; j++) {
      sum[j] += x[off + j] / divisor;
    }
  }

  /**
   * {@code sum_j x[off + j] v[j]}, the floats widened, in eight partial sums (sum k takes the
   * components {@code j = k mod 8}, then {@code ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 +
   * s7))}): the bits of the scalar twin {@code Cosines.dotWidened}. Two chains of vector adds side
   * by side overlap their latency.
   */
  public static double dotWidened(float[] x, int off, double[] v, int d) {
    DoubleVector a = DoubleVector.zero(D4);
    DoubleVector b = DoubleVector.zero(D4);
    int j = 0;
    for (; j + 7 < d; j += 8) {
      a = a.add(widen(x, off + j).mul(DoubleVector.fromArray(D4, v, j)));
      b = b.add(widen(x, off + j + 4).mul(DoubleVector.fromArray(D4, v, j + 4)));
    }
    double[] s = new double[8];
    a.intoArray(s, 0);
    b.intoArray(s, 4);
    for (int k = 0; j < d; j++, k++) {
      s[k] += x[off + j] * v[j];
    }
    return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
  }

  /** {@code (s0 + s1) + (s2 + s3)} with lane 0 taken from {@code s0} (it holds the tail). */
  public static double fold(double s0, DoubleVector acc) {
    return (s0 + acc.lane(1)) + (acc.lane(2) + acc.lane(3));
  }
}
