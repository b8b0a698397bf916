package dev.realign.vector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The division kernels have the bits of their scalar loops (the fallback where the Vector API is
 * absent), tails included. The tests' JVM has the module (the build's argLine), so the kernels run.
 */
class VectorLanesTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 3, 4, 7, 131, 1280})
  void divisionKernelsEqualTheScalarLoops(int d) {
    Random rnd = new Random(d);
    int off = 5;
    float[] x = new float[off + d];
    for (int j = 0; j < x.length; j++) {
      x[j] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
    }
    double divisor = 3.0000001 + rnd.nextDouble();
    double[] quotients = new double[2 + d];
    VectorLanes.divide(x, off, divisor, quotients, 2, d);
    float[] rounded = new float[1 + d];
    VectorLanes.divideToFloat(x, off, divisor, rounded, 1, d);
    double[] sums = new double[d];
    double[] expectedSums = new double[d];
    for (int j = 0; j < d; j++) {
      sums[j] = j * 0.1;
      expectedSums[j] = j * 0.1;
    }
    VectorLanes.addQuotients(x, off, divisor, sums, d);
    for (int j = 0; j < d; j++) {
      double q = x[off + j] / divisor;
      assertThat(quotients[2 + j]).as("divide %s", j).isEqualTo(q);
      assertThat(rounded[1 + j]).as("divideToFloat %s", j).isEqualTo((float) q);
      expectedSums[j] += q;
    }
    assertThat(sums).containsExactly(expectedSums);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 8, 9, 15, 131, 1280})
  void widenedDotEqualsEightPartialSumsInIndexOrder(int d) {
    Random rnd = new Random(31L * d);
    int off = 3;
    float[] x = new float[off + d];
    double[] v = new double[d];
    for (int j = 0; j < d; j++) {
      x[off + j] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
      v[j] = rnd.nextGaussian();
    }
    double[] s = new double[8];
    for (int j = 0; j < d; j++) {
      s[j % 8] += x[off + j] * v[j];
    }
    double expected = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
    assertThat(VectorLanes.dotWidened(x, off, v, d)).isEqualTo(expected);
  }
}
