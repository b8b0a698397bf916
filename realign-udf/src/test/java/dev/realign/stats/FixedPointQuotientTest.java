package dev.realign.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link FixedPoint#quotient} against the BigDecimal division it replaces, bit for bit. */
class FixedPointQuotientTest {
  private static final BigInteger MASK64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private static void check(long hi, long lo, long count) {
    double expected = MomentSnapshot.bigQuotient(hi, lo, count);
    Double fast = FixedPoint.quotient(hi, lo, count);
    if (fast != null) {
      assertThat(Double.doubleToRawLongBits(fast))
          .as("S = %s, count %s", FixedPoint.toBigInteger(hi, lo), count)
          .isEqualTo(Double.doubleToRawLongBits(expected));
    }
  }

  private static void check(BigInteger s, long count) {
    check(s.shiftRight(64).longValue(), s.and(MASK64).longValue(), count);
  }

  @Test
  void randomSumsAndCountsGiveTheBitsOfTheBigDecimalDivision() {
    SplittableRandom rnd = new SplittableRandom(11);
    int fast = 0;
    for (int i = 0; i < 200_000; i++) {
      int bits = rnd.nextInt(1, 127);
      long hi = bits > 64 ? rnd.nextLong() >> (128 - bits) : (rnd.nextLong() < 0 ? -1 : 0);
      long lo = bits >= 64 ? rnd.nextLong() : rnd.nextLong() >> (64 - bits);
      if (bits < 64) {
        hi = lo >> 63;
      }
      long count =
          switch (i % 4) {
            case 0 -> 1 + rnd.nextInt(1000);
            case 1 -> 1 + rnd.nextLong(1L << 20);
            case 2 -> 1 + rnd.nextLong(Long.MAX_VALUE - 1);
            default -> 1L << rnd.nextInt(63);
          };
      check(hi, lo, count);
      if (FixedPoint.quotient(hi, lo, count) != null) {
        fast++;
      }
    }
    assertThat(fast).as("all but near-ties take the fast path").isGreaterThan(199_000);
  }

  @Test
  void edgeCases() {
    long[] counts = {1, 2, 3, 7, 10, 1000, 200_000, (1L << 62) + 1, Long.MAX_VALUE};
    BigInteger[] sums = {
      BigInteger.ZERO,
      BigInteger.ONE,
      BigInteger.ONE.negate(),
      BigInteger.valueOf(Long.MAX_VALUE),
      BigInteger.valueOf(Long.MIN_VALUE),
      BigInteger.ONE.shiftLeft(64),
      BigInteger.ONE.shiftLeft(64).negate(),
      BigInteger.ONE.shiftLeft(126).subtract(BigInteger.ONE),
      BigInteger.ONE.shiftLeft(126).negate(),
      BigInteger.ONE.shiftLeft(52).multiply(BigInteger.valueOf(200_000)),
      BigInteger.valueOf(3).shiftLeft(100)
    };
    for (BigInteger s : sums) {
      for (long c : counts) {
        check(s, c);
      }
    }
    assertThat(FixedPoint.quotient(0, 0, 5)).isEqualTo(0.0);
    assertThat(FixedPoint.quotient(0, 6, 3)).isEqualTo(2.0);
    assertThat(FixedPoint.quotient(-1, -6, 3)).isEqualTo(-2.0);
  }

  @Test
  void midpointsAndNearMidpointsFallBackToBigDecimal() {
    // (2^53 + 1) / 1 is exactly halfway between two doubles; so is (2^54 + 2) / 2.
    BigInteger mid = BigInteger.ONE.shiftLeft(53).add(BigInteger.ONE);
    assertThat(FixedPoint.quotient(0, mid.longValue(), 1)).isNull();
    assertThat(FixedPoint.quotient(0, mid.shiftLeft(1).longValue(), 2)).isNull();
    // Just off a midpoint by far less than the guard bits resolve: also BigDecimal's.
    BigInteger near = mid.shiftLeft(70).add(BigInteger.ONE);
    assertThat(
            FixedPoint.quotient(near.shiftRight(64).longValue(), near.and(MASK64).longValue(), 1))
        .isNull();
    check(near, 1);
    check(mid, 1);
    // An exact double needs no rounding: fast.
    assertThat(FixedPoint.quotient(0, 1L << 53, 1)).isEqualTo(0x1p53);
  }
}
