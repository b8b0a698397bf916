package dev.realign.report;

import dev.realign.metrics.CandidateScorer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The report's candidate search as one float32 GEMM a block of queries (ND4J, OpenBLAS {@code
 * sgemm}). Like {@link Spectrum}, the only other class that references ND4J, it loads ND4J only
 * when used. The figures do not depend on its rounding or threads: every cosine that decides a
 * figure is recomputed in float64 by the core ({@code dev.realign.metrics.NearestSearch}).
 */
public final class Nd4jScorer implements CandidateScorer {
  public static final Nd4jScorer INSTANCE = new Nd4jScorer();

  private Nd4jScorer() {}

  @Override
  public Prepared prepare(float[] rows, int n, int d) {
    INDArray b = Nd4j.create(rows, new long[] {n, d}, 'c');
    return new Prepared() {
      @Override
      public int rows() {
        return n;
      }

      @Override
      public void scores(float[] queries, int queryRows, float[] out) {
        INDArray q =
            queryRows * (long) d == queries.length
                ? Nd4j.create(queries, new long[] {queryRows, d}, 'c')
                : Nd4j.create(
                    java.util.Arrays.copyOf(queries, queryRows * d),
                    new long[] {queryRows, d},
                    'c');
        INDArray c = Nd4j.create(DataType.FLOAT, new long[] {queryRows, n}, 'c');
        Nd4j.gemm(q, b, c, false, true, 1.0, 0.0);
        float[] s = c.data().asFloat();
        System.arraycopy(s, 0, out, 0, queryRows * n);
      }
    };
  }
}
