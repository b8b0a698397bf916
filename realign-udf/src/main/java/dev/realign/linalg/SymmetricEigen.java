package dev.realign.linalg;

import static dev.realign.Checks.checkArgument;

/**
 * The eigendecomposition of a real symmetric matrix in plain Java: Householder reduction to
 * tridiagonal form, then the implicit QL algorithm (the EISPACK {@code tred2}/{@code tql2} pair, as
 * in JAMA, public domain). No BLAS, no native code, no threads: every operation runs in one fixed
 * order, so the result is the same bits on every CPU and every JVM.
 *
 * <p>The report's spectra use it where LAPACK's {@code syev} (through ND4J's bundled OpenBLAS)
 * fails {@link EigenCheck}: OpenBLAS's AVX-512 kernels were seen to return wrong eigenvectors
 * (issue 21). Cost: about {@code 9 d^3} flops; measured in {@code SymmetricEigenTiming}.
 *
 * <p>The rotations of the QL sweeps run on the transposed eigenvector matrix (each eigenvector a
 * contiguous row), so the inner loops stream through memory.
 */
public final class SymmetricEigen {
  /** Implicit QL sweeps allowed an eigenvalue before giving up (EISPACK converges in 1-3). */
  static final int MAX_SWEEPS = 60;

  private SymmetricEigen() {}

  /**
   * Decomposes the symmetric matrix {@code a} ({@code d x d}, only read; its symmetry is assumed:
   * the lower triangle is used).
   *
   * @return the eigenvalues in descending order and the unit eigenvectors as rows, in that order
   */
  public static Eigen decompose(double[][] a) {
    int n = a.length;
    checkArgument(n >= 1, "Invalid matrix: %s rows (must be >= 1)", n);
    for (double[] row : a) {
      checkArgument(
          row.length == n,
          "Invalid matrix: a row of %s columns (must be %s, square)",
          row.length,
          n);
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        checkArgument(
            Double.isFinite(a[i][j]),
            "Invalid matrix: entry (%s, %s) is %s (must be finite)",
            i,
            j,
            a[i][j]);
      }
    }
    double[][] v = new double[n][];
    for (int i = 0; i < n; i++) {
      v[i] = a[i].clone();
    }
    double[] d = new double[n];
    double[] e = new double[n];
    tred2(v, d, e);
    double[][] w = transpose(v);
    tql2(w, d, e);
    // tql2 leaves the eigenvalues ascending (eigenvector i = row i of w): reverse.
    double[] desc = new double[n];
    double[][] vectors = new double[n][];
    for (int i = 0; i < n; i++) {
      desc[i] = d[n - 1 - i];
      vectors[i] = w[n - 1 - i];
    }
    return new Eigen(desc, vectors);
  }

  private static double[][] transpose(double[][] v) {
    int n = v.length;
    double[][] t = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        t[j][i] = v[i][j];
      }
    }
    return t;
  }

  /** Householder reduction to tridiagonal form (d: diagonal, e: sub-diagonal), V accumulated. */
  private static void tred2(double[][] v, double[] d, double[] e) {
    int n = v.length;
    System.arraycopy(v[n - 1], 0, d, 0, n);
    for (int i = n - 1; i > 0; i--) {
      double scale = 0.0;
      double h = 0.0;
      for (int k = 0; k < i; k++) {
        scale += Math.abs(d[k]);
      }
      if (scale == 0.0) {
        e[i] = d[i - 1];
        for (int j = 0; j < i; j++) {
          d[j] = v[i - 1][j];
          v[i][j] = 0.0;
          v[j][i] = 0.0;
        }
      } else {
        for (int k = 0; k < i; k++) {
          d[k] /= scale;
          h += d[k] * d[k];
        }
        double f = d[i - 1];
        double g = Math.sqrt(h);
        if (f > 0) {
          g = -g;
        }
        e[i] = scale * g;
        h -= f * g;
        d[i - 1] = f - g;
        for (int j = 0; j < i; j++) {
          e[j] = 0.0;
        }
        for (int j = 0; j < i; j++) {
          f = d[j];
          v[j][i] = f;
          double[] vj = v[j];
          g = e[j] + vj[j] * f;
          for (int k = j + 1; k <= i - 1; k++) {
            // k > j: the lower triangle, the only part of the matrix tred2 reads.
            double vkj = v[k][j];
            g += vkj * d[k];
            e[k] += vkj * f;
          }
          e[j] = g;
        }
        f = 0.0;
        for (int j = 0; j < i; j++) {
          e[j] /= h;
          f += e[j] * d[j];
        }
        double hh = f / (h + h);
        for (int j = 0; j < i; j++) {
          e[j] -= hh * d[j];
        }
        for (int j = 0; j < i; j++) {
          f = d[j];
          g = e[j];
          for (int k = j; k <= i - 1; k++) {
            v[k][j] -= (f * e[k] + g * d[k]);
          }
          d[j] = v[i - 1][j];
          v[i][j] = 0.0;
        }
      }
      d[i] = h;
    }
    // Accumulate the transformations.
    for (int i = 0; i < n - 1; i++) {
      v[n - 1][i] = v[i][i];
      v[i][i] = 1.0;
      double h = d[i + 1];
      if (h != 0.0) {
        for (int k = 0; k <= i; k++) {
          d[k] = v[k][i + 1] / h;
        }
        // g_j = sum_k v[k][i+1] v[k][j], then v[k][j] -= g_j d[k]: row-wise over k, j inner.
        double[] g = new double[i + 1];
        for (int k = 0; k <= i; k++) {
          double[] vk = v[k];
          double c = vk[i + 1];
          for (int j = 0; j <= i; j++) {
            g[j] += c * vk[j];
          }
        }
        for (int k = 0; k <= i; k++) {
          double[] vk = v[k];
          double dk = d[k];
          for (int j = 0; j <= i; j++) {
            vk[j] -= g[j] * dk;
          }
        }
      }
      for (int k = 0; k <= i; k++) {
        v[k][i + 1] = 0.0;
      }
    }
    for (int j = 0; j < n; j++) {
      d[j] = v[n - 1][j];
      v[n - 1][j] = 0.0;
    }
    v[n - 1][n - 1] = 1.0;
    e[0] = 0.0;
  }

  /**
   * Implicit QL on the tridiagonal (d, e); {@code w} holds the eigenvectors as rows. Leaves the
   * eigenvalues ascending.
   */
  private static void tql2(double[][] w, double[] d, double[] e) {
    int n = d.length;
    for (int i = 1; i < n; i++) {
      e[i - 1] = e[i];
    }
    e[n - 1] = 0.0;
    double f = 0.0;
    double tst1 = 0.0;
    double eps = 0x1p-52;
    for (int l = 0; l < n; l++) {
      tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
      int m = l;
      while (m < n) {
        if (Math.abs(e[m]) <= eps * tst1) {
          break;
        }
        m++;
      }
      if (m > l) {
        int sweeps = 0;
        do {
          if (++sweeps > MAX_SWEEPS) {
            throw new ArithmeticException(
                String.format(
                    java.util.Locale.ROOT,
                    "Invalid matrix: eigenvalue %d did not converge in %d QL sweeps"
                        + " (must be finite and symmetric)",
                    l,
                    MAX_SWEEPS));
          }
          double g = d[l];
          double p = (d[l + 1] - g) / (2.0 * e[l]);
          double r = hypot(p, 1.0);
          if (p < 0) {
            r = -r;
          }
          d[l] = e[l] / (p + r);
          d[l + 1] = e[l] * (p + r);
          double dl1 = d[l + 1];
          double h = g - d[l];
          for (int i = l + 2; i < n; i++) {
            d[i] -= h;
          }
          f += h;
          p = d[m];
          double c = 1.0;
          double c2 = c;
          double c3 = c;
          double el1 = e[l + 1];
          double s = 0.0;
          double s2 = 0.0;
          for (int i = m - 1; i >= l; i--) {
            c3 = c2;
            c2 = c;
            s2 = s;
            g = c * e[i];
            h = c * p;
            r = hypot(p, e[i]);
            e[i + 1] = s * r;
            s = e[i] / r;
            c = p / r;
            p = c * d[i] - s * g;
            d[i + 1] = h + s * (c * g + s * d[i]);
            double[] wi = w[i];
            double[] wi1 = w[i + 1];
            for (int k = 0; k < n; k++) {
              double t = wi1[k];
              wi1[k] = s * wi[k] + c * t;
              wi[k] = c * wi[k] - s * t;
            }
          }
          p = -s * s2 * c3 * el1 * e[l] / dl1;
          e[l] = s * p;
          d[l] = c * p;
        } while (Math.abs(e[l]) > eps * tst1);
      }
      d[l] += f;
      e[l] = 0.0;
      if (!Double.isFinite(d[l])) {
        throw new ArithmeticException(
            "Invalid matrix: a non-finite eigenvalue (must have finite entries)");
      }
    }
    // Selection sort, ascending, moving the eigenvector rows with their values.
    for (int i = 0; i < n - 1; i++) {
      int k = i;
      double p = d[i];
      for (int j = i + 1; j < n; j++) {
        if (d[j] < p) {
          k = j;
          p = d[j];
        }
      }
      if (k != i) {
        d[k] = d[i];
        d[i] = p;
        double[] t = w[i];
        w[i] = w[k];
        w[k] = t;
      }
    }
  }

  /** {@code sqrt(a^2 + b^2)} without overflow; plain arithmetic, the same bits everywhere. */
  private static double hypot(double a, double b) {
    double x = Math.abs(a);
    double y = Math.abs(b);
    if (x < y) {
      double t = x;
      x = y;
      y = t;
    }
    if (x == 0.0) {
      return 0.0;
    }
    double q = y / x;
    return x * Math.sqrt(1.0 + q * q);
  }
}
