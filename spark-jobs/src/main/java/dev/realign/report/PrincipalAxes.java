package dev.realign.report;

import static dev.realign.Checks.checkArgument;

import dev.realign.metrics.UnitRows;
import java.util.Random;

/**
 * The top-2 principal axes of a pooled sample (texts and images together, centred on the pooled
 * mean), for the 2-D view. Plain Java, no ND4J: the top-2 eigenvectors of the 1/n covariance {@code
 * C = X^T X / n} of the centred rows X are found by orthogonal iteration from a fixed start,
 * applying C as {@code X^T (X v) / n} without forming it, then a 2x2 Rayleigh-Ritz rotation; each
 * axis's sign makes its largest-magnitude component positive. The result is deterministic (every
 * sum runs in a fixed order, whatever the threads).
 *
 * <p>Why not the covariance: forming it costs {@code n d^2 / 2} multiply-adds (820 M for 1,000 rows
 * at d = 1280, about 100 ms of a report), an iteration on the rows {@code 4 n d} (5 M), and
 * embeddings converge in 10-20 iterations.
 */
final class PrincipalAxes {
  /**
   * At most this many iterations (about 3 ms each for 1,000 rows at d = 1280). Iteration converges
   * as {@code (lambda3 / lambda2)^k}: on embeddings with a clear gap direction it takes 10-20, on a
   * nearly isotropic cloud hundreds, and there the top-2 axes are ill-defined anyway (any pair in
   * the near-degenerate span draws the same picture; the variances shown are those of the axes
   * drawn).
   */
  static final int MAX_ITERATIONS = 500;

  /**
   * Converged when the new basis leaves the old span by less than this squared norm (an angle of
   * about 1e-5 rad, far below what the 2-D view can show).
   */
  static final double CONVERGED = 1e-10;

  private final double[] centre;
  private final double[][] axes;
  private final double[] variance;
  private final double totalVariance;

  private PrincipalAxes(double[] centre, double[][] axes, double[] variance, double total) {
    this.centre = centre;
    this.axes = axes;
    this.variance = variance;
    this.totalVariance = total;
  }

  static PrincipalAxes of(UnitRows a, UnitRows b) {
    int d = a.dimension();
    checkArgument(d >= 2, "Invalid dimension for a 2-D view: %s (must be >= 2)", d);
    int n = a.rows() + b.rows();
    double[] centre = new double[d];
    double[] ma = a.mean();
    double[] mb = b.mean();
    for (int j = 0; j < d; j++) {
      centre[j] = (ma[j] * a.rows() + mb[j] * b.rows()) / n;
    }
    Centred x = new Centred(centred(new UnitRows[] {a, b}, centre, n), n, d);
    double total = 0.0;
    for (double v : x.rows) {
      total += v * v;
    }
    double[][] v = topTwo(x);
    double[] var = {x.quad(v[0]), x.quad(v[1])};
    return new PrincipalAxes(centre, v, var, total / n);
  }

  /** The rows of the samples minus the centre, flat row-major ({@code n x d}). */
  private static double[] centred(UnitRows[] samples, double[] centre, int n) {
    int d = centre.length;
    double[] out = new double[n * d];
    int at = 0;
    for (UnitRows s : samples) {
      double[] flat = s.toFlatArray();
      for (int o = 0; o < flat.length; o += d) {
        for (int j = 0; j < d; j++) {
          out[at + o + j] = flat[o + j] - centre[j];
        }
      }
      at += flat.length;
    }
    return out;
  }

  /** The centred rows X, applying {@code C = X^T X / n} to vectors. */
  private static final class Centred {
    /** Columns a band of {@link #mul2}'s second product: each band sums over every row. */
    private static final int BAND = 64;

    final double[] rows;
    final int n;
    final int d;

    Centred(double[] rows, int n, int d) {
      this.rows = rows;
      this.n = n;
      this.d = d;
    }

    /**
     * {@code [C u, C w]}: first {@code X u} and {@code X w} (rows spread over the common pool, each
     * a sequential dot product), then {@code X^T} of those (column bands spread over the pool, each
     * column summed over the rows in order): the same bits whatever the threads.
     */
    double[][] mul2(double[] u, double[] w) {
      double[] xu = new double[n];
      double[] xw = new double[n];
      java.util.stream.IntStream.range(0, n)
          .parallel()
          .forEach(
              i -> {
                int o = i * d;
                double su = 0.0;
                double sw = 0.0;
                for (int j = 0; j < d; j++) {
                  su += rows[o + j] * u[j];
                  sw += rows[o + j] * w[j];
                }
                xu[i] = su;
                xw[i] = sw;
              });
      double[] cu = new double[d];
      double[] cw = new double[d];
      java.util.stream.IntStream.range(0, (d + BAND - 1) / BAND)
          .parallel()
          .forEach(
              band -> {
                int j0 = band * BAND;
                int j1 = Math.min(d, j0 + BAND);
                for (int i = 0; i < n; i++) {
                  int o = i * d;
                  double a = xu[i];
                  double b = xw[i];
                  for (int j = j0; j < j1; j++) {
                    cu[j] += rows[o + j] * a;
                    cw[j] += rows[o + j] * b;
                  }
                }
              });
      for (int j = 0; j < d; j++) {
        cu[j] /= n;
        cw[j] /= n;
      }
      return new double[][] {cu, cw};
    }

    /** {@code v^T C v = |X v|^2 / n}. */
    double quad(double[] v) {
      double s = 0.0;
      for (int i = 0; i < n; i++) {
        int o = i * d;
        double p = 0.0;
        for (int j = 0; j < d; j++) {
          p += rows[o + j] * v[j];
        }
        s += p * p;
      }
      return s / n;
    }
  }

  private static double[][] topTwo(Centred c) {
    int d = c.d;
    Random rnd = new Random(20260226L);
    double[] u = new double[d];
    double[] w = new double[d];
    for (int j = 0; j < d; j++) {
      u[j] = rnd.nextGaussian();
      w[j] = rnd.nextGaussian();
    }
    orthonormalise(u, w);
    for (int it = 0; it < MAX_ITERATIONS; it++) {
      double[][] next = c.mul2(u, w);
      double[] nu = next[0];
      double[] nw = next[1];
      orthonormalise(nu, nw);
      double change = outside(nu, u, w) + outside(nw, u, w);
      u = nu;
      w = nw;
      if (change < CONVERGED) {
        break;
      }
    }
    // Rayleigh-Ritz in span{u, w}: rotate to the eigenvectors of the 2x2 projected matrix.
    double[][] cuw = c.mul2(u, w);
    double[] cu = cuw[0];
    double[] cw = cuw[1];
    double h11 = dot(u, cu);
    double h12 = dot(u, cw);
    double h22 = dot(w, cw);
    double theta = 0.5 * Math.atan2(2 * h12, h11 - h22);
    double cs = Math.cos(theta);
    double sn = Math.sin(theta);
    double[] a1 = new double[d];
    double[] a2 = new double[d];
    for (int j = 0; j < d; j++) {
      a1[j] = cs * u[j] + sn * w[j];
      a2[j] = -sn * u[j] + cs * w[j];
    }
    if (c.quad(a2) > c.quad(a1)) {
      double[] t = a1;
      a1 = a2;
      a2 = t;
    }
    return new double[][] {fixSign(a1), fixSign(a2)};
  }

  /** Squared norm of the part of unit {@code v} outside span{u, w} (orthonormal). */
  private static double outside(double[] v, double[] u, double[] w) {
    double a = dot(v, u);
    double b = dot(v, w);
    return Math.max(0.0, 1.0 - a * a - b * b);
  }

  private static double[] fixSign(double[] v) {
    int best = 0;
    for (int j = 1; j < v.length; j++) {
      if (Math.abs(v[j]) > Math.abs(v[best])) {
        best = j;
      }
    }
    if (v[best] < 0) {
      for (int j = 0; j < v.length; j++) {
        v[j] = -v[j];
      }
    }
    return v;
  }

  private static void orthonormalise(double[] u, double[] w) {
    scale(u, 1.0 / Math.sqrt(dot(u, u)));
    double p = dot(u, w);
    for (int j = 0; j < w.length; j++) {
      w[j] -= p * u[j];
    }
    double nw = Math.sqrt(dot(w, w));
    if (nw == 0) {
      // A rank-1 covariance: any unit vector orthogonal to u will do.
      int k = Math.abs(u[0]) < 0.9 ? 0 : 1;
      java.util.Arrays.fill(w, 0.0);
      w[k] = 1.0;
      orthonormalise(u, w);
      return;
    }
    scale(w, 1.0 / nw);
  }

  private static void scale(double[] v, double s) {
    for (int j = 0; j < v.length; j++) {
      v[j] *= s;
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0.0;
    for (int j = 0; j < a.length; j++) {
      s += a[j] * b[j];
    }
    return s;
  }

  /** Variance along each axis (the top-2 eigenvalues). */
  double[] variance() {
    return variance.clone();
  }

  double totalVariance() {
    return totalVariance;
  }

  double[] axis(int i) {
    return axes[i].clone();
  }

  /** {@code [x0, y0, x1, y1, ...]}: the chosen rows of {@code s}, centred, on the two axes. */
  float[] project(UnitRows s, int[] rows) {
    int d = centre.length;
    float[] out = new float[2 * rows.length];
    for (int r = 0; r < rows.length; r++) {
      double[] x = s.row(rows[r]);
      double p0 = 0;
      double p1 = 0;
      for (int j = 0; j < d; j++) {
        double c = x[j] - centre[j];
        p0 += c * axes[0][j];
        p1 += c * axes[1][j];
      }
      out[2 * r] = (float) p0;
      out[2 * r + 1] = (float) p1;
    }
    return out;
  }
}
