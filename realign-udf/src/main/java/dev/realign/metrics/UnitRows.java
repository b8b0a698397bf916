package dev.realign.metrics;

import static dev.realign.Checks.checkArgument;
import static dev.realign.Checks.checkDimension;

import dev.realign.vector.RowValidator;

/**
 * An immutable sample of rows, each L2-normalised in float64 (as in docs/design.md section 1), so
 * that a dot product of two rows is their cosine. Every metric of this package starts from these.
 *
 * <p>A sample must hold only valid rows: a row with a NaN or infinite component or a norm below
 * {@link RowValidator#MIN_NORM} is an error naming the row, never skipped (samples come from rows
 * the pipeline has already validated).
 */
public final class UnitRows {
  private final int rows;
  private final int dim;
  final double[] data;
  /** The mean row, computed on first use (an immutable value: a benign race at worst). */
  private volatile double[] mean;

  private UnitRows(int rows, int dim, double[] data) {
    this.rows = rows;
    this.dim = dim;
    this.data = data;
  }

  /** Normalises the flat row-major {@code rows} ({@code n x d} floats) into a new sample. */
  public static UnitRows normalise(float[] flat, int dim) {
    return normaliseInto(flat, dim, null);
  }

  /**
   * {@link #normalise}, into {@code storage} ({@code flat.length} doubles) instead of a new array:
   * for a caller that normalises samples of one size in turn and uses one at a time. (The report
   * aligns its text sample once per variant; with fresh arrays each time, memory the heap had not
   * touched yet, its align phase took several times as long in a run.) The sample wraps
   * {@code storage}, so it is only valid until the caller hands {@code storage} out again.
   *
   * @param storage null for a new array
   */
  public static UnitRows normaliseInto(float[] flat, int dim, double[] storage) {
    checkDimension(dim);
    checkArgument(flat.length % dim == 0, "Invalid rows: %s floats (must be a multiple of the"
        + " dimension %s)", flat.length, dim);
    checkArgument(storage == null || storage.length == flat.length, "Invalid storage: %s doubles"
        + " (must be %s, one a float of the rows)", storage == null ? 0 : storage.length,
        flat.length);
    int n = flat.length / dim;
    double[] out = storage != null ? storage : new double[flat.length];
    // Rows are independent: spread over the common pool (the same bits); the first bad row, by
    // index, is the one reported.
    double[] norms = new double[n];
    java.util.stream.IntStream.range(0, n).parallel().forEach(i ->
        norms[i] = RowValidator.normOrNegative(flat, i * dim, dim));
    for (int i = 0; i < n; i++) {
      double norm = norms[i];
      checkArgument(norm >= 0, "Invalid row %s: %s (must be finite with a norm >= %s)", i,
          RowValidator.reasonFor(norm), RowValidator.MIN_NORM);
    }
    // The mean on the way, while each row is in cache: a pass less over the sample (the report
    // normalises five samples of 10,000 x 1,280 doubles, 100 MB each), with the bits of
    // computeMean (the same chunks, the same order).
    double[][] partial = new double[chunks(n)][];
    java.util.stream.IntStream.range(0, partial.length).parallel().forEach(c -> {
      double[] sum = new double[dim];
      for (int i = c * MEAN_CHUNK; i < Math.min(n, (c + 1) * MEAN_CHUNK); i++) {
        int off = i * dim;
        double norm = norms[i];
        for (int j = 0; j < dim; j++) {
          double v = flat[off + j] / norm;
          out[off + j] = v;
          sum[j] += v;
        }
      }
      partial[c] = sum;
    });
    UnitRows u = new UnitRows(n, dim, out);
    if (n > 0) {
      u.mean = combine(partial, dim, n);
    }
    return u;
  }

  /**
   * Rows a chunk of the mean's sums: each chunk's column sums in row order, then the chunks'
   * sums added in chunk order, so the bits depend on neither the threads nor who computed it.
   */
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
    System.arraycopy(data, i * dim, r, 0, dim);
    return r;
  }

  /** A copy of all rows, flat row-major ({@code rows x dimension} doubles). */
  public double[] toFlatArray() {
    return data.clone();
  }

  /** The rows rounded to float32, flat row-major (for a {@link CandidateScorer}). */
  public float[] toFloat32() {
    float[] out = new float[data.length];
    for (int i = 0; i < data.length; i++) {
      out[i] = (float) data[i];
    }
    return out;
  }

  /** The first {@code n} rows as a new sample. */
  public UnitRows head(int n) {
    checkArgument(n >= 0 && n <= rows, "Invalid row count: %s (must be in [0, %s])", n, rows);
    return new UnitRows(n, dim, java.util.Arrays.copyOf(data, n * dim));
  }

  /** The rows at {@code indices}, in that order, as a new sample. */
  public UnitRows select(int[] indices) {
    double[] out = new double[indices.length * dim];
    for (int r = 0; r < indices.length; r++) {
      int i = indices[r];
      checkArgument(i >= 0 && i < rows, "Invalid row index: %s (must be in [0, %s))", i, rows);
      System.arraycopy(data, i * dim, out, r * dim, dim);
    }
    return new UnitRows(indices.length, dim, out);
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

  /** The mean as {@link #normaliseInto} computes it on the way (chunks of rows on the pool). */
  private double[] computeMean() {
    double[][] partial = new double[chunks(rows)][];
    java.util.stream.IntStream.range(0, partial.length).parallel().forEach(c -> {
      double[] sum = new double[dim];
      for (int i = c * MEAN_CHUNK; i < Math.min(rows, (c + 1) * MEAN_CHUNK); i++) {
        int off = i * dim;
        for (int j = 0; j < dim; j++) {
          sum[j] += data[off + j];
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
    java.util.stream.IntStream.range(0, rows).parallel().forEach(i -> {
      int off = i * dim;
      double r = 0.0;
      for (int j = 0; j < dim; j++) {
        double c = data[off + j] - m[j];
        r += c * c;
      }
      perRow[i] = r;
    });
    double t = 0.0;
    for (double r : perRow) {
      t += r;
    }
    return t / rows;
  }

  /** The cosine of row {@code i} of this sample and row {@code j} of {@code other}. */
  public double cosine(int i, UnitRows other, int j) {
    return Cosines.dot(data, i * dim, other.data, j * dim, dim);
  }

  void checkSameDimension(UnitRows other, String what) {
    checkArgument(dim == other.dim, "Invalid %s: dimension %s and %s (must be equal)", what, dim,
        other.dim);
  }
}
