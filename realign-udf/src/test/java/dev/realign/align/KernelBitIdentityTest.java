package dev.realign.align;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.vector.RejectReason;
import dev.realign.vector.RowValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fused kernels (one pass where there were two or three) give the bits of the reference
 * multi-pass code they replaced, kept below as the specification: the apply kernel's float32 output
 * and the exact sketch's totals, on random rows and edge cases, at dimensions around the four-lane
 * boundaries.
 */
class KernelBitIdentityTest {
  static final int[] DIMS = {1, 2, 3, 4, 5, 7, 8, 383, 384, 1280, 1283};

  /** Rows that stress rounding: random, offset, tiny, huge, subnormal, one-hot, zero, NaN, Inf. */
  static List<float[]> rows(int d, Random rnd) {
    List<float[]> out = new ArrayList<>();
    for (int r = 0; r < 40; r++) {
      float[] x = new float[d];
      double scale =
          switch (r % 5) {
            case 0 -> 1.0;
            case 1 -> 1e-30;
            case 2 -> 1e30;
            case 3 -> 1e-3;
            default -> 7.0;
          };
      for (int j = 0; j < d; j++) {
        x[j] = (float) ((rnd.nextGaussian() + (j % 3 == 0 ? 0.4 : -0.1)) * scale);
      }
      out.add(x);
    }
    float[] oneHot = new float[d];
    oneHot[d - 1] = -3f;
    out.add(oneHot);
    float[] subnormal = new float[d];
    java.util.Arrays.fill(subnormal, Float.MIN_VALUE);
    out.add(subnormal);
    float[] alternating = new float[d];
    for (int j = 0; j < d; j++) {
      alternating[j] = j % 2 == 0 ? Float.MAX_VALUE / 4 : -Float.MAX_VALUE / 4;
    }
    out.add(alternating);
    out.add(new float[d]);
    float[] nan = new float[d];
    nan[0] = Float.NaN;
    out.add(nan);
    float[] inf = new float[d];
    inf[d / 2] = Float.POSITIVE_INFINITY;
    out.add(inf);
    return out;
  }

  static double[] randomVector(int d, Random rnd, double scale) {
    double[] v = new double[d];
    for (int j = 0; j < d; j++) {
      v[j] = rnd.nextGaussian() * scale;
    }
    return v;
  }

  @Test
  void applyGivesTheBitsOfTheMultiPassReference() {
    Random rnd = new Random(7);
    for (int d : DIMS) {
      for (int steps = 0; steps <= 2; steps++) {
        double[] mt = randomVector(d, rnd, 0.05);
        double[] mi = randomVector(d, rnd, 0.05);
        List<double[]> cs = new ArrayList<>();
        for (int c = 0; c < steps; c++) {
          cs.add(randomVector(d, rnd, 0.01));
        }
        double scale = 0.3 + rnd.nextDouble();
        AlignmentKernel plain = new AlignmentKernel(scale, mt, mi, cs);
        for (AlignmentKernel k :
            List.of(plain, plain.withVectorLanes(false), plain.withVectorLanes(true))) {
          double[] scratch = k.newScratch();
          for (float[] row : rows(d, rnd)) {
            float[] got = new float[d];
            float[] want = new float[d];
            RejectReason r = k.apply(row, 0, got, 0, scratch);
            RejectReason w = referenceApply(row, want, scale, mt, mi, cs);
            assertThat(r).isEqualTo(w);
            assertThat(floatBits(got))
                .as("d = %s, %s centroid steps", d, steps)
                .isEqualTo(floatBits(want));
            double[] unit = new double[d];
            if (k.forwardUnit(row, 0, unit) == null) {
              assertThat(doubleBits(unit))
                  .isEqualTo(doubleBits(referenceUnit(row, scale, mt, mi, cs)));
            }
          }
        }
      }
    }
  }

  /**
   * applyBatch aligns two rows at a time on the Vector API path: every row gets the bits of the
   * one-row apply, wherever the bad rows fall (first or second of a pair, both, the odd last row),
   * and the rejects are reported with the same row numbers and reasons.
   */
  @Test
  void applyBatchGivesTheBitsOfOneRowAtATime() {
    Random rnd = new Random(11);
    for (int d : DIMS) {
      for (int steps = 0; steps <= 2; steps++) {
        List<double[]> cs = new ArrayList<>();
        for (int c = 0; c < steps; c++) {
          cs.add(randomVector(d, rnd, 0.01));
        }
        AlignmentKernel plain =
            new AlignmentKernel(
                0.3 + rnd.nextDouble(), randomVector(d, rnd, 0.05), randomVector(d, rnd, 0.05), cs);
        List<float[]> rows = rows(d, rnd);
        java.util.Collections.shuffle(rows, rnd);
        for (int n : new int[] {rows.size(), rows.size() - 1, 1, 0}) {
          float[] flat = new float[n * d];
          for (int r = 0; r < n; r++) {
            System.arraycopy(rows.get(r), 0, flat, r * d, d);
          }
          for (AlignmentKernel k :
              List.of(plain.withVectorLanes(false), plain.withVectorLanes(true))) {
            float[] want = new float[n * d];
            List<String> wantRejects = new ArrayList<>();
            double[] oneRow = new double[d];
            int wantOk = 0;
            for (int r = 0; r < n; r++) {
              RejectReason reason = k.apply(flat, r * d, want, r * d, oneRow);
              if (reason == null) {
                wantOk++;
              } else {
                java.util.Arrays.fill(want, r * d, (r + 1) * d, Float.NaN);
                wantRejects.add(r + " " + reason);
              }
            }
            float[] got = new float[n * d];
            List<String> gotRejects = new ArrayList<>();
            int ok =
                k.applyBatch(
                    flat,
                    0,
                    n,
                    got,
                    0,
                    k.newScratch(),
                    (row, reason) -> gotRejects.add(row + " " + reason));
            assertThat(ok).isEqualTo(wantOk);
            assertThat(gotRejects).isEqualTo(wantRejects);
            assertThat(floatBits(got))
                .as("d = %s, %s steps, %s rows", d, steps, n)
                .isEqualTo(floatBits(want));
          }
        }
      }
    }
  }

  @Test
  void theVectorApiRunsInTheseTests() {
    // surefire's argLine adds the module: the default path here is the vector one.
    assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector")).isPresent();
  }

  static int[] floatBits(float[] v) {
    int[] b = new int[v.length];
    for (int j = 0; j < v.length; j++) {
      b[j] = Float.floatToRawIntBits(v[j]);
    }
    return b;
  }

  static long[] doubleBits(double[] v) {
    long[] b = new long[v.length];
    for (int j = 0; j < v.length; j++) {
      b[j] = Double.doubleToRawLongBits(v[j]);
    }
    return b;
  }

  // The reference: the kernel as it was before fusing (normalise, step, then sum of squares).

  private static double referenceForward(
      float[] in, double[] buf, double s, double[] mt, double[] mi, List<double[]> cs) {
    int dim = in.length;
    double norm = RowValidator.normOrNegative(in, 0, dim);
    if (norm < 0) {
      return norm;
    }
    double invNorm = 1.0 / norm;
    for (int j = 0; j < dim; j++) {
      buf[j] = mi[j] + s * (in[j] * invNorm - mt[j]);
    }
    double n = Math.sqrt(RowValidator.sumOfSquares(buf, dim));
    for (double[] c : cs) {
      double invN = 1.0 / n;
      for (int j = 0; j < dim; j++) {
        buf[j] = buf[j] * invN - c[j] + mi[j];
      }
      n = Math.sqrt(RowValidator.sumOfSquares(buf, dim));
    }
    return n < RowValidator.MIN_NORM ? -2.0 : n;
  }

  private static RejectReason referenceApply(
      float[] in, float[] out, double s, double[] mt, double[] mi, List<double[]> cs) {
    double[] buf = new double[in.length];
    double n = referenceForward(in, buf, s, mt, mi, cs);
    if (n < 0) {
      return RowValidator.reasonFor(n);
    }
    double inv = 1.0 / n;
    for (int j = 0; j < in.length; j++) {
      out[j] = (float) (buf[j] * inv);
    }
    return null;
  }

  private static double[] referenceUnit(
      float[] in, double s, double[] mt, double[] mi, List<double[]> cs) {
    double[] buf = new double[in.length];
    double inv = 1.0 / referenceForward(in, buf, s, mt, mi, cs);
    for (int j = 0; j < in.length; j++) {
      buf[j] = buf[j] * inv;
    }
    return buf;
  }
}
