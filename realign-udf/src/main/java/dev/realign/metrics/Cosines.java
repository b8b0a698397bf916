package dev.realign.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * All-pairs cosines of unit rows in cache-sized tiles, O(n m d) work, float64 throughout, spread
 * over threads by row block. A cosine's value does not depend on the tile or thread that computes
 * it (one fixed summation order), so consumers that merge order-independently get identical results
 * on every run and any number of threads.
 */
final class Cosines {
  /** Rows of a tile; 64 rows of d = 512 doubles are 256 KiB, an L2-sized block. */
  static final int TILE = 64;

  private Cosines() {}

  /**
   * Threads for the tile loops; 0 = {@code Runtime.availableProcessors()}. Tests set it to check
   * that results do not depend on it.
   */
  static volatile int threads = 0;

  /** At most this many workers: each holds its own neighbour tables (a few MB at 10^4 rows). */
  static final int MAX_THREADS = 16;

  /**
   * Receives one tile, {@code tile[(i - i0) * (j1 - j0) + (j - j0)] = cos(a_i, b_j)}, with the
   * calling worker's own state.
   */
  interface TileVisitor<S> {
    void visit(S state, int i0, int i1, int j0, int j1, double[] tile);
  }

  /**
   * Visits every tile of {@code a x b}; when {@code upper} (and {@code a == b}) only the tiles with
   * {@code j0 >= i0}, so that every pair {@code i < j} is seen at least once (a diagonal tile holds
   * pairs on both sides of the diagonal: the visitor filters).
   *
   * <p>Row blocks are spread over worker threads, each with its own {@code state} from {@code
   * newState}; the states come back for the caller to merge. Which worker sees which block varies
   * from run to run, so callers merge with order-independent operations only (integer sums, top-k
   * under a total order), which makes every result independent of the threads.
   */
  static <S> List<S> forEachTile(
      UnitRows a, UnitRows b, boolean upper, Supplier<S> newState, TileVisitor<S> v) {
    int blocks = (a.rows() + TILE - 1) / TILE;
    int wanted = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    int workers = Math.max(1, Math.min(Math.min(wanted, MAX_THREADS), blocks));
    AtomicInteger next = new AtomicInteger();
    List<S> states = new ArrayList<>(workers);
    for (int w = 0; w < workers; w++) {
      states.add(newState.get());
    }
    if (workers == 1) {
      work(a, b, upper, states.get(0), v, next, blocks);
      return states;
    }
    List<Callable<Void>> tasks = new ArrayList<>(workers);
    for (S state : states) {
      tasks.add(
          () -> {
            work(a, b, upper, state, v, next, blocks);
            return null;
          });
    }
    for (Future<Void> f : ForkJoinPool.commonPool().invokeAll(tasks)) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while computing cosines", e);
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException(c);
      }
    }
    return states;
  }

  private static <S> void work(
      UnitRows a,
      UnitRows b,
      boolean upper,
      S state,
      TileVisitor<S> v,
      AtomicInteger next,
      int blocks) {
    int d = a.dimension();
    double[] tile = new double[TILE * TILE];
    // The unit rows of a block of a and of a tile of b, divided out once a tile (UnitRows keeps
    // float32 rows and norms): 1/64 of the dot products' work.
    double[] rowsA = new double[TILE * d];
    double[] rowsB = new double[TILE * d];
    for (int blk = next.getAndIncrement(); blk < blocks; blk = next.getAndIncrement()) {
      int i0 = blk * TILE;
      int i1 = Math.min(a.rows(), i0 + TILE);
      for (int i = i0; i < i1; i++) {
        a.rowInto(i, rowsA, (i - i0) * d);
      }
      for (int j0 = upper ? i0 : 0; j0 < b.rows(); j0 += TILE) {
        int j1 = Math.min(b.rows(), j0 + TILE);
        int w = j1 - j0;
        for (int j = j0; j < j1; j++) {
          b.rowInto(j, rowsB, (j - j0) * d);
        }
        for (int i = i0; i < i1; i++) {
          int ti = (i - i0) * w;
          int ai = (i - i0) * d;
          int j = j0;
          for (; j + 3 < j1; j += 4) {
            int b0 = (j - j0) * d;
            dot4(rowsA, ai, rowsB, b0, b0 + d, b0 + 2 * d, b0 + 3 * d, d, tile, ti + j - j0);
          }
          for (; j < j1; j++) {
            tile[ti + j - j0] = dot(rowsA, ai, rowsB, (j - j0) * d, d);
          }
        }
        v.visit(state, i0, i1, j0, j1, tile);
      }
    }
  }

  /**
   * The cosine of unit row {@code i} of {@code a} and unit row {@code j} of {@code b}: {@link #dot}
   * of the two unit rows, each component divided out on the way (the same bits).
   */
  static double dot(UnitRows a, int i, UnitRows b, int j) {
    int d = a.dimension();
    float[] x = a.source;
    float[] y = b.source;
    int xo = i * d;
    int yo = j * d;
    double nx = a.norms[i];
    double ny = b.norms[j];
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int k = 0;
    for (; k + 3 < d; k += 4) {
      s0 += (x[xo + k] / nx) * (y[yo + k] / ny);
      s1 += (x[xo + k + 1] / nx) * (y[yo + k + 1] / ny);
      s2 += (x[xo + k + 2] / nx) * (y[yo + k + 2] / ny);
      s3 += (x[xo + k + 3] / nx) * (y[yo + k + 3] / ny);
    }
    for (; k < d; k++) {
      s0 += (x[xo + k] / nx) * (y[yo + k] / ny);
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * {@code sum_j x[xo + j] v[j]} of a float32 row (widened) and a float64 vector, in eight partial
   * sums ({@link dev.realign.vector.VectorLanes#dotWidened}'s order, whose bits it shares).
   */
  static double dotWidened(float[] x, int xo, double[] v, int d) {
    if (dev.realign.vector.VectorSupport.METRICS) {
      return dev.realign.vector.VectorLanes.dotWidened(x, xo, v, d);
    }
    double[] s = new double[8];
    int j = 0;
    for (; j + 7 < d; j += 8) {
      for (int k = 0; k < 8; k++) {
        s[k] += x[xo + j + k] * v[j + k];
      }
    }
    for (int k = 0; j < d; j++, k++) {
      s[k] += x[xo + j] * v[j];
    }
    return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
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

  /**
   * Four dot products of {@code x} with the rows of {@code y} at {@code y0..y3}, into {@code
   * out[at..at + 4)}; each equals {@link #dot} to the bit (the same four partial sums, added in the
   * same order). The four share the loads of {@code x} and run sixteen independent sums instead of
   * four, for the tiles here and the float64 re-scoring of candidates ({@link NearestSearch}):
   * 165,000 dots at d = 1280 (what one default report re-scores) took 130 ms against 280-310 ms
   * with {@link #dot}, one thread, rows of a 100 MB sample.
   */
  static void dot4(
      double[] x, int xo, double[] y, int y0, int y1, int y2, int y3, int d, double[] out, int at) {
    double a0 = 0;
    double a1 = 0;
    double a2 = 0;
    double a3 = 0;
    double b0 = 0;
    double b1 = 0;
    double b2 = 0;
    double b3 = 0;
    double c0 = 0;
    double c1 = 0;
    double c2 = 0;
    double c3 = 0;
    double e0 = 0;
    double e1 = 0;
    double e2 = 0;
    double e3 = 0;
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
      c0 += x0 * y[y2 + k];
      c1 += x1 * y[y2 + k + 1];
      c2 += x2 * y[y2 + k + 2];
      c3 += x3 * y[y2 + k + 3];
      e0 += x0 * y[y3 + k];
      e1 += x1 * y[y3 + k + 1];
      e2 += x2 * y[y3 + k + 2];
      e3 += x3 * y[y3 + k + 3];
    }
    for (; k < d; k++) {
      double xk = x[xo + k];
      a0 += xk * y[y0 + k];
      b0 += xk * y[y1 + k];
      c0 += xk * y[y2 + k];
      e0 += xk * y[y3 + k];
    }
    out[at] = (a0 + a1) + (a2 + a3);
    out[at + 1] = (b0 + b1) + (b2 + b3);
    out[at + 2] = (c0 + c1) + (c2 + c3);
    out[at + 3] = (e0 + e1) + (e2 + e3);
  }
}
