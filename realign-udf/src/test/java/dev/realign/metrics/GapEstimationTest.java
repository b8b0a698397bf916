package dev.realign.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The estimated figures ({@link EstimationPlan} smaller than the samples) against the exact ones on
 * a 3,000-row synthetic set where exact is cheap, and their independence from the scorer.
 */
class GapEstimationTest {
  static final int N = 3_000;
  static final int D = 48;

  /** An estimate must lie within this many standard errors of the exact figure. */
  static final double STANDARD_ERRORS = 4.0;

  /** Slack for a standard error that happens to be tiny. */
  static final double ABSOLUTE_SLACK = 1e-3;

  static final EstimationPlan SMALL =
      new EstimationPlan(300, 250, 1L << 16, 16, CandidateScorer.JAVA);

  static UnitRows texts;
  static UnitRows images;
  static UnitRows aligned;

  /** Gaussian rows around a per-modality offset (a gap), the aligned texts moved halfway. */
  static float[] cloud(Random rnd, int n, float offset, int axis) {
    float[] x = new float[n * D];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < D; j++) {
        x[i * D + j] =
            (float) rnd.nextGaussian() * 0.4f + (j == axis ? offset : 0f) + (j == 0 ? 1f : 0f);
      }
    }
    return x;
  }

  @BeforeAll
  static void data() {
    Random rnd = new Random(42);
    float[] t = cloud(rnd, N, 0.6f, 1);
    texts = UnitRows.normalise(t, D);
    images = UnitRows.normalise(cloud(rnd, N, 0.6f, 2), D);
    float[] a = t.clone();
    for (int i = 0; i < N; i++) {
      a[i * D + 1] -= 0.3f;
      a[i * D + 2] += 0.3f;
      a[i * D + 3] += (float) rnd.nextGaussian() * 0.1f;
    }
    aligned = UnitRows.normalise(a, D);
  }

  static void close(Estimate est, double exact, String what) {
    assertThat(est.used()).as(what + " used").isLessThan(est.available());
    assertThat(est.standardError()).as(what + " SE").isPositive();
    assertThat(est.value())
        .as(what + " within %s SE (%s)", STANDARD_ERRORS, est.standardError())
        .isCloseTo(exact, within(STANDARD_ERRORS * est.standardError() + ABSOLUTE_SLACK));
  }

  @Test
  void estimatesLieWithinAFewStandardErrorsOfTheExactFigures() {
    GapEvaluator exact = new GapEvaluator(images, texts, 20, 10, 100);
    GapEvaluator est = new GapEvaluator(images, texts, 20, 10, 100, SMALL);
    assertThat(est.queries()).containsExactly(300, 250);
    for (UnitRows x : new UnitRows[] {texts, aligned}) {
      GapFigures e = x == texts ? exact.before() : exact.evaluate(x);
      GapFigures s = x == texts ? est.before() : est.evaluate(x);
      assertThat(e.mixing().isExact()).isTrue();
      close(s.mixing(), e.knnMixing(), "mixing");
      close(s.js(), e.jsPairwiseCos(), "js");
      assertThat(s.js().used()).isLessThanOrEqualTo(1L << 16).isGreaterThan(1L << 15);
      if (x == aligned) {
        close(s.overlap(), e.neighbourhoodOverlap(), "overlap");
      }
      // full-sample figures stay exact
      assertThat(s.centroidGap()).isEqualTo(e.centroidGap());
      assertThat(s.traceRatio()).isEqualTo(e.traceRatio());
    }
  }

  /**
   * A scorer whose float32 scores are off by up to half the error bound, and single-threaded:
   * another BLAS, summation order or thread count. Every figure keeps its bits.
   */
  @Test
  void figuresDoNotDependOnTheScorerOrItsThreads() {
    CandidateScorer noisy =
        (rows, n, d) ->
            new CandidateScorer.Prepared() {
              @Override
              public int rows() {
                return n;
              }

              @Override
              public void scores(float[] q, int qr, float[] out) {
                double e = NearestSearch.errorBound(d) / 2;
                for (int i = 0; i < qr; i++) {
                  for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int k = 0; k < d; k++) {
                      s += (double) q[i * d + k] * rows[j * d + k];
                    }
                    out[i * n + j] = (float) (s + (((i * 31 + j) % 3) - 1) * e);
                  }
                }
              }
            };
    GapEvaluator a = new GapEvaluator(images, texts, 20, 10, 100, SMALL);
    GapEvaluator b = new GapEvaluator(images, texts, 20, 10, 100, SMALL.withScorer(noisy));
    GapEvaluator c =
        new GapEvaluator(images, texts, 20, 10, 100, SMALL.withScorer(CandidateScorer.fastest()));
    assertThat(CandidateScorer.fastest())
        .as("surefire adds jdk.incubator.vector")
        .isSameAs(VectorScorer.INSTANCE);
    for (GapFigures[] f :
        new GapFigures[][] {
          {a.before(), b.before()},
          {a.evaluate(aligned), b.evaluate(aligned)},
          {a.before(), c.before()},
          {a.evaluate(aligned), c.evaluate(aligned)}
        }) {
      assertThat(f[1].mixing()).isEqualTo(f[0].mixing());
      assertThat(f[1].overlap()).isEqualTo(f[0].overlap());
      assertThat(f[1].js()).isEqualTo(f[0].js());
      assertThat(f[1].textPairCosineCounts()).containsExactly(f[0].textPairCosineCounts());
    }
    assertThat(b.imagePairCosineCounts()).containsExactly(a.imagePairCosineCounts());
  }

  /** Each scorer stays within half the error bound the candidate margin assumes, odd d too. */
  @Test
  void scorersStayWithinTheErrorBound() {
    for (int d : new int[] {1280, 37}) {
      Random rnd = new Random(d);
      float[] x = new float[70 * d];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rnd.nextGaussian() + (i % d == 0 ? 5f : 0f);
      }
      UnitRows u = UnitRows.normalise(x, d);
      float[] u32 = u.toFloat32();
      for (CandidateScorer s :
          new CandidateScorer[] {CandidateScorer.JAVA, CandidateScorer.fastest()}) {
        float[] out = new float[70 * 70];
        s.prepare(u32, 70, d).scores(u32, 70, out);
        for (int i = 0; i < 70; i++) {
          for (int j = 0; j < 70; j++) {
            assertThat((double) out[i * 70 + j])
                .as("%s d=%s (%s, %s)", s, d, i, j)
                .isCloseTo(u.cosine(i, u, j), within(NearestSearch.errorBound(d) / 2));
          }
        }
      }
    }
  }

  /** Float32 candidates + float64 re-scoring give the exhaustive float64 lists, ties included. */
  @Test
  void nearestSearchEqualsTheExhaustiveSearch() {
    Random rnd = new Random(7);
    float[] x = new float[400 * D];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    System.arraycopy(x, 0, x, 10 * D, 10 * D); // rows 10..19 repeat rows 0..9: bit-equal ties
    UnitRows u = UnitRows.normalise(x, D);
    UnitRows other = images.head(300);
    float[] u32 = u.toFloat32();
    Neighbours fast =
        NearestSearch.search(u, u32, 400, true, u, CandidateScorer.JAVA.prepare(u32, 400, D), 12);
    same(Neighbours.within(u, 12), fast);
    Neighbours cross =
        NearestSearch.search(
            u, u32, 400, false, other, CandidateScorer.JAVA.prepare(other.toFloat32(), 300, D), 7);
    same(Neighbours.between(u, 7, other, 1)[0], cross);
    assertThatThrownBy(
            () ->
                NearestSearch.search(
                    u, u32, 400, true, u, CandidateScorer.JAVA.prepare(u32, 400, D), 400))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid k: 400 (must be in [1, 399], the number of candidate rows)");
  }

  /** Issue 12 item 12: a pool of one distribution is "perfectly mixed" whatever the sizes. */
  @Test
  void normalisedMixingIsAboutOneForOneDistributionAtUnequalSizes() {
    UnitRows few = texts.head(200);
    UnitRows many = UnitRows.normalise(cloud(new Random(3), 800, 0.6f, 1), D);
    GapFigures f = new GapEvaluator(many, few, 20, 10, 100).before();
    double perfect = 2.0 * 200 * 800 / (1000.0 * 999.0);
    assertThat(f.perfectMixing()).isCloseTo(perfect, within(1e-15));
    assertThat(GapMetrics.perfectMixing(200, 800)).isEqualTo(f.perfectMixing());
    assertThat(f.knnMixingNormalised().value())
        .isCloseTo(f.knnMixing() / perfect, within(1e-15))
        .isCloseTo(1.0, within(0.1));
    // the raw figure alone depends on the sizes: far from 0.5 here
    assertThat(f.knnMixing()).isCloseTo(perfect, within(0.05));
    assertThatThrownBy(() -> GapMetrics.perfectMixing(0, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid pool: 0 texts and 5 images (must be >= 1 each)");
  }

  private static void same(Neighbours a, Neighbours b) {
    assertThat(b.rows()).isEqualTo(a.rows());
    assertThat(b.k()).isEqualTo(a.k());
    for (int r = 0; r < a.rows(); r++) {
      for (int q = 0; q < a.k(); q++) {
        assertThat(b.index(r, q)).as("row %s rank %s", r, q).isEqualTo(a.index(r, q));
        assertThat(b.cosine(r, q)).isEqualTo(a.cosine(r, q));
      }
    }
  }
}
