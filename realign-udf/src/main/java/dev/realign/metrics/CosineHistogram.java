package dev.realign.metrics;

import static dev.realign.Checks.checkArgument;

import java.util.Arrays;

/**
 * Histograms of cosines with {@code bins} equal bins on {@code [-1, 1]}, and the Jensen-Shannon
 * divergence between two of them.
 *
 * <p>Edges and bins follow {@code numpy.histogram(c, bins, range=(-1, 1))} exactly: the edges are
 * {@code e_b = b * (2 / bins) - 1} for {@code b < bins} and {@code e_bins = 1}, computed in
 * float64; bin {@code b} holds {@code e_b <= c < e_(b+1)}, and the last bin is closed ({@code c =
 * 1} falls in bin {@code bins - 1}). One deviation: a cosine that rounding pushes outside {@code
 * [-1, 1]} (a pair of identical rows can give {@code 1 + 2^-52}) is counted in the first or last
 * bin, where numpy would drop it, so that every pair is counted.
 */
public final class CosineHistogram {
  public static final int BINS_DEFAULT = 100;

  private CosineHistogram() {}

  /** The {@code bins + 1} edges on [-1, 1], as numpy computes them. */
  public static double[] edges(int bins) {
    checkBins(bins);
    double step = 2.0 / bins;
    double[] e = new double[bins + 1];
    for (int b = 0; b < bins; b++) {
      e[b] = b * step + -1.0;
    }
    e[bins] = 1.0;
    return e;
  }

  /** The bin of cosine {@code c} under {@code edges} (see the class comment). */
  public static int binOf(double c, double[] edges) {
    int bins = edges.length - 1;
    if (!(c > -1.0)) {
      return 0;
    }
    if (c >= 1.0) {
      return bins - 1;
    }
    // The estimate is off by at most one bin near an edge; the corrections add 0 or 1 without a
    // branch: they are rare, and C2 compiled them from a profile that had seen none as traps (JFR:
    // the report's histogram loop deoptimised at the first cosine on an edge, in a 200k-row run).
    // After a step down, c < e_(b+1) holds, and e_bins = 1 > c: no guard is needed for the step up.
    int b = Math.min((int) ((c + 1.0) / 2.0 * bins), bins - 1);
    b -= below(c, edges[b]);
    b += 1 - below(c, edges[b + 1]);
    return b;
  }

  /**
   * 1 if {@code c < e}, else 0: the sign bit of {@code c - e}, which is nonzero for unequal values
   * (gradual underflow); adding +0.0 turns the -0.0 of {@code -0.0 - 0.0} (equal values) into +0.0.
   */
  private static int below(double c, double e) {
    return (int) (Double.doubleToRawLongBits((c - e) + 0.0) >>> 63);
  }

  /** Counts of the cosines of all pairs {@code i < j} of the sample ({@code n (n-1) / 2} pairs). */
  public static long[] pairwise(UnitRows x, int bins) {
    double[] edges = edges(bins);
    long[] counts = new long[bins];
    for (long[] part :
        Cosines.forEachTile(
            x,
            x,
            true,
            () -> new long[bins],
            (c, i0, i1, j0, j1, tile) -> {
              int w = j1 - j0;
              for (int i = i0; i < i1; i++) {
                for (int j = Math.max(j0, i + 1); j < j1; j++) {
                  c[binOf(tile[(i - i0) * w + j - j0], edges)]++;
                }
              }
            })) {
      for (int b = 0; b < bins; b++) {
        counts[b] += part[b];
      }
    }
    return counts;
  }

  /**
   * Jensen-Shannon divergence, natural log, of the two histograms each normalised to sum 1: {@code
   * JS = KL(p || m) / 2 + KL(q || m) / 2}, {@code m = (p + q) / 2}, with {@code 0 log 0 = 0}. In
   * {@code [0, ln 2]}; 0 for equal shapes.
   *
   * @throws IllegalArgumentException for different lengths or an empty histogram
   */
  public static double jensenShannon(long[] p, long[] q) {
    checkArgument(
        p.length == q.length,
        "Invalid histograms: %s and %s bins (must be equal)",
        p.length,
        q.length);
    long np = Arrays.stream(p).sum();
    long nq = Arrays.stream(q).sum();
    checkArgument(
        np > 0 && nq > 0,
        "Invalid histograms: totals %s and %s (must be > 0: a sample"
            + " needs at least 2 rows to have a pair)",
        np,
        nq);
    double kp = 0.0;
    double kq = 0.0;
    for (int b = 0; b < p.length; b++) {
      double pb = (double) p[b] / np;
      double qb = (double) q[b] / nq;
      double m = (pb + qb) / 2.0;
      if (pb > 0) {
        kp += pb * Math.log(pb / m);
      }
      if (qb > 0) {
        kq += qb * Math.log(qb / m);
      }
    }
    return 0.5 * kp + 0.5 * kq;
  }

  static void checkBins(int bins) {
    checkArgument(bins > 0, "Invalid bins: %s (must be > 0)", bins);
  }
}
