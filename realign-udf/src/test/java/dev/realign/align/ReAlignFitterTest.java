package dev.realign.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.realign.RowFixtures;
import dev.realign.RowFixtures.Fixture;
import dev.realign.stats.MomentSketch;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.RejectListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Edge cases of the fit and of applying its result. */
class ReAlignFitterTest {
  static final int D = RowFixtures.D;

  /** An aligned row is a float32 rounding of a float64 unit vector. */
  static final double UNIT_NORM_TOLERANCE = 1e-6;

  /** Rows multiplied by 1e30 in float32 round once per component: float precision, ~6e-8. */
  static final double FLOAT_ROUNDING_TOLERANCE = 1e-6;

  static float[] rows(long seed, int n, int dim) {
    return RowFixtures.randomRowsAround(new Random(seed), n, dim, 0.8);
  }

  // ---------------------------------------------------------------- empty modalities

  @Test
  void anEmptyTextModalityIsRefusedByName() {
    for (Variant v : Variant.values()) {
      assertThatThrownBy(
              () -> ReAlignFitter.fitInMemory(FitOptions.of(v), new float[0], rows(1, 10, D), D))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Invalid text embeddings: 0 valid rows (the fit needs at least one valid"
                  + " text row)");
    }
  }

  @Test
  void anEmptyImageModalityIsRefusedByName() {
    assertThatThrownBy(
            () -> ReAlignFitter.fitInMemory(FitOptions.defaults(), rows(1, 10, D), new float[0], D))
        .hasMessageContaining("image embeddings: 0 valid rows");
  }

  @Test
  void aModalityOfOnlyBadRowsCountsAsEmpty() {
    float[] bad = flat(RowFixtures.badInBatch());
    assertThatThrownBy(
            () -> ReAlignFitter.fitInMemory(FitOptions.defaults(), bad, rows(1, 10, D), D))
        .hasMessageContaining("text embeddings: 0 valid rows");
    assertThatThrownBy(
            () -> ReAlignFitter.fitInMemory(FitOptions.defaults(), rows(1, 10, D), bad, D))
        .hasMessageContaining("image embeddings: 0 valid rows");
  }

  // ---------------------------------------------------------------- n = 1

  /**
   * Documented behaviour with one row on each side whose unit vectors lie on the fixed-point grid:
   * both traces are exactly 0, so the scale is sqrt(0 / (0 + 1e-10)) = 0 and every text row, seen
   * or not, maps to the image row's unit vector.
   */
  @Test
  void oneRowOnEachSideMapsEveryTextToTheImageRow() {
    float[] text = {0, 3, 0, 0};
    float[] image = {2, 2, 2, 2};
    for (Variant v : List.of(Variant.ANCHOR_TRACE, Variant.REALIGN)) {
      ReAlignTransform t =
          ReAlignFitter.fitInMemory(FitOptions.of(v).withMinimums(1, 0), text, image, D);
      assertThat(t.textTrace()).isZero();
      assertThat(t.imageTrace()).isZero();
      assertThat(t.scale()).isZero();
      for (Fixture f : RowFixtures.valid()) {
        assertThat(t.apply(f.row()))
            .as("%s: %s", v, f.name())
            .containsExactly(0.5f, 0.5f, 0.5f, 0.5f);
      }
    }
    // Anchor only shifts: the text row itself lands on the image row.
    ReAlignTransform anchor =
        ReAlignFitter.fitInMemory(FitOptions.of(Variant.ANCHOR).withMinimums(1, 0), text, image, D);
    assertThat(anchor.scale()).isEqualTo(1.0);
    assertThat(anchor.apply(text)).containsExactly(0.5f, 0.5f, 0.5f, 0.5f);
  }

  /**
   * With arbitrary single rows the traces are not exactly 0 but a few units of 2^-52 (truncation to
   * the fixed-point grid), so the scale is small but not 0; the output stays finite unit rows and
   * the one text row still lands on the image row.
   */
  @Test
  void oneArbitraryRowOnEachSideGivesFiniteUnitOutput() {
    for (long seed = 0; seed < 20; seed++) {
      int dim = 512;
      float[] text = rows(seed, 1, dim);
      float[] image = rows(seed + 100, 1, dim);
      for (Variant v : Variant.values()) {
        ReAlignTransform t =
            ReAlignFitter.fitInMemory(FitOptions.of(v).withMinimums(1, 0), text, image, dim);
        assertThat(t.scale()).as("%s scale", v).isFinite().isBetween(0.0, 1.0);
        float[] out = t.apply(text);
        assertUnit(out);
        double[] want = ReAlignFitter.sketch(image, dim).mean();
        for (int j = 0; j < dim; j++) {
          assertThat((double) out[j])
              .as("%s component %s", v, j)
              .isCloseTo(want[j], within(UNIT_NORM_TOLERANCE));
        }
        float[] other = t.apply(rows(seed + 200, 1, dim));
        assertUnit(other);
      }
    }
  }

  // ---------------------------------------------------------------- degenerate fits (guards)

  @Test
  void tooFewRowsAreRefusedByDefaultWithHowToOverride() {
    for (Variant v : Variant.values()) {
      assertThatThrownBy(
              () -> ReAlignFitter.fitInMemory(FitOptions.of(v), rows(1, 1, D), rows(2, 50, D), D))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Invalid text embeddings: 1 valid rows (must be >= 10 for a fit")
          .hasMessageContaining("fit.min_rows");
      assertThatThrownBy(
              () -> ReAlignFitter.fitInMemory(FitOptions.of(v), rows(1, 50, D), rows(2, 9, D), D))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Invalid image embeddings: 9 valid rows (must be >= 10");
      // Exactly the minimum passes.
      assertThat(
              ReAlignFitter.fitInMemory(FitOptions.of(v), rows(1, 10, D), rows(2, 10, D), D)
                  .textCount())
          .isEqualTo(10);
    }
  }

  /** Ten copies of one row: count fine, trace 0, so the trace-matching scale would collapse. */
  @Test
  void aSpreadlessModalityIsRefusedByTraceMatchingVariantsOnly() {
    float[] one = rows(3, 1, D);
    float[] copies = new float[10 * D];
    for (int i = 0; i < 10; i++) {
      System.arraycopy(one, 0, copies, i * D, D);
    }
    for (Variant v : List.of(Variant.ANCHOR_TRACE, Variant.REALIGN)) {
      assertThatThrownBy(
              () -> ReAlignFitter.fitInMemory(FitOptions.of(v), copies, rows(2, 50, D), D))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Invalid text embeddings: covariance trace ")
          .hasMessageContaining("must be >= 1.0E-4")
          .hasMessageContaining("fit.min_trace");
      assertThatThrownBy(
              () -> ReAlignFitter.fitInMemory(FitOptions.of(v), rows(2, 50, D), copies, D))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Invalid image embeddings: covariance trace ");
      assertThat(
              ReAlignFitter.fitInMemory(
                      FitOptions.of(v).withMinimums(10, 0), copies, rows(2, 50, D), D)
                  .textTrace())
          .isLessThan(FitOptions.MIN_TRACE_DEFAULT);
    }
    // Anchor only shifts the mean: no scale, so no trace guard.
    assertThat(
            ReAlignFitter.fitInMemory(FitOptions.of(Variant.ANCHOR), copies, rows(2, 50, D), D)
                .scale())
        .isEqualTo(1.0);
  }

  @Test
  void theMinimumsAreValidated() {
    assertThatThrownBy(() -> FitOptions.defaults().withMinimums(0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid minimum rows: 0 (must be >= 1)");
    assertThatThrownBy(() -> FitOptions.defaults().withMinimums(1, -1e-9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid minimum trace: -1.0E-9");
    assertThatThrownBy(() -> FitOptions.defaults().withMinimums(1, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid minimum trace: NaN");
  }

  // ---------------------------------------------------------------- mismatched dimensions

  @Test
  void sketchesOfDifferentDimensionsAreRefusedNamingBoth() {
    MomentSnapshot text = ReAlignFitter.sketch(rows(1, 5, 512), 512);
    MomentSnapshot image = ReAlignFitter.sketch(rows(2, 5, 768), 768);
    assertThatThrownBy(() -> ReAlignFitter.start(FitOptions.defaults(), text, image))
        .hasMessageContaining("text dimension 512")
        .hasMessageContaining("image dimension 768");
  }

  @Test
  void aTransformAppliedToRowsOfAnotherDimensionFailsClearly() {
    ReAlignTransform t =
        ReAlignFitter.fitInMemory(FitOptions.defaults(), rows(1, 20, D), rows(2, 20, D), D);
    assertThatThrownBy(() -> t.apply(new float[] {1, 2, 3, 4, 5}))
        .hasMessage("Invalid row: dimension 5 (must be 4, the transform's)");
    assertThatThrownBy(() -> t.apply(new float[0]))
        .hasMessage("Invalid row: dimension 0 (must be 4, the transform's)");
    // A flat batch cannot know its row length; a batch that does not fit d-sized rows fails.
    assertThatThrownBy(
            () ->
                t.kernel()
                    .applyBatch(
                        new float[10],
                        0,
                        3,
                        new float[12],
                        0,
                        t.kernel().newScratch(),
                        RejectListener.IGNORE))
        .hasMessageContaining("3 rows x 4")
        .hasMessageContaining("10 floats");
    assertThatThrownBy(
            () ->
                t.kernel()
                    .applyBatch(
                        new float[12],
                        0,
                        3,
                        new float[11],
                        0,
                        t.kernel().newScratch(),
                        RejectListener.IGNORE))
        .hasMessageContaining("output batch")
        .hasMessageContaining("11 floats");
  }

  @Test
  void applyingABadRowFailsOrIsReported() {
    ReAlignTransform t =
        ReAlignFitter.fitInMemory(FitOptions.defaults(), rows(1, 20, D), rows(2, 20, D), D);
    for (Fixture f : RowFixtures.badInBatch()) {
      assertThatThrownBy(() -> t.apply(f.row()))
          .as(f.name())
          .hasMessageContaining(f.reason().toString());
    }
    float[] batch = flat(RowFixtures.badInBatch());
    float[] out = new float[batch.length];
    List<String> seen = new ArrayList<>();
    int ok =
        t.kernel()
            .applyBatch(
                batch,
                0,
                batch.length / D,
                out,
                0,
                t.kernel().newScratch(),
                (r, reason) -> seen.add(r + ":" + reason));
    assertThat(ok).isZero();
    assertThat(seen).hasSize(RowFixtures.badInBatch().size());
    for (float x : out) {
      assertThat(x).isNaN();
    }
  }

  // ---------------------------------------------------------------- bad rows

  @Test
  void badRowsAreSkippedByTheFitButReportedByAddAll() {
    float[] good = rows(7, 40, D);
    List<Fixture> bad = RowFixtures.badInBatch();
    // After every 3rd good row, a bad one; the rest of the bad ones at the end.
    float[] mixed = new float[good.length + bad.size() * D];
    List<String> expected = new ArrayList<>();
    int row = 0;
    int b = 0;
    for (int g = 0; g < 40; g++) {
      System.arraycopy(good, g * D, mixed, row++ * D, D);
      if (g % 3 == 2 && b < bad.size()) {
        expected.add(row + ":" + bad.get(b).reason());
        System.arraycopy(bad.get(b++).row(), 0, mixed, row++ * D, D);
      }
    }
    while (b < bad.size()) {
      expected.add(row + ":" + bad.get(b).reason());
      System.arraycopy(bad.get(b++).row(), 0, mixed, row++ * D, D);
    }
    List<String> seen = new ArrayList<>();
    MomentSketch s = new MomentSketch(D);
    assertThat(s.addAll(mixed, 0, row, (r, reason) -> seen.add(r + ":" + reason))).isEqualTo(40);
    assertThat(seen).containsExactlyElementsOf(expected);
    assertThat(s.snapshot()).isEqualTo(ReAlignFitter.sketch(good, D));

    float[] images = rows(8, 30, D);
    ReAlignTransform clean = ReAlignFitter.fitInMemory(FitOptions.defaults(), good, images, D);
    ReAlignTransform dirty = ReAlignFitter.fitInMemory(FitOptions.defaults(), mixed, images, D);
    assertThat(dirty.textCount()).isEqualTo(40);
    assertThat(dirty.sha256()).isEqualTo(clean.sha256());
    float[] dirtyImages = Arrays.copyOf(images, images.length + mixed.length);
    System.arraycopy(flat(bad), 0, dirtyImages, images.length, bad.size() * D);
    assertThat(ReAlignFitter.fitInMemory(FitOptions.defaults(), good, dirtyImages, D).sha256())
        .isEqualTo(clean.sha256());
  }

  // ---------------------------------------------------------------- scale invariance

  @Test
  void rowsOf1e30GiveTheSameTransformAsTheRowsScaledDown() {
    int dim = 64;
    float[] texts = rows(21, 300, dim);
    float[] images = rows(22, 300, dim);
    ReAlignTransform small = ReAlignFitter.fitInMemory(FitOptions.defaults(), texts, images, dim);
    // 2^100 ~ 1.27e30: an exact scaling, so the transform is bit-identical.
    ReAlignTransform huge =
        ReAlignFitter.fitInMemory(
            FitOptions.defaults(), times(texts, 0x1p100f), times(images, 0x1p100f), dim);
    assertThat(huge.sha256()).isEqualTo(small.sha256());
    // 1e30 is not a power of two: each component rounds once, so equal to float precision.
    ReAlignTransform tenTo30 =
        ReAlignFitter.fitInMemory(
            FitOptions.defaults(), times(texts, 1e30f), times(images, 1e30f), dim);
    assertThat(tenTo30.scale()).isCloseTo(small.scale(), within(FLOAT_ROUNDING_TOLERANCE));
    double[] a = tenTo30.muHat()[0];
    double[] b = small.muHat()[0];
    for (int j = 0; j < dim; j++) {
      assertThat(a[j]).isCloseTo(b[j], within(FLOAT_ROUNDING_TOLERANCE));
    }
    assertThat(tenTo30.apply(times(Arrays.copyOf(texts, dim), 1e30f)))
        .containsExactly(
            small.apply(Arrays.copyOf(texts, dim)),
            org.assertj.core.data.Offset.offset((float) FLOAT_ROUNDING_TOLERANCE));
  }

  @Test
  void theFitIsInvariantUnderPermutationOfTheRows() {
    int dim = 48;
    int n = 2500;
    float[] texts = rows(31, n, dim);
    float[] images = rows(32, n, dim);
    for (Variant v : Variant.values()) {
      FitOptions options = FitOptions.of(v);
      if (v.hasCentroidStep()) {
        options = options.withRefinementIterations(1);
      }
      String expected = ReAlignFitter.fitInMemory(options, texts, images, dim).sha256();
      Random rnd = new Random(33);
      for (int p = 0; p < 5; p++) {
        String actual =
            ReAlignFitter.fitInMemory(
                    options, permute(texts, dim, rnd), permute(images, dim, rnd), dim)
                .sha256();
        assertThat(actual).as("%s, permutation %s", v, p).isEqualTo(expected);
      }
    }
  }

  /** Driving the passes in partitions, as an engine would, gives the fitInMemory transform. */
  @Test
  void aPartitionedDriverGivesTheSameTransformAsFitInMemory() {
    int dim = 32;
    float[] texts = rows(41, 900, dim);
    float[] images = rows(42, 700, dim);
    FitOptions options = FitOptions.defaults().withRefinementIterations(2);
    ReAlignFitter f =
        ReAlignFitter.start(options, sketchInParts(texts, dim, 7), sketchInParts(images, dim, 3));
    int passes = 0;
    while (f.needsCentroidPass()) {
      AlignmentKernel k = f.currentKernel();
      MomentSnapshot total = MomentSnapshot.empty(dim);
      double[] unit = k.newScratch();
      for (int part = 4; part >= 0; part--) {
        MomentSketch s = new MomentSketch(dim);
        for (int r = part; r < 900; r += 5) {
          assertThat(k.forwardUnit(texts, r * dim, unit)).isNull();
          s.addUnit(unit);
        }
        total = MomentSnapshot.merge(s.snapshot(), total);
      }
      f.acceptCentroidPass(total);
      passes++;
    }
    assertThat(passes).isEqualTo(3);
    ReAlignTransform t = f.result();
    assertThat(t.muHat()).hasNumberOfRows(3);
    assertThat(t.inputs().centroidSketchSha256()).hasSize(3);
    assertThat(t.sha256())
        .isEqualTo(ReAlignFitter.fitInMemory(options, texts, images, dim).sha256());
  }

  // ---------------------------------------------------------------- the state machine

  @Test
  void aCentroidPassOfTheWrongSizeFails() {
    float[] texts = rows(51, 10, D);
    ReAlignFitter f =
        ReAlignFitter.start(
            FitOptions.defaults(),
            ReAlignFitter.sketch(texts, D),
            ReAlignFitter.sketch(rows(52, 10, D), D));
    MomentSketch s = new MomentSketch(D);
    double[] unit = new double[D];
    for (int r = 0; r < 9; r++) {
      f.currentKernel().forwardUnit(texts, r * D, unit);
      s.addUnit(unit);
    }
    assertThatThrownBy(() -> f.acceptCentroidPass(s.snapshot()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("9 rows")
        .hasMessageContaining("10 valid text rows");
    assertThatThrownBy(() -> f.acceptCentroidPass(MomentSnapshot.empty(D + 1)))
        .hasMessageContaining("dimension 5")
        .hasMessageContaining("must be 4");
    assertThat(f.needsCentroidPass()).isTrue();
  }

  @Test
  void resultBeforeThePassesFailsAndExtraPassesAreRefused() {
    float[] texts = rows(61, 10, D);
    MomentSnapshot ts = ReAlignFitter.sketch(texts, D);
    ReAlignFitter f =
        ReAlignFitter.start(
            FitOptions.defaults().withRefinementIterations(1),
            ts,
            ReAlignFitter.sketch(rows(62, 10, D), D));
    assertThatThrownBy(f::result)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Invalid fit state: 0 of 2 centroid passes done");
    f.acceptCentroidPass(pass(f.currentKernel(), texts));
    assertThatThrownBy(f::result).hasMessage("Invalid fit state: 1 of 2 centroid passes done");
    f.acceptCentroidPass(pass(f.currentKernel(), texts));
    assertThat(f.needsCentroidPass()).isFalse();
    assertThat(f.result().muHat()).hasNumberOfRows(2);
    assertThatThrownBy(() -> f.acceptCentroidPass(ts))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs no more passes (2 done)");

    ReAlignFitter anchor = ReAlignFitter.start(FitOptions.of(Variant.ANCHOR_TRACE), ts, ts);
    assertThat(anchor.needsCentroidPass()).isFalse();
    assertThat(anchor.result().muHat()).isEmpty();
    assertThatThrownBy(() -> anchor.acceptCentroidPass(ts))
        .hasMessageContaining("needs no more passes (0 done)");
  }

  @Test
  void refinementOptionsAreValidated() {
    assertThatThrownBy(() -> FitOptions.defaults().withRefinementIterations(-1))
        .hasMessage("Invalid refinement iterations: -1 (must be in [0, 16])");
    assertThatThrownBy(() -> FitOptions.defaults().withRefinementIterations(17))
        .hasMessage("Invalid refinement iterations: 17 (must be in [0, 16])");
    for (Variant v : List.of(Variant.ANCHOR, Variant.ANCHOR_TRACE)) {
      assertThatThrownBy(() -> FitOptions.of(v).withRefinementIterations(1))
          .hasMessageContaining("for variant " + v.id())
          .hasMessageContaining("must be 0");
      assertThat(FitOptions.of(v).centroidPasses()).isZero();
    }
    assertThat(FitOptions.defaults().variant()).isEqualTo(Variant.REALIGN);
    assertThat(FitOptions.defaults().refinementIterations()).isZero();
    assertThat(FitOptions.defaults().centroidPasses()).isEqualTo(1);
    assertThat(FitOptions.defaults().withRefinementIterations(16).centroidPasses()).isEqualTo(17);
    assertThatThrownBy(() -> Variant.fromId("whitening"))
        .hasMessageContaining("whitening")
        .hasMessageContaining("[anchor, anchor-trace, realign]");
  }

  // ---------------------------------------------------------------- helpers

  static MomentSnapshot pass(AlignmentKernel k, float[] texts) {
    MomentSketch s = new MomentSketch(k.dimension());
    double[] unit = k.newScratch();
    for (int off = 0; off < texts.length; off += k.dimension()) {
      if (k.forwardUnit(texts, off, unit) == null) {
        s.addUnit(unit);
      }
    }
    return s.snapshot();
  }

  static MomentSnapshot sketchInParts(float[] flat, int dim, int parts) {
    int rows = flat.length / dim;
    MomentSnapshot total = MomentSnapshot.empty(dim);
    for (int p = 0; p < parts; p++) {
      int from = rows * p / parts;
      int to = rows * (p + 1) / parts;
      MomentSketch s = new MomentSketch(dim);
      s.addAll(flat, from * dim, to - from, RejectListener.IGNORE);
      total = MomentSnapshot.merge(total, s.snapshot());
    }
    return total;
  }

  static float[] flat(List<Fixture> fixtures) {
    float[] out = new float[fixtures.size() * D];
    for (int i = 0; i < fixtures.size(); i++) {
      System.arraycopy(fixtures.get(i).row(), 0, out, i * D, D);
    }
    return out;
  }

  static float[] times(float[] rows, float factor) {
    float[] out = new float[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = rows[i] * factor;
    }
    return out;
  }

  static float[] permute(float[] flat, int dim, Random rnd) {
    List<Integer> order = new ArrayList<>();
    for (int r = 0; r < flat.length / dim; r++) {
      order.add(r);
    }
    Collections.shuffle(order, rnd);
    float[] out = new float[flat.length];
    for (int i = 0; i < order.size(); i++) {
      System.arraycopy(flat, order.get(i) * dim, out, i * dim, dim);
    }
    return out;
  }

  static void assertUnit(float[] row) {
    double ss = 0;
    for (float x : row) {
      assertThat(x).isFinite();
      ss += (double) x * x;
    }
    assertThat(Math.sqrt(ss)).isCloseTo(1.0, within(UNIT_NORM_TOLERANCE));
  }
}
