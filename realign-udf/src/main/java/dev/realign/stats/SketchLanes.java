package dev.realign.stats;

import dev.realign.vector.VectorLanes;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API form of {@code MomentSketch}'s fused pass, four components at a time with the
 * bits of the scalar loop: {@code u = x / norm} (a division), {@code (long) (u * 2^52)} (the D2L
 * conversion truncates toward zero like the Java cast) added into the block, and {@code u * u} into
 * the four lanes of the squared norm. Loaded only when {@code VectorSupport.ENABLED}.
 */
final class SketchLanes {
  private static final VectorSpecies<Long> L4 = LongVector.SPECIES_256;

  private SketchLanes() {}

  /** Adds row {@code x[off..off+d)} / norm into {@code block[0..d)}; returns its squared norm. */
  static double addNormalised(float[] x, int off, int d, double norm, long[] block) {
    DoubleVector acc = DoubleVector.zero(VectorLanes.D4);
    int j = 0;
    for (; j + 3 < d; j += 4) {
      DoubleVector u = VectorLanes.widen(x, off + j).div(norm);
      LongVector q = (LongVector) u.mul(FixedPoint.SCALE).convertShape(VectorOperators.D2L, L4, 0);
      LongVector.fromArray(L4, block, j).add(q).intoArray(block, j);
      acc = acc.add(u.mul(u));
    }
    double s0 = acc.lane(0);
    for (; j < d; j++) {
      double u = x[off + j] / norm;
      block[j] += FixedPoint.toFixed(u);
      s0 += u * u;
    }
    return VectorLanes.fold(s0, acc);
  }
}
