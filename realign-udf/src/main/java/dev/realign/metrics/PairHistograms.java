package dev.realign.metrics;

import static dev.realign.Checks.checkArgument;

import java.util.Arrays;

/**
 * Pairwise-cosine histograms of a sample, all pairs or a fixed budget of them, and the
 * Jensen-Shannon divergence of two with its standard error.
 *
 * <p>The budgeted form splits the first {@code groups x size} rows into {@code groups} consecutive
 * blocks of {@code size} rows and counts every pair {@code i < j} inside each block, one histogram
 * a block. The caller orders rows so that a prefix is a fair subset (the report's samples are in
 * id-hash order), so the blocks are disjoint random subsets and their histograms independent
 * replicates: the jackknife over blocks gives the standard error of the divergence.
 *
 * <p>Scores come from a {@link CandidateScorer} (float32); a score within the error bound of an
 * interior bin edge is recomputed in float64, so every pair lands in the bin of its float64 cosine,
 * whatever the scorer.
 */
public final class PairHistograms {
  private PairHistograms() {}

  /** The block size whose {@code groups} blocks hold about {@code budget} pairs, or fewer rows. */
  static int groupSize(int rows, long budget, int groups) {
    double s = (1 + Math.sqrt(1 + 8.0 * budget / groups)) / 2;
    return (int) Math.max(2, Math.min(rows / groups, Math.floor(s)));
  }

  /** Per-block counts: {@code counts[g][bin]} over the pairs inside block g. */
  static long[][] blockCounts(
      UnitRows x, float[] x32, int groups, int size, CandidateScorer scorer, double[] edges) {
    return countBlocks(x, blockScores(x, x32, groups, size, scorer), size, edges);
  }

  /** The float32 scores of every block, {@code size x size} each. */
  static float[][] blockScores(
      UnitRows x, float[] x32, int groups, int size, CandidateScorer scorer) {
    checkArgument(
        groups >= 1 && size >= 2 && (long) groups * size <= x.rows(),
        "Invalid pair" + " blocks: %s x %s rows (must fit in the %s rows, blocks of >= 2)",
        groups,
        size,
        x.rows());
    int d = x.dimension();
    float[][] out = new float[groups][size * size];
    for (int g = 0; g < groups; g++) {
      float[] block = Arrays.copyOfRange(x32, g * size * d, (g + 1) * size * d);
      try (CandidateScorer.Prepared p = scorer.prepare(block, size, d)) {
        p.scores(block, size, out[g]);
      }
    }
    return out;
  }

  /** Counts the pairs of each block from its float32 scores (the scorer's error bound). */
  static long[][] countBlocks(UnitRows x, float[][] scores, int size, double[] edges) {
    int d = x.dimension();
    double eps = NearestSearch.errorBound(d);
    return count(
        x, scores.length, size, edges, (g, i, j) -> scores[g][i * size + j], (g, i, j) -> eps);
  }

  /**
   * Counts the pairs of each block of aligned texts {@code x} from the raw texts' block scores
   * through {@code form} ({@link AffineTexts}: derived scores with per-pair bounds).
   */
  static long[][] countDerivedBlocks(
      UnitRows x, float[][] rawScores, int size, double[] edges, AffineTexts form) {
    double e = NearestSearch.errorBound(x.dimension());
    double slack = e + 1e-6;
    double[] f = form.amplification();
    return count(
        x,
        rawScores.length,
        size,
        edges,
        (g, i, j) -> form.withText(g * size + i, g * size + j, rawScores[g][i * size + j]),
        (g, i, j) -> e * f[g * size + i] * f[g * size + j] + slack);
  }

  /** A value of pair (i, j) of block g. */
  private interface PairValue {
    double at(int g, int i, int j);
  }

  /**
   * Each pair lands in the bin of its float64 cosine: from its score when the score's error
   * interval lies inside one bin, else from the float64 cosine itself.
   */
  private static long[][] count(
      UnitRows x, int groups, int size, double[] edges, PairValue score, PairValue bound) {
    int d = x.dimension();
    int bins = edges.length - 1;
    long[][] counts = new long[groups][bins];
    // Blocks are independent (each its own counts): spread over the common pool, the same bits.
    java.util.stream.IntStream.range(0, groups)
        .parallel()
        .forEach(
            g -> {
              long[] c = counts[g];
              int r0 = g * size;
              // The block's unit rows, divided out once, for the pairs near a bin edge.
              double[] unit = null;
              for (int i = 0; i < size; i++) {
                for (int j = i + 1; j < size; j++) {
                  double s = score.at(g, i, j);
                  double eps = bound.at(g, i, j);
                  int lo = CosineHistogram.binOf(s - eps, edges);
                  if (lo != CosineHistogram.binOf(s + eps, edges)) {
                    if (unit == null) {
                      unit = new double[size * d];
                      for (int r = 0; r < size; r++) {
                        x.rowInto(r0 + r, unit, r * d);
                      }
                    }
                    lo = CosineHistogram.binOf(Cosines.dot(unit, i * d, unit, j * d, d), edges);
                  }
                  c[lo]++;
                }
              }
            });
    return counts;
  }

  static long[] sum(long[][] groups) {
    long[] out = new long[groups[0].length];
    for (long[] g : groups) {
      for (int b = 0; b < out.length; b++) {
        out[b] += g[b];
      }
    }
    return out;
  }

  /**
   * The divergence of the pooled block histograms with its delete-one-block jackknife standard
   * error: {@code sqrt((G - 1) / G * sum_g (JS_-g - mean)^2)}, block g left out of each side that
   * has {@code G} blocks (a side given as one block, all its pairs, stays whole). Both sides as one
   * block: exact, standard error 0.
   *
   * @param availableTextPairs the text pairs of the whole sample (for the sizes)
   */
  static Estimate jensenShannon(long[][] text, long[][] image, long availableTextPairs) {
    int groups = Math.max(text.length, image.length);
    checkArgument(
        (text.length == 1 || text.length == groups)
            && (image.length == 1 || image.length == groups),
        "Invalid blocks: %s and %s (must be" + " equal, or one of them 1)",
        text.length,
        image.length);
    long[] t = sum(text);
    long[] i = sum(image);
    double value = CosineHistogram.jensenShannon(t, i);
    long used = Arrays.stream(t).sum();
    long available = Math.max(used, availableTextPairs);
    if (groups == 1) {
      return new Estimate(value, 0.0, used, available);
    }
    double[] loo = new double[groups];
    double mean = 0;
    for (int g = 0; g < groups; g++) {
      long[] tg = t.clone();
      long[] ig = i.clone();
      for (int b = 0; b < tg.length; b++) {
        if (text.length > 1) {
          tg[b] -= text[g][b];
        }
        if (image.length > 1) {
          ig[b] -= image[g][b];
        }
      }
      loo[g] = CosineHistogram.jensenShannon(tg, ig);
      mean += loo[g] / groups;
    }
    double ss = 0;
    for (double v : loo) {
      ss += (v - mean) * (v - mean);
    }
    return new Estimate(value, Math.sqrt((groups - 1.0) / groups * ss), used, available);
  }
}
