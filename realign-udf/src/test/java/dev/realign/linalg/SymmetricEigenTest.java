package dev.realign.linalg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {
  static final double ALLOWED_ERROR = 1e-12;

  /** Named matrices with their eigenvalues (descending) written as arithmetic. */
  static Map<String, double[][]> fixtures() {
    Map<String, double[][]> m = new LinkedHashMap<>();
    m.put("one value", new double[][] {{-3.5}});
    m.put("2x2", new double[][] {{2, 1}, {1, 2}});
    m.put("diagonal", new double[][] {{1, 0, 0}, {0, 5, 0}, {0, 0, -2}});
    m.put("zero", new double[4][4]);
    double[][] id = new double[5][5];
    for (int i = 0; i < 5; i++) {
      id[i][i] = 1;
    }
    m.put("identity (repeated)", id);
    m.put("second difference 40", secondDifference(40));
    m.put("rotated diag 60", rotated(60, new Random(3)));
    return m;
  }

  static double[] expected(String name) {
    switch (name) {
      case "one value":
        return new double[] {-3.5};
      case "2x2":
        return new double[] {3, 1};
      case "diagonal":
        return new double[] {5, 1, -2};
      case "zero":
        return new double[4];
      case "identity (repeated)":
        return new double[] {1, 1, 1, 1, 1};
      case "second difference 40":
        {
          // tridiag(-1, 2, -1): 2 - 2 cos(k pi / (n + 1)), k = n..1 descending.
          int n = 40;
          double[] ev = new double[n];
          for (int i = 0; i < n; i++) {
            ev[i] = 2 - 2 * Math.cos((n - i) * Math.PI / (n + 1));
          }
          return ev;
        }
      case "rotated diag 60":
        return rotatedValues(60);
      default:
        throw new IllegalArgumentException(name);
    }
  }

  @Test
  void everyFixtureGivesItsKnownEigenvaluesAndPassesTheCheck() {
    fixtures()
        .forEach(
            (name, a) -> {
              Eigen e = SymmetricEigen.decompose(a);
              double[] want = expected(name);
              double[] got = e.valuesDesc();
              assertThat(got).as(name).hasSize(want.length);
              for (int i = 0; i < want.length; i++) {
                assertThat(got[i]).as(name + " eigenvalue " + i).isCloseTo(want[i], within(1e-10));
              }
              EigenCheck.Result check = EigenCheck.verify(a, e);
              assertThat(check.problem()).as(name).isNull();
              assertThat(check.maxRelativeResidual()).as(name).isLessThan(ALLOWED_ERROR);
              assertThat(check.maxOrthonormalityError()).as(name).isLessThan(ALLOWED_ERROR);
            });
  }

  @Test
  void eigenvectorsOfA2x2AreTheDiagonals() {
    Eigen e = SymmetricEigen.decompose(new double[][] {{2, 1}, {1, 2}});
    double h = Math.sqrt(0.5);
    double[] v0 = e.vector(0);
    double sign = Math.signum(v0[0]);
    assertThat(v0[0] * sign).isCloseTo(h, within(ALLOWED_ERROR));
    assertThat(v0[1] * sign).isCloseTo(h, within(ALLOWED_ERROR));
    double[] v1 = e.vector(1);
    assertThat(Math.abs(v1[0])).isCloseTo(h, within(ALLOWED_ERROR));
    assertThat(v1[0] * v1[1]).isCloseTo(-0.5, within(ALLOWED_ERROR));
  }

  @Test
  void theSameInputGivesTheSameBits() {
    double[][] a = rotated(50, new Random(9));
    Eigen x = SymmetricEigen.decompose(a);
    Eigen y = SymmetricEigen.decompose(a);
    assertThat(y.valuesDesc()).isEqualTo(x.valuesDesc());
    for (int i = 0; i < 50; i++) {
      assertThat(y.vector(i)).isEqualTo(x.vector(i));
    }
  }

  @Test
  void onlyTheLowerTriangleIsRead() {
    double[][] a = rotated(20, new Random(11));
    double[][] junk = new double[20][];
    for (int i = 0; i < 20; i++) {
      junk[i] = a[i].clone();
      for (int j = i + 1; j < 20; j++) {
        junk[i][j] = 1e6 + j;
      }
    }
    Eigen x = SymmetricEigen.decompose(a);
    Eigen y = SymmetricEigen.decompose(junk);
    assertThat(y.valuesDesc()).isEqualTo(x.valuesDesc());
    for (int i = 0; i < 20; i++) {
      assertThat(y.vector(i)).isEqualTo(x.vector(i));
    }
  }

  @Test
  void theCheckRejectsWrongDecompositions() {
    double[][] a = rotated(30, new Random(5));
    Eigen right = SymmetricEigen.decompose(a);
    assertThat(EigenCheck.verify(a, right).ok()).isTrue();

    // Right eigenvalues, two eigenvectors swapped (eigenvalues still sum to the trace): the
    // failure seen from OpenBLAS's AVX-512 syev.
    double[][] swapped = new double[30][];
    for (int i = 0; i < 30; i++) {
      swapped[i] = right.vector(i);
    }
    double[] t = swapped[0];
    swapped[0] = swapped[5];
    swapped[5] = t;
    EigenCheck.Result r = EigenCheck.verify(a, new Eigen(right.valuesDesc(), swapped));
    assertThat(r.ok()).isFalse();
    assertThat(r.problem()).contains("residual").contains("must be <= 1e-09");

    // Eigenpairs right but one vector scaled: not orthonormal.
    double[][] scaled = new double[30][];
    for (int i = 0; i < 30; i++) {
      scaled[i] = right.vector(i);
    }
    for (int j = 0; j < 30; j++) {
      scaled[7][j] *= 1 + 1e-6;
    }
    // Scaling leaves C v = lambda v up to 1e-6 of ||v||: the residual catches it first or the
    // orthonormality does; either way it is rejected.
    assertThat(EigenCheck.verify(a, new Eigen(right.valuesDesc(), scaled)).ok()).isFalse();

    double[] unordered = right.valuesDesc();
    unordered[3] = unordered[2] + 1;
    assertThat(EigenCheck.verify(a, new Eigen(unordered, swapped)).problem())
        .contains("out of order at 3");

    double[] nan = right.valuesDesc();
    nan[0] = Double.NaN;
    assertThat(EigenCheck.verify(a, new Eigen(nan, swapped)).problem()).contains("NaN");
  }

  @Test
  void nonFiniteOrNonSquareInputIsRefused() {
    assertThatThrownBy(() -> SymmetricEigen.decompose(new double[][] {{1, 2}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid matrix: a row of 2 columns (must be 1, square)");
    assertThatThrownBy(() -> SymmetricEigen.decompose(new double[0][]))
        .hasMessage("Invalid matrix: 0 rows (must be >= 1)");
    assertThatThrownBy(
            () -> SymmetricEigen.decompose(new double[][] {{1, Double.NaN}, {Double.NaN, 1}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid matrix: entry (0, 1) is NaN (must be finite)");
  }

  static double[][] secondDifference(int n) {
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      a[i][i] = 2;
      if (i > 0) {
        a[i][i - 1] = -1;
        a[i - 1][i] = -1;
      }
    }
    return a;
  }

  /** Eigenvalues 1/(1+i) with alternating sign (i = 0..n-1), sorted descending. */
  static double[] rotatedValues(int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i % 2 == 0 ? 1.0 : -0.5) / (1 + i);
    }
    java.util.Arrays.sort(v);
    double[] desc = new double[n];
    for (int i = 0; i < n; i++) {
      desc[i] = v[n - 1 - i];
    }
    return desc;
  }

  /** {@code Q diag(rotatedValues) Q^T} with Q an orthogonal matrix from Gram-Schmidt. */
  static double[][] rotated(int n, Random rnd) {
    double[][] q = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        q[i][j] = rnd.nextGaussian();
      }
      for (int k = 0; k < i; k++) {
        double c = EigenCheck.dot(q[i], q[k]);
        for (int j = 0; j < n; j++) {
          q[i][j] -= c * q[k][j];
        }
      }
      double norm = Math.sqrt(EigenCheck.dot(q[i], q[i]));
      for (int j = 0; j < n; j++) {
        q[i][j] /= norm;
      }
    }
    double[] lambda = rotatedValues(n);
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += q[k][i] * lambda[k] * q[k][j];
        }
        a[i][j] = s;
        a[j][i] = s;
      }
    }
    return a;
  }
}
