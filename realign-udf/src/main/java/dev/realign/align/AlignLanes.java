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
  static double anchorStep(float[] in, int off, int d, double invNorm, double s, double[] mt,
      double[] mi, double[] buf) {
    DoubleVector acc = DoubleVector.zero(VectorLanes.D4);
    int j = 0;
    for (; j + 3 < d; j += 4) {
      DoubleVector t = VectorLanes.widen(in, off + j).mul(invNorm)
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
      DoubleVector e = DoubleVector.fromArray(VectorLanes.D4, buf, j).mul(invN)
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

  /** {@code out[outOff + j] = (float) (buf[j] inv)}. */
  static void narrow(double[] buf, int d, double inv, float[] out, int outOff) {
    int j = 0;
    for (; j + 3 < d; j += 4) {
      ((FloatVector) DoubleVector.fromArray(VectorLanes.D4, buf, j).mul(inv)
          .convertShape(VectorOperators.D2F, VectorLanes.F4, 0)).intoArray(out, outOff + j);
    }
    for (; j < d; j++) {
      out[outOff + j] = (float) (buf[j] * inv);
    }
  }
}
