package dev.realign.report;

import static dev.realign.Checks.checkArgument;

import dev.realign.metrics.CosineHistogram;
import dev.realign.metrics.EstimationPlan;
import dev.realign.metrics.GapMetrics;

/**
 * Options of a gap report. Every figure is computed on at most {@code sampleRows} rows a modality.
 *
 * @param sampleRows rows a modality (an evenly strided subset when there are more; all, with a
 *     note, when there are fewer)
 * @param mixingK k of the k-NN modality mixing
 * @param overlapK k of the k-NN neighbourhood overlap
 * @param bins bins of the pairwise-cosine histograms on [-1, 1]
 * @param spectra whether to compute the second-order diagnostics (loads ND4J)
 * @param energyThreshold the variance share that defines r for the spectra and the gap split
 * @param topK the k of the "energy in the top-k directions" figures
 * @param maxPlotPoints points a modality drawn in each 2-D view (an evenly strided subset)
 * @param knnQueries k-NN queries a modality (the first rows of each sample), each searched exactly
 *     against the whole sample; all rows when the sample is smaller (exact)
 * @param pairBudget pairs a pairwise-cosine histogram; all pairs when they fit (exact)
 * @param gemm whether the float32 candidate search uses ND4J's GEMM (else plain Java); the figures
 *     do not depend on it
 * @param spectrumRows rows a modality (the first of each sample) behind the spectra and the gap
 *     split: an {@code O(n d^2 + d^3)} diagnostic, kept to a fixed size
 */
public record ReportOptions(
    int sampleRows,
    int mixingK,
    int overlapK,
    int bins,
    boolean spectra,
    double energyThreshold,
    int[] topK,
    int maxPlotPoints,
    int knnQueries,
    long pairBudget,
    boolean gemm,
    int spectrumRows) {
  public static final int SAMPLE_ROWS_DEFAULT = 10_000;
  public static final int SPECTRUM_ROWS_DEFAULT = 2_000;
  public static final int MAX_PLOT_POINTS_DEFAULT = 1_000;

  public ReportOptions(
      int sampleRows,
      int mixingK,
      int overlapK,
      int bins,
      boolean spectra,
      double energyThreshold,
      int[] topK,
      int maxPlotPoints) {
    this(
        sampleRows,
        mixingK,
        overlapK,
        bins,
        spectra,
        energyThreshold,
        topK,
        maxPlotPoints,
        EstimationPlan.QUERIES_DEFAULT,
        EstimationPlan.PAIR_BUDGET_DEFAULT,
        false,
        SPECTRUM_ROWS_DEFAULT);
  }

  public ReportOptions {
    checkArgument(sampleRows >= 2, "Invalid sample rows: %s (must be >= 2)", sampleRows);
    checkArgument(mixingK >= 1, "Invalid mixing k: %s (must be >= 1)", mixingK);
    checkArgument(overlapK >= 1, "Invalid overlap k: %s (must be >= 1)", overlapK);
    checkArgument(bins >= 1, "Invalid bins: %s (must be >= 1)", bins);
    checkArgument(
        energyThreshold > 0 && energyThreshold <= 1,
        "Invalid energy threshold: %s (must" + " be in (0, 1])",
        energyThreshold);
    checkArgument(maxPlotPoints >= 1, "Invalid max plot points: %s (must be >= 1)", maxPlotPoints);
    checkArgument(knnQueries >= 1, "Invalid k-NN queries: %s (must be >= 1)", knnQueries);
    checkArgument(pairBudget >= 1, "Invalid pair budget: %s (must be >= 1)", pairBudget);
    checkArgument(spectrumRows >= 2, "Invalid spectrum rows: %s (must be >= 2)", spectrumRows);
    topK = topK.clone();
    for (int k : topK) {
      checkArgument(k >= 1, "Invalid top-k: %s (must be >= 1)", k);
    }
  }

  public static ReportOptions defaults() {
    return new ReportOptions(
        SAMPLE_ROWS_DEFAULT,
        GapMetrics.KNN_MIXING_K_DEFAULT,
        GapMetrics.OVERLAP_K_DEFAULT,
        CosineHistogram.BINS_DEFAULT,
        true,
        Spectrum.ENERGY_THRESHOLD_DEFAULT,
        Spectrum.TOP_K_DEFAULT,
        MAX_PLOT_POINTS_DEFAULT);
  }

  @Override
  public int[] topK() {
    return topK.clone();
  }

  public ReportOptions withSampleRows(int n) {
    return new ReportOptions(
        n,
        mixingK,
        overlapK,
        bins,
        spectra,
        energyThreshold,
        topK,
        maxPlotPoints,
        knnQueries,
        pairBudget,
        gemm,
        spectrumRows);
  }

  public ReportOptions withSpectra(boolean on) {
    return new ReportOptions(
        sampleRows,
        mixingK,
        overlapK,
        bins,
        on,
        energyThreshold,
        topK,
        maxPlotPoints,
        knnQueries,
        pairBudget,
        gemm,
        spectrumRows);
  }

  public ReportOptions withK(int mixing, int overlap) {
    return new ReportOptions(
        sampleRows,
        mixing,
        overlap,
        bins,
        spectra,
        energyThreshold,
        topK,
        maxPlotPoints,
        knnQueries,
        pairBudget,
        gemm,
        spectrumRows);
  }

  public ReportOptions withEnergyThreshold(double t) {
    return new ReportOptions(
        sampleRows,
        mixingK,
        overlapK,
        bins,
        spectra,
        t,
        topK,
        maxPlotPoints,
        knnQueries,
        pairBudget,
        gemm,
        spectrumRows);
  }

  public ReportOptions withSpectrumRows(int n) {
    return new ReportOptions(
        sampleRows,
        mixingK,
        overlapK,
        bins,
        spectra,
        energyThreshold,
        topK,
        maxPlotPoints,
        knnQueries,
        pairBudget,
        gemm,
        n);
  }

  /** The estimation budgets: k-NN queries a modality and pairs a histogram. */
  public ReportOptions withEstimation(int queries, long pairs, boolean useGemm) {
    return new ReportOptions(
        sampleRows,
        mixingK,
        overlapK,
        bins,
        spectra,
        energyThreshold,
        topK,
        maxPlotPoints,
        queries,
        pairs,
        useGemm,
        spectrumRows);
  }
}
