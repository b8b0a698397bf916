package dev.realign.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The float64 dot products' variants have the bits of {@link Cosines#dot}, tails included. */
class CosinesTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 3, 4, 5, 131, 1280})
  void fourAtOnceAndFromFloatRowsEqualOneDot(int d) {
    Random rnd = new Random(d);
    int n = 9;
    float[] x = new float[n * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rnd.nextGaussian() * (1 + i % 7));
    }
    UnitRows u = UnitRows.normalise(x, d);
    double[] unit = u.toFlatArray();
    double[] four = new double[4];
    for (int q = 0; q < n; q++) {
      Cosines.dot4(unit, q * d, unit, 1 * d, 8 * d, q * d, 3 * d, d, four, 0);
      int[] rows = {1, 8, q, 3};
      for (int r = 0; r < 4; r++) {
        double one = Cosines.dot(unit, q * d, unit, rows[r] * d, d);
        assertThat(four[r]).as("dot4, query %s row %s", q, rows[r]).isEqualTo(one);
        assertThat(Cosines.dot(u, q, u, rows[r])).as("from float rows").isEqualTo(one);
        assertThat(u.cosine(q, u, rows[r])).isEqualTo(one);
      }
    }
  }
}
