package dev.realign.report;

import static dev.realign.Checks.checkArgument;
import static dev.realign.Checks.checkState;

/**
 * The top-r principal subspace of the pooled within-modality covariance {@code (n_t C_t + n_i C_i)
 * / (n_t + n_i)} of the raw texts and the images, r the smallest rank holding {@code
 * energyThreshold} of its variance. Fixed: the gaps before and after alignment are all split in
 * this one frame. Plain Java; computed by {@link Spectrum#fixedFrame}.
 */
public final class FixedFrame {
  /**
   * Largest allowed {@code in^2 + out^2 - gap^2} and share above 1, relative to {@code gap^2}: with
   * an orthonormal basis (checked by {@code EigenCheck}) they are rounding, about {@code r d
   * 2^-52}.
   */
  static final double SPLIT_TOLERANCE = 1e-9;

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
    // Never publish an impossible split (a share above 1 came from wrong syev vectors, issue 21).
    checkState(
        in2 <= full * (1 + SPLIT_TOLERANCE)
            && Math.abs(in2 + out2 - full) <= SPLIT_TOLERANCE * full,
        "Invalid gap split of %s: in_subspace^2 %s + orthogonal^2 %s against gap^2 %s"
            + " (must add up, with a share in [0, 1]; the frame's basis is not orthonormal)",
        label,
        in2,
        out2,
        full);
    return new GapSplit(label, Math.sqrt(full), Math.sqrt(in2), Math.sqrt(out2));
  }
}
