package dev.realign.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every all-pairs result is identical, to the bit, whatever the number of worker threads. */
class ThreadIndependenceTest {
  static final int D = 16;

  @AfterEach
  void reset() {
    Cosines.threads = 0;
  }

  static float[] gaussianRows(int n, int d, long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[n * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  static UnitRows random(int n, long seed, boolean withDuplicates) {
    float[] x = gaussianRows(n, D, seed);
    if (withDuplicates) {
      // ties: rows 10..19 repeat rows 0..9
      System.arraycopy(x, 0, x, 10 * D, 10 * D);
    }
    return UnitRows.normalise(x, D);
  }

  /**
   * The sample's normalisation (rows on the pool) has the bits of a sequential pass, its mean
   * (computed on the way, cached) those of column sums over chunks of 256 rows in row order added
   * in chunk order, as is the mean of a sample not made by normalising ({@code select}); the trace
   * has the bits of per-row sums added in row order; the cached mean is handed out as a copy.
   */
  @Test
  void parallelMeanAndNormalisationEqualASequentialPass() {
    int n = 3_001;
    int d = 131;
    Random rnd = new Random(3);
    float[] x = new float[n * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rnd.nextGaussian() * (1 + i % 5));
    }
    UnitRows u = UnitRows.normalise(x, d);
    double[] unit = u.toFlatArray();
    double[] mean = new double[d];
    double[] chunk = new double[d];
    for (int i = 0; i < n; i++) {
      double norm = dev.realign.vector.RowValidator.normOrNegative(x, i * d, d);
      for (int j = 0; j < d; j++) {
        double v = x[i * d + j] / norm;
        assertThat(unit[i * d + j]).isEqualTo(v);
        assertThat(u.row(i)[j]).isEqualTo(v);
        chunk[j] += v;
      }
      if ((i + 1) % 256 == 0 || i == n - 1) {
        for (int j = 0; j < d; j++) {
          mean[j] += chunk[j];
          chunk[j] = 0;
        }
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    assertThat(u.mean()).containsExactly(mean);
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    assertThat(u.select(all).mean()).as("computed, not on the way").containsExactly(mean);
    u.mean()[0] = 42.0;
    assertThat(u.mean()).containsExactly(mean);
    double trace = 0;
    for (int i = 0; i < n; i++) {
      double row = 0;
      for (int j = 0; j < d; j++) {
        double c = unit[i * d + j] - mean[j];
        row += c * c;
      }
      trace += row;
    }
    assertThat(u.trace()).isEqualTo(trace / n);
  }

  /**
   * A view reads the caller's rows (no copy) and gives the bits of a normalised copy; the copy does
   * not change with the caller's array.
   */
  @Test
  void viewEqualsANormalisedCopy() {
    int n = 257;
    int d = 33;
    float[] x = gaussianRows(n, d, 9);
    UnitRows view = UnitRows.view(x, d);
    UnitRows copy = UnitRows.normalise(x, d);
    assertThat(view.source).isSameAs(x);
    assertThat(view.toFlatArray()).containsExactly(copy.toFlatArray());
    assertThat(view.toFloat32()).containsExactly(copy.toFloat32());
    assertThat(view.mean()).containsExactly(copy.mean());
    assertThat(view.trace()).isEqualTo(copy.trace());
    assertThat(view.head(100).toFlatArray())
        .containsExactly(java.util.Arrays.copyOf(copy.toFlatArray(), 100 * d));
    double[] before = copy.toFlatArray();
    x[0] = 1e6f;
    assertThat(copy.toFlatArray()).containsExactly(before);
  }

  record Result(
      Neighbours within, Neighbours[] between, long[] counts, double[] recall, double mixing) {}

  static Result run(int threads, UnitRows t, UnitRows i) {
    Cosines.threads = threads;
    return new Result(
        Neighbours.within(t, 7),
        Neighbours.between(t, 5, i, 6),
        CosineHistogram.pairwise(t, 100),
        GapMetrics.recallAtK(t, i, 1, 5),
        GapMetrics.knnMixing(t, i, 9));
  }

  @Test
  void oneThreadAndManyAgree() {
    UnitRows t = random(300, 1, true);
    UnitRows i = random(300, 2, false);
    Result one = run(1, t, i);
    for (int threads : new int[] {2, 3, 5}) {
      Result many = run(threads, t, i);
      same(one.within(), many.within());
      same(one.between()[0], many.between()[0]);
      same(one.between()[1], many.between()[1]);
      assertThat(many.counts()).containsExactly(one.counts());
      assertThat(many.recall()).containsExactly(one.recall());
      assertThat(many.mixing()).isEqualTo(one.mixing());
    }
  }

  /**
   * The estimated figures (query subsets, pair blocks, Vector API candidates) computed inside pools
   * of 1 and 3 threads (parallel streams run in the calling pool) are identical.
   */
  @Test
  void estimatedFiguresAreTheSameOnOneThreadAndMany() throws Exception {
    UnitRows t = random(1_200, 3, true);
    UnitRows i = random(1_100, 4, false);
    UnitRows a = random(1_200, 5, false);
    EstimationPlan plan = new EstimationPlan(100, 90, 20_000, 8, CandidateScorer.fastest());
    GapFigures[] one = null;
    for (int threads : new int[] {1, 3}) {
      Cosines.threads = threads;
      java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
      try {
        GapFigures[] f =
            pool.submit(
                    () -> {
                      GapEvaluator e = new GapEvaluator(i, t, 20, 10, 100, plan);
                      return new GapFigures[] {e.before(), e.evaluate(a)};
                    })
                .get();
        assertThat(f[1].mixing().isExact()).isFalse();
        if (one == null) {
          one = f;
        } else {
          for (int r = 0; r < 2; r++) {
            assertThat(f[r].mixing()).isEqualTo(one[r].mixing());
            assertThat(f[r].overlap()).isEqualTo(one[r].overlap());
            assertThat(f[r].js()).isEqualTo(one[r].js());
            assertThat(f[r].centroidGap()).isEqualTo(one[r].centroidGap());
          }
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  private static void same(Neighbours a, Neighbours b) {
    assertThat(b.rows()).isEqualTo(a.rows());
    for (int r = 0; r < a.rows(); r++) {
      for (int q = 0; q < a.k(); q++) {
        assertThat(b.index(r, q)).as("row %s rank %s", r, q).isEqualTo(a.index(r, q));
        assertThat(b.cosine(r, q)).isEqualTo(a.cosine(r, q));
      }
    }
  }
}
