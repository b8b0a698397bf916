package dev.realign.metrics;

/**
 * All-pairs cosines of unit rows in cache-sized tiles. O(n m d) work, float64 throughout. Tiles are
 * visited in a fixed order on the calling thread, so every consumer sees the same values in the
 * same order on every run.
 */
final class Cosines {
  /** Rows of a tile; 64 rows of d = 512 doubles are 256 KiB, an L2-sized block. */
  static final int TILE = 64;

  private Cosines() {}

  /** Receives one tile: {@code tile[(i - i0) * (j1 - j0) + (j - j0)] = cos(a_i, b_j)}. */
  interface TileVisitor {
    void visit(int i0, int i1, int j0, int j1, double[] tile);
  }

  /**
   * Visits every tile of {@code a x b}; when {@code upper} (and {@code a == b}) only the tiles with
   * {@code j0 >= i0}, so that every pair {@code i < j} is seen at least once (a diagonal tile holds
   * pairs on both sides of the diagonal: the visitor filters).
   */
  static void forEachTile(UnitRows a, UnitRows b, boolean upper, TileVisitor v) {
    int d = a.dimension();
    double[] tile = new double[TILE * TILE];
    for (int i0 = 0; i0 < a.rows(); i0 += TILE) {
      int i1 = Math.min(a.rows(), i0 + TILE);
      for (int j0 = upper ? i0 : 0; j0 < b.rows(); j0 += TILE) {
        int j1 = Math.min(b.rows(), j0 + TILE);
        int w = j1 - j0;
        for (int i = i0; i < i1; i++) {
          int ti = (i - i0) * w;
          int ai = i * d;
          int j = j0;
          for (; j + 1 < j1; j += 2) {
            dot2(a.data, ai, b.data, j * d, (j + 1) * d, d, tile, ti + j - j0);
          }
          if (j < j1) {
            tile[ti + j - j0] = dot(a.data, ai, b.data, j * d, d);
          }
        }
        v.visit(i0, i1, j0, j1, tile);
      }
    }
  }

  /** Dot product in float64 with four partial sums (combined in a fixed order). */
  static double dot(double[] x, int xo, double[] y, int yo, int d) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int k = 0;
    for (; k + 3 < d; k += 4) {
      s0 += x[xo + k] * y[yo + k];
      s1 += x[xo + k + 1] * y[yo + k + 1];
      s2 += x[xo + k + 2] * y[yo + k + 2];
      s3 += x[xo + k + 3] * y[yo + k + 3];
    }
    for (; k < d; k++) {
      s0 += x[xo + k] * y[yo + k];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** Two dot products of {@code x} at once; each equals {@link #dot} to the bit. */
  private static void dot2(double[] x, int xo, double[] y, int y0, int y1, int d, double[] out,
      int at) {
    double a0 = 0;
    double a1 = 0;
    double a2 = 0;
    double a3 = 0;
    double b0 = 0;
    double b1 = 0;
    double b2 = 0;
    double b3 = 0;
    int k = 0;
    for (; k + 3 < d; k += 4) {
      double x0 = x[xo + k];
      double x1 = x[xo + k + 1];
      double x2 = x[xo + k + 2];
      double x3 = x[xo + k + 3];
      a0 += x0 * y[y0 + k];
      a1 += x1 * y[y0 + k + 1];
      a2 += x2 * y[y0 + k + 2];
      a3 += x3 * y[y0 + k + 3];
      b0 += x0 * y[y1 + k];
      b1 += x1 * y[y1 + k + 1];
      b2 += x2 * y[y1 + k + 2];
      b3 += x3 * y[y1 + k + 3];
    }
    for (; k < d; k++) {
      a0 += x[xo + k] * y[y0 + k];
      b0 += x[xo + k] * y[y1 + k];
    }
    out[at] = (a0 + a1) + (a2 + a3);
    out[at + 1] = (b0 + b1) + (b2 + b3);
  }
}
