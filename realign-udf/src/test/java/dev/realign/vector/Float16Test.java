package dev.realign.vector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Every one of the 65,536 halves: decoding is exact and re-encoding gives the same bits; every
 * midpoint between two neighbouring finite halves rounds to the even one; the values just beside
 * each midpoint round to the nearer neighbour. Plus fixed points written as arithmetic.
 */
class Float16Test {

  @Test
  void everyHalfRoundTripsBitExact() {
    for (int h = 0; h < 0x10000; h++) {
      short s = (short) h;
      float f = Float16.toFloat(s);
      if (Float.isNaN(f)) {
        assertThat(Float.isNaN(Float16.toFloat(Float16.fromFloat(f)))).isTrue();
        continue;
      }
      assertThat(Float16.fromFloat(f)).as("half %04x", h).isEqualTo(s);
    }
  }

  @Test
  void midpointsRoundToEvenAndNeighboursToTheNearer() {
    for (int h = 0; h < 0x7bff; h++) { // positive finite halves and their successor
      double lo = Float16.toFloat((short) h);
      double hi = Float16.toFloat((short) (h + 1));
      float mid = (float) ((lo + hi) / 2); // exact in float: halves have 11 significant bits
      assertThat((double) mid).isEqualTo((lo + hi) / 2);
      short even = (short) ((h & 1) == 0 ? h : h + 1);
      assertThat(Float16.fromFloat(mid)).as("midpoint after %04x", h).isEqualTo(even);
      assertThat(Float16.fromFloat(-mid)).isEqualTo((short) (even | 0x8000));
      assertThat(Float16.fromFloat(Math.nextDown(mid))).isEqualTo((short) h);
      assertThat(Float16.fromFloat(Math.nextUp(mid))).isEqualTo((short) (h + 1));
    }
  }

  @Test
  void knownValues() {
    assertThat(Float16.fromFloat(1f)).isEqualTo((short) 0x3c00);
    assertThat(Float16.fromFloat(-2f)).isEqualTo((short) 0xc000);
    assertThat(Float16.fromFloat(65504f)).isEqualTo((short) 0x7bff); // largest half
    assertThat(Float16.fromFloat(65520f)).isEqualTo((short) 0x7c00); // midpoint to 2^16: Inf
    assertThat(Float16.fromFloat(65519.996f)).isEqualTo((short) 0x7bff);
    assertThat(Float16.fromFloat(0x1p-24f)).isEqualTo((short) 0x0001); // smallest subnormal
    assertThat(Float16.fromFloat(0x1p-25f)).isEqualTo((short) 0x0000); // tie to even: zero
    assertThat(Float16.fromFloat(Math.nextUp(0x1p-25f))).isEqualTo((short) 0x0001);
    assertThat(Float16.fromFloat(-0f)).isEqualTo((short) 0x8000);
    assertThat(Float16.fromFloat(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7c00);
    assertThat(Float16.fromFloat(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xfc00);
    assertThat(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN)))).isTrue();
    assertThat(Float16.toFloat((short) 0x3555)).isEqualTo(0.333251953125f);
    assertThat(Float16.fromFloat(1f / 3)).isEqualTo((short) 0x3555);
  }
}
