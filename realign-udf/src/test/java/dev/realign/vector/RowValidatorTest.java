package dev.realign.vector;

import static dev.realign.RowFixtures.D;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.RowFixtures;
import dev.realign.RowFixtures.Fixture;
import dev.realign.stats.MomentSketch;
import dev.realign.stats.MomentSnapshot;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Validation and float64 normalisation over the named fixtures of {@link RowFixtures}. */
class RowValidatorTest {

  @Test
  void everyFixtureGetsItsReason() {
    for (Fixture f : RowFixtures.ALL) {
      assertThat(RowValidator.validate(f.row(), D)).as(f.name()).isEqualTo(f.reason());
    }
  }

  @Test
  void validFixturesNormaliseToTheExpectedUnitRowBitForBit() {
    for (Fixture f : RowFixtures.valid()) {
      double[] out = new double[D];
      assertThat(RowValidator.normalizeInto(f.row(), 0, D, out)).as(f.name()).isNull();
      for (int j = 0; j < D; j++) {
        assertThat(Double.doubleToRawLongBits(out[j]))
            .as("%s component %s: %s vs %s", f.name(), j, out[j], f.unit()[j])
            .isEqualTo(Double.doubleToRawLongBits(f.unit()[j]));
      }
    }
  }

  @Test
  void badFixturesOfTheRightLengthAreReportedByNormalizeInto() {
    for (Fixture f : RowFixtures.badInBatch()) {
      assertThat(RowValidator.normalizeInto(f.row(), 0, D, new double[D]))
          .as(f.name())
          .isEqualTo(f.reason());
    }
  }

  @Test
  void fixturesAreReadAtAnOffsetInsideAFlatBatch() {
    for (Fixture f : RowFixtures.badInBatch()) {
      float[] flat = new float[3 * D];
      flat[0] = 1;
      System.arraycopy(f.row(), 0, flat, D, D);
      flat[2 * D] = 1;
      assertThat(RowValidator.reasonFor(RowValidator.normOrNegative(flat, D, D)))
          .as(f.name())
          .isEqualTo(f.reason());
      assertThat(RowValidator.reasonFor(RowValidator.normOrNegative(flat, 0, D))).isNull();
    }
  }

  @Test
  void hugeRowsNormaliseExactlyLikeTheRowScaledToOne() {
    float[] small = {1, 2, 2, 4};
    double[] a = new double[D];
    double[] b = new double[D];
    RowValidator.normalizeInto(RowFixtures.HUGE_ROW.row(), 0, D, a);
    RowValidator.normalizeInto(small, 0, D, b);
    assertThat(a).containsExactly(b);

    // Any row times a power of two near 1e30 (2^100 ~ 1.27e30): the same bits, no overflow.
    Random rnd = new Random(11);
    for (int t = 0; t < 100; t++) {
      float[] row = RowFixtures.randomRows(rnd, 1, 64);
      float[] big = new float[row.length];
      for (int j = 0; j < row.length; j++) {
        big[j] = row[j] * 0x1p100f;
      }
      double[] u = new double[64];
      double[] v = new double[64];
      assertThat(RowValidator.normalizeInto(row, 0, 64, u)).isNull();
      assertThat(RowValidator.normalizeInto(big, 0, 64, v)).isNull();
      assertThat(v).containsExactly(u);
    }
  }

  @Test
  void minNormIsTheBoundary() {
    assertThat(
            RowValidator.reasonFor(RowValidator.normOrNegative(new float[] {1e-10f * 0.99f}, 0, 1)))
        .isEqualTo(RejectReason.ZERO_NORM);
    assertThat(RowValidator.reasonFor(RowValidator.normOrNegative(new float[] {1.01e-10f}, 0, 1)))
        .isNull();
  }

  @Test
  void sumOfSquaresFollowsTheDocumentedLaneOrder() {
    // Four partial sums (lane k takes j = k mod 4), the tail into lane 0, then (s0+s1)+(s2+s3):
    // a plain index-order sum gives a different last bit here, so the test can tell them apart.
    float e = 0x1p-27f;
    // Lanes: s0 = 1 + 2^-54 = 1 (below half an ulp), s1 = s2 = s3 = 2^-53, so
    // (s0 + s1) = 1 (a tie, to even) and (s2 + s3) = 2^-52: total 1 + 2^-52. Index order adds each
    // 2^-54 to 1 and loses it: total 1. The ninth component goes through the tail loop.
    float[] row = {1, e, e, e, e, e, e, e, 0};
    double lanes = 1.0 + 0x1p-52;
    double indexOrder = 0;
    for (float x : row) {
      indexOrder += (double) x * x;
    }
    assertThat(RowValidator.sumOfSquares(row, 0, row.length)).isEqualTo(lanes);
    assertThat(lanes).isNotEqualTo(indexOrder);
    double[] asDoubles = new double[row.length];
    for (int j = 0; j < row.length; j++) {
      asDoubles[j] = row[j];
    }
    assertThat(RowValidator.sumOfSquares(asDoubles, row.length)).isEqualTo(lanes);
  }

  @Test
  void constructorsRefuseDimensionZero() {
    assertThatThrownBy(() -> new MomentSketch(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid dimension: 0 (must be > 0)");
    assertThatThrownBy(() -> new MomentSketch(-3)).hasMessageContaining("-3");
    assertThatThrownBy(() -> MomentSnapshot.empty(0))
        .hasMessage("Invalid dimension: 0 (must be > 0)");
  }

  @Test
  void reasonCodesRoundTrip() {
    for (RejectReason r : RejectReason.values()) {
      assertThat(RejectReason.fromCode(r.code())).isEqualTo(r);
    }
    assertThatThrownBy(() -> RejectReason.fromCode("nope"))
        .hasMessageContaining("nope")
        .hasMessageContaining("zero_norm");
  }
}
