package dev.realign.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The branch-free carry of a 64-bit unsigned sum is the one an unsigned comparison gives. */
class FixedPointCarryTest {
  private static final long[] EDGES = {
    0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1, 0xffffffffL
  };

  private static long expected(long a, long b) {
    return Long.compareUnsigned(a + b, a) < 0 ? 1 : 0;
  }

  @Test
  void carryIsTheUnsignedOverflowOfTheSum() {
    for (long a : EDGES) {
      for (long b : EDGES) {
        assertThat(FixedPoint.carry(a, b, a + b)).as("%x + %x", a, b).isEqualTo(expected(a, b));
      }
    }
    SplittableRandom rnd = new SplittableRandom(11);
    for (int i = 0; i < 1_000_000; i++) {
      long a = rnd.nextLong();
      long b = i % 2 == 0 ? rnd.nextLong() : rnd.nextLong() >>> rnd.nextInt(64);
      assertThat(FixedPoint.carry(a, b, a + b)).isEqualTo(expected(a, b));
    }
  }

  @Test
  void add128CarriesIntoTheHighWord() {
    long[] hi = {5};
    long[] lo = {-1L}; // 2^64 - 1 unsigned
    FixedPoint.add128(hi, lo, 0, 1L);
    assertThat(hi[0]).isEqualTo(6);
    assertThat(lo[0]).isZero();
    FixedPoint.add128(hi, lo, 0, -1L); // adds -1: borrows back
    assertThat(hi[0]).isEqualTo(5);
    assertThat(lo[0]).isEqualTo(-1L);
    FixedPoint.add128(hi, lo, 0, 2L, Long.MIN_VALUE);
    FixedPoint.add128(hi, lo, 0, 0L, Long.MIN_VALUE);
    assertThat(hi[0]).isEqualTo(8);
    assertThat(lo[0]).isEqualTo(-1L);
  }
}
