package dev.realign.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link NearestSearch}'s k-th largest (of doubles, and of floats widened) against a sort. */
class KthLargestTest {
  /** The k-th largest of {@code s[0 .. n)} without index {@code skip}, by sorting. */
  private static double bySort(double[] s, int n, int skip, int k) {
    double[] rest = new double[n - (skip >= 0 && skip < n ? 1 : 0)];
    int m = 0;
    for (int j = 0; j < n; j++) {
      if (j != skip) {
        rest[m++] = s[j];
      }
    }
    Arrays.sort(rest);
    return rest[rest.length - k];
  }

  @Test
  void equalsTheKthOfTheSortedValuesWithAndWithoutTheSkippedRow() {
    SplittableRandom rnd = new SplittableRandom(25);
    for (int trial = 0; trial < 2_000; trial++) {
      int n = 2 + rnd.nextInt(300);
      double[] s = new double[n];
      // Few distinct values in some trials: ties at the k-th place.
      int distinct = rnd.nextBoolean() ? 1 + rnd.nextInt(5) : Integer.MAX_VALUE;
      for (int j = 0; j < n; j++) {
        s[j] = distinct == Integer.MAX_VALUE ? rnd.nextDouble(-1, 1) : rnd.nextInt(distinct) - 2.0;
      }
      int skip = rnd.nextInt(4) == 0 ? -1 : rnd.nextInt(n);
      int k = 1 + rnd.nextInt(n - 1);
      assertThat(NearestSearch.kthLargest(s, n, skip, k))
          .as("n %d, skip %d, k %d", n, skip, k)
          .isEqualTo(bySort(s, n, skip, k));
      // The float form, at an offset: the same k-th value of the same numbers rounded to float.
      float[] f = new float[n + 3];
      double[] rounded = new double[n];
      for (int j = 0; j < n; j++) {
        f[3 + j] = (float) s[j];
        rounded[j] = f[3 + j];
      }
      assertThat(NearestSearch.kthLargest(f, 3, n, skip, k))
          .as("floats: n %d, skip %d, k %d", n, skip, k)
          .isEqualTo(bySort(rounded, n, skip, k));
    }
  }

  @Test
  void skippedRowAmongTheFirstKAndTheLargestValue() {
    double[] s = {9, 1, 2, 3, 4};
    // Without row 0 (the largest), the 2nd largest of {1, 2, 3, 4} is 3.
    assertThat(NearestSearch.kthLargest(s, 5, 0, 2)).isEqualTo(3.0);
    assertThat(NearestSearch.kthLargest(s, 5, -1, 2)).isEqualTo(4.0);
    assertThat(NearestSearch.kthLargest(s, 5, 4, 4)).isEqualTo(1.0);
    assertThat(NearestSearch.kthLargest(s, 5, 2, 1)).isEqualTo(9.0);
  }
}
