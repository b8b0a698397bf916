package dev.realign.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.linalg.CovarianceCheck;
import dev.realign.linalg.Eigen;
import dev.realign.linalg.EigenCheck;
import dev.realign.linalg.SymmetricEigen;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Times what {@link Spectrum} does a decomposition at d = 512 and 1280 (n = 2,000 rows): ND4J's
 * gemm + syev, the checks, and the plain-Java fallback. Not part of the suite (the name does not
 * match surefire's includes): {@code mvn -pl spark-jobs -am -DskipClusterJar
 * -Dtest=SpectrumCheckTiming -Dsurefire.failIfNoSpecifiedTests=false test}.
 */
class SpectrumCheckTiming {
  @Test
  void timeTheChecksAndTheFallback() {
    int n = 2000;
    for (int d : new int[] {512, 1280}) {
      Random rnd = new Random(d);
      double[] x = new double[n * d];
      for (int i = 0; i < x.length; i++) {
        x[i] = rnd.nextGaussian() / (1 + i % d);
      }
      double[] mu = new double[d];
      for (int i = 0; i < x.length; i++) {
        mu[i % d] += x[i] / n;
      }
      for (int i = 0; i < x.length; i++) {
        x[i] -= mu[i % d];
      }
      Spectrum.ND4J.decompose(Spectrum.ND4J.covariance(x, n, d)); // loads the natives
      for (int r = 0; r < 2; r++) {
        long t0 = System.nanoTime();
        double[][] c = Spectrum.ND4J.covariance(x, n, d);
        long t1 = System.nanoTime();
        Eigen e = Spectrum.ND4J.decompose(c);
        long t2 = System.nanoTime();
        String covProblem = CovarianceCheck.problem(c, x, n, d);
        long t3 = System.nanoTime();
        EigenCheck.Result check = EigenCheck.verify(c, e);
        long t4 = System.nanoTime();
        Eigen java = SymmetricEigen.decompose(c);
        long t5 = System.nanoTime();
        System.out.printf(
            Locale.ROOT,
            "d=%d n=%d: ND4J gemm %.0f ms, syev %.0f ms; covariance check %.0f ms, eigen check %.0f"
                + " ms (residual %.1e, orthonormality %.1e); plain-Java decomposition %.0f ms%n",
            d,
            n,
            (t1 - t0) / 1e6,
            (t2 - t1) / 1e6,
            (t3 - t2) / 1e6,
            (t4 - t3) / 1e6,
            check.maxRelativeResidual(),
            check.maxOrthonormalityError(),
            (t5 - t4) / 1e6);
        assertThat(covProblem).isNull();
        assertThat(check.ok()).isTrue();
        assertThat(java.valuesDesc()[0])
            .isCloseTo(e.valuesDesc()[0], org.assertj.core.api.Assertions.within(1e-12));
      }
    }
  }
}
