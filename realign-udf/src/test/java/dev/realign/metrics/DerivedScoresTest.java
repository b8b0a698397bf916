package dev.realign.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.Variant;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The aligned texts' candidate scores derived from the raw texts' ({@link AffineTexts}): within
 * their error bound of the float64 cosines, and the figures bit-equal to scoring the aligned rows
 * directly, for every variant and with refinement steps; a wrong form is not silently accepted.
 */
class DerivedScoresTest {
  static final int N = 2_000;
  static final int D = 64;

  /** Queries and pairs below the sample: the estimated (kept-scores) path. */
  static final EstimationPlan PLAN =
      new EstimationPlan(250, 200, 1L << 14, 16, CandidateScorer.JAVA);

  static float[] texts;
  static float[] images;
  static UnitRows raw;
  static UnitRows img;

  /** Gaussian rows around an offset along {@code axis} (a modality gap), plus a common axis 0. */
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
    Random rnd = new Random(7);
    texts = cloud(rnd, N, 0.8f, 1);
    images = cloud(rnd, N, 0.8f, 2);
    raw = UnitRows.normalise(texts, D);
    img = UnitRows.normalise(images, D);
  }

  static ReAlignTransform fit(FitOptions o) {
    return ReAlignFitter.fitInMemory(o, texts, images, D);
  }

  static UnitRows aligned(ReAlignTransform t) {
    float[] out = new float[N * D];
    t.kernel()
        .applyBatch(
            texts,
            0,
            N,
            out,
            0,
            t.kernel().newScratch(),
            (row, reason) -> {
              throw new AssertionError(row + ": " + reason);
            });
    return UnitRows.normalise(out, D);
  }

  static AffineTexts form(ReAlignTransform t) {
    return AffineTexts.of(raw, t.scale(), t.muText(), t.muImage(), t.muHat());
  }

  static FitOptions[] options() {
    return new FitOptions[] {
      FitOptions.of(Variant.ANCHOR),
      FitOptions.of(Variant.ANCHOR_TRACE),
      FitOptions.of(Variant.REALIGN),
      FitOptions.of(Variant.REALIGN).withRefinementIterations(2)
    };
  }

  @Test
  void derivedScoresStayWithinTheirBound() {
    float[] raw32 = raw.toFloat32();
    float[] img32 = img.toFloat32();
    double e = NearestSearch.errorBound(D);
    for (FitOptions o : options()) {
      ReAlignTransform t = fit(o);
      UnitRows a = aligned(t);
      AffineTexts f = form(t);
      assertThat(f.usable()).as(o + " usable").isTrue();
      assertThat(f.magnitude()).as(o + " magnitude").isBetween(1.0, 10.0);
      double[] amp = f.amplification();
      double[][] imageV = f.dotsWith(img);
      double worstText = 0;
      double worstImage = 0;
      for (int r = 0; r < 50; r++) {
        for (int i = 0; i < N; i += 7) {
          float s = CandidateScorer.dot32(raw32, r * D, raw32, i * D, D);
          double bound = e * amp[r] * amp[i] + e + 1e-6;
          worstText =
              Math.max(worstText, Math.abs(f.withText(r, i, s) - a.cosine(r, a, i)) / bound);
          float x = CandidateScorer.dot32(raw32, r * D, img32, i * D, D);
          double boundX = e * amp[r] + e + 1e-6;
          worstImage =
              Math.max(
                  worstImage,
                  Math.abs(f.withOther(r, x, imageV, i) - a.cosine(r, img, i)) / boundX);
        }
      }
      // Well inside the bound (which is deliberately loose), and not vacuous: the derived scores
      // are float32-accurate, not exact.
      assertThat(worstText).as(o + " text-text").isLessThan(0.5).isGreaterThan(0.0);
      assertThat(worstImage).as(o + " text-image").isLessThan(0.5).isGreaterThan(0.0);
    }
  }

  @Test
  void rowBoundsHoldEveryPairsCosineAndCentreOnTheDerivedScores() {
    float[] raw32 = raw.toFloat32();
    float[] img32 = img.toFloat32();
    double e = NearestSearch.errorBound(D);
    double slack = e + 1e-6;
    int queries = 20;
    // The raw float32 scores of the first queries against every row, as the evaluator keeps them.
    float[] tt = new float[queries * N];
    float[] ti = new float[queries * N];
    float[] it = new float[queries * N];
    for (int r = 0; r < queries; r++) {
      for (int i = 0; i < N; i++) {
        tt[r * N + i] = CandidateScorer.dot32(raw32, r * D, raw32, i * D, D);
        ti[r * N + i] = CandidateScorer.dot32(raw32, r * D, img32, i * D, D);
        it[r * N + i] = CandidateScorer.dot32(img32, r * D, raw32, i * D, D);
      }
    }
    double[] lower = new double[N];
    double[] upper = new double[N];
    for (FitOptions o : options()) {
      ReAlignTransform t = fit(o);
      UnitRows a = aligned(t);
      AffineTexts f = form(t);
      double[] amp = f.amplification();
      double[][] imageV = f.dotsWith(img);
      for (int r = 0; r < queries; r++) {
        f.boundsWithTexts(r, tt, r * N, e, slack, lower, upper);
        for (int i = 0; i < N; i++) {
          double c = a.cosine(r, a, i);
          assertThat(c).as("%s text %d-%d", o, r, i).isBetween(lower[i], upper[i]);
          double half = e * amp[r] * amp[i] + slack;
          assertThat((lower[i] + upper[i]) / 2)
              .isCloseTo(f.withText(r, i, tt[r * N + i]), within(1e-12));
          assertThat((upper[i] - lower[i]) / 2).isCloseTo(half, within(1e-15));
        }
        // A range of the texts (as the pair histograms' blocks use it): the same bounds.
        double[] lowerPart = new double[N];
        double[] upperPart = new double[N];
        int from = 7 + r;
        int to = Math.min(N, from + 333);
        f.boundsWithTexts(r, tt, r * N + from, from, to, e, slack, lowerPart, upperPart);
        for (int i = from; i < to; i++) {
          assertThat(lowerPart[i - from]).as("range lower %d", i).isEqualTo(lower[i]);
          assertThat(upperPart[i - from]).as("range upper %d", i).isEqualTo(upper[i]);
        }
        f.boundsWithOthers(r, ti, r * N, imageV, e, slack, lower, upper);
        for (int j = 0; j < N; j++) {
          assertThat(a.cosine(r, img, j))
              .as("%s text-image %d-%d", o, r, j)
              .isBetween(lower[j], upper[j]);
          assertThat((lower[j] + upper[j]) / 2)
              .isCloseTo(f.withOther(r, ti[r * N + j], imageV, j), within(1e-12));
        }
        f.boundsOfOther(r, imageV, it, r * N, e, slack, lower, upper);
        for (int i = 0; i < N; i++) {
          assertThat(img.cosine(r, a, i))
              .as("%s image-text %d-%d", o, r, i)
              .isBetween(lower[i], upper[i]);
          assertThat((lower[i] + upper[i]) / 2)
              .isCloseTo(f.withOther(i, it[r * N + i], imageV, r), within(1e-12));
        }
      }
    }
  }

  @Test
  void figuresEqualThoseOfScoringTheAlignedRowsDirectly() {
    GapEvaluator eval = new GapEvaluator(img, raw, 20, 10, 100, PLAN);
    assertThat(eval.queries()).containsExactly(250, 200);
    for (FitOptions o : options()) {
      ReAlignTransform t = fit(o);
      UnitRows a = aligned(t);
      GapFigures direct = eval.evaluate(a);
      GapFigures derived = eval.evaluate(a, form(t));
      same(o.toString(), derived, direct);
      assertThat(derived.overlap().isExact()).isFalse();
    }
  }

  /** Raw scores anywhere within half their error bound (another BLAS): the same figures. */
  @Test
  void derivedFiguresDoNotDependOnTheRawScorer() {
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
    GapEvaluator plain = new GapEvaluator(img, raw, 20, 10, 100, PLAN);
    GapEvaluator shaky = new GapEvaluator(img, raw, 20, 10, 100, PLAN.withScorer(noisy));
    for (FitOptions o : options()) {
      ReAlignTransform t = fit(o);
      UnitRows a = aligned(t);
      same(o + " noisy", shaky.evaluate(a, form(t)), plain.evaluate(a));
    }
  }

  @Test
  void aFormOfAnotherTransformChangesTheFigures() {
    // Negative control: the kept scores are really used (a form that does not describe the
    // aligned rows picks other candidates, so some neighbour tables differ).
    GapEvaluator eval = new GapEvaluator(img, raw, 20, 10, 100, PLAN);
    ReAlignTransform t = fit(FitOptions.of(Variant.REALIGN));
    UnitRows a = aligned(t);
    GapFigures direct = eval.evaluate(a);
    GapFigures wrong =
        eval.evaluate(a, AffineTexts.of(raw, 0.3 * t.scale(), t.muText(), t.muImage(), t.muHat()));
    assertThat(
            wrong.overlap().value() != direct.overlap().value()
                || wrong.mixing().value() != direct.mixing().value()
                || wrong.js().value() != direct.js().value())
        .isTrue();
  }

  @Test
  void aFormOfOtherRowsIsRefused() {
    GapEvaluator eval = new GapEvaluator(img, raw, 20, 10, 100, PLAN);
    ReAlignTransform t = fit(FitOptions.of(Variant.REALIGN));
    AffineTexts small =
        AffineTexts.of(raw.head(100), t.scale(), t.muText(), t.muImage(), t.muHat());
    assertThatThrownBy(() -> eval.evaluate(aligned(t), small))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid aligned texts: 2000 rows and a form of 100 (must be 2000, the raw"
                + " sample's: row i of each is one text)");
  }

  static void same(String what, GapFigures a, GapFigures b) {
    assertThat(a.js()).as(what + " js").isEqualTo(b.js());
    assertThat(a.mixing()).as(what + " mixing").isEqualTo(b.mixing());
    assertThat(a.overlap()).as(what + " overlap").isEqualTo(b.overlap());
    assertThat(a.centroidGap()).as(what + " gap").isEqualTo(b.centroidGap());
    assertThat(a.traceRatio()).as(what + " trace").isEqualTo(b.traceRatio());
    assertThat(a.textPairCosineCounts())
        .as(what + " histogram")
        .isEqualTo(b.textPairCosineCounts());
  }
}
