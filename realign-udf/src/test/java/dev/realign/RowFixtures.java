package dev.realign;

import dev.realign.vector.RejectReason;
import java.util.List;
import java.util.Random;

/**
 * Named edge-case rows of dimension {@link #D}, with the expected outcome written as arithmetic:
 * either the reason the row is rejected, or its float64 unit vector. Tests iterate {@link #ALL}.
 */
public final class RowFixtures {
  /** The dimension every fixture row is checked against. */
  public static final int D = 4;

  /** A named input row and what validation must make of it. */
  public record Fixture(String name, float[] row, RejectReason reason, double[] unit) {
    public boolean valid() {
      return reason == null;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Fixture ok(String name, float[] row, double... unit) {
    return new Fixture(name, row, null, unit);
  }

  static Fixture bad(String name, float[] row, RejectReason reason) {
    return new Fixture(name, row, reason, null);
  }

  private static final float TINY = 1e-30f;
  private static final float HUGE = 1e30f;
  private static final float MAX = Float.MAX_VALUE;

  public static final Fixture NULL_ROW = bad("null", null, RejectReason.NULL_VECTOR);
  public static final Fixture EMPTY_ROW =
      bad("dimension 0", new float[0], RejectReason.WRONG_DIMENSION);
  public static final Fixture SHORT_ROW =
      bad("wrong dimension (3)", new float[] {1, 2, 3}, RejectReason.WRONG_DIMENSION);
  public static final Fixture LONG_ROW =
      bad("wrong dimension (5)", new float[] {1, 2, 3, 4, 5}, RejectReason.WRONG_DIMENSION);
  public static final Fixture NAN =
      bad("NaN", new float[] {1, Float.NaN, 0, 0}, RejectReason.NON_FINITE);
  public static final Fixture POS_INF =
      bad("+Inf", new float[] {0, 0, Float.POSITIVE_INFINITY, 1}, RejectReason.NON_FINITE);
  public static final Fixture NEG_INF =
      bad("-Inf", new float[] {Float.NEGATIVE_INFINITY, 0, 0, 0}, RejectReason.NON_FINITE);
  public static final Fixture ALL_ZERO =
      bad("all-zero", new float[] {0, 0, 0, -0f}, RejectReason.ZERO_NORM);

  /** Norm 2e-30, far below {@code MIN_NORM = 1e-10}: no direction. */
  public static final Fixture TINY_ROW =
      bad("tiny (1e-30)", new float[] {TINY, TINY, TINY, TINY}, RejectReason.ZERO_NORM);

  public static final Fixture PYTHAGORAS =
      ok("3-4-0-0", new float[] {3, 4, 0, 0}, 3.0 / 5.0, 4.0 / 5.0, 0, 0);
  public static final Fixture ONE_HOT =
      ok("one-hot, negative", new float[] {0, 0, -2, 0}, 0, 0, -1, 0);
  public static final Fixture HALVES = ok("all ones", new float[] {1, 1, 1, 1}, 0.5, 0.5, 0.5, 0.5);

  /** 1e30 times (1, 2, 2, 4): the norm is 5e30, the unit row (1, 2, 2, 4) / 5; no overflow. */
  public static final Fixture HUGE_ROW =
      ok(
          "huge (1e30)",
          new float[] {HUGE, 2 * HUGE, 2 * HUGE, 4 * HUGE},
          1.0 / 5,
          2.0 / 5,
          2.0 / 5,
          4.0 / 5);

  /** The sum of squares is 4 MAX^2 ~ 4.6e77: finite in float64, norm 2 MAX. */
  public static final Fixture MAX_ROW =
      ok("Float.MAX_VALUE", new float[] {MAX, -MAX, MAX, -MAX}, 0.5, -0.5, 0.5, -0.5);

  /** The smallest row that is still valid: norm 2^-33 ~ 1.2e-10 > 1e-10. */
  public static final Fixture JUST_ABOVE_MIN_NORM =
      ok("norm 2^-33", new float[] {0x1p-33f, 0, 0, 0}, 1, 0, 0, 0);

  public static final Fixture SUBNORMAL_MIX =
      ok(
          "1 with float subnormals",
          new float[] {1, Float.MIN_VALUE, 0, 0},
          1,
          (double) Float.MIN_VALUE,
          0,
          0);

  public static final List<Fixture> ALL =
      List.of(
          NULL_ROW,
          EMPTY_ROW,
          SHORT_ROW,
          LONG_ROW,
          NAN,
          POS_INF,
          NEG_INF,
          ALL_ZERO,
          TINY_ROW,
          PYTHAGORAS,
          ONE_HOT,
          HALVES,
          HUGE_ROW,
          MAX_ROW,
          JUST_ABOVE_MIN_NORM,
          SUBNORMAL_MIX);

  public static List<Fixture> valid() {
    return ALL.stream().filter(Fixture::valid).toList();
  }

  /** Bad rows that still have the right length, so they can sit in a flat batch. */
  public static List<Fixture> badInBatch() {
    return ALL.stream().filter(f -> !f.valid() && f.row() != null && f.row().length == D).toList();
  }

  private RowFixtures() {}

  /** {@code rows} Gaussian rows of dimension {@code dim}, seeded; every row is valid. */
  public static float[] randomRows(Random rnd, int rows, int dim) {
    float[] flat = new float[rows * dim];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = (float) rnd.nextGaussian();
    }
    return flat;
  }

  /** Random rows around a common offset, so the mean is far from 0 (like real embeddings). */
  public static float[] randomRowsAround(Random rnd, int rows, int dim, double offset) {
    float[] flat = new float[rows * dim];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < dim; j++) {
        flat[r * dim + j] = (float) (rnd.nextGaussian() + (j % 3 == 0 ? offset : -offset / 2));
      }
    }
    return flat;
  }
}
