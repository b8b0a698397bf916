package dev.realign.metrics;

/**
 * The gap metrics of one text sample against the image sample (definitions: {@link GapMetrics}).
 *
 * @param textPairCosineCounts the text-text pairwise-cosine histogram behind {@code jsPairwiseCos}
 */
public record GapFigures(double centroidGap, double jsPairwiseCos, double knnMixing,
    double neighbourhoodOverlap, double traceRatio, long[] textPairCosineCounts) {
  public GapFigures {
    textPairCosineCounts = textPairCosineCounts.clone();
  }

  @Override
  public long[] textPairCosineCounts() {
    return textPairCosineCounts.clone();
  }
}
