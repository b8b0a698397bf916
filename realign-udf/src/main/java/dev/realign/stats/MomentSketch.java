package dev.realign.stats;

import static dev.realign.Checks.checkArgument;

import dev.realign.vector.FixedPointLanes;
import dev.realign.vector.RejectReason;
import dev.realign.vector.RowValidator;
import dev.realign.vector.VectorLanes;
import dev.realign.vector.VectorSupport;

/**
 * Exact, mergeable first and second moments of L2-normalised embedding rows: the count, the sum of
 * each normalised component and the sum of squared row norms, all in 128-bit fixed point (see
 * docs/design.md section 3). Any order of {@code add} and {@code merge} calls gives the same bits.
 *
 * <p>This is the updatable accumulator: not thread-safe, one per task. {@link #snapshot()} gives an
 * immutable {@link MomentSnapshot}; adding after a snapshot does not change that snapshot.
 */
public final class MomentSketch {
  private final int dim;
  private long count;

  /** 128-bit totals: indices [0, dim) are the components, index dim the squared norms. */
  private final long[] hi;

  private final long[] lo;

  /** 64-bit partial sums of the current block of rows, spilled every BLOCK_ROWS rows. */
  private final long[] block;

  private int blockRows;

  public MomentSketch(int dim) {
    checkArgument(dim > 0, "Invalid dimension: %s (must be > 0)", dim);
    this.dim = dim;
    this.hi = new long[dim + 1];
    this.lo = new long[dim + 1];
    this.block = new long[dim + 1];
  }

  /** A sketch that continues from {@code start} (incremental refit without re-reading old data). */
  public static MomentSketch from(MomentSnapshot start) {
    MomentSketch s = new MomentSketch(start.dimension());
    s.merge(start);
    return s;
  }

  public int dimension() {
    return dim;
  }

  /** Rows added so far (valid rows only). */
  public long count() {
    return count;
  }

  /**
   * Validates, normalises and adds one raw row.
   *
   * @return null when the row was added, else why it was not (the sketch is then unchanged)
   */
  public RejectReason add(float[] row) {
    if (row == null) {
      return RejectReason.NULL_VECTOR;
    }
    if (row.length != dim) {
      return RejectReason.WRONG_DIMENSION;
    }
    return add(row, 0);
  }

  /** Like {@link #add(float[])} for the {@code dim} components of a flat array at {@code off}. */
  public RejectReason add(float[] flat, int off) {
    double norm = RowValidator.normOrNegative(flat, off, dim);
    if (norm < 0) {
      return RowValidator.reasonFor(norm);
    }
    addNormalised(flat, off, norm);
    return null;
  }

  /**
   * One fused pass over a valid row: {@code u = x / norm} (a division, as the format defines it),
   * its fixed-point value into the block, and its square into the four lanes of {@link
   * RowValidator#sumOfSquares(double[], int)} in that method's documented order, so the squared
   * norm has the same bits as normalising first and summing after (three passes). Scalar on
   * purpose: Vector API forms measured slower on JDK 17 (with a vector double-to-long conversion,
   * 0.3x) or no faster (vector divide and square, scalar conversion) in KernelBench.
   */
  private void addNormalised(float[] x, int off, double norm) {
    long[] b = block;
    int d = dim;
    double s0 = 0.0;
    double s1 = 0.0;
    double s2 = 0.0;
    double s3 = 0.0;
    int j = 0;
    for (; j + 3 < d; j += 4) {
      double u0 = x[off + j] / norm;
      double u1 = x[off + j + 1] / norm;
      double u2 = x[off + j + 2] / norm;
      double u3 = x[off + j + 3] / norm;
      b[j] += FixedPoint.toFixed(u0);
      b[j + 1] += FixedPoint.toFixed(u1);
      b[j + 2] += FixedPoint.toFixed(u2);
      b[j + 3] += FixedPoint.toFixed(u3);
      s0 += u0 * u0;
      s1 += u1 * u1;
      s2 += u2 * u2;
      s3 += u3 * u3;
    }
    for (; j < d; j++) {
      double u = x[off + j] / norm;
      b[j] += FixedPoint.toFixed(u);
      s0 += u * u;
    }
    finishRow((s0 + s1) + (s2 + s3));
  }

  /** Adds a row's squared norm (its components are in the block already) and counts the row. */
  private void finishRow(double squaredNorm) {
    block[dim] += FixedPoint.toFixed(squaredNorm);
    count++;
    if (++blockRows == FixedPoint.BLOCK_ROWS) {
      spill();
    }
  }

  /**
   * Adds {@code rows} consecutive rows of a flat row-major batch starting at {@code off}.
   *
   * @return the number of rows added; the others were reported to {@code rejects}
   */
  public int addAll(float[] flat, int off, int rows, RejectListener rejects) {
    checkArgument(rows >= 0, "Invalid row count: %s (must be >= 0)", rows);
    checkArgument(
        off >= 0 && (long) off + (long) rows * dim <= flat.length,
        "Invalid batch: offset %s + %s rows x %s (must fit in %s floats)",
        off,
        rows,
        dim,
        flat.length);
    int added = 0;
    for (int r = 0; r < rows; r++) {
      RejectReason reason = add(flat, off + r * dim);
      if (reason == null) {
        added++;
      } else {
        rejects.rejected(r, reason);
      }
    }
    return added;
  }

  /**
   * Adds a row that is already a unit vector in float64 (the output of a transform step).
   * Components must be finite with {@code |v| <= 1} and the squared norm at most 1, both up to
   * rounding; anything else is a programming error. (The squared-norm bound is what keeps a block
   * of 1,024 rows inside a {@code long}: components within [-1, 1] alone allow a squared norm of
   * d.)
   */
  public void addUnit(double[] unitRow) {
    checkArgument(
        unitRow.length >= dim, "Invalid unit row: length %s (must be >= %s)", unitRow.length, dim);
    // Every |v| <= sqrt(sum v^2), so bounding the (NaN-propagating) squared norm bounds each
    // component too: one check, no per-component branch on the hot path.
    double sq = RowValidator.sumOfSquares(unitRow, dim);
    if (!(sq <= UNIT_TOLERANCE)) {
      throw new IllegalArgumentException(
          "Invalid unit row: squared norm " + sq + " (must be finite and 1 up to rounding)");
    }
    accumulate(unitRow, sq);
  }

  /**
   * {@link #addUnit(double[])} of the {@code dim} float32 components at {@code off}, widened to
   * float64: the same bits, without a widened copy of the row (the apply pass sketches every row it
   * writes, as written). The squared norm is checked first (four lanes, as {@link
   * RowValidator#sumOfSquares(float[], int, int)}), so a row that is not a unit row never touches
   * the block; its bound (every component below 2) is what lets the fixed-point values be taken
   * from the floats' bits in integer vector lanes ({@link FixedPointLanes}), same bits as the
   * scalar cast.
   */
  public void addUnit(float[] row, int off) {
    checkArgument(
        off >= 0 && (long) off + dim <= row.length,
        "Invalid unit row: offset %s + %s components (must fit in %s floats)",
        off,
        dim,
        row.length);
    int d = dim;
    double sq =
        VectorSupport.ENABLED
            ? VectorLanes.sumOfSquares(row, off, d)
            : RowValidator.sumOfSquares(row, off, d);
    if (!(sq <= UNIT_TOLERANCE)) {
      throw new IllegalArgumentException(
          "Invalid unit row: squared norm " + sq + " (must be finite and 1 up to rounding)");
    }
    long[] b = block;
    if (VectorSupport.ENABLED) {
      FixedPointLanes.addTruncated(row, off, d, FixedPoint.SCALE_BITS, b);
    } else {
      for (int j = 0; j < d; j++) {
        b[j] += FixedPoint.toFixed(row[off + j]);
      }
    }
    finishRow(sq);
  }

  /**
   * Slack for rounding in {@link #addUnit}: 1,024 values of this size still fit in a long, and
   * every component of a row within it is below 2 ({@link FixedPointLanes}'s bound).
   */
  private static final double UNIT_TOLERANCE = 1.000001;

  private void accumulate(double[] u, double squaredNorm) {
    long[] b = block;
    for (int j = 0; j < dim; j++) {
      b[j] += FixedPoint.toFixed(u[j]);
    }
    b[dim] += FixedPoint.toFixed(squaredNorm);
    count++;
    if (++blockRows == FixedPoint.BLOCK_ROWS) {
      spill();
    }
  }

  private void spill() {
    if (blockRows == 0) {
      return;
    }
    for (int j = 0; j <= dim; j++) {
      FixedPoint.add128(hi, lo, j, block[j]);
      block[j] = 0L;
    }
    blockRows = 0;
  }

  /** Adds the totals of another sketch's snapshot to this one. */
  public MomentSketch merge(MomentSnapshot other) {
    checkArgument(
        other.dimension() == dim,
        "Invalid sketch to merge: dimension %s (must be %s, the dimension of this sketch)",
        other.dimension(),
        dim);
    spill();
    for (int j = 0; j <= dim; j++) {
      FixedPoint.add128(hi, lo, j, other.hiAt(j), other.loAt(j));
    }
    count = Math.addExact(count, other.count());
    return this;
  }

  public MomentSketch merge(MomentSketch other) {
    return merge(other.snapshot());
  }

  /** An immutable view of the totals so far. */
  public MomentSnapshot snapshot() {
    spill();
    return new MomentSnapshot(dim, count, hi.clone(), lo.clone());
  }
}
