package dev.realign.vector;

/**
 * Validation and L2 normalisation of embedding rows, in float64, shared by every caller (sketches,
 * the transform, the Spark jobs). A bad row is reported with a typed reason; it is never zeroed,
 * clipped or skipped silently.
 *
 * <p>Overflow: components are {@code float}, so the sum of squares is bounded by
 * {@code d * Float.MAX_VALUE^2 ~ d * 1.2e77}, far inside the double range; rows of 1e30 normalise
 * exactly like rows of 1. A non-finite sum of squares therefore means a NaN or infinite component.
 */
public final class RowValidator {
  /** Rows whose L2 norm is below this are rejected as {@link RejectReason#ZERO_NORM}. */
  public static final double MIN_NORM = 1e-10;

  private RowValidator() {}

  /**
   * Sum of squares of {@code d} components starting at {@code off}, accumulated in float64 in index
   * order (the order is part of the contract: it makes every caller agree to the bit).
   */
  public static double sumOfSquares(float[] row, int off, int d) {
    double ss = 0.0;
    for (int j = 0; j < d; j++) {
      double x = row[off + j];
      ss += x * x;
    }
    return ss;
  }

  /**
   * Returns the L2 norm of the row, or a negative value when the row is bad: use
   * {@link #reasonFor(double)} to turn that into a reason. Avoids allocating on the hot path.
   */
  public static double normOrNegative(float[] row, int off, int d) {
    double ss = sumOfSquares(row, off, d);
    if (!Double.isFinite(ss)) {
      return -1.0;
    }
    double norm = Math.sqrt(ss);
    return norm < MIN_NORM ? -2.0 : norm;
  }

  /** The reason for a negative result of {@link #normOrNegative}, or null for a valid norm. */
  public static RejectReason reasonFor(double normOrNegative) {
    if (normOrNegative >= 0) {
      return null;
    }
    return normOrNegative == -1.0 ? RejectReason.NON_FINITE : RejectReason.ZERO_NORM;
  }

  /** Validates one row of the expected dimension; null when the row is usable. */
  public static RejectReason validate(float[] row, int expectedDim) {
    if (row == null) {
      return RejectReason.NULL_VECTOR;
    }
    if (row.length != expectedDim) {
      return RejectReason.WRONG_DIMENSION;
    }
    return reasonFor(normOrNegative(row, 0, expectedDim));
  }

  /**
   * Writes the unit vector {@code row / ||row||} in float64 into {@code out[0..d)}.
   *
   * @return null on success, else the reason (and {@code out} is left unspecified)
   */
  public static RejectReason normalizeInto(float[] row, int off, int d, double[] out) {
    double norm = normOrNegative(row, off, d);
    if (norm < 0) {
      return reasonFor(norm);
    }
    for (int j = 0; j < d; j++) {
      out[j] = row[off + j] / norm;
    }
    return null;
  }
}
