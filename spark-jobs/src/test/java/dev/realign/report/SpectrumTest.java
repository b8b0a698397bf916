package dev.realign.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.realign.linalg.Eigen;
import dev.realign.metrics.UnitRows;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpectrumTest {
  static final double ALLOWED_ERROR = 1e-10;

  /**
   * Rows {@code c + s_j z_j e_j} with fixed +-1 signs z: the covariance (after L2 normalisation,
   * which is why the rows sit on a large offset c and are then scaled back) is close to diagonal.
   * Simpler exact case: rows that are already unit vectors: +-e_j each with weight.
   */
  @Test
  void spectrumOfAKnownCovarianceIsRecovered() {
    // Unit rows +e_0, -e_0 (x 4 each), +e_1, -e_1 (x 2 each), +e_2, -e_2 (x 1 each): mean 0,
    // covariance diag(8, 4, 2) / 14 in the first three axes of d = 6.
    int d = 6;
    int[][] counts = {{0, 4}, {1, 2}, {2, 1}};
    int n = 14;
    float[] flat = new float[n * d];
    int row = 0;
    for (int[] c : counts) {
      for (int k = 0; k < c[1]; k++) {
        flat[row++ * d + c[0]] = 1f;
        flat[row++ * d + c[0]] = -1f;
      }
    }
    ModalitySpectrum s =
        Spectrum.checked().of("t", UnitRows.normalise(flat, d), new int[] {1, 2}, 0.95);
    double[] ev = s.eigenvalues();
    assertThat(ev[0]).isCloseTo(8.0 / 14, within(ALLOWED_ERROR));
    assertThat(ev[1]).isCloseTo(4.0 / 14, within(ALLOWED_ERROR));
    assertThat(ev[2]).isCloseTo(2.0 / 14, within(ALLOWED_ERROR));
    for (int i = 3; i < d; i++) {
      assertThat(ev[i]).isCloseTo(0.0, within(ALLOWED_ERROR));
    }
    assertThat(s.topKEnergy()[0]).isCloseTo(8.0 / 14, within(ALLOWED_ERROR));
    assertThat(s.topKEnergy()[1]).isCloseTo(12.0 / 14, within(ALLOWED_ERROR));
    // p = (4, 2, 1) / 7
    double h =
        -(4.0 / 7 * Math.log(4.0 / 7) + 2.0 / 7 * Math.log(2.0 / 7) + 1.0 / 7 * Math.log(1.0 / 7));
    assertThat(s.effectiveRank()).isCloseTo(Math.exp(h), within(1e-9));
    assertThat(s.rankAtThreshold()).isEqualTo(3);
    assertThat(s.conditionNumberTopR()).isCloseTo(4.0, within(1e-9));
  }

  @Test
  void gapSplitIsPythagorean() {
    Random rnd = new Random(7);
    int d = 32;
    int n = 400;
    float[] t = new float[n * d];
    float[] im = new float[n * d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        double scale = 1.0 / (1 + j);
        t[i * d + j] = (float) (rnd.nextGaussian() * scale + (j == 0 ? 2 : 0));
        im[i * d + j] = (float) (rnd.nextGaussian() * scale + (j == 1 ? 2 : 0));
      }
    }
    UnitRows texts = UnitRows.normalise(t, d);
    UnitRows images = UnitRows.normalise(im, d);
    FixedFrame frame = Spectrum.checked().fixedFrame(texts, images, Spectrum.TOP_K_DEFAULT, 0.95);
    assertThat(frame.rank()).isBetween(1, d);
    double[] g = new double[d];
    double[] mt = texts.mean();
    double[] mi = images.mean();
    for (int j = 0; j < d; j++) {
      g[j] = mi[j] - mt[j];
    }
    GapSplit s = frame.split("before", g);
    assertThat(s.inSubspace() * s.inSubspace() + s.orthogonal() * s.orthogonal())
        .isCloseTo(s.gap() * s.gap(), within(1e-12));
    assertThat(s.gap())
        .isCloseTo(dev.realign.metrics.GapMetrics.centroidGap(images, texts), within(1e-12));
    assertThat(s.inSubspace()).isGreaterThan(0.0);
    assertThat(s.orthogonal()).isGreaterThan(0.0);
    // the basis holds eigenvectors of the pooled within-modality covariance: C u = lambda u
    double[] ct = texts.toFlatArray();
    double[] ci = images.toFlatArray();
    double[][] c = new double[d][d];
    for (double[][] pair : new double[][][] {{ct, mt}, {ci, mi}}) {
      for (int i = 0; i < n; i++) {
        for (int a = 0; a < d; a++) {
          for (int b = 0; b < d; b++) {
            c[a][b] +=
                (pair[0][i * d + a] - pair[1][a]) * (pair[0][i * d + b] - pair[1][b]) / (2.0 * n);
          }
        }
      }
    }
    for (int q = 0; q < Math.min(3, frame.rank()); q++) {
      double[] u = frame.basisVector(q);
      double lambda = frame.pooled().eigenvalues()[q];
      for (int a = 0; a < d; a++) {
        double cu = 0;
        for (int b = 0; b < d; b++) {
          cu += c[a][b] * u[b];
        }
        assertThat(cu).as("(C u_%s)_%s", q, a).isCloseTo(lambda * u[a], within(1e-10));
      }
    }
    // the full frame (threshold 1) holds the whole gap
    FixedFrame full = Spectrum.checked().fixedFrame(texts, images, Spectrum.TOP_K_DEFAULT, 1.0);
    GapSplit all = full.split("before", g);
    assertThat(all.orthogonal()).isCloseTo(0.0, within(1e-9));
  }

  /** A sample with a clear spectrum: scaled Gaussian rows with a shifted mean, d = 24. */
  private static UnitRows sample(long seed, int axis) {
    Random rnd = new Random(seed);
    int d = 24;
    int n = 300;
    float[] x = new float[n * d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x[i * d + j] = (float) (rnd.nextGaussian() / (1 + j) + (j == axis ? 2 : 0));
      }
    }
    return UnitRows.normalise(x, d);
  }

  /** ND4J's results with eigenvectors 0 and 1 swapped: what OpenBLAS's AVX-512 syev did. */
  private static final Spectrum.Solver SWAPPED_VECTORS =
      new Spectrum.Solver() {
        @Override
        public double[][] covariance(double[] centred, int n, int d) {
          return Spectrum.ND4J.covariance(centred, n, d);
        }

        @Override
        public Eigen decompose(double[][] covariance) {
          Eigen right = Spectrum.ND4J.decompose(covariance);
          double[][] v = new double[right.dimension()][];
          for (int i = 0; i < v.length; i++) {
            v[i] = right.vector(i);
          }
          double[] t = v[0];
          v[0] = v[1];
          v[1] = t;
          return new Eigen(right.valuesDesc(), v);
        }
      };

  @Test
  void aWrongDecompositionIsCaughtAndRecomputedInPlainJava() {
    UnitRows texts = sample(1, 0);
    UnitRows images = sample(2, 1);
    Spectrum nd4j = Spectrum.checked();
    FixedFrame right = nd4j.fixedFrame(texts, images, Spectrum.TOP_K_DEFAULT, 0.95);
    assertThat(nd4j.fallbacks()).isEmpty();

    Spectrum injected = new Spectrum(SWAPPED_VECTORS);
    FixedFrame frame = injected.fixedFrame(texts, images, Spectrum.TOP_K_DEFAULT, 0.95);
    ModalitySpectrum one = injected.of("text", texts, Spectrum.TOP_K_DEFAULT, 0.95);
    assertThat(injected.fallbacks())
        .hasSize(2)
        .allSatisfy(
            note ->
                assertThat(note)
                    .contains("the ND4J eigendecomposition (syev) failed its check (residual")
                    .endsWith("recomputed in plain Java"));
    assertThat(injected.fallbacks().get(0)).startsWith("spectrum of pooled (within-modality):");
    assertThat(injected.fallbacks().get(1)).startsWith("spectrum of text:");

    // The recomputed frame splits the gap as ND4J's right one does.
    double[] g = minus(images.mean(), texts.mean());
    GapSplit want = right.split("before", g);
    GapSplit got = frame.split("before", g);
    assertThat(frame.rank()).isEqualTo(right.rank());
    assertThat(got.inSubspace()).isCloseTo(want.inSubspace(), within(ALLOWED_ERROR));
    assertThat(got.orthogonal()).isCloseTo(want.orthogonal(), within(ALLOWED_ERROR));
    assertThat(got.inSubspaceShare()).isBetween(0.0, 1.0);
    double[] ev = one.eigenvalues();
    double[] evRight = nd4j.of("text", texts, Spectrum.TOP_K_DEFAULT, 0.95).eigenvalues();
    for (int i = 0; i < ev.length; i++) {
      assertThat(ev[i]).as("eigenvalue %s", i).isCloseTo(evRight[i], within(ALLOWED_ERROR));
    }
  }

  @Test
  void aWrongCovarianceIsCaughtAndRecomputedInPlainJava() {
    Spectrum.Solver wrongGemm =
        new Spectrum.Solver() {
          @Override
          public double[][] covariance(double[] centred, int n, int d) {
            double[][] c = Spectrum.ND4J.covariance(centred, n, d);
            c[3][5] += 1e-4;
            c[5][3] += 1e-4;
            return c;
          }

          @Override
          public Eigen decompose(double[][] covariance) {
            return Spectrum.ND4J.decompose(covariance);
          }
        };
    UnitRows texts = sample(3, 0);
    Spectrum injected = new Spectrum(wrongGemm);
    double[] ev = injected.of("text", texts, Spectrum.TOP_K_DEFAULT, 0.95).eigenvalues();
    assertThat(injected.fallbacks())
        .singleElement()
        .asString()
        .startsWith(
            "spectrum of text: the ND4J covariance (gemm) failed its check (||C z - X^T X z");
    double[] evRight =
        Spectrum.checked().of("text", texts, Spectrum.TOP_K_DEFAULT, 0.95).eigenvalues();
    for (int i = 0; i < ev.length; i++) {
      assertThat(ev[i]).as("eigenvalue %s", i).isCloseTo(evRight[i], within(ALLOWED_ERROR));
    }
  }

  @Test
  void aSplitInANonOrthonormalFrameIsRefused() {
    ModalitySpectrum pooled =
        ModalitySpectrum.fromEigenvalues("p", 10, new double[] {2, 1}, new int[] {1}, 0.5);
    assertThat(pooled.rankAtThreshold()).isEqualTo(1);
    // A "unit" basis vector of length 1.5: the share would be 2.25.
    FixedFrame bad = new FixedFrame(pooled, new double[][] {{1.5, 0}});
    assertThatThrownBy(() -> bad.split("before", new double[] {1, 0}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("Invalid gap split of before: in_subspace^2 2.25")
        .hasMessageContaining("must add up, with a share in [0, 1]");
  }

  private static double[] minus(double[] a, double[] b) {
    double[] r = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i] - b[i];
    }
    return r;
  }
}
