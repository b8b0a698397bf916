package dev.realign.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The metrics on tiny inputs whose figures are written out by hand. */
class GapMetricsTest {
  static final double ALLOWED_ERROR = 1e-12;

  static UnitRows rows(int d, float... flat) {
    return UnitRows.normalise(flat, d);
  }

  @Test
  void rowsAreNormalisedAndBadRowsNamed() {
    UnitRows x = rows(2, 3, 4, 0, 2);
    assertThat(x.row(0)).containsExactly(0.6, 0.8);
    assertThat(x.row(1)).containsExactly(0.0, 1.0);
    assertThatThrownBy(() -> rows(2, 1, 1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid row 1: ZERO_NORM");
    assertThatThrownBy(() -> rows(2, Float.NaN, 1)).hasMessageContaining("Invalid row 0");
    assertThatThrownBy(() -> rows(2, 1, 1, 1)).hasMessageContaining("multiple of the dimension 2");
  }

  @Test
  void oneRowEach() {
    UnitRows t = rows(2, 0, 2);
    UnitRows i = rows(2, 5, 0);
    // means (0,1) and (1,0): gap sqrt(2)
    assertThat(GapMetrics.centroidGap(i, t)).isCloseTo(Math.sqrt(2), within(ALLOWED_ERROR));
    assertThat(GapMetrics.pairedCosine(t, i)).isEqualTo(0.0);
    assertThat(GapMetrics.recallAtK(t, i, 1)).containsExactly(1.0);
    // the pool has 2 rows: each row's only neighbour is the other modality
    assertThat(GapMetrics.knnMixing(t, i, 1)).isEqualTo(1.0);
    assertThat(t.trace()).isEqualTo(0.0);
    assertThatThrownBy(() -> GapMetrics.jsPairwiseCosine(t, i, 100))
        .hasMessageContaining("at least 2 rows");
    assertThatThrownBy(() -> Neighbours.within(t, 1))
        .hasMessage("Invalid k: 1 (must be in [1, 0], the number of other rows in the sample)");
  }

  @Test
  void twoRowsEach() {
    // texts e1, e2; images e1, -e2 (d = 2)
    UnitRows t = rows(2, 1, 0, 0, 1);
    UnitRows i = rows(2, 1, 0, 0, -1);
    // mean text (0.5, 0.5), mean image (0.5, -0.5): gap 1
    assertThat(GapMetrics.centroidGap(i, t)).isCloseTo(1.0, within(ALLOWED_ERROR));
    // cos(t0, i0) = 1, cos(t1, i1) = -1
    assertThat(GapMetrics.pairedCosine(t, i)).isEqualTo(0.0);
    // text 1: cos with i0 = 0, with i1 = -1, so image 0 ranks first: r@1 = 1/2, r@2 = 1
    assertThat(GapMetrics.recallAtK(t, i, 1, 2)).containsExactly(0.5, 1.0);
    // traces: texts mean||x - mu||^2 = 0.5, images 0.5
    assertThat(GapMetrics.traceRatio(t, i)).isCloseTo(1.0, within(ALLOWED_ERROR));
    // one pair each: text cos 0 (bin 50), image cos 0 (bin 50): same histogram, JS 0
    assertThat(GapMetrics.jsPairwiseCosine(t, i, 100)).isEqualTo(0.0);
    // pooled t0, t1, i0, i1 with k = 1. t0: i0 (cos 1). t1: t0 and i0 tie at 0 -> t0 (lower
    // pooled index 0 < 2). i0: t0 (cos 1). i1: t0 (0), t1 (-1), i0 (0): t0 wins the tie.
    // other-modality neighbours: t0 yes, t1 no, i0 yes, i1 yes -> 3/4
    assertThat(GapMetrics.knnMixing(t, i, 1)).isEqualTo(0.75);
    // k = 3 = everything: for each row 2 of its 3 others are the other modality
    assertThat(GapMetrics.knnMixing(t, i, 3)).isCloseTo(2.0 / 3.0, within(ALLOWED_ERROR));
    assertThatThrownBy(() -> GapMetrics.knnMixing(t, i, 4))
        .hasMessage("Invalid k: 4 (must be in [1, 3], the pooled rows minus one)");
  }

  @Test
  void identicalRowsTieByIndex() {
    UnitRows same = rows(2, 1, 1, 1, 1, 1, 1, 1, 1);
    Neighbours nb = Neighbours.within(same, 2);
    // every cosine is 1 (or 1 +- 1 ulp): the neighbours are the other rows in index order
    assertThat(nb.index(0, 0)).isEqualTo(1);
    assertThat(nb.index(0, 1)).isEqualTo(2);
    assertThat(nb.index(3, 0)).isEqualTo(0);
    assertThat(nb.index(3, 1)).isEqualTo(1);
    long[] counts = CosineHistogram.pairwise(same, 100);
    assertThat(counts[99]).as("all 6 pairs in the last (closed) bin").isEqualTo(6);
    assertThat(GapMetrics.neighbourhoodOverlap(same, same, 3)).isEqualTo(1.0);
    assertThat(GapMetrics.recallAtK(same, same, 1, 4)).containsExactly(0.25, 1.0);
  }

  @Test
  void histogramEdgesFollowNumpy() {
    double[] e = CosineHistogram.edges(100);
    assertThat(e).hasSize(101);
    assertThat(e[0]).isEqualTo(-1.0);
    assertThat(e[100]).isEqualTo(1.0);
    assertThat(e[1]).isEqualTo(1 * 0.02 - 1.0);
    assertThat(CosineHistogram.binOf(-1.0, e)).isZero();
    assertThat(CosineHistogram.binOf(e[1], e)).as("an edge opens its bin").isEqualTo(1);
    assertThat(CosineHistogram.binOf(Math.nextDown(e[1]), e)).isZero();
    assertThat(CosineHistogram.binOf(0.0, e)).isEqualTo(50);
    assertThat(CosineHistogram.binOf(1.0, e)).as("last bin closed").isEqualTo(99);
    assertThat(CosineHistogram.binOf(Math.nextUp(1.0), e)).as("rounding above 1").isEqualTo(99);
    assertThat(CosineHistogram.binOf(Math.nextDown(-1.0), e)).isZero();
    for (int b = 0; b < 100; b++) {
      assertThat(CosineHistogram.binOf(e[b], e)).isEqualTo(b);
      assertThat(CosineHistogram.binOf(Math.nextDown(e[b + 1]), e)).isEqualTo(b);
    }
  }

  /**
   * The bin of every value is the one the definition gives by search (e_b <= c < e_(b+1), the last
   * bin closed, values outside [-1, 1] and NaN in the first or last): random values, every edge and
   * its neighbouring doubles, for several bin counts.
   */
  @Test
  void binOfIsTheBinTheEdgesDefine() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
    for (int bins : new int[] {1, 2, 3, 7, 100, 1000}) {
      double[] e = CosineHistogram.edges(bins);
      java.util.List<Double> values = new java.util.ArrayList<>();
      for (double edge : e) {
        values.add(edge);
        values.add(Math.nextDown(edge));
        values.add(Math.nextUp(edge));
      }
      values.addAll(
          java.util.List.of(
              Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0.0, -0.0));
      for (int i = 0; i < 100_000; i++) {
        values.add(rnd.nextDouble(-1.0, 1.0));
      }
      for (double c : values) {
        assertThat(CosineHistogram.binOf(c, e))
            .as("%s in %d bins", c, bins)
            .isEqualTo(binBySearch(c, e));
      }
    }
  }

  private static int binBySearch(double c, double[] e) {
    int bins = e.length - 1;
    if (Double.isNaN(c) || c < e[0]) {
      return 0;
    }
    for (int b = 0; b < bins - 1; b++) {
      if (c < e[b + 1]) {
        return b;
      }
    }
    return bins - 1;
  }

  @Test
  void jensenShannonBounds() {
    assertThat(CosineHistogram.jensenShannon(new long[] {1, 2, 3}, new long[] {2, 4, 6}))
        .isCloseTo(0.0, within(ALLOWED_ERROR));
    assertThat(CosineHistogram.jensenShannon(new long[] {5, 0}, new long[] {0, 7}))
        .isCloseTo(Math.log(2), within(ALLOWED_ERROR));
    // p = (1/2, 1/2), q = (1, 0): m = (3/4, 1/4)
    double expected =
        0.5 * (0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25)) + 0.5 * Math.log(1 / 0.75);
    assertThat(CosineHistogram.jensenShannon(new long[] {1, 1}, new long[] {3, 0}))
        .isCloseTo(expected, within(ALLOWED_ERROR));
    assertThatThrownBy(() -> CosineHistogram.jensenShannon(new long[2], new long[3]))
        .hasMessageContaining("2 and 3 bins");
  }

  @Test
  void kLargerThanTheSampleIsAClearError() {
    UnitRows x = rows(2, 1, 0, 0, 1, 1, 1);
    assertThatThrownBy(() -> Neighbours.within(x, 3))
        .hasMessage("Invalid k: 3 (must be in [1, 2], the number of other rows in the sample)");
    assertThatThrownBy(() -> GapMetrics.neighbourhoodOverlap(x, x, 5))
        .hasMessageContaining("Invalid k: 5");
    assertThatThrownBy(() -> GapMetrics.recallAtK(x, x, 4))
        .hasMessage("Invalid k: 4 (must be in [1, 3], the number of images)");
    assertThatThrownBy(() -> new GapEvaluator(x, x, 20, 1, 100))
        .hasMessage("Invalid k: 20 (must be in [1, 5], the pooled rows minus one)");
  }

  @Test
  void evaluatorRejectsAnotherSampleOfTexts() {
    UnitRows x = rows(2, 1, 0, 0, 1, 1, 1);
    GapEvaluator eval = new GapEvaluator(x, x, 2, 1, 10);
    assertThatThrownBy(() -> eval.evaluate(rows(2, 1, 0, 0, 1)))
        .hasMessageContaining("Invalid aligned texts: 2 rows (must be 3");
    GapFigures f = eval.before();
    assertThat(f.centroidGap()).isEqualTo(0.0);
    assertThat(f.jsPairwiseCos()).isEqualTo(0.0);
    assertThat(f.traceRatio()).isEqualTo(1.0);
  }
}
