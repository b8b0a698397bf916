package dev.realign.report;

import dev.realign.metrics.CandidateScorer;
import dev.realign.metrics.CosineHistogram;
import dev.realign.metrics.EstimationPlan;
import dev.realign.metrics.GapEvaluator;
import dev.realign.metrics.UnitRows;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Random;

/**
 * Times the report's metric kernels on synthetic samples (wall and process CPU seconds): ND4J
 * start-up, the evaluator (constructor + 3 aligned rows) at a plan, and one spectrum. Not a unit
 * test: run it by hand.
 *
 * <pre>
 * java -cp ... dev.realign.report.ReportTiming [n=10000] [d=1280] [queries=250] [pairs=262144]
 * </pre>
 */
public final class ReportTiming {
  private ReportTiming() {}

  static double cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1e9;
  }

  static UnitRows rows(Random rnd, int n, int d, int axis) {
    float[] x = new float[n * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian() * (1f + (i % d) % 7) * 0.1f;
    }
    for (int i = 0; i < n; i++) {
      x[i * d + axis] += 3f;
    }
    return UnitRows.normalise(x, d);
  }

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int d = args.length > 1 ? Integer.parseInt(args[1]) : 1280;
    int q = args.length > 2 ? Integer.parseInt(args[2]) : 250;
    long pairs = args.length > 3 ? Long.parseLong(args[3]) : 1L << 18;
    Random rnd = new Random(1);
    UnitRows t = rows(rnd, n, d, 0);
    UnitRows im = rows(rnd, n, d, 1);
    UnitRows[] aligned = {rows(rnd, n, d, 1), rows(rnd, n, d, 1), rows(rnd, n, d, 1)};
    double w;
    double c;
    for (int rep = 0; rep < 2; rep++) {
      if (rep == 1) {
        w = System.nanoTime();
        c = cpu();
        Nd4jScorer.INSTANCE.prepare(new float[4], 2, 2).close();
        report("nd4j start", w, c);
      }
      for (CandidateScorer s :
          rep == 0
              ? new CandidateScorer[] {CandidateScorer.fastest(), CandidateScorer.fastest()}
              : new CandidateScorer[] {Nd4jScorer.INSTANCE, CandidateScorer.fastest()}) {
        System.out.println(s.getClass().getSimpleName());
        w = System.nanoTime();
        c = cpu();
        GapEvaluator e =
            new GapEvaluator(
                im,
                t,
                20,
                10,
                CosineHistogram.BINS_DEFAULT,
                new EstimationPlan(q, q, pairs, 16, s));
        e.before();
        report("evaluator + before", w, c);
        w = System.nanoTime();
        c = cpu();
        for (UnitRows a : aligned) {
          e.evaluate(a);
        }
        report("3 aligned rows", w, c);
      }
    }
    w = System.nanoTime();
    c = cpu();
    Spectrum.checked().of("t", t.head(2000), new int[] {1, 10}, 0.95);
    report("one spectrum (2000 rows)", w, c);
    w = System.nanoTime();
    c = cpu();
    Spectrum.checked().fixedFrame(t.head(2000), im.head(2000), new int[] {1, 10}, 0.95);
    report("fixed frame (2000 + 2000)", w, c);
  }

  static void report(String what, double wallStart, double cpuStart) {
    System.out.printf(
        Locale.ROOT,
        "%-28s wall %6.2f s  cpu %6.2f s%n",
        what,
        (System.nanoTime() - wallStart) / 1e9,
        cpu() - cpuStart);
  }
}
