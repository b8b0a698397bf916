package dev.realign.metrics;

import static dev.realign.Checks.checkArgument;

/**
 * The {@code k} nearest rows by cosine of each row of a sample, in one set or across two: an
 * immutable table of {@code rows x k} indices and cosines, best first.
 *
 * <p>Order and ties: candidates are ranked by cosine, higher first; equal cosines (bit-equal
 * doubles) by lower candidate index. This is the order of a stable sort by descending cosine, and
 * it does not depend on the order in which the candidates were seen. Within one set a row is never
 * its own neighbour (excluded by index: a duplicate of the row is a neighbour like any other).
 */
public final class Neighbours {
  private final int rows;
  private final int k;
  private final int[] index;
  private final double[] cosine;

  private Neighbours(int rows, int k) {
    this.rows = rows;
    this.k = k;
    this.index = new int[rows * k];
    this.cosine = new double[rows * k];
    java.util.Arrays.fill(index, -1);
    java.util.Arrays.fill(cosine, Double.NEGATIVE_INFINITY);
  }

  /**
   * The {@code k} nearest other rows of each row of {@code x}.
   *
   * @throws IllegalArgumentException if {@code k < 1} or {@code k > rows - 1} (a row has only
   *     {@code rows - 1} others: the caller decides whether to clamp)
   */
  public static Neighbours within(UnitRows x, int k) {
    return within(x, k, null, null);
  }

  /** {@link #within}, also counting every pair's cosine into {@code counts} when not null. */
  static Neighbours within(UnitRows x, int k, long[] counts, double[] edges) {
    checkK(k, x.rows() - 1, "other rows in the sample");
    int bins = counts == null ? 0 : counts.length;
    Neighbours nb = new Neighbours(x.rows(), k);
    for (Partial p :
        Cosines.forEachTile(
            x,
            x,
            true,
            () -> new Partial(new Neighbours(x.rows(), k), null, new long[bins]),
            (p, i0, i1, j0, j1, tile) -> {
              int w = j1 - j0;
              for (int i = i0; i < i1; i++) {
                for (int j = Math.max(j0, i + 1); j < j1; j++) {
                  double c = tile[(i - i0) * w + j - j0];
                  p.a.offer(i, j, c);
                  p.a.offer(j, i, c);
                  if (bins > 0) {
                    p.counts[CosineHistogram.binOf(c, edges)]++;
                  }
                }
              }
            })) {
      nb.mergeFrom(p.a);
      for (int b = 0; b < bins; b++) {
        counts[b] += p.counts[b];
      }
    }
    return nb;
  }

  /** One worker's share: neighbour tables and histogram counts. */
  private record Partial(Neighbours a, Neighbours b, long[] counts) {}

  /**
   * The {@code ka} nearest rows of {@code b} for each row of {@code a}, and the {@code kb} nearest
   * rows of {@code a} for each row of {@code b}, from one pass over the cross cosines.
   *
   * @return {@code [neighbours of a's rows in b, neighbours of b's rows in a]}
   */
  public static Neighbours[] between(UnitRows a, int ka, UnitRows b, int kb) {
    a.checkSameDimension(b, "samples");
    checkK(ka, b.rows(), "rows in the other sample");
    checkK(kb, a.rows(), "rows in the other sample");
    Neighbours na = new Neighbours(a.rows(), ka);
    Neighbours nb = new Neighbours(b.rows(), kb);
    for (Partial p :
        Cosines.forEachTile(
            a,
            b,
            false,
            () -> new Partial(new Neighbours(a.rows(), ka), new Neighbours(b.rows(), kb), null),
            (p, i0, i1, j0, j1, tile) -> {
              int w = j1 - j0;
              for (int i = i0; i < i1; i++) {
                for (int j = j0; j < j1; j++) {
                  double c = tile[(i - i0) * w + j - j0];
                  p.a.offer(i, j, c);
                  p.b.offer(j, i, c);
                }
              }
            })) {
      na.mergeFrom(p.a);
      nb.mergeFrom(p.b);
    }
    return new Neighbours[] {na, nb};
  }

  /** Offers every entry of a partial table of the same rows (the order of merges is irrelevant). */
  private void mergeFrom(Neighbours part) {
    for (int i = 0; i < rows; i++) {
      for (int r = 0; r < k; r++) {
        int at = i * k + r;
        if (part.index[at] < 0) {
          break;
        }
        offer(i, part.index[at], part.cosine[at]);
      }
    }
  }

  private static void checkK(int k, int available, String what) {
    checkArgument(
        k >= 1 && k <= available,
        "Invalid k: %s (must be in [1, %s], the number of %s)",
        k,
        available,
        what);
  }

  /** An empty table ({@code rows x k}) to fill with {@link #offer}. */
  static Neighbours empty(int rows, int k) {
    return new Neighbours(rows, k);
  }

  /** Offers candidate {@code candidate} with cosine {@code c} to row {@code row}'s list. */
  void offer(int row, int candidate, double c) {
    int base = row * k;
    int last = base + k - 1;
    if (!better(c, candidate, cosine[last], index[last])) {
      return;
    }
    int p = last;
    while (p > base && better(c, candidate, cosine[p - 1], index[p - 1])) {
      cosine[p] = cosine[p - 1];
      index[p] = index[p - 1];
      p--;
    }
    cosine[p] = c;
    index[p] = candidate;
  }

  /** Whether candidate (c, i) ranks before (c2, i2); an empty slot has index -1. */
  static boolean better(double c, int i, double c2, int i2) {
    if (i2 < 0) {
      return true;
    }
    return c > c2 || (c == c2 && i < i2);
  }

  public int rows() {
    return rows;
  }

  public int k() {
    return k;
  }

  /** The index of the {@code r}-th nearest neighbour (0 = nearest) of row {@code i}. */
  public int index(int i, int r) {
    return index[i * k + r];
  }

  /** The cosine of the {@code r}-th nearest neighbour of row {@code i}. */
  public double cosine(int i, int r) {
    return cosine[i * k + r];
  }
}
