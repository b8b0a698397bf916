package dev.realign.metrics;

import static dev.realign.Checks.checkArgument;
import static dev.realign.Checks.checkDimension;

import dev.realign.vector.RowValidator;
import dev.realign.vector.VectorLanes;
import dev.realign.vector.VectorSupport;

/**
 * An immutable sample of rows, each L2-normalised in float64 (as in docs/design.md section 1), so
 * that a dot product of two rows is their cosine. Every metric of this package starts from these.
 *
 * <p>The sample keeps the float32 rows and each row's float64 norm, not the unit rows: component
 * {@code j} of unit row {@code i} is {@code x[i][j] / norm[i]} in float64, computed where it is
 * used, always by that one division, so every figure has the bits it would have from stored unit
 * rows. (At the report's 10,000 x 1,280 a sample of stored unit rows took 100 MB of fresh heap,
 * five of them a report; the division costs less than that memory did in a run.)
 *
 * <p>A sample must hold only valid rows: a row with a NaN or infinite component or a norm below
 * {@link RowValidator#MIN_NORM} is an error naming the row, never skipped (samples come from rows
 * the pipeline has already validated).
 */
public final class UnitRows {
  private final int rows;
  private final int dim;

  /** The rows, float32, flat row-major. */
  final float[] source;

  /** Each row's float64 L2 norm. */
  final double[] norms;

  /** The mean row, computed on first use (an immutable value: a benign race at worst). */
  private volatile double[] mean;

  private UnitRows(int rows, int dim, float[] source, double[] norms) {
    this.rows = rows;
    this.dim = dim;
    this.source = source;
    this.norms = norms;
  }

  /** Normalises a copy of the flat row-major {@code rows} ({@code n x d} floats). */
  public static UnitRows normalise(float[] flat, int dim) {
    return view(flat.clone(), dim);
  }

  /**
   * {@link #normalise} without the copy: the sample reads {@code flat} whenever it is used, so it
   * is valid only while the caller leaves {@code flat} unchanged (the report's samples, and its
   * aligned texts in a buffer reused across the variants).
   */
  public static UnitRows view(float[] flat, int dim) {
    checkDimension(dim);
    checkArgument(
        flat.length % dim == 0,
        "Invalid rows: %s floats (must be a multiple of the" + " dimension %s)",
        flat.length,
        dim);
    int n = flat.length / dim;
    // Rows are independent: spread over the common pool (the same bits); the first bad row, by
    // index, is the one reported.
    double[] norms = new double[n];
    java.util.stream.IntStream.range(0, n)
        .parallel()
        .forEach(i -> norms[i] = RowValidator.normOrNegative(flat, i * dim, dim));
    for (int i = 0; i < n; i++) {
      double norm = norms[i];
      checkArgument(
          norm >= 0,
          "Invalid row %s: %s (must be finite with a norm >= %s)",
          i,
          RowValidator.reasonFor(norm),
          RowValidator.MIN_NORM);
    }
    return new UnitRows(n, dim, flat, norms);
  }

  /** Rows a task of the passes over the sample (mean, trace, float32 rows) on the common pool. */
  private static final int MEAN_CHUNK = 256;

  private static int chunks(int rows) {
    return (rows + MEAN_CHUNK - 1) / MEAN_CHUNK;
  }

  private static double[] combine(double[][] partial, int dim, int rows) {
    double[] m = new double[dim];
    for (double[] p : partial) {
      for (int j = 0; j < dim; j++) {
        m[j] += p[j];
      }
    }
    for (int j = 0; j < dim; j++) {
      m[j] /= rows;
    }
    return m;
  }

  public int rows() {
    return rows;
  }

  public int dimension() {
    return dim;
  }

  /** A copy of row {@code i}. */
  public double[] row(int i) {
    checkArgument(i >= 0 && i < rows, "Invalid row index: %s (must be in [0, %s))", i, rows);
    double[] r = new double[dim];
    rowInto(i, r, 0);
    return r;
  }

  /** Unit row {@code i} into {@code out[at .. at + dimension)}. */
  void rowInto(int i, double[] out, int at) {
    int off = i * dim;
    double n = norms[i];
    if (VectorSupport.METRICS) {
      VectorLanes.divide(source, off, n, out, at, dim);
      return;
    }
    for (int j = 0; j < dim; j++) {
      out[at + j] = source[off + j] / n;
    }
  }

  /** A copy of all rows, flat row-major ({@code rows x dimension} doubles). */
  public double[] toFlatArray() {
    double[] out = new double[rows * dim];
    for (int i = 0; i < rows; i++) {
      rowInto(i, out, i * dim);
    }
    return out;
  }

  /** The rows rounded to float32, flat row-major (for a {@link CandidateScorer}). */
  public float[] toFloat32() {
    float[] out = new float[rows * dim];
    java.util.stream.IntStream.range(0, chunks(rows))
        .parallel()
        .forEach(
            c -> {
              for (int i = c * MEAN_CHUNK; i < Math.min(rows, (c + 1) * MEAN_CHUNK); i++) {
                int off = i * dim;
                double n = norms[i];
                if (VectorSupport.METRICS) {
                  VectorLanes.divideToFloat(source, off, n, out, off, dim);
                  continue;
                }
                for (int j = 0; j < dim; j++) {
                  out[off + j] = (float) (source[off + j] / n);
                }
              }
            });
    return out;
  }

  /** The first {@code n} rows as a new sample. */
  public UnitRows head(int n) {
    checkArgument(n >= 0 && n <= rows, "Invalid row count: %s (must be in [0, %s])", n, rows);
    return new UnitRows(
        n, dim, java.util.Arrays.copyOf(source, n * dim), java.util.Arrays.copyOf(norms, n));
  }

  /** The rows at {@code indices}, in that order, as a new sample. */
  public UnitRows select(int[] indices) {
    float[] out = new float[indices.length * dim];
    double[] n = new double[indices.length];
    for (int r = 0; r < indices.length; r++) {
      int i = indices[r];
      checkArgument(i >= 0 && i < rows, "Invalid row index: %s (must be in [0, %s))", i, rows);
      System.arraycopy(source, i * dim, out, r * dim, dim);
      n[r] = norms[i];
    }
    return new UnitRows(indices.length, dim, out, n);
  }

  /** The mean row, accumulated in float64 in row order. */
  public double[] mean() {
    checkArgument(rows > 0, "Invalid sample: 0 rows (the mean needs at least one)");
    double[] m = mean;
    if (m == null) {
      m = computeMean();
      mean = m;
    }
    return m.clone();
  }

  /**
   * The mean: each chunk of rows' column sums in row order (chunks on the pool), then the chunks'
   * sums added in chunk order, so the bits depend on neither the threads nor who computed it.
   */
  private double[] computeMean() {
    double[][] partial = new double[chunks(rows)][];
    java.util.stream.IntStream.range(0, partial.length)
        .parallel()
        .forEach(
            c -> {
              double[] sum = new double[dim];
              for (int i = c * MEAN_CHUNK; i < Math.min(rows, (c + 1) * MEAN_CHUNK); i++) {
                int off = i * dim;
                double n = norms[i];
                if (VectorSupport.METRICS) {
                  VectorLanes.addQuotients(source, off, n, sum, dim);
                  continue;
                }
                for (int j = 0; j < dim; j++) {
                  sum[j] += source[off + j] / n;
                }
              }
              partial[c] = sum;
            });
    return combine(partial, dim, rows);
  }

  /**
   * The trace of the covariance, {@code mean ||x - mu||^2} (1/n), computed from centred rows (not
   * as {@code E||x||^2 - ||mu||^2}): each row's {@code ||x - mu||^2} summed over its components in
   * order (rows spread over the common pool), then those summed in row order, so the bits do not
   * depend on the threads.
   */
  public double trace() {
    double[] m = mean();
    double[] perRow = new double[rows];
    // Four rows side by side: each row's sum is one chain of dependent adds (its order fixed, for
    // the bits), so four rows keep four chains in flight instead of one; their unit components
    // divided out first into a buffer (a chunk's).
    java.util.stream.IntStream.range(0, chunks(rows))
        .parallel()
        .forEach(
            c -> {
              double[] four = new double[4 * dim];
              int i = c * MEAN_CHUNK;
              int end = Math.min(rows, (c + 1) * MEAN_CHUNK);
              for (; i + 3 < end; i += 4) {
                for (int r = 0; r < 4; r++) {
                  rowInto(i + r, four, r * dim);
                }
                centredSquares4(four, m, perRow, i);
              }
              for (; i < end; i++) {
                rowInto(i, four, 0);
                perRow[i] = centredSquares(four, 0, m);
              }
            });
    double t = 0.0;
    for (double r : perRow) {
      t += r;
    }
    return t / rows;
  }

  /**
   * {@code ||u - m||^2} of the unit row at {@code u[at ..]}, summed over its components in order.
   */
  private double centredSquares(double[] u, int at, double[] m) {
    double r = 0.0;
    for (int j = 0; j < dim; j++) {
      double c = u[at + j] - m[j];
      r += c * c;
    }
    return r;
  }

  /**
   * {@link #centredSquares} of the four unit rows in {@code four} into {@code out[i .. i + 4)}, the
   * same bits.
   */
  private void centredSquares4(double[] four, double[] m, double[] out, int i) {
    int o1 = dim;
    int o2 = 2 * dim;
    int o3 = 3 * dim;
    double r0 = 0.0;
    double r1 = 0.0;
    double r2 = 0.0;
    double r3 = 0.0;
    for (int j = 0; j < dim; j++) {
      double mj = m[j];
      double c0 = four[j] - mj;
      double c1 = four[o1 + j] - mj;
      double c2 = four[o2 + j] - mj;
      double c3 = four[o3 + j] - mj;
      r0 += c0 * c0;
      r1 += c1 * c1;
      r2 += c2 * c2;
      r3 += c3 * c3;
    }
    out[i] = r0;
    out[i + 1] = r1;
    out[i + 2] = r2;
    out[i + 3] = r3;
  }

  /** The cosine of row {@code i} of this sample and row {@code j} of {@code other}. */
  public double cosine(int i, UnitRows other, int j) {
    return Cosines.dot(this, i, other, j);
  }

  void checkSameDimension(UnitRows other, String what) {
    checkArgument(
        dim == other.dim, "Invalid %s: dimension %s and %s (must be equal)", what, dim, other.dim);
  }
}
