package dev.realign.report;

import static dev.realign.Checks.checkArgument;

import dev.realign.metrics.UnitRows;
import java.util.Random;

/**
 * The top-2 principal axes of a pooled sample (texts and images together, centred on the pooled
 * mean), for the 2-D view. Plain Java, no ND4J: the 1/n covariance is accumulated in float64 and
 * its top-2 eigenvectors found by orthogonal iteration from a fixed start, then a 2x2
 * Rayleigh-Ritz rotation; each axis's sign makes its largest-magnitude component positive. The
 * result is deterministic.
 */
final class PrincipalAxes {
  /**
   * At most this many iterations (about 2.5 ms each at d = 1280). Iteration converges as
   * {@code (lambda3 / lambda2)^k}: on embeddings with a clear gap direction it takes 10-20, on a
   * nearly isotropic cloud hundreds, and there the top-2 axes are ill-defined anyway (any pair in
   * the near-degenerate span draws the same picture; the variances shown are those of the axes
   * drawn). 3,000 let such a cloud cost seconds.
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
    double[][] cov = new double[d][d];
    // Rank-4 updates (four centred rows a sweep over the triangle): a quarter of the memory
    // traffic of rank-1 updates, in a fixed order (deterministic). The centred rows come in blocks
    // of four (the last zero-padded), a sample at a time; the triangle's rows are shared out in
    // bands of equal area, each band sweeping every block in that same order, so every entry gets
    // the same additions in the same order whatever the threads.
    double[][][] blocks = centredBlocks(new UnitRows[] {a, b}, centre);
    int[] bands = bands(d, 16);
    java.util.stream.IntStream.range(0, bands.length - 1).parallel().forEach(band -> {
      for (double[][] block : blocks) {
        double[] x0 = block[0];
        double[] x1 = block[1];
        double[] x2 = block[2];
        double[] x3 = block[3];
        for (int p = bands[band]; p < bands[band + 1]; p++) {
          double a0 = x0[p];
          double a1 = x1[p];
          double a2 = x2[p];
          double a3 = x3[p];
          double[] row = cov[p];
          for (int q = p; q < d; q++) {
            row[q] += ((a0 * x0[q] + a1 * x1[q]) + (a2 * x2[q] + a3 * x3[q]));
          }
        }
      }
    });
    double total = 0.0;
    for (int p = 0; p < d; p++) {
      for (int q = p; q < d; q++) {
        cov[p][q] /= n;
        cov[q][p] = cov[p][q];
      }
      total += cov[p][p];
    }
    double[][] v = topTwo(cov);
    double[] var = {quad(cov, v[0]), quad(cov, v[1])};
    return new PrincipalAxes(centre, v, var, total);
  }

  /** The centred rows of the samples in blocks of four ({@code 4 x d}, the last zero-padded). */
  private static double[][][] centredBlocks(UnitRows[] samples, double[] centre) {
    int d = centre.length;
    java.util.List<double[][]> out = new java.util.ArrayList<>();
    for (UnitRows s : samples) {
      double[] flat = s.toFlatArray();
      for (int i0 = 0; i0 < s.rows(); i0 += 4) {
        int m = Math.min(4, s.rows() - i0);
        double[][] x = new double[4][d];
        for (int r = 0; r < m; r++) {
          for (int j = 0; j < d; j++) {
            x[r][j] = flat[(i0 + r) * d + j] - centre[j];
          }
        }
        out.add(x);
      }
    }
    return out.toArray(new double[0][][]);
  }

  /** Row bounds of {@code count} bands of equal area of the upper triangle of a d x d matrix. */
  private static int[] bands(int d, int count) {
    int[] b = new int[count + 1];
    double area = (double) d * (d + 1) / 2;
    int p = 0;
    for (int k = 1; k < count; k++) {
      // Rows 0..p-1 of the triangle hold p d - p (p - 1) / 2 entries.
      while (p < d && (double) p * d - (double) p * (p - 1) / 2 < area * k / count) {
        p++;
      }
      b[k] = p;
    }
    b[count] = d;
    return b;
  }

  private static double[][] topTwo(double[][] c) {
    int d = c.length;
    Random rnd = new Random(20260226L);
    double[] u = new double[d];
    double[] w = new double[d];
    for (int j = 0; j < d; j++) {
      u[j] = rnd.nextGaussian();
      w[j] = rnd.nextGaussian();
    }
    orthonormalise(u, w);
    for (int it = 0; it < MAX_ITERATIONS; it++) {
      double[][] next = mul2(c, u, w);
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
    double[][] cuw = mul2(c, u, w);
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
    if (quad(c, a2) > quad(c, a1)) {
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

  private static double[] mul(double[][] c, double[] v) {
    double[] out = new double[v.length];
    for (int p = 0; p < v.length; p++) {
      out[p] = dot(c[p], v);
    }
    return out;
  }

  /**
   * {@code [mul(c, u), mul(c, w)]} in one pass over {@code c}, rows spread over the common pool:
   * each entry is the same sequential dot product as {@link #mul}'s (the same bits).
   */
  private static double[][] mul2(double[][] c, double[] u, double[] w) {
    int d = u.length;
    double[] ou = new double[d];
    double[] ow = new double[d];
    java.util.stream.IntStream.range(0, d).parallel().forEach(p -> {
      double[] row = c[p];
      double su = 0.0;
      double sw = 0.0;
      for (int j = 0; j < d; j++) {
        su += row[j] * u[j];
        sw += row[j] * w[j];
      }
      ou[p] = su;
      ow[p] = sw;
    });
    return new double[][] {ou, ow};
  }

  private static double dot(double[] a, double[] b) {
    double s = 0.0;
    for (int j = 0; j < a.length; j++) {
      s += a[j] * b[j];
    }
    return s;
  }

  private static double quad(double[][] c, double[] v) {
    return dot(v, mul(c, v));
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
