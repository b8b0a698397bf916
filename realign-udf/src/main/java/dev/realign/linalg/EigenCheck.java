package dev.realign.linalg;

import java.util.Locale;

/**
 * Checks a claimed eigendecomposition {@code C = V diag(lambda) V^T} of a symmetric matrix before
 * anything derived from it is published, whatever produced it: the order and finiteness of the
 * eigenvalues, the exact invariants {@code sum lambda = trace C} and {@code sum lambda^2 =
 * ||C||_F^2}, and the residual {@code R = C V - V diag(lambda)} and the orthonormality error {@code
 * E = V^T V - I} through {@link #PROBES} fixed Gaussian probes z ({@code ||R z||} and {@code ||E
 * z||}; {@code E ||R z||^2 = ||R||_F^2}). A wrong eigenvector i adds {@code z_i r_i} to every
 * probe: it escapes only if all probes have {@code |z_i|} tiny (below 0.01 for all 16: probability
 * about {@code 1e-34}).
 *
 * <p>Why probes, not every pair: the full check costs {@code 1.5 d^3} multiply-adds, measured at 8
 * s for d = 1280 on this project's 2-core machine (more than the decomposition it checks); the
 * probes cost {@code 5 d^2} each (about 0.1 s for all at d = 1280). The probes are fixed (seeded),
 * so the verdict is deterministic.
 */
public final class EigenCheck {
  /**
   * Largest allowed {@code ||R z|| / (||C||_F ||z||)}. LAPACK's backward error is a small multiple
   * of {@code d * 2^-52 ||C||} (about {@code 3e-13} at d = 1280); the wrong vectors seen from
   * OpenBLAS's AVX-512 {@code syev} had residuals of order 1.
   */
  public static final double RESIDUAL_TOLERANCE = 1e-9;

  /** Largest allowed {@code ||E z|| / ||z||}; LAPACK's is a small multiple of {@code d 2^-52}. */
  public static final double ORTHONORMALITY_TOLERANCE = 1e-9;

  /**
   * Largest allowed {@code |sum lambda - trace C|} and {@code |sum lambda^2 - ||C||_F^2|}, relative
   * to {@code sum |lambda_i|} and {@code ||C||_F^2}.
   */
  public static final double INVARIANT_TOLERANCE = 1e-9;

  /** Gaussian probes of R and E. */
  public static final int PROBES = 16;

  private static final long PROBE_SEED = 0x5eed_21L;

  private EigenCheck() {}

  /** What the check found: the worst residual and orthonormality error, and the verdict. */
  public record Result(double maxRelativeResidual, double maxOrthonormalityError, String problem) {
    public boolean ok() {
      return problem == null;
    }
  }

  /** Checks {@code e} as the eigendecomposition of the symmetric matrix {@code c}. */
  public static Result verify(double[][] c, Eigen e) {
    int d = c.length;
    if (e.dimension() != d) {
      return fail(fmt("%d eigenvalues for a %dx%d matrix", e.dimension(), d, d));
    }
    double[] values = e.valuesDesc();
    double trace = 0.0;
    double frob2 = 0.0;
    for (int i = 0; i < d; i++) {
      if (!Double.isFinite(values[i])) {
        return fail(fmt("eigenvalue %d is %s", i, values[i]));
      }
      if (i > 0 && values[i] > values[i - 1]) {
        return fail(fmt("eigenvalues out of order at %d: %s > %s", i, values[i], values[i - 1]));
      }
      if (e.vectorView(i).length != d) {
        return fail(fmt("eigenvector %d has %d entries", i, e.vectorView(i).length));
      }
      trace += c[i][i];
      frob2 += dot(c[i], c[i]);
    }
    double sum = 0.0;
    double sumAbs = 0.0;
    double sum2 = 0.0;
    for (double l : values) {
      sum += l;
      sumAbs += Math.abs(l);
      sum2 += l * l;
    }
    if (!(Math.abs(sum - trace) <= INVARIANT_TOLERANCE * Math.max(sumAbs, Double.MIN_NORMAL))) {
      return fail(fmt("sum of eigenvalues %s != trace %s", sum, trace));
    }
    if (!(Math.abs(sum2 - frob2) <= INVARIANT_TOLERANCE * Math.max(frob2, Double.MIN_NORMAL))) {
      return fail(fmt("sum of squared eigenvalues %s != ||C||_F^2 %s", sum2, frob2));
    }
    double norm = Math.sqrt(frob2);
    java.util.Random rnd = new java.util.Random(PROBE_SEED);
    double maxResidual = 0.0;
    double maxOrtho = 0.0;
    double[] z = new double[d];
    for (int p = 0; p < PROBES; p++) {
      double z2 = 0.0;
      for (int i = 0; i < d; i++) {
        z[i] = rnd.nextGaussian();
        z2 += z[i] * z[i];
      }
      double zn = Math.sqrt(z2);
      // u = V z and w = V diag(lambda) z (V's columns are the eigenvectors: sums of rows here).
      double[] u = new double[d];
      double[] w = new double[d];
      for (int i = 0; i < d; i++) {
        double[] v = e.vectorView(i);
        double a = z[i];
        double b = values[i] * z[i];
        for (int j = 0; j < d; j++) {
          u[j] += a * v[j];
          w[j] += b * v[j];
        }
      }
      double r2 = 0.0;
      double o2 = 0.0;
      for (int j = 0; j < d; j++) {
        double x = dot(c[j], u) - w[j];
        r2 += x * x;
        double y = dot(e.vectorView(j), u) - z[j];
        o2 += y * y;
      }
      double r = norm > 0 ? Math.sqrt(r2) / (norm * zn) : Math.sqrt(r2) / zn;
      double o = Math.sqrt(o2) / zn;
      maxResidual = Math.max(maxResidual, Double.isNaN(r) ? Double.POSITIVE_INFINITY : r);
      maxOrtho = Math.max(maxOrtho, Double.isNaN(o) ? Double.POSITIVE_INFINITY : o);
    }
    String problem = null;
    if (!(maxResidual <= RESIDUAL_TOLERANCE)) {
      problem =
          fmt(
              "residual ||(C V - V diag(lambda)) z|| / (||C||_F ||z||) = %.3g (must be <= %.0e)",
              maxResidual, RESIDUAL_TOLERANCE);
    } else if (!(maxOrtho <= ORTHONORMALITY_TOLERANCE)) {
      problem =
          fmt(
              "orthonormality error ||(V^T V - I) z|| / ||z|| = %.3g (must be <= %.0e)",
              maxOrtho, ORTHONORMALITY_TOLERANCE);
    }
    return new Result(maxResidual, maxOrtho, problem);
  }

  private static Result fail(String problem) {
    return new Result(Double.NaN, Double.NaN, problem);
  }

  /** A dot product with four partial sums (a fixed order). */
  static double dot(double[] x, double[] y) {
    int n = x.length;
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += x[i] * y[i];
      s1 += x[i + 1] * y[i + 1];
      s2 += x[i + 2] * y[i + 2];
      s3 += x[i + 3] * y[i + 3];
    }
    for (; i < n; i++) {
      s0 += x[i] * y[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
