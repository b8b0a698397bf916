package dev.realign.stats;

/**
 * The fixed-point arithmetic behind the exact sums: a value {@code v} with {@code |v| <= 1} becomes
 * {@code (long) (v * 2^52)} (truncated toward zero, so the conversion itself is deterministic), and
 * totals are signed 128-bit integers held as (hi, lo) pairs of longs.
 */
final class FixedPoint {
  /** Fraction bits of the fixed-point scale; part of the serial format. */
  static final int SCALE_BITS = 52;

  static final double SCALE = 0x1p52;

  /**
   * Rows folded into a {@code long} block before it is spilled into the 128-bit totals. Each
   * converted value is at most 2^52 (plus a few units for rounding), so 1,024 of them stay below
   * 2^62 and a block can never overflow.
   */
  static final int BLOCK_ROWS = 1024;

  private FixedPoint() {}

  static long toFixed(double v) {
    return (long) (v * SCALE);
  }

  /** Adds the sign-extended 64-bit {@code x} to the 128-bit value at index {@code i}. */
  static void add128(long[] hi, long[] lo, int i, long x) {
    long l = lo[i];
    long s = l + x;
    hi[i] += (x >> 63) + carry(l, x, s);
    lo[i] = s;
  }

  /** Adds the 128-bit value (bHi, bLo) to the one at index {@code i}. */
  static void add128(long[] hi, long[] lo, int i, long bHi, long bLo) {
    long l = lo[i];
    long s = l + bLo;
    hi[i] += bHi + carry(l, bLo, s);
    lo[i] = s;
  }

  /**
   * The carry out of the unsigned 64-bit sum {@code s = a + b}, without a branch: a carry is rare
   * in some sums, and C2 compiled the comparison's branch from a profile that had not seen one as a
   * trap (JFR showed the merge deoptimised at its first carry in an 800k-row run).
   */
  static long carry(long a, long b, long s) {
    return ((a & b) | ((a | b) & ~s)) >>> 63;
  }

  /** Quotient bits kept after the rounding bit to tell a value from a midpoint (see below). */
  private static final int GUARD_BITS = 60;

  /**
   * The double nearest to the signed 128-bit {@code (hi, lo)} divided by {@code count}, exactly as
   * {@code new BigDecimal(S).divide(count, 40 digits, HALF_EVEN).doubleValue()}, without
   * BigDecimal: binary long division to 54 significant bits (53 and the rounding bit) and {@value
   * #GUARD_BITS} more. The 40-digit quotient is within 2^-130.5 of S / count (relative), so both
   * round to the same double unless S / count lies within about 2^-114 of a midpoint between two
   * doubles: then the guard bits are all equal and this falls back to BigDecimal. (A snapshot
   * divides d + 1 sums; with BigDecimal that was a toString and a parse each, and seconds of JIT
   * time in a short run.)
   *
   * @return null when the value needs the BigDecimal division
   */
  static Double quotient(long hi, long lo, long count) {
    if (count <= 0 || (hi == Long.MIN_VALUE && lo == 0)) {
      return null;
    }
    boolean negative = hi < 0;
    if (negative) { // the magnitude, two's complement over 128 bits
      lo = -lo;
      hi = ~hi + (lo == 0 ? 1 : 0);
    }
    if (hi == 0 && lo == 0) {
      return 0.0;
    }
    // Long division, one bit at a time: 128 integer bits of |S|, then fraction bits (zeros).
    long r = 0;
    long mantissa = 0; // the first 54 significant quotient bits
    long guard = 0; // the next GUARD_BITS
    int taken = 0;
    int exponent = 0; // of the first significant bit
    for (int i = 127; taken < 54 + GUARD_BITS; i--) {
      long bit = i >= 64 ? (hi >>> (i - 64)) & 1 : i >= 0 ? (lo >>> i) & 1 : 0;
      r = (r << 1) | bit; // r < count < 2^63 before the shift: no overflow
      long q = 0;
      if (Long.compareUnsigned(r, count) >= 0) {
        r -= count;
        q = 1;
      }
      if (taken == 0 && q == 0) {
        continue;
      }
      if (taken == 0) {
        exponent = i;
      }
      if (taken < 54) {
        mantissa = (mantissa << 1) | q;
      } else {
        guard = (guard << 1) | q;
      }
      taken++;
    }
    long roundBit = mantissa & 1;
    long allOnes = (1L << GUARD_BITS) - 1;
    if ((roundBit == 1 && guard == 0) || (roundBit == 0 && guard == allOnes)) {
      return null;
    }
    long m = (mantissa >>> 1) + roundBit; // above the midpoint when the round bit is set
    double v = Math.scalb((double) m, exponent - 52);
    return negative ? -v : v;
  }

  static java.math.BigInteger toBigInteger(long hi, long lo) {
    java.math.BigInteger h = java.math.BigInteger.valueOf(hi).shiftLeft(64);
    java.math.BigInteger l =
        java.math.BigInteger.valueOf(lo >>> 1)
            .shiftLeft(1)
            .or(java.math.BigInteger.valueOf(lo & 1L));
    return h.add(l);
  }
}
