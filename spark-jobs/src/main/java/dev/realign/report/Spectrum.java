package dev.realign.report;

import static dev.realign.Checks.checkArgument;
import static dev.realign.Checks.checkState;

import dev.realign.linalg.CovarianceCheck;
import dev.realign.linalg.Eigen;
import dev.realign.linalg.EigenCheck;
import dev.realign.linalg.SymmetricEigen;
import dev.realign.metrics.UnitRows;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Second-order diagnostics: covariance spectra and the Fixed-frame gap split, with ND4J (float64,
 * OpenBLAS {@code gemm} for the covariance, LAPACK {@code syev} for the eigendecomposition), every
 * result checked before it is used.
 *
 * <p>Checked because ND4J's bundled OpenBLAS returned wrong eigenvectors from {@code syev} on
 * AVX-512 kernels (issue 21: a Fixed-frame share of 1.51), with eigenvalues that still summed to
 * the trace. The covariance is checked by {@link CovarianceCheck} (Freivalds probes against the
 * rows), the decomposition by {@link EigenCheck} (residual, orthonormality, invariants). What fails
 * is recomputed in plain Java ({@link CovarianceCheck#covariance}, {@link SymmetricEigen}: no BLAS,
 * the same bits on every CPU), and the fallback is logged and listed by {@link #fallbacks()} (the
 * report adds it to its notes). Measured on the project's 2-core machine: the checks take about 0.1
 * s at d = 1280; the plain-Java decomposition 0.4-2 s at d = 512 and 5-17 s at d = 1280, which is
 * why it is the fallback, not the default.
 *
 * <p>This is the only class that references ND4J types, with {@link Nd4jScorer}, so ND4J (and its
 * ~400 MB of natives, unpacked into {@code -Dorg.bytedeco.javacpp.cachedir}) loads only when a
 * report asks for spectra. The results are plain Java values ({@link ModalitySpectrum}, {@link
 * FixedFrame}, {@link GapSplit}). Not bit-reproducible across BLAS builds or thread counts
 * (docs/design.md section 3: diagnostics only).
 */
public final class Spectrum {
  public static final double ENERGY_THRESHOLD_DEFAULT = 0.95;
  public static final int[] TOP_K_DEFAULT = {1, 10, 50};

  private static final Logger LOG = LoggerFactory.getLogger(Spectrum.class);

  /** Where the covariance and its decomposition come from: the seam the tests inject into. */
  interface Solver {
    /** {@code X^T X / n} of the row-major {@code n x d} centred rows. */
    double[][] covariance(double[] centred, int n, int d);

    /** The eigendecomposition of the symmetric {@code covariance} (not changed). */
    Eigen decompose(double[][] covariance);
  }

  /** ND4J: OpenBLAS {@code dgemm} and LAPACK {@code dsyev}. */
  static final Solver ND4J =
      new Solver() {
        @Override
        public double[][] covariance(double[] centred, int n, int d) {
          INDArray x = Nd4j.create(centred, new long[] {n, d}, DataType.DOUBLE);
          return Nd4j.gemm(x, x, true, false).divi(n).toDoubleMatrix();
        }

        @Override
        public Eigen decompose(double[][] covariance) {
          int d = covariance.length;
          INDArray a = Nd4j.create(covariance);
          // syev overwrites a with the eigenvectors (as columns) and returns ascending eigenvalues.
          double[] asc =
              org.nd4j.linalg.eigen.Eigen.symmetricGeneralizedEigenvalues(a, true).toDoubleVector();
          double[][] m = a.toDoubleMatrix();
          double[] desc = new double[d];
          double[][] vecs = new double[d][d];
          for (int i = 0; i < d; i++) {
            desc[i] = asc[d - 1 - i];
            int col = d - 1 - i;
            for (int j = 0; j < d; j++) {
              vecs[i][j] = m[j][col];
            }
          }
          return new Eigen(desc, vecs);
        }
      };

  private final Solver solver;
  private final List<String> fallbacks = new ArrayList<>();

  Spectrum(Solver solver) {
    this.solver = solver;
  }

  /** ND4J, checked, with the plain-Java fallback; one instance a report (it collects fallbacks). */
  public static Spectrum checked() {
    return new Spectrum(ND4J);
  }

  /** What had to be recomputed in plain Java, and why (empty when ND4J passed every check). */
  public List<String> fallbacks() {
    return List.copyOf(fallbacks);
  }

  /** The covariance spectrum of one sample. */
  public ModalitySpectrum of(String label, UnitRows x, int[] topK, double energyThreshold) {
    checkThreshold(energyThreshold);
    checkArgument(
        x.rows() >= 1, "Invalid sample for the spectrum of %s: 0 rows (must be >= 1)", label);
    double[] centred = centred(x);
    Eigen e = eig(label, centred, x.rows(), x.dimension());
    return ModalitySpectrum.fromEigenvalues(label, x.rows(), e.valuesDesc(), topK, energyThreshold);
  }

  /**
   * The frame of the pooled within-modality covariance of {@code texts} and {@code images}, each
   * centred on its own mean (so the gap between the means is not part of it).
   */
  public FixedFrame fixedFrame(
      UnitRows texts, UnitRows images, int[] topK, double energyThreshold) {
    checkThreshold(energyThreshold);
    checkArgument(
        texts.dimension() == images.dimension(),
        "Invalid samples: dimension %s and %s" + " (must be equal)",
        texts.dimension(),
        images.dimension());
    int d = texts.dimension();
    double[] ct = centred(texts);
    double[] ci = centred(images);
    double[] both = new double[ct.length + ci.length];
    System.arraycopy(ct, 0, both, 0, ct.length);
    System.arraycopy(ci, 0, both, ct.length, ci.length);
    int n = texts.rows() + images.rows();
    String label = "pooled (within-modality)";
    Eigen e = eig(label, both, n, d);
    ModalitySpectrum pooled =
        ModalitySpectrum.fromEigenvalues(label, n, e.valuesDesc(), topK, energyThreshold);
    int r = pooled.rankAtThreshold();
    double[][] basis = new double[r][];
    for (int i = 0; i < r; i++) {
      basis[i] = e.vector(i);
    }
    return new FixedFrame(pooled, basis);
  }

  /**
   * Covariance ({@code X^T X / n} of centred {@code X}) and its checked eigendecomposition; for the
   * timing comparison in {@code SpectrumTiming}.
   *
   * @return the eigenvalues, descending
   */
  public static double[] covarianceEigenvalues(double[] centred, int n, int d) {
    return checked().eig("timing", centred, n, d).valuesDesc();
  }

  /** The checked decomposition of the covariance of {@code centred}, recomputed where needed. */
  private Eigen eig(String label, double[] centred, int n, int d) {
    double[][] cov = solver.covariance(centred, n, d);
    String covProblem = CovarianceCheck.problem(cov, centred, n, d);
    if (covProblem != null) {
      fallback(label, "covariance (gemm)", covProblem);
      cov = CovarianceCheck.covariance(centred, n, d);
    }
    Eigen e;
    String problem;
    try {
      e = solver.decompose(cov);
      problem = EigenCheck.verify(cov, e).problem();
    } catch (RuntimeException failure) {
      e = null;
      problem = "failed: " + failure;
    }
    if (problem != null) {
      fallback(label, "eigendecomposition (syev)", problem);
      e = SymmetricEigen.decompose(cov);
      EigenCheck.Result again = EigenCheck.verify(cov, e);
      checkState(
          again.ok(),
          "Invalid spectrum of %s: the plain-Java eigendecomposition fails its check too: %s",
          label,
          again.problem());
    }
    return e;
  }

  private void fallback(String label, String what, String problem) {
    String note =
        String.format(
            Locale.ROOT,
            "spectrum of %s: the ND4J %s failed its check (%s); recomputed in plain Java",
            label,
            what,
            problem);
    LOG.warn(note);
    fallbacks.add(note);
  }

  private static double[] centred(UnitRows x) {
    double[] mu = x.mean();
    double[] flat = x.toFlatArray();
    int d = x.dimension();
    for (int i = 0; i < flat.length; i++) {
      flat[i] -= mu[i % d];
    }
    return flat;
  }

  private static void checkThreshold(double t) {
    checkArgument(t > 0 && t <= 1, "Invalid energy threshold: %s (must be in (0, 1])", t);
  }
}
