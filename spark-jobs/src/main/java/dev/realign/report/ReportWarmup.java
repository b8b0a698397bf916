package dev.realign.report;

import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.Variant;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs the gap report once over small synthetic samples on a background thread, so the JIT has
 * compiled its kernels (Vector API scoring, neighbour selection, float64 re-scoring, the 2-D view)
 * before the real report needs them ({@code dev.realign.job.Warmups} runs it while Spark starts).
 * It renders the report's JSON and HTML too, and drops them. A cold report spends about a second of
 * CPU compiling; the figures are unaffected (the warm-up's result is dropped).
 *
 * <p>It runs with the real report's options, so it walks the code that report will run and no
 * other: with the library's defaults it computed the spectra too, which loaded ND4J and took 1.6 s
 * of the warm-up thread in a default {@code run}, whose report has no spectra.
 */
public final class ReportWarmup {
  /** Synthetic rows a modality, and their dimension: enough loop trips for the compilers. */
  private static final int ROWS = 2_000;

  private static final int DIM = 256;

  /** Of the synthetic rows' spectrum ({@link #syntheticRows(int, int, int, long, double)}). */
  private static final double SPECTRUM_DECAY = 4.0;

  private ReportWarmup() {}

  /**
   * One report over the synthetic rows with the real report's {@code options} (its sample size
   * aside), which the caller drops.
   */
  public static GapReport run(ReportOptions options) {
    return run(inputs(options));
  }

  /**
   * The synthetic samples and their fitted transforms, with the real report's {@code options} (its
   * sample size aside): built once for several rounds of {@link #run(ReportInputs)}.
   */
  public static ReportInputs inputs(ReportOptions options) {
    float[] texts = syntheticRows(ROWS, DIM, 0, 1, SPECTRUM_DECAY);
    float[] images = syntheticRows(ROWS, DIM, 1, 2, SPECTRUM_DECAY);
    Map<Variant, ReAlignTransform> transforms = new EnumMap<>(Variant.class);
    for (Variant v : Variant.values()) {
      transforms.put(v, ReAlignFitter.fitInMemory(FitOptions.of(v), texts, images, DIM));
    }
    return ReportInputs.of(texts, images, DIM, transforms)
        .withOptions(options.withSampleRows(ROWS));
  }

  /** One report over {@link #inputs}, rendered too; the caller drops it. */
  public static GapReport run(ReportInputs in) {
    GapReport r = ComputeGapReport.compute(in);
    // The report's files too: cold, rendering them took about 0.2 s of a 200k-row run's report.
    ReportJson.toJson(r);
    ReportHtml.render(r);
    return r;
  }

  /**
   * {@code rows} Gaussian rows of dimension {@code dim}, flat, shifted by 3 along one axis: a
   * modality-like cloud for warm-ups (the other warm-ups in {@code dev.realign.job.Warmups} use it
   * too).
   */
  public static float[] syntheticRows(int rows, int dim, int shiftAxis, long seed) {
    return syntheticRows(rows, dim, shiftAxis, seed, 0.0);
  }

  /**
   * {@link #syntheticRows(int, int, int, long)} with the standard deviation of component j falling
   * as {@code 1 / sqrt(1 + decay j)}: a spectrum like embeddings', on which the 2-D view's
   * iteration converges as on real ones (with decay 4, in 13 iterations, as the 200k demo's sample
   * in 11; on the isotropic cloud the report's warm-up spent 362 iterations and 0.37 s there, with
   * decay 0.25 109).
   */
  static float[] syntheticRows(int rows, int dim, int shiftAxis, long seed, double decay) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] sd = new double[dim];
    for (int j = 0; j < dim; j++) {
      sd[j] = 1.0 / Math.sqrt(1.0 + decay * j);
    }
    float[] x = new float[rows * dim];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < dim; j++) {
        x[i * dim + j] = (float) (sd[j] * nextGaussian(rnd) + (j == shiftAxis ? 3.0 : 0.0));
      }
    }
    return x;
  }

  private static double nextGaussian(SplittableRandom rnd) {
    // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
    double u = 1.0 - rnd.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * rnd.nextDouble());
  }
}
