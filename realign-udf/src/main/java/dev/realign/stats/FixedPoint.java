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
    long carry = Long.compareUnsigned(s, l) < 0 ? 1L : 0L;
    hi[i] += (x >> 63) + carry;
    lo[i] = s;
  }

  /** Adds the 128-bit value (bHi, bLo) to the one at index {@code i}. */
  static void add128(long[] hi, long[] lo, int i, long bHi, long bLo) {
    long l = lo[i];
    long s = l + bLo;
    long carry = Long.compareUnsigned(s, l) < 0 ? 1L : 0L;
    hi[i] += bHi + carry;
    lo[i] = s;
  }

  static java.math.BigInteger toBigInteger(long hi, long lo) {
    java.math.BigInteger h = java.math.BigInteger.valueOf(hi).shiftLeft(64);
    java.math.BigInteger l = java.math.BigInteger.valueOf(lo >>> 1).shiftLeft(1)
        .or(java.math.BigInteger.valueOf(lo & 1L));
    return h.add(l);
  }
}
