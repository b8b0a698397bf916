package dev.realign.linalg;

import java.util.Locale;
import java.util.Random;

/**
 * Checks a covariance computed by a BLAS {@code gemm} against its rows without recomputing it
 * (Freivalds' check): {@code C z} against {@code X^T (X z) / n} for {@link #PROBES} fixed Gaussian
 * probes z, {@code 2 n d + d^2} multiply-adds each instead of {@code n d^2 / 2}.
 */
public final class CovarianceCheck {
  /**
   * Largest allowed {@code ||C z - X^T X z / n|| / (||X||_F^2 / n ||z||)}: float64 rounding in any
   * summation order stays below {@code n 2^-52} relative (about {@code 2e-12} for 10,000 rows).
   */
  public static final double TOLERANCE = 1e-9;

  /** Gaussian probes. */
  public static final int PROBES = 4;

  private static final long PROBE_SEED = 0x5eed_c0L;

  private CovarianceCheck() {}

  /**
   * Why {@code c} is not {@code X^T X / n} of the row-major {@code n x d} rows {@code x}, or null
   * when it is (within {@link #TOLERANCE}).
   */
  public static String problem(double[][] c, double[] x, int n, int d) {
    if (c.length != d) {
      return String.format(Locale.ROOT, "a %d-row covariance for dimension %d", c.length, d);
    }
    double scale = 0.0;
    for (double v : x) {
      scale += v * v;
    }
    scale /= n;
    Random rnd = new Random(PROBE_SEED);
    double worst = 0.0;
    double[] z = new double[d];
    for (int p = 0; p < PROBES; p++) {
      double z2 = 0.0;
      for (int j = 0; j < d; j++) {
        z[j] = rnd.nextGaussian();
        z2 += z[j] * z[j];
      }
      double[] xtxz = new double[d];
      for (int i = 0; i < n; i++) {
        int o = i * d;
        double s = 0.0;
        for (int j = 0; j < d; j++) {
          s += x[o + j] * z[j];
        }
        for (int j = 0; j < d; j++) {
          xtxz[j] += x[o + j] * s;
        }
      }
      double r2 = 0.0;
      for (int j = 0; j < d; j++) {
        if (c[j].length != d) {
          return String.format(Locale.ROOT, "covariance row %d has %d entries", j, c[j].length);
        }
        double diff = EigenCheck.dot(c[j], z) - xtxz[j] / n;
        r2 += diff * diff;
      }
      double r = Math.sqrt(r2) / (Math.max(scale, Double.MIN_NORMAL) * Math.sqrt(z2));
      worst = Math.max(worst, Double.isNaN(r) ? Double.POSITIVE_INFINITY : r);
    }
    return worst <= TOLERANCE
        ? null
        : String.format(
            Locale.ROOT,
            "||C z - X^T X z / n|| / (||X||_F^2 / n ||z||) = %.3g (must be <= %.0e)",
            worst,
            TOLERANCE);
  }

  /** {@code X^T X / n} in plain Java (the lower triangle mirrored): the fallback. */
  public static double[][] covariance(double[] x, int n, int d) {
    double[][] c = new double[d][d];
    for (int i = 0; i < n; i++) {
      int o = i * d;
      for (int a = 0; a < d; a++) {
        double xa = x[o + a];
        double[] ca = c[a];
        for (int b = 0; b <= a; b++) {
          ca[b] += xa * x[o + b];
        }
      }
    }
    for (int a = 0; a < d; a++) {
      for (int b = 0; b <= a; b++) {
        c[a][b] /= n;
        c[b][a] = c[a][b];
      }
    }
    return c;
  }
}
