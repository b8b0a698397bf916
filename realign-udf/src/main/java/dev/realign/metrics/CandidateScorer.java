package dev.realign.metrics;

/**
 * Approximate (float32) dot products of query rows with a fixed set of rows: the candidate search
 * of the k-NN figures and the pair histograms. The metrics never use these scores as figures: every
 * cosine that decides a figure is recomputed in float64 ({@link NearestSearch}), so any summation
 * order, any thread count and any BLAS give the same figures, as long as each score is within the
 * float32 error bound {@link NearestSearch#errorBound} of the float64 cosine.
 *
 * <p>Implementations: {@link #JAVA} (engine-free, plain loops), the Vector API ({@link
 * #fastest()}), and an ND4J GEMM in spark-jobs.
 */
public interface CandidateScorer {
  /** The rows to score against, prepared once (e.g. copied into a native matrix). */
  interface Prepared extends AutoCloseable {
    int rows();

    /**
     * {@code out[q * rows() + j] = dot(queries row q, row j)} for {@code q < queryRows}.
     *
     * @param queries flat row-major {@code queryRows x d} floats
     */
    void scores(float[] queries, int queryRows, float[] out);

    @Override
    default void close() {}
  }

  /**
   * The contract's bound on {@code |score - float64 cosine|} for unit rows of dimension {@code d}
   * ({@link NearestSearch#errorBound}): what a scorer built on a native kernel checks itself
   * against.
   */
  static double errorBound(int d) {
    return NearestSearch.errorBound(d);
  }

  /** Prepares {@code rows} ({@code n x d} floats, flat row-major; not copied, not changed). */
  Prepared prepare(float[] rows, int n, int d);

  /**
   * The fastest engine-free scorer: the Vector API ({@link VectorScorer}) when the JVM was started
   * with {@code --add-modules=jdk.incubator.vector}, else {@link #JAVA}.
   */
  static CandidateScorer fastest() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      try {
        return VectorScorer.INSTANCE;
      } catch (LinkageError e) {
        return JAVA;
      }
    }
    return JAVA;
  }

  /** Plain Java, eight float32 partial sums a dot, query rows spread over the common pool. */
  CandidateScorer JAVA =
      (rows, n, d) ->
          new Prepared() {
            @Override
            public int rows() {
              return n;
            }

            @Override
            public void scores(float[] queries, int queryRows, float[] out) {
              java.util.stream.IntStream.range(0, queryRows)
                  .parallel()
                  .forEach(
                      q -> {
                        int qo = q * d;
                        int base = q * n;
                        for (int j = 0; j < n; j++) {
                          out[base + j] = dot32(queries, qo, rows, j * d, d);
                        }
                      });
            }
          };

  /** A float32 dot product with eight partial sums. */
  static float dot32(float[] x, int xo, float[] y, int yo, int d) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    float s4 = 0;
    float s5 = 0;
    float s6 = 0;
    float s7 = 0;
    int k = 0;
    for (; k + 7 < d; k += 8) {
      s0 += x[xo + k] * y[yo + k];
      s1 += x[xo + k + 1] * y[yo + k + 1];
      s2 += x[xo + k + 2] * y[yo + k + 2];
      s3 += x[xo + k + 3] * y[yo + k + 3];
      s4 += x[xo + k + 4] * y[yo + k + 4];
      s5 += x[xo + k + 5] * y[yo + k + 5];
      s6 += x[xo + k + 6] * y[yo + k + 6];
      s7 += x[xo + k + 7] * y[yo + k + 7];
    }
    for (; k < d; k++) {
      s0 += x[xo + k] * y[yo + k];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }
}
