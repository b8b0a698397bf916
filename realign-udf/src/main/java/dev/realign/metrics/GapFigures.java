package dev.realign.metrics;

/**
 * The gap metrics of one text sample against the image sample (definitions: {@link GapMetrics}).
 * The centroid gap and trace ratio are exact over the samples; the pairwise and k-NN figures are
 * {@link Estimate}s, exact (standard error 0) when every query and pair of the samples was used.
 *
 * @param js Jensen-Shannon divergence of the pairwise-cosine histograms
 * @param mixing k-NN modality mixing
 * @param perfectMixing the mixing of a perfectly mixed pool of these sizes, {@code 2 n_t n_i / (N
 *     (N - 1))} ({@link GapMetrics#perfectMixing})
 * @param overlap k-NN neighbourhood overlap with the raw texts
 * @param textPairCosineCounts the text-text pairwise-cosine histogram behind {@code js}
 */
public record GapFigures(
    double centroidGap,
    double traceRatio,
    Estimate js,
    Estimate mixing,
    double perfectMixing,
    Estimate overlap,
    long[] textPairCosineCounts) {
  public GapFigures {
    textPairCosineCounts = textPairCosineCounts.clone();
  }

  @Override
  public long[] textPairCosineCounts() {
    return textPairCosineCounts.clone();
  }

  public double jsPairwiseCos() {
    return js.value();
  }

  public double knnMixing() {
    return mixing.value();
  }

  /** Mixing divided by its perfect-mixing value (1 = as mixed as a random pool). */
  public Estimate knnMixingNormalised() {
    return mixing.times(1.0 / perfectMixing);
  }

  public double neighbourhoodOverlap() {
    return overlap.value();
  }
}
