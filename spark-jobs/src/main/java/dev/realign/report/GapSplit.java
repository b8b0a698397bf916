package dev.realign.report;

/**
 * The Fixed-frame split of a mean gap {@code g = mu_image - mu_text}: {@code g = g_in + g_out},
 * {@code g_in} its projection on the top-r principal subspace of the (before-alignment) pooled
 * within-modality covariance, {@code g_out} the rest. {@code gap^2 = inSubspace^2 + orthogonal^2}.
 *
 * @param label which texts: {@code before} or a variant
 * @param gap {@code ||g||}
 * @param inSubspace {@code ||g_in||}
 * @param orthogonal {@code ||g_out||}
 */
public record GapSplit(String label, double gap, double inSubspace, double orthogonal) {
  /** Share of the squared gap inside the subspace. */
  public double inSubspaceShare() {
    return gap > 0 ? (inSubspace * inSubspace) / (gap * gap) : 0.0;
  }
}
