package dev.realign.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The blocked scorer gives every score the bits of scoring its query and row alone: the blocking
 * (four queries by three rows, one at a time at the edges) never changes a candidate score, so a
 * change of blocking changes no report figure.
 */
class VectorScorerTest {
  @Test
  void blockedScoresAreTheBitsOfOneQueryAgainstOneRow() {
    // d: a multiple of every lane count, one with a tail, one shorter than a vector; rows and
    // queries: full blocks, one and two rows past the last block of a tile, tiles of 64 and a
    // partial one, queries past the last four.
    for (int d : new int[] {1280, 37, 3}) {
      for (int[] shape : new int[][] {{70, 7}, {129, 9}, {3, 4}, {2, 3}, {5, 4}, {66, 4}}) {
        int n = shape[0];
        int qn = shape[1];
        Random rnd = new Random(31L * d + n);
        float[] rows = gaussians(rnd, n * d);
        float[] queries = gaussians(rnd, qn * d);
        float[] all = new float[qn * n];
        VectorScorer.INSTANCE.prepare(rows, n, d).scores(queries, qn, all);
        for (int i = 0; i < qn; i++) {
          float[] query = Arrays.copyOfRange(queries, i * d, (i + 1) * d);
          for (int j = 0; j < n; j++) {
            float[] row = Arrays.copyOfRange(rows, j * d, (j + 1) * d);
            float[] one = new float[1];
            VectorScorer.INSTANCE.prepare(row, 1, d).scores(query, 1, one);
            assertThat(Float.floatToRawIntBits(all[i * n + j]))
                .as("d=%s n=%s q=%s score (%s, %s)", d, n, qn, i, j)
                .isEqualTo(Float.floatToRawIntBits(one[0]));
          }
        }
      }
    }
  }

  private static float[] gaussians(Random rnd, int length) {
    float[] a = new float[length];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }
}
