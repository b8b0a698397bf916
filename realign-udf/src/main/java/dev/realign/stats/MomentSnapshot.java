package dev.realign.stats;

import static dev.realign.Checks.checkArgument;
import static dev.realign.Checks.checkState;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * The immutable result of a {@link MomentSketch}: count, exact fixed-point sums, and the derived
 * mean and trace. Each derived double is the exact sum divided by the count and rounded once, so
 * equal sums give equal bits.
 */
public final class MomentSnapshot {
  /** Digits kept in the one division before rounding to double: far beyond double's 17. */
  private static final MathContext DIVISION = new MathContext(40, RoundingMode.HALF_EVEN);

  private final int dim;
  private final long count;
  private final long[] hi;
  private final long[] lo;
  private final double[] mean;
  private final double meanSquaredNorm;
  private final double trace;

  MomentSnapshot(int dim, long count, long[] hi, long[] lo) {
    checkArgument(dim > 0, "Invalid dimension: %s (must be > 0)", dim);
    checkArgument(count >= 0, "Invalid count: %s (must be >= 0)", count);
    checkArgument(
        hi.length == dim + 1 && lo.length == dim + 1,
        "Invalid sums: %s words (must be %s)",
        hi.length,
        dim + 1);
    this.dim = dim;
    this.count = count;
    this.hi = hi;
    this.lo = lo;
    if (count == 0) {
      this.mean = null;
      this.meanSquaredNorm = Double.NaN;
      this.trace = Double.NaN;
    } else {
      double[] m = new double[dim];
      double muSq = 0.0;
      for (int j = 0; j < dim; j++) {
        m[j] = exactMean(j);
        muSq += m[j] * m[j];
      }
      this.mean = m;
      this.meanSquaredNorm = exactMean(dim);
      // T = mean ||y||^2 - ||mu||^2, one subtraction of two well-rounded values; tiny negative
      // results (n = 1, identical rows) are rounding and mean "no spread".
      this.trace = Math.max(0.0, meanSquaredNorm - muSq);
    }
  }

  /** An empty snapshot of the given dimension (the identity of merge). */
  public static MomentSnapshot empty(int dim) {
    return new MomentSnapshot(dim, 0, new long[dim + 1], new long[dim + 1]);
  }

  /** The snapshot of the union of two inputs. */
  public static MomentSnapshot merge(MomentSnapshot a, MomentSnapshot b) {
    return MomentSketch.from(a).merge(b).snapshot();
  }

  private double exactMean(int index) {
    Double q = FixedPoint.quotient(hi[index], lo[index], count);
    return Math.scalb(
        q != null ? q : bigQuotient(hi[index], lo[index], count), -FixedPoint.SCALE_BITS);
  }

  /** The sum divided by the count, to 40 digits, then rounded to double. */
  static double bigQuotient(long hi, long lo, long count) {
    BigDecimal sum = new BigDecimal(FixedPoint.toBigInteger(hi, lo));
    return sum.divide(BigDecimal.valueOf(count), DIVISION).doubleValue();
  }

  public int dimension() {
    return dim;
  }

  public long count() {
    return count;
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** The mean of the normalised rows (a copy). */
  public double[] mean() {
    checkState(count > 0, "Invalid sketch: count 0 (the mean of no rows is undefined)");
    return mean.clone();
  }

  /** {@code mean ||y||^2} over the normalised rows (1 up to rounding). */
  public double meanSquaredNorm() {
    checkState(count > 0, "Invalid sketch: count 0 (the mean of no rows is undefined)");
    return meanSquaredNorm;
  }

  /** {@code mean ||y - mu||^2}, the trace of the (1/n) covariance. */
  public double trace() {
    checkState(count > 0, "Invalid sketch: count 0 (the trace of no rows is undefined)");
    return trace;
  }

  /** The exact fixed-point sum of component {@code j} (index {@code dim}: squared norms). */
  public BigInteger exactSum(int j) {
    checkArgument(j >= 0 && j <= dim, "Invalid index: %s (must be in [0, %s])", j, dim);
    return FixedPoint.toBigInteger(hi[j], lo[j]);
  }

  long hiAt(int j) {
    return hi[j];
  }

  long loAt(int j) {
    return lo[j];
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof MomentSnapshot s)) {
      return false;
    }
    return dim == s.dim && count == s.count && Arrays.equals(hi, s.hi) && Arrays.equals(lo, s.lo);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Long.hashCode(count) + Arrays.hashCode(hi)) + Arrays.hashCode(lo);
  }

  @Override
  public String toString() {
    return "MomentSnapshot{dim=" + dim + ", count=" + count + "}";
  }
}
