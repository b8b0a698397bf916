package dev.realign.metrics;

import static dev.realign.Checks.checkArgument;

/**
 * Evaluates several text samples (raw, then aligned by each variant: row i is always the same text)
 * against one image sample, computing the image side and the raw-text neighbourhoods once. Each
 * {@link #evaluate} costs one all-pairs pass over the texts and one text-image pass, spread over the
 * available cores (the results do not depend on how many). Measured on the shared 2-core dev
 * machine, 10,000 texts and 10,000 images of d = 512: single-threaded (load ~4.5) 26 s wall for the
 * constructor and 26 s for each {@code evaluate}; two threads (load ~6.5) 23 s and 17 s.
 *
 * <p>Not thread-safe in construction; immutable afterwards.
 */
public final class GapEvaluator {
  private final UnitRows images;
  private final UnitRows rawTexts;
  private final int mixingK;
  private final int overlapK;
  private final int bins;
  private final double[] edges;
  private final double[] imageMean;
  private final double imageTrace;
  private final long[] imageCounts;
  private final Neighbours imageNeighbours;
  private final Neighbours rawTextNeighbours;
  private final long[] rawTextCounts;

  /**
   * @throws IllegalArgumentException if {@code mixingK} is not in {@code [1, texts + images - 1]},
   *     {@code overlapK} not in {@code [1, texts - 1]}, or either sample has fewer than 2 rows
   */
  public GapEvaluator(UnitRows images, UnitRows rawTexts, int mixingK, int overlapK, int bins) {
    images.checkSameDimension(rawTexts, "samples");
    checkArgument(images.rows() >= 2 && rawTexts.rows() >= 2, "Invalid samples: %s texts and %s"
        + " images (each must have >= 2 rows: the pairwise metrics need a pair)", rawTexts.rows(),
        images.rows());
    GapMetrics.checkMixingK(mixingK, rawTexts.rows(), images.rows());
    checkArgument(overlapK >= 1 && overlapK <= rawTexts.rows() - 1, "Invalid k: %s for the"
        + " neighbourhood overlap (must be in [1, %s], the texts minus one)", overlapK,
        rawTexts.rows() - 1);
    this.images = images;
    this.rawTexts = rawTexts;
    this.mixingK = mixingK;
    this.overlapK = overlapK;
    this.bins = bins;
    this.edges = CosineHistogram.edges(bins);
    this.imageMean = images.mean();
    this.imageTrace = images.trace();
    this.imageCounts = new long[bins];
    this.imageNeighbours = Neighbours.within(images, Math.min(mixingK, images.rows() - 1),
        imageCounts, edges);
    this.rawTextCounts = new long[bins];
    this.rawTextNeighbours = textNeighbours(rawTexts, rawTextCounts);
  }

  private Neighbours textNeighbours(UnitRows texts, long[] counts) {
    int k = Math.min(Math.max(mixingK, overlapK), texts.rows() - 1);
    return Neighbours.within(texts, k, counts, edges);
  }

  /** The image-image pairwise-cosine histogram. */
  public long[] imagePairCosineCounts() {
    return imageCounts.clone();
  }

  public double[] histogramEdges() {
    return edges.clone();
  }

  public int bins() {
    return bins;
  }

  /** The figures of the raw texts (overlap 1 by definition). */
  public GapFigures before() {
    return evaluate(rawTexts);
  }

  /** The figures of {@code texts}, row i being raw text i aligned. */
  public GapFigures evaluate(UnitRows texts) {
    texts.checkSameDimension(images, "samples");
    checkArgument(texts.rows() == rawTexts.rows(), "Invalid aligned texts: %s rows (must be %s,"
        + " the raw sample's: row i of each is one text)", texts.rows(), rawTexts.rows());
    long[] textCounts;
    Neighbours tt;
    if (texts == rawTexts) {
      textCounts = rawTextCounts.clone();
      tt = rawTextNeighbours;
    } else {
      textCounts = new long[bins];
      tt = textNeighbours(texts, textCounts);
    }
    Neighbours[] cross = Neighbours.between(texts, Math.min(mixingK, images.rows()), images,
        Math.min(mixingK, texts.rows()));
    double mixing = GapMetrics.knnMixing(tt, imageNeighbours, cross[0], cross[1], mixingK);
    double overlap = GapMetrics.neighbourhoodOverlap(rawTextNeighbours, tt, overlapK);
    return new GapFigures(GapMetrics.distance(imageMean, texts.mean()),
        CosineHistogram.jensenShannon(textCounts, imageCounts), mixing, overlap,
        texts.trace() / imageTrace, textCounts);
  }
}
