package dev.realign.vector;

/**
 * IEEE 754 binary16 ("half") conversions for Java 17, which lacks {@code Float.floatToFloat16}.
 * Rounding is to nearest, ties to even, as numpy's {@code astype(np.float16)}, PyTorch's {@code
 * .half()} and Java 20's {@code Float.floatToFloat16} do; overflow gives infinity, NaN stays a
 * (quiet) NaN. Used for {@code output.dtype = float16}: the transform and the statistics stay in
 * float64, only the stored vectors are rounded.
 */
public final class Float16 {
  private Float16() {}

  /** The nearest half (ties to even) to {@code f}, as its 16 bits. */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fff_ffff;
    if (abs >= 0x7f80_0000) { // Inf or NaN
      return (short) (sign | 0x7c00 | (abs > 0x7f80_0000 ? 0x0200 | ((abs >>> 13) & 0x3ff) : 0));
    }
    if (abs >= 0x4780_0000) { // >= 65536: beyond the largest half even after rounding
      return (short) (sign | 0x7c00);
    }
    if (abs >= 0x3880_0000) { // normal half range: exponent >= -14
      int mant = abs & 0x007f_ffff;
      int exp = (abs >>> 23) - 127 + 15;
      int half = (exp << 10) | (mant >>> 13);
      int rest = mant & 0x1fff;
      if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
        half++; // may carry into the exponent, up to infinity: both correct
      }
      return (short) (sign | half);
    }
    if (abs < 0x3300_0000) { // below half the smallest subnormal (2^-25): rounds to zero
      return (short) sign;
    }
    // Subnormal half: value = m * 2^-24 with m in [0, 1024]; shift the full significand.
    int exp = abs >>> 23;
    int mant = (abs & 0x007f_ffff) | 0x0080_0000;
    int shift = 126 - exp; // 113 - 24 + 13 ... in [14, 24]
    int half = mant >>> shift;
    int rest = mant & ((1 << shift) - 1);
    int mid = 1 << (shift - 1);
    if (rest > mid || (rest == mid && (half & 1) != 0)) {
      half++;
    }
    return (short) (sign | half);
  }

  /** The float value of the half with bits {@code h} (exact: every half is a float). */
  public static float toFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f80_0000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f; // exact
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  /** Rounds {@code n} floats of {@code src} from {@code from} into halves at {@code dst[to..]}. */
  public static void fromFloats(float[] src, int from, short[] dst, int to, int n) {
    for (int i = 0; i < n; i++) {
      dst[to + i] = fromFloat(src[from + i]);
    }
  }
}
