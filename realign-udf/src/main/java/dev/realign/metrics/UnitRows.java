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
    java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
      int off = i * dim;
      double norm = norms[i];
      for (int j = 0; j < dim; j++) {
        out[off + j] = flat[off + j] / norm;
      }
    });
    return new UnitRows(n, dim, out);
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

  /**
   * Each column summed in row order, a few wide column blocks spread over the common pool: every
   * component gets the same additions in the same order as one sequential pass (the same bits).
   * One block a core, so each task streams its share of every row once (narrow blocks would stream
   * the whole sample once a block).
   */
  private double[] computeMean() {
    double[] m = new double[dim];
    int blocks = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), dim / 64));
    int width = ((dim + blocks - 1) / blocks + 7) / 8 * 8; // whole cache lines of doubles
    java.util.stream.IntStream.range(0, (dim + width - 1) / width).parallel()
        .forEach(c -> {
          int j0 = c * width;
          int j1 = Math.min(dim, j0 + width);
          for (int i = 0; i < rows; i++) {
            int off = i * dim;
            for (int j = j0; j < j1; j++) {
              m[j] += data[off + j];
            }
          }
        });
    for (int j = 0; j < dim; j++) {
      m[j] /= rows;
    }
    return m;
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
