package dev.realign.report;

import static dev.realign.Checks.checkArgument;

import dev.realign.metrics.UnitRows;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Second-order diagnostics: covariance spectra and the Fixed-frame gap split, with ND4J (float64,
 * OpenBLAS {@code gemm} for the covariance, LAPACK {@code syev} for the eigendecomposition).
 *
 * <p>This is the only class that references ND4J types, so ND4J (and its ~400 MB of natives,
 * unpacked into {@code -Dorg.bytedeco.javacpp.cachedir}) loads only when a report asks for spectra.
 * The results are plain Java values ({@link ModalitySpectrum}, {@link FixedFrame}, {@link
 * GapSplit}). Not bit-reproducible across BLAS builds or thread counts (docs/design.md section 3:
 * diagnostics only).
 */
public final class Spectrum {
  public static final double ENERGY_THRESHOLD_DEFAULT = 0.95;
  public static final int[] TOP_K_DEFAULT = {1, 10, 50};

  private Spectrum() {}

  /** The covariance spectrum of one sample. */
  public static ModalitySpectrum of(String label, UnitRows x, int[] topK, double energyThreshold) {
    checkThreshold(energyThreshold);
    checkArgument(
        x.rows() >= 1, "Invalid sample for the spectrum of %s: 0 rows (must be >= 1)", label);
    double[] centred = centred(x);
    Eig e = eig(centred, x.rows(), x.dimension(), false);
    return ModalitySpectrum.fromEigenvalues(label, x.rows(), e.valuesDesc, topK, energyThreshold);
  }

  /**
   * The frame of the pooled within-modality covariance of {@code texts} and {@code images}, each
   * centred on its own mean (so the gap between the means is not part of it).
   */
  public static FixedFrame fixedFrame(
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
    Eig e = eig(both, n, d, true);
    ModalitySpectrum pooled =
        ModalitySpectrum.fromEigenvalues(
            "pooled (within-modality)", n, e.valuesDesc, topK, energyThreshold);
    int r = pooled.rankAtThreshold();
    double[][] basis = new double[r][];
    System.arraycopy(e.vectorsDesc, 0, basis, 0, r);
    return new FixedFrame(pooled, basis);
  }

  /**
   * Covariance ({@code X^T X / n} of centred {@code X}) and its eigendecomposition; for the timing
   * comparison in {@code SpectrumTiming}.
   *
   * @return the eigenvalues, descending
   */
  public static double[] covarianceEigenvalues(double[] centred, int n, int d) {
    return eig(centred, n, d, false).valuesDesc;
  }

  private record Eig(double[] valuesDesc, double[][] vectorsDesc) {}

  private static Eig eig(double[] centredFlat, int n, int d, boolean vectors) {
    INDArray x = Nd4j.create(centredFlat, new long[] {n, d}, DataType.DOUBLE);
    INDArray cov = Nd4j.gemm(x, x, true, false).divi(n);
    // syev overwrites cov with the eigenvectors (as columns) and returns ascending eigenvalues.
    INDArray values = Eigen.symmetricGeneralizedEigenvalues(cov, true);
    double[] asc = values.toDoubleVector();
    double[] desc = new double[d];
    for (int i = 0; i < d; i++) {
      desc[i] = asc[d - 1 - i];
    }
    double[][] vecs = null;
    if (vectors) {
      double[][] m = cov.toDoubleMatrix();
      vecs = new double[d][d];
      for (int i = 0; i < d; i++) {
        int col = d - 1 - i;
        for (int j = 0; j < d; j++) {
          vecs[i][j] = m[j][col];
        }
      }
    }
    return new Eig(desc, vecs);
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
