package dev.realign.report;

import static dev.realign.Checks.checkArgument;

/**
 * The top-r principal subspace of the pooled within-modality covariance {@code (n_t C_t + n_i C_i)
 * / (n_t + n_i)} of the raw texts and the images, r the smallest rank holding {@code
 * energyThreshold} of its variance. Fixed: the gaps before and after alignment are all split in
 * this one frame. Plain Java; computed by {@link Spectrum#fixedFrame}.
 */
public final class FixedFrame {
  private final ModalitySpectrum pooled;
  private final double[][] basis;

  FixedFrame(ModalitySpectrum pooled, double[][] basis) {
    checkArgument(
        basis.length == pooled.rankAtThreshold(),
        "Invalid basis: %s vectors (must be" + " %s)",
        basis.length,
        pooled.rankAtThreshold());
    this.pooled = pooled;
    this.basis = new double[basis.length][];
    for (int i = 0; i < basis.length; i++) {
      this.basis[i] = basis[i].clone();
    }
  }

  /** The pooled covariance's spectrum (r = its {@code rankAtThreshold}). */
  public ModalitySpectrum pooled() {
    return pooled;
  }

  public int rank() {
    return basis.length;
  }

  /** Basis vector {@code i} (0 = the top principal direction). */
  double[] basisVector(int i) {
    return basis[i].clone();
  }

  /** Splits {@code gap} (a d-vector, e.g. {@code mu_image - mu_text}) in this frame. */
  public GapSplit split(String label, double[] gap) {
    checkArgument(
        basis.length == 0 || gap.length == basis[0].length,
        "Invalid gap: dimension %s" + " (must be %s)",
        gap.length,
        basis.length == 0 ? 0 : basis[0].length);
    double[] rest = gap.clone();
    double in2 = 0.0;
    for (double[] u : basis) {
      double c = 0.0;
      for (int j = 0; j < gap.length; j++) {
        c += u[j] * gap[j];
      }
      in2 += c * c;
      for (int j = 0; j < gap.length; j++) {
        rest[j] -= c * u[j];
      }
    }
    double full = 0.0;
    double out2 = 0.0;
    for (int j = 0; j < gap.length; j++) {
      full += gap[j] * gap[j];
      out2 += rest[j] * rest[j];
    }
    return new GapSplit(label, Math.sqrt(full), Math.sqrt(in2), Math.sqrt(out2));
  }
}
