package dev.realign.metrics;

import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 scores with the JDK Vector API: tiles of 66 rows (L2-sized at d = 1280) spread over the
 * common pool, each tile scored against the queries four queries by three rows at a time (twelve
 * accumulators: the three row and four query chunks are loaded once for twelve FMAs). Every score
 * is the same chain of lane-wise FMAs over its query and row, then the same lane sum, whichever
 * block computes it ({@code VectorScorerTest} compares each with its query and row scored alone,
 * bit for bit). Only referenced through {@link CandidateScorer#fastest()}, which checks that {@code
 * jdk.incubator.vector} is present.
 */
final class VectorScorer implements CandidateScorer {
  static final VectorScorer INSTANCE = new VectorScorer();
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  /**
   * Rows a tile: 22 blocks of three (a tile of 64 left one row a tile to the one-at-a-time loop:
   * 154-177 ms a harness pass against 157-257 ms, faster in 10 of 11).
   */
  private static final int TILE = 66;

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
        IntStream.range(0, tiles)
            .parallel()
            .forEach(
                t ->
                    tile(
                        queries,
                        queryRows,
                        rows,
                        n,
                        d,
                        t * TILE,
                        Math.min(n, (t + 1) * TILE),
                        out));
      }
    };
  }

  private static void tile(
      float[] q, int qn, float[] x, int n, int d, int j0, int j1, float[] out) {
    int bound = S.loopBound(d);
    int i = 0;
    for (; i + 3 < qn; i += 4) {
      int j = j0;
      for (; j + 2 < j1; j += 3) {
        block(q, i * d, x, j * d, d, bound, out, i * n + j, n);
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

  /**
   * Four queries (from {@code q0}) by three rows (from {@code r0}): twelve accumulators, each row
   * chunk loaded once for four FMAs and each query chunk once for three. With the three row chunks
   * and a query chunk that is sixteen vectors, as many as AVX2 has registers; the four-by-four
   * block it replaced held twenty-one. Measured in a harness (200 queries x 20,000 rows, d = 1280,
   * 2 cores, AVX2, run order alternated): 145-183 ms a pass against 144-202 ms (faster in 7 of 8),
   * the same bits. (The four-by-four had beaten a four-by-two block: 31-34 ms against 38-41 ms for
   * 10,000 rows.)
   */
  private static void block(
      float[] q, int q0, float[] x, int r0, int d, int bound, float[] out, int o, int n) {
    int r1 = r0 + d;
    int r2 = r1 + d;
    int q1 = q0 + d;
    int q2 = q1 + d;
    int q3 = q2 + d;
    FloatVector a00 = FloatVector.zero(S);
    FloatVector a01 = FloatVector.zero(S);
    FloatVector a02 = FloatVector.zero(S);
    FloatVector a10 = FloatVector.zero(S);
    FloatVector a11 = FloatVector.zero(S);
    FloatVector a12 = FloatVector.zero(S);
    FloatVector a20 = FloatVector.zero(S);
    FloatVector a21 = FloatVector.zero(S);
    FloatVector a22 = FloatVector.zero(S);
    FloatVector a30 = FloatVector.zero(S);
    FloatVector a31 = FloatVector.zero(S);
    FloatVector a32 = FloatVector.zero(S);
    for (int k = 0; k < bound; k += S.length()) {
      FloatVector x0 = FloatVector.fromArray(S, x, r0 + k);
      FloatVector x1 = FloatVector.fromArray(S, x, r1 + k);
      FloatVector x2 = FloatVector.fromArray(S, x, r2 + k);
      FloatVector v = FloatVector.fromArray(S, q, q0 + k);
      a00 = v.fma(x0, a00);
      a01 = v.fma(x1, a01);
      a02 = v.fma(x2, a02);
      v = FloatVector.fromArray(S, q, q1 + k);
      a10 = v.fma(x0, a10);
      a11 = v.fma(x1, a11);
      a12 = v.fma(x2, a12);
      v = FloatVector.fromArray(S, q, q2 + k);
      a20 = v.fma(x0, a20);
      a21 = v.fma(x1, a21);
      a22 = v.fma(x2, a22);
      v = FloatVector.fromArray(S, q, q3 + k);
      a30 = v.fma(x0, a30);
      a31 = v.fma(x1, a31);
      a32 = v.fma(x2, a32);
    }
    put(out, o, q, q0, x, r0, d, bound, a00, a01, a02);
    put(out, o + n, q, q1, x, r0, d, bound, a10, a11, a12);
    put(out, o + 2 * n, q, q2, x, r0, d, bound, a20, a21, a22);
    put(out, o + 3 * n, q, q3, x, r0, d, bound, a30, a31, a32);
  }

  /** One query's three scores: the accumulators' sums plus the tails past {@code bound}. */
  private static void put(
      float[] out,
      int o,
      float[] q,
      int qo,
      float[] x,
      int r0,
      int d,
      int bound,
      FloatVector a0,
      FloatVector a1,
      FloatVector a2) {
    out[o] = a0.reduceLanes(VectorOperators.ADD) + tail(q, qo, x, r0, bound, d);
    out[o + 1] = a1.reduceLanes(VectorOperators.ADD) + tail(q, qo, x, r0 + d, bound, d);
    out[o + 2] = a2.reduceLanes(VectorOperators.ADD) + tail(q, qo, x, r0 + 2 * d, bound, d);
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
