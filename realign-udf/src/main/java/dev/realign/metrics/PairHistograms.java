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
    double eps = NearestSearch.errorBound(x.dimension());
    return count(
        x,
        scores.length,
        size,
        edges,
        (g, i, lower, upper) -> {
          float[] s = scores[g];
          for (int j = i + 1; j < size; j++) {
            lower[j - i - 1] = s[i * size + j] - eps;
            upper[j - i - 1] = s[i * size + j] + eps;
          }
        });
  }

  /**
   * Counts the pairs of each block of aligned texts {@code x} from the raw texts' block scores
   * through {@code form} ({@link AffineTexts}: derived scores with per-pair bounds).
   */
  static long[][] countDerivedBlocks(
      UnitRows x, float[][] rawScores, int size, double[] edges, AffineTexts form) {
    double e = NearestSearch.errorBound(x.dimension());
    double slack = e + 1e-6;
    return count(
        x,
        rawScores.length,
        size,
        edges,
        (g, i, lower, upper) ->
            form.boundsWithTexts(
                g * size + i,
                rawScores[g],
                i * size + i + 1,
                g * size + i + 1,
                (g + 1) * size,
                e,
                slack,
                lower,
                upper));
  }

  /** Bounds on the float64 cosines of one row of a block with the block's later rows. */
  private interface RowBounds {
    /**
     * Fills {@code lower[t] <= cosine <= upper[t]} of row {@code i} of block {@code g} with row
     * {@code j = i + 1 + t} of the block, for every {@code j > i}.
     */
    void fill(int g, int i, double[] lower, double[] upper);
  }

  /**
   * Each pair lands in the bin of its float64 cosine: from its bounds when both lie in one bin,
   * else from the float64 cosine itself.
   */
  private static long[][] count(
      UnitRows x, int groups, int size, double[] edges, RowBounds bounds) {
    int bins = edges.length - 1;
    long[][] counts = new long[groups][bins];
    // Blocks are independent (each its own counts): spread over the common pool, the same bits.
    java.util.stream.IntStream.range(0, groups)
        .parallel()
        .forEach(g -> countBlock(x, g, size, edges, bounds, counts[g]));
    return counts;
  }

  private static void countBlock(
      UnitRows x, int g, int size, double[] edges, RowBounds bounds, long[] c) {
    double[] lower = new double[size];
    double[] upper = new double[size];
    BlockRows rows = new BlockRows(x, g * size, size);
    for (int i = 0; i < size; i++) {
      bounds.fill(g, i, lower, upper);
      countRow(lower, upper, i, size - i - 1, edges, rows, c);
    }
  }

  /**
   * Counts the pairs of row {@code i} with its {@code m} later rows from their bounds. A method of
   * its own, small and called once a row, so that C2 compiles it once as a method (the block loop
   * around it, with the exact path inlined, took 0.17 s of compile CPU, as a method and again for
   * its loop, inside a 200k run's report).
   */
  private static void countRow(
      double[] lower, double[] upper, int i, int m, double[] edges, BlockRows rows, long[] c) {
    for (int t = 0; t < m; t++) {
      int lo = CosineHistogram.binOf(lower[t], edges);
      if (lo != CosineHistogram.binOf(upper[t], edges)) {
        lo = rows.exactBin(i, i + 1 + t, edges);
      }
      c[lo]++;
    }
  }

  /** A block's unit rows, divided out on first use, for the pairs near a bin edge. */
  private static final class BlockRows {
    private final UnitRows x;
    private final int first;
    private final int size;
    private double[] unit;

    BlockRows(UnitRows x, int first, int size) {
      this.x = x;
      this.first = first;
      this.size = size;
    }

    /** The bin of the float64 cosine of block rows {@code i} and {@code j}. */
    int exactBin(int i, int j, double[] edges) {
      int d = x.dimension();
      if (unit == null) {
        unit = new double[size * d];
        for (int r = 0; r < size; r++) {
          x.rowInto(first + r, unit, r * d);
        }
      }
      return CosineHistogram.binOf(Cosines.dot(unit, i * d, unit, j * d, d), edges);
    }
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
