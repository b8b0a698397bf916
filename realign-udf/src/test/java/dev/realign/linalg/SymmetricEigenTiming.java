package dev.realign.linalg;

import java.util.Locale;
import java.util.Random;

/**
 * Times {@link SymmetricEigen#decompose} and {@link EigenCheck#verify} on a random covariance-like
 * matrix. Not a unit test: run it by hand.
 *
 * <pre>
 * java -cp realign-udf/target/classes:realign-udf/target/test-classes \
 *     dev.realign.linalg.SymmetricEigenTiming [d=512] [repeats=3]
 * </pre>
 */
public final class SymmetricEigenTiming {
  private SymmetricEigenTiming() {}

  public static void main(String[] args) {
    int d = args.length > 0 ? Integer.parseInt(args[0]) : 512;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    double[][] a = SymmetricEigenTest.rotated(d, new Random(1));
    System.out.printf(
        Locale.ROOT, "d=%d cores=%d%n", d, Runtime.getRuntime().availableProcessors());
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      Eigen e = SymmetricEigen.decompose(a);
      long t1 = System.nanoTime();
      EigenCheck.Result check = EigenCheck.verify(a, e);
      long t2 = System.nanoTime();
      System.out.printf(
          Locale.ROOT,
          "decompose %.0f ms, check %.0f ms (residual %.2e, orthonormality %.2e, ok %s)%n",
          (t1 - t0) / 1e6,
          (t2 - t1) / 1e6,
          check.maxRelativeResidual(),
          check.maxOrthonormalityError(),
          check.ok());
    }
  }
}
