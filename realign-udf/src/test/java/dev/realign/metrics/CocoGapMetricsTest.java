package dev.realign.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.realign.SharedData;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.Variant;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gap metrics on COCO-500 against {@code expected_realign.json} (an independent numpy
 * implementation whose definitions match ours: see {@link GapMetrics}).
 */
class CocoGapMetricsTest {
  static final double ALLOWED_ERROR = 1e-6;
  static final int N = 500;
  static final int D = 512;

  static JsonNode expected;
  static float[] images;
  static float[] texts;

  @BeforeAll
  static void load() throws Exception {
    expected =
        new ObjectMapper()
            .readTree(Files.readString(SharedData.modalityGap("expected_realign.json")));
    SharedData.Coco coco = SharedData.coco();
    images = coco.images();
    texts = coco.texts();
  }

  static float[] align(Variant v) {
    ReAlignTransform t = ReAlignFitter.fitInMemory(FitOptions.of(v), texts, images, D);
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
    return out;
  }

  @Test
  void everyRowOfTheReferenceTableIsReproduced() {
    everyRow(EstimationPlan.exact());
  }

  /** The report's default plan holds all 500 rows of each modality: the same exact figures. */
  @Test
  void theDefaultEstimationPlanIsExactAtCocoSize() {
    everyRow(EstimationPlan.defaults(CandidateScorer.JAVA));
  }

  private static void everyRow(EstimationPlan plan) {
    UnitRows img = UnitRows.normalise(images, D);
    UnitRows raw = UnitRows.normalise(texts, D);
    GapEvaluator eval =
        new GapEvaluator(
            img,
            raw,
            GapMetrics.KNN_MIXING_K_DEFAULT,
            GapMetrics.OVERLAP_K_DEFAULT,
            CosineHistogram.BINS_DEFAULT,
            plan);
    check("before", eval.before(), raw, img);
    check(
        "after_anchor_only",
        eval.evaluate(UnitRows.normalise(align(Variant.ANCHOR), D)),
        null,
        img);
    check(
        "after_anchor_trace",
        eval.evaluate(UnitRows.normalise(align(Variant.ANCHOR_TRACE), D)),
        null,
        img);
    check("after_realign", eval.evaluate(UnitRows.normalise(align(Variant.REALIGN), D)), null, img);
  }

  /**
   * The report's path: the aligned texts' candidate scores derived from the raw texts' kept scores
   * ({@link AffineTexts}) give the same exact figures.
   */
  @Test
  void derivedCandidateScoresReproduceTheReferenceTable() {
    UnitRows img = UnitRows.normalise(images, D);
    UnitRows raw = UnitRows.normalise(texts, D);
    GapEvaluator eval =
        new GapEvaluator(
            img,
            raw,
            GapMetrics.KNN_MIXING_K_DEFAULT,
            GapMetrics.OVERLAP_K_DEFAULT,
            CosineHistogram.BINS_DEFAULT,
            EstimationPlan.defaults(CandidateScorer.JAVA));
    String[][] cases = {
      {"anchor", "after_anchor_only"},
      {"anchor-trace", "after_anchor_trace"},
      {"realign", "after_realign"}
    };
    for (String[] c : cases) {
      Variant v = Variant.fromId(c[0]);
      ReAlignTransform t = ReAlignFitter.fitInMemory(FitOptions.of(v), texts, images, D);
      AffineTexts form = AffineTexts.of(raw, t.scale(), t.muText(), t.muImage(), t.muHat());
      check(c[1], eval.evaluate(UnitRows.normalise(align(v), D), form), null, img);
    }
  }

  private static void check(String row, GapFigures f, UnitRows raw, UnitRows img) {
    JsonNode e = expected.get(row);
    assertThat(f.centroidGap())
        .as(row + " centroid_gap")
        .isCloseTo(e.get("centroid_gap").doubleValue(), within(ALLOWED_ERROR));
    assertThat(f.jsPairwiseCos())
        .as(row + " js_pairwise_cos")
        .isCloseTo(e.get("js_pairwise_cos").doubleValue(), within(ALLOWED_ERROR));
    assertThat(f.knnMixing())
        .as(row + " knn_mixing")
        .isCloseTo(e.get("knn_mixing").doubleValue(), within(ALLOWED_ERROR));
    assertThat(Arrays.stream(f.textPairCosineCounts()).sum()).isEqualTo((long) N * (N - 1) / 2);
    assertThat(f.neighbourhoodOverlap())
        .as(row + " knn_overlap_k10")
        .isCloseTo(e.get("knn_overlap_k10").doubleValue(), within(ALLOWED_ERROR));
    if (raw != null) {
      assertThat(f.neighbourhoodOverlap()).as("raw vs raw").isEqualTo(1.0);
    }
    // Every row fits in the sample: each figure is exact, with no standard error.
    for (Estimate est : new Estimate[] {f.js(), f.mixing(), f.overlap()}) {
      assertThat(est.isExact()).as(row + " exact").isTrue();
      assertThat(est.standardError()).isEqualTo(0.0);
    }
    assertThat(f.perfectMixing()).isCloseTo(2.0 * N * N / (2.0 * N * (2 * N - 1)), within(1e-15));
  }

  @Test
  void pairedFiguresMatchBeforeAndAfter() {
    UnitRows img = UnitRows.normalise(images, D);
    String[][] cases = {
      {null, "before"},
      {"anchor", "after_anchor_only"},
      {"anchor-trace", "after_anchor_trace"},
      {"realign", "after_realign"}
    };
    for (String[] c : cases) {
      float[] t = c[0] == null ? texts : align(Variant.fromId(c[0]));
      UnitRows txt = UnitRows.normalise(t, D);
      JsonNode e = expected.get(c[1]);
      assertThat(GapMetrics.pairedCosine(txt, img))
          .as(c[1] + " paired_cos")
          .isCloseTo(e.get("paired_cos").doubleValue(), within(ALLOWED_ERROR));
      double[] r = GapMetrics.recallAtK(txt, img, 1, 5);
      assertThat(r[0])
          .as(c[1] + " t2i_r1")
          .isCloseTo(e.get("t2i_r1").doubleValue(), within(ALLOWED_ERROR));
      assertThat(r[1])
          .as(c[1] + " t2i_r5")
          .isCloseTo(e.get("t2i_r5").doubleValue(), within(ALLOWED_ERROR));
    }
  }

  @Test
  void oneShotFunctionsAgreeWithTheEvaluator() {
    UnitRows img = UnitRows.normalise(images, D);
    UnitRows raw = UnitRows.normalise(texts, D);
    JsonNode e = expected.get("before");
    assertThat(GapMetrics.centroidGap(img, raw))
        .isCloseTo(e.get("centroid_gap").doubleValue(), within(ALLOWED_ERROR));
    assertThat(GapMetrics.jsPairwiseCosine(raw, img, CosineHistogram.BINS_DEFAULT))
        .isCloseTo(e.get("js_pairwise_cos").doubleValue(), within(ALLOWED_ERROR));
    assertThat(GapMetrics.knnMixing(raw, img, 20)).isEqualTo(0.0);
    double ratio =
        expected.get("trace_text").doubleValue() / expected.get("trace_image").doubleValue();
    assertThat(GapMetrics.traceRatio(raw, img)).isCloseTo(ratio, within(1e-9));
  }
}
