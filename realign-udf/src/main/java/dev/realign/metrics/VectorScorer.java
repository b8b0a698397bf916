package dev.realign.metrics;

import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 scores with the JDK Vector API: tiles of 64 rows (L2-sized at d = 1280) spread over the
 * common pool, each tile scored against the queries four queries by two rows at a time (eight
 * accumulators: the row and query chunks are loaded once for eight FMAs). Only referenced through
 * {@link CandidateScorer#fastest()}, which checks that {@code jdk.incubator.vector} is present.
 */
final class VectorScorer implements CandidateScorer {
  static final VectorScorer INSTANCE = new VectorScorer();
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int TILE = 64;

  private VectorScorer() {}

  @Override
  public Prepared prepare(float[] rows, int n, int d) {
    return new Prepared() {
      @Override
      public int rows() {
        return n;
      }

      @Override
      public void scores(float[] queries, int queryRows, float[] out) {
        int tiles = (n + TILE - 1) / TILE;
        IntStream.range(0, tiles).parallel().forEach(t -> tile(queries, queryRows, rows, n, d,
            t * TILE, Math.min(n, (t + 1) * TILE), out));
      }
    };
  }

  private static void tile(float[] q, int qn, float[] x, int n, int d, int j0, int j1,
      float[] out) {
    int bound = S.loopBound(d);
    int i = 0;
    for (; i + 3 < qn; i += 4) {
      int q0 = i * d;
      int q1 = q0 + d;
      int q2 = q1 + d;
      int q3 = q2 + d;
      int j = j0;
      for (; j + 1 < j1; j += 2) {
        int r0 = j * d;
        int r1 = r0 + d;
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S);
        FloatVector a11 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S);
        FloatVector a21 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S);
        FloatVector a31 = FloatVector.zero(S);
        for (int k = 0; k < bound; k += S.length()) {
          FloatVector x0 = FloatVector.fromArray(S, x, r0 + k);
          FloatVector x1 = FloatVector.fromArray(S, x, r1 + k);
          FloatVector v0 = FloatVector.fromArray(S, q, q0 + k);
          FloatVector v1 = FloatVector.fromArray(S, q, q1 + k);
          FloatVector v2 = FloatVector.fromArray(S, q, q2 + k);
          FloatVector v3 = FloatVector.fromArray(S, q, q3 + k);
          a00 = v0.fma(x0, a00);
          a01 = v0.fma(x1, a01);
          a10 = v1.fma(x0, a10);
          a11 = v1.fma(x1, a11);
          a20 = v2.fma(x0, a20);
          a21 = v2.fma(x1, a21);
          a30 = v3.fma(x0, a30);
          a31 = v3.fma(x1, a31);
        }
        out[i * n + j] = a00.reduceLanes(VectorOperators.ADD) + tail(q, q0, x, r0, bound, d);
        out[i * n + j + 1] = a01.reduceLanes(VectorOperators.ADD) + tail(q, q0, x, r1, bound, d);
        out[(i + 1) * n + j] = a10.reduceLanes(VectorOperators.ADD)
            + tail(q, q1, x, r0, bound, d);
        out[(i + 1) * n + j + 1] = a11.reduceLanes(VectorOperators.ADD)
            + tail(q, q1, x, r1, bound, d);
        out[(i + 2) * n + j] = a20.reduceLanes(VectorOperators.ADD)
            + tail(q, q2, x, r0, bound, d);
        out[(i + 2) * n + j + 1] = a21.reduceLanes(VectorOperators.ADD)
            + tail(q, q2, x, r1, bound, d);
        out[(i + 3) * n + j] = a30.reduceLanes(VectorOperators.ADD)
            + tail(q, q3, x, r0, bound, d);
        out[(i + 3) * n + j + 1] = a31.reduceLanes(VectorOperators.ADD)
            + tail(q, q3, x, r1, bound, d);
      }
      for (; j < j1; j++) {
        for (int r = 0; r < 4; r++) {
          out[(i + r) * n + j] = one(q, (i + r) * d, x, j * d, bound, d);
        }
      }
    }
    for (; i < qn; i++) {
      for (int j = j0; j < j1; j++) {
        out[i * n + j] = one(q, i * d, x, j * d, bound, d);
      }
    }
  }

  private static float one(float[] q, int qo, float[] x, int xo, int bound, int d) {
    FloatVector a = FloatVector.zero(S);
    for (int k = 0; k < bound; k += S.length()) {
      a = FloatVector.fromArray(S, q, qo + k).fma(FloatVector.fromArray(S, x, xo + k), a);
    }
    return a.reduceLanes(VectorOperators.ADD) + tail(q, qo, x, xo, bound, d);
  }

  private static float tail(float[] q, int qo, float[] x, int xo, int from, int d) {
    float s = 0;
    for (int k = from; k < d; k++) {
      s += q[qo + k] * x[xo + k];
    }
    return s;
  }
}
