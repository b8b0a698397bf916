package dev.realign.report;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.RowMatrix;
import org.apache.spark.sql.SparkSession;
import org.netlib.util.intW;

/**
 * Times the d x d covariance + symmetric eigendecomposition of an n x d sample three ways: ND4J
 * ({@link Spectrum}: OpenBLAS gemm + LAPACK syev), the BLAS/LAPACK layer MLlib uses ({@code
 * dev.ludovic.netlib}: dsyrk + dsyevd, whichever instance it picks here), and MLlib's own {@code
 * RowMatrix.computeCovariance} + {@code computePrincipalComponentsAndExplainedVariance} (breeze
 * SVD) on {@code local[1]}. Not a unit test: run it by hand.
 *
 * <pre>
 * java -cp ... dev.realign.report.SpectrumTiming [n=10000] [d=512] [repeats=5]
 * </pre>
 */
public final class SpectrumTiming {
  private SpectrumTiming() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int d = args.length > 1 ? Integer.parseInt(args[1]) : 512;
    int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Random rnd = new Random(1);
    double[] x = new double[n * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextGaussian() / (1 + i % d);
    }
    double[] mu = new double[d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        mu[j] += x[i * d + j] / n;
      }
    }
    double[] centred = x.clone();
    for (int i = 0; i < centred.length; i++) {
      centred[i] -= mu[i % d];
    }
    System.out.printf(
        Locale.ROOT,
        "n=%d d=%d repeats=%d cores=%d%n",
        n,
        d,
        repeats,
        Runtime.getRuntime().availableProcessors());
    System.out.println(
        "netlib BLAS: "
            + BLAS.getInstance().getClass().getName()
            + ", LAPACK: "
            + LAPACK.getInstance().getClass().getName());

    double[] nd4j = Spectrum.covarianceEigenvalues(centred, n, d); // warm-up (loads natives)
    report("ND4J gemm+syev", repeats, () -> Spectrum.covarianceEigenvalues(centred, n, d));
    double[] netlib = netlibEig(centred, n, d);
    report("netlib dsyrk+dsyevd", repeats, () -> netlibEig(centred, n, d));
    double maxDiff = 0;
    for (int i = 0; i < d; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(nd4j[i] - netlib[i]));
    }
    System.out.printf(
        Locale.ROOT, "max |eig ND4J - eig netlib| = %.3g (largest %.4g)%n", maxDiff, nd4j[0]);

    SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("spectrum-timing")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    try {
      List<Vector> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        rows.add(Vectors.dense(Arrays.copyOfRange(x, i * d, (i + 1) * d)));
      }
      RowMatrix m =
          new RowMatrix(
              new JavaSparkContext(spark.sparkContext()).parallelize(rows, 1).rdd().cache());
      m.numRows();
      m.computeCovariance();
      report("MLlib RowMatrix.computeCovariance", repeats, m::computeCovariance);
      m.computePrincipalComponentsAndExplainedVariance(d);
      report(
          "MLlib RowMatrix cov+breeze SVD (PCA k=d)",
          repeats,
          () -> m.computePrincipalComponentsAndExplainedVariance(d));
    } finally {
      spark.stop();
    }
  }

  /** Covariance by dsyrk (upper triangle of X^T X / n), eigenvalues by dsyevd, descending. */
  static double[] netlibEig(double[] centred, int n, int d) {
    // Row-major n x d is column-major d x n (A^T): C = A^T^T ... i.e. C = B B^T with B = that d x
    // n.
    double[] c = new double[d * d];
    BLAS.getInstance().dsyrk("U", "N", d, n, 1.0 / n, centred, d, 0.0, c, d);
    double[] w = new double[d];
    intW info = new intW(0);
    double[] work = new double[1];
    int[] iwork = new int[1];
    LAPACK.getInstance().dsyevd("N", "U", d, c, d, w, work, -1, iwork, -1, info);
    work = new double[(int) work[0]];
    iwork = new int[iwork[0]];
    LAPACK.getInstance().dsyevd("N", "U", d, c, d, w, work, work.length, iwork, iwork.length, info);
    if (info.val != 0) {
      throw new IllegalStateException("dsyevd failed: info " + info.val);
    }
    double[] desc = new double[d];
    for (int i = 0; i < d; i++) {
      desc[i] = w[d - 1 - i];
    }
    return desc;
  }

  private static void report(String what, int repeats, Runnable r) {
    long[] ms = new long[repeats];
    for (int i = 0; i < repeats; i++) {
      long t0 = System.nanoTime();
      r.run();
      ms[i] = (System.nanoTime() - t0) / 1_000_000;
    }
    Arrays.sort(ms);
    System.out.printf(
        Locale.ROOT,
        "%-44s median %6d ms  (min %d, max %d)%n",
        what,
        ms[repeats / 2],
        ms[0],
        ms[repeats - 1]);
  }
}
