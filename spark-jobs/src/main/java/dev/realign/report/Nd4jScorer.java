package dev.realign.report;

import dev.realign.metrics.CandidateScorer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report's candidate search as one float32 GEMM a block of queries (ND4J, OpenBLAS {@code
 * sgemm}). Like {@link Spectrum}, the only other class that references ND4J, it loads ND4J only
 * when used. The figures do not depend on its rounding or threads: every cosine that decides a
 * figure is recomputed in float64 by the core ({@code dev.realign.metrics.NearestSearch}), as long
 * as each score is within {@link CandidateScorer#errorBound} of it (the {@link CandidateScorer}
 * contract).
 *
 * <p>That contract is spot-checked on every block, because OpenBLAS's AVX-512 kernels were seen to
 * return wrong results ({@code syev}, issue 21): the first, middle and last query rows against
 * every row, and every query row against the first, middle and last rows, in float64 ({@code 3 (q +
 * n) d} multiply-adds against the GEMM's {@code q n d}). A block that fails is recomputed by the
 * engine-free scorer ({@link CandidateScorer#fastest()}) and a warning is logged; {@link
 * #fallbacks()} counts them. A spot check, not a proof: a kernel that corrupts only interior tiles
 * would pass it, which is one reason the GEMM is an option ({@code report.gemm}), not the default.
 */
public final class Nd4jScorer implements CandidateScorer {
  public static final Nd4jScorer INSTANCE = new Nd4jScorer();

  private static final Logger LOG = LoggerFactory.getLogger(Nd4jScorer.class);

  private final AtomicLong fallbacks = new AtomicLong();

  /** The GEMM itself: the seam tests use to inject wrong scores. */
  interface Gemm {
    /** {@code out[q * n + j] = queries row q . rows row j}. */
    void scores(INDArray rows, float[] queries, int queryRows, int n, int d, float[] out);
  }

  static final Gemm ND4J =
      (b, queries, queryRows, n, d, out) -> {
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
      };

  private final Gemm gemm;

  private Nd4jScorer() {
    this(ND4J);
  }

  Nd4jScorer(Gemm gemm) {
    this.gemm = gemm;
  }

  /** Blocks whose GEMM failed the spot check and were recomputed, since this scorer was made. */
  public long fallbacks() {
    return fallbacks.get();
  }

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
        gemm.scores(b, queries, queryRows, n, d, out);
        String problem = spotCheck(rows, n, d, queries, queryRows, out);
        if (problem != null) {
          long count = fallbacks.incrementAndGet();
          if (count == 1) {
            LOG.warn(
                "ND4J sgemm failed its spot check ({}); recomputing such blocks with the"
                    + " engine-free scorer",
                problem);
          }
          try (Prepared java = CandidateScorer.fastest().prepare(rows, n, d)) {
            java.scores(queries, queryRows, out);
          }
        }
      }
    };
  }

  /** Why some checked score breaks the {@link CandidateScorer} contract, or null. */
  static String spotCheck(float[] rows, int n, int d, float[] queries, int q, float[] out) {
    if (q == 0 || n == 0) {
      return null;
    }
    double bound = CandidateScorer.errorBound(d);
    for (int qi : new int[] {0, q / 2, q - 1}) {
      for (int j = 0; j < n; j++) {
        String p = checkOne(rows, d, queries, qi, j, out[qi * n + j], bound);
        if (p != null) {
          return p;
        }
      }
    }
    for (int j : new int[] {0, n / 2, n - 1}) {
      for (int qi = 0; qi < q; qi++) {
        String p = checkOne(rows, d, queries, qi, j, out[qi * n + j], bound);
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }

  private static String checkOne(
      float[] rows, int d, float[] queries, int qi, int j, float score, double bound) {
    double dot = 0.0;
    double qq = 0.0;
    double bb = 0.0;
    int qo = qi * d;
    int bo = j * d;
    for (int k = 0; k < d; k++) {
      double x = queries[qo + k];
      double y = rows[bo + k];
      dot += x * y;
      qq += x * x;
      bb += y * y;
    }
    // The bound is for unit rows; scale it by the norms (rows may be slightly off unit).
    double allowed = bound * Math.max(1.0, Math.sqrt(qq * bb));
    return Math.abs(score - dot) <= allowed
        ? null
        : String.format(
            Locale.ROOT,
            "score of query %d and row %d: %s, float64 %s (must be within %.3g)",
            qi,
            j,
            score,
            dot,
            allowed);
  }
}
