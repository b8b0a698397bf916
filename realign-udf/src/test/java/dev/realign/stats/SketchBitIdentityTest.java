package dev.realign.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.vector.RejectReason;
import dev.realign.vector.RowValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sketch's fused add (one pass: divide, fixed point, squared norm) gives the bits of the
 * reference it replaced: normalise the row into float64 ({@link RowValidator#normalizeInto}), then
 * add the unit row ({@link MomentSketch#addUnit}).
 */
class SketchBitIdentityTest {
  static final int[] DIMS = {1, 2, 3, 4, 5, 7, 8, 383, 384, 1280, 1283};

  /** Random rows at several scales plus edge cases (one-hot, subnormal, huge, zero, NaN, Inf). */
  static List<float[]> rows(int d, Random rnd) {
    List<float[]> out = new ArrayList<>();
    double[] scales = {1.0, 1e-30, 1e30, 1e-3, 7.0};
    for (int r = 0; r < 30; r++) {
      float[] x = new float[d];
      for (int j = 0; j < d; j++) {
        x[j] = (float) ((rnd.nextGaussian() + (j % 3 == 0 ? 0.4 : -0.1)) * scales[r % 5]);
      }
      out.add(x);
    }
    float[] oneHot = new float[d];
    oneHot[d - 1] = -3f;
    out.add(oneHot);
    float[] subnormal = new float[d];
    java.util.Arrays.fill(subnormal, Float.MIN_VALUE);
    out.add(subnormal);
    float[] huge = new float[d];
    for (int j = 0; j < d; j++) {
      huge[j] = j % 2 == 0 ? Float.MAX_VALUE / 4 : -Float.MAX_VALUE / 4;
    }
    out.add(huge);
    out.add(new float[d]);
    float[] nan = new float[d];
    nan[0] = Float.NaN;
    out.add(nan);
    float[] inf = new float[d];
    inf[d / 2] = Float.NEGATIVE_INFINITY;
    out.add(inf);
    return out;
  }

  @Test
  void fusedAddGivesTheBitsOfNormaliseThenAdd() {
    Random rnd = new Random(11);
    for (int d : DIMS) {
      MomentSketch fused = new MomentSketch(d);
      MomentSketch reference = new MomentSketch(d);
      // Enough rows to spill several 1,024-row blocks.
      for (int rep = 0; rep < 80; rep++) {
        for (float[] row : rows(d, rnd)) {
          double[] u = new double[d];
          RejectReason w = RowValidator.normalizeInto(row, 0, d, u);
          assertThat(fused.add(row)).isEqualTo(w);
          if (w == null) {
            reference.addUnit(u);
          }
        }
      }
      assertThat(reference.count()).isGreaterThan(2048);
      MomentSnapshot want = reference.snapshot();
      assertThat(fused.snapshot()).as("d = %s", d).isEqualTo(want);
    }
  }

  @Test
  void negativeControlADifferentLaneOrderChangesTheSquaredNormBits() {
    // The lanes matter: one sequential sum of the same squares differs in the last bits for some
    // row, so the identity above is not vacuous.
    Random rnd = new Random(3);
    boolean differs = false;
    for (int r = 0; r < 100 && !differs; r++) {
      double[] u = new double[1280];
      for (int j = 0; j < u.length; j++) {
        u[j] = rnd.nextGaussian();
      }
      double sequential = 0.0;
      for (double v : u) {
        sequential += v * v;
      }
      differs = sequential != RowValidator.sumOfSquares(u, u.length);
    }
    assertThat(differs).isTrue();
  }

  @Test
  void addingFloatUnitRowsInPlaceGivesTheBitsOfAddingTheirWidenedCopies() {
    Random rnd = new Random(5);
    for (int d : DIMS) {
      int rowsPerBatch = 7;
      MomentSketch inPlace = new MomentSketch(d);
      MomentSketch widened = new MomentSketch(d);
      float[] flat = new float[rowsPerBatch * d + 3]; // rows at offsets 3, 3 + d, ...
      for (int rep = 0; rep < 400; rep++) { // 2,800 rows: several 1,024-row blocks
        for (float[] row : rows(d, rnd)) {
          double[] u = new double[d];
          if (RowValidator.normalizeInto(row, 0, d, u) != null) {
            continue;
          }
          int at = 3 + (rep % rowsPerBatch) * d;
          double[] w = new double[d];
          for (int j = 0; j < d; j++) {
            flat[at + j] = (float) u[j]; // an aligned row as a shard holds it
            w[j] = flat[at + j];
          }
          inPlace.addUnit(flat, at);
          widened.addUnit(w);
        }
      }
      assertThat(widened.count()).isGreaterThan(2048);
      assertThat(inPlace.snapshot()).as("d = %s", d).isEqualTo(widened.snapshot());
    }
  }

  @Test
  void addingAFloatRowThatIsNotAUnitRowFailsNamingItsSquaredNormAndLeavesTheSketchUnchanged() {
    MomentSketch s = new MomentSketch(2);
    MomentSketch control = new MomentSketch(2);
    s.addUnit(new float[] {0.6f, -0.8f}, 0);
    control.addUnit(new float[] {0.6f, -0.8f}, 0);
    assertThatThrownBy(() -> s.addUnit(new float[] {9f, 1f, 1f}, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid unit row: squared norm 2.0 (must be finite and 1 up to rounding)");
    // huge components saturate the fixed-point conversion and wrap the block: taken back exactly
    assertThatThrownBy(() -> s.addUnit(new float[] {3e38f, -3e38f}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid unit row: squared norm 1.800000006597307E77 (must be finite and 1"
                + " up to rounding)");
    assertThatThrownBy(() -> s.addUnit(new float[] {Float.NaN, 0.5f}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid unit row: squared norm NaN (must be finite and 1 up to rounding)");
    assertThatThrownBy(() -> s.addUnit(new float[] {0.6f, 0.8f}, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid unit row: offset 1 + 2 components (must fit in 2 floats)");
    assertThat(s.count()).isEqualTo(1);
    s.addUnit(new float[] {-1f, 0f}, 0);
    control.addUnit(new float[] {-1f, 0f}, 0);
    assertThat(s.snapshot()).isEqualTo(control.snapshot());
  }
}
