package dev.realign.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SvgTest {
  private static String fast(double v) {
    return Svg.fixed1(new StringBuilder(), v).toString();
  }

  private static String formatter(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  @Test
  void fixed1IsWhatFormatterWrites() {
    double[] edges = {
      0.0,
      -0.0,
      0.04,
      -0.04,
      0.05,
      -0.05,
      0.15,
      0.25,
      0.35,
      1.45,
      2.55,
      9.95,
      99.95,
      -99.95,
      0.95,
      1e-300,
      -1e-300,
      123456.789,
      999999999.94,
      999999999.96,
      1e9,
      4e15,
      -7e20,
      Double.MAX_VALUE,
      Double.MIN_VALUE,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY
    };
    for (double v : edges) {
      assertThat(fast(v)).as("%s", v).isEqualTo(formatter(v));
    }
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      double scale = Math.pow(10, rnd.nextInt(-3, 8));
      double v = (rnd.nextDouble() * 2 - 1) * scale;
      if (i % 4 == 0) {
        v = Math.round(v * 100) / 100.0; // hundredths: many ties on the tenths
      }
      assertThat(fast(v)).as("%s", v).isEqualTo(formatter(v));
    }
  }
}
