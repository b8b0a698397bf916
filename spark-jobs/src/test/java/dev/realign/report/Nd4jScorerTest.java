package dev.realign.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.metrics.CandidateScorer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Nd4jScorerTest {
  private static float[] unitRows(int n, int d, long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[n * d];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < d; j++) {
        double v = rnd.nextGaussian();
        x[i * d + j] = (float) v;
        s += v * v;
      }
      for (int j = 0; j < d; j++) {
        x[i * d + j] = (float) (x[i * d + j] / Math.sqrt(s));
      }
    }
    return x;
  }

  private static float[] scores(
      CandidateScorer scorer, float[] rows, int n, float[] q, int m, int d) {
    float[] out = new float[m * n];
    try (CandidateScorer.Prepared p = scorer.prepare(rows, n, d)) {
      p.scores(q, m, out);
    }
    return out;
  }

  @Test
  void theRealGemmPassesItsSpotCheckAndAgreesWithTheJavaScorer() {
    int d = 64;
    int n = 37;
    int m = 11;
    float[] rows = unitRows(n, d, 1);
    float[] q = unitRows(m, d, 2);
    Nd4jScorer scorer = new Nd4jScorer(Nd4jScorer.ND4J);
    float[] got = scores(scorer, rows, n, q, m, d);
    assertThat(scorer.fallbacks()).isZero();
    assertThat(Nd4jScorer.spotCheck(rows, n, d, q, m, got)).isNull();
    float[] java = scores(CandidateScorer.JAVA, rows, n, q, m, d);
    double bound = CandidateScorer.errorBound(d);
    for (int i = 0; i < got.length; i++) {
      assertThat((double) Math.abs(got[i] - java[i]))
          .as("score %s", i)
          .isLessThanOrEqualTo(2 * bound);
    }
  }

  @Test
  void aWrongEdgeTileIsCaughtAndTheBlockRecomputed() {
    int d = 64;
    int n = 37;
    int m = 11;
    float[] rows = unitRows(n, d, 3);
    float[] q = unitRows(m, d, 4);
    // An AVX-512-style edge bug: the last row's scores are off by 0.01 for every query.
    Nd4jScorer.Gemm wrongEdge =
        (b, queries, queryRows, nn, dd, out) -> {
          Nd4jScorer.ND4J.scores(b, queries, queryRows, nn, dd, out);
          for (int i = 0; i < queryRows; i++) {
            out[i * nn + nn - 1] += 0.01f;
          }
        };
    Nd4jScorer scorer = new Nd4jScorer(wrongEdge);
    float[] got = scores(scorer, rows, n, q, m, d);
    assertThat(scorer.fallbacks()).isEqualTo(1);
    assertThat(got).isEqualTo(scores(CandidateScorer.fastest(), rows, n, q, m, d));
  }

  @Test
  void theSpotCheckNamesTheWrongScore() {
    int d = 8;
    float[] rows = unitRows(3, d, 5);
    float[] q = unitRows(2, d, 6);
    float[] out = scores(CandidateScorer.JAVA, rows, 3, q, 2, d);
    out[1 * 3 + 1] += 0.5f;
    assertThat(Nd4jScorer.spotCheck(rows, 3, d, q, 2, out))
        .startsWith("score of query 1 and row 1: ")
        .contains("(must be within");
  }
}
