package dev.realign.align;

import dev.realign.vector.VectorLanes;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The Vector API form of {@link AlignmentKernel}'s fused steps, four components at a time with the
 * bits of the scalar loops: the same operations in the same order per component (multiply and add
 * separately rounded, no FMA), and the squared norm in the documented four-lane order. Loaded only
 * when {@code VectorSupport.ENABLED}.
 */
final class AlignLanes {
  private AlignLanes() {}

  /** {@code buf[j] = mi[j] + s (in[j] invNorm - mt[j])}; returns the squared norm of buf. */
  static double anchorStep(
      float[] in,
      int off,
      int d,
      double invNorm,
      double s,
      double[] mt,
      double[] mi,
      double[] buf) {
    DoubleVector acc = DoubleVector.zero(VectorLanes.D4);
    int j = 0;
    for (; j + 3 < d; j += 4) {
      DoubleVector t =
          VectorLanes.widen(in, off + j)
              .mul(invNorm)
              .sub(DoubleVector.fromArray(VectorLanes.D4, mt, j));
      DoubleVector e = DoubleVector.fromArray(VectorLanes.D4, mi, j).add(t.mul(s));
      e.intoArray(buf, j);
      acc = acc.add(e.mul(e));
    }
    double s0 = acc.lane(0);
    for (; j < d; j++) {
      double e = mi[j] + s * (in[off + j] * invNorm - mt[j]);
      buf[j] = e;
      s0 += e * e;
    }
    return VectorLanes.fold(s0, acc);
  }

  /** {@code buf[j] = buf[j] invN - c[j] + mi[j]}; returns the squared norm of buf. */
  static double centroidStep(double[] buf, int d, double invN, double[] c, double[] mi) {
    DoubleVector acc = DoubleVector.zero(VectorLanes.D4);
    int j = 0;
    for (; j + 3 < d; j += 4) {
      DoubleVector e =
          DoubleVector.fromArray(VectorLanes.D4, buf, j)
              .mul(invN)
              .sub(DoubleVector.fromArray(VectorLanes.D4, c, j))
              .add(DoubleVector.fromArray(VectorLanes.D4, mi, j));
      e.intoArray(buf, j);
      acc = acc.add(e.mul(e));
    }
    double s0 = acc.lane(0);
    for (; j < d; j++) {
      double e = buf[j] * invN - c[j] + mi[j];
      buf[j] = e;
      s0 += e * e;
    }
    return VectorLanes.fold(s0, acc);
  }

  /**
   * {@link #anchorStep} of rows {@code a} and {@code b} in one loop (their chains of adds overlap),
   * into {@code buf[0..d)} and {@code buf[d..2d)}; the squared norms go to {@code buf[2d]} and
   * {@code buf[2d + 1]}. Same bits as two calls.
   */
  static void anchorStepPair(
      float[] in,
      int offA,
      int offB,
      int d,
      double invA,
      double invB,
      double s,
      double[] mt,
      double[] mi,
      double[] buf) {
    DoubleVector accA = DoubleVector.zero(VectorLanes.D4);
    DoubleVector accB = DoubleVector.zero(VectorLanes.D4);
    int j = 0;
    for (; j + 3 < d; j += 4) {
      DoubleVector m = DoubleVector.fromArray(VectorLanes.D4, mt, j);
      DoubleVector i = DoubleVector.fromArray(VectorLanes.D4, mi, j);
      DoubleVector a = i.add(VectorLanes.widen(in, offA + j).mul(invA).sub(m).mul(s));
      DoubleVector b = i.add(VectorLanes.widen(in, offB + j).mul(invB).sub(m).mul(s));
      a.intoArray(buf, j);
      b.intoArray(buf, d + j);
      accA = accA.add(a.mul(a));
      accB = accB.add(b.mul(b));
    }
    double a0 = accA.lane(0);
    double b0 = accB.lane(0);
    for (; j < d; j++) {
      double a = mi[j] + s * (in[offA + j] * invA - mt[j]);
      buf[j] = a;
      a0 += a * a;
      double b = mi[j] + s * (in[offB + j] * invB - mt[j]);
      buf[d + j] = b;
      b0 += b * b;
    }
    buf[2 * d] = VectorLanes.fold(a0, accA);
    buf[2 * d + 1] = VectorLanes.fold(b0, accB);
  }

  /**
   * {@link #centroidStep} of the two rows held in {@code buf[0..d)} and {@code buf[d..2d)}, squared
   * norms to {@code buf[2d]} and {@code buf[2d + 1]}. Same bits as two calls.
   */
  static void centroidStepPair(
      double[] buf, int d, double invA, double invB, double[] c, double[] mi) {
    DoubleVector accA = DoubleVector.zero(VectorLanes.D4);
    DoubleVector accB = DoubleVector.zero(VectorLanes.D4);
    int j = 0;
    for (; j + 3 < d; j += 4) {
      DoubleVector cj = DoubleVector.fromArray(VectorLanes.D4, c, j);
      DoubleVector i = DoubleVector.fromArray(VectorLanes.D4, mi, j);
      DoubleVector a = DoubleVector.fromArray(VectorLanes.D4, buf, j).mul(invA).sub(cj).add(i);
      DoubleVector b = DoubleVector.fromArray(VectorLanes.D4, buf, d + j).mul(invB).sub(cj).add(i);
      a.intoArray(buf, j);
      b.intoArray(buf, d + j);
      accA = accA.add(a.mul(a));
      accB = accB.add(b.mul(b));
    }
    double a0 = accA.lane(0);
    double b0 = accB.lane(0);
    for (; j < d; j++) {
      double a = buf[j] * invA - c[j] + mi[j];
      buf[j] = a;
      a0 += a * a;
      double b = buf[d + j] * invB - c[j] + mi[j];
      buf[d + j] = b;
      b0 += b * b;
    }
    buf[2 * d] = VectorLanes.fold(a0, accA);
    buf[2 * d + 1] = VectorLanes.fold(b0, accB);
  }

  /** {@code out[outOff + j] = (float) (buf[from + j] inv)}. */
  static void narrow(double[] buf, int from, int d, double inv, float[] out, int outOff) {
    int j = 0;
    for (; j + 3 < d; j += 4) {
      ((FloatVector)
              DoubleVector.fromArray(VectorLanes.D4, buf, from + j)
                  .mul(inv)
                  .convertShape(VectorOperators.D2F, VectorLanes.F4, 0))
          .intoArray(out, outOff + j);
    }
    for (; j < d; j++) {
      out[outOff + j] = (float) (buf[from + j] * inv);
    }
  }
}
