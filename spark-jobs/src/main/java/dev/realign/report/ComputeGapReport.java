package dev.realign.report;

import static dev.realign.Checks.checkArgument;

import dev.realign.align.AlignmentKernel;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.Variant;
import dev.realign.metrics.AffineTexts;
import dev.realign.metrics.CandidateScorer;
import dev.realign.metrics.EstimationPlan;
import dev.realign.metrics.GapEvaluator;
import dev.realign.metrics.GapFigures;
import dev.realign.metrics.GapMetrics;
import dev.realign.metrics.UnitRows;
import dev.realign.stats.MomentSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Computes a {@link GapReport} from {@link ReportInputs}: the samples' figures (exact where the
 * samples fit the {@link EstimationPlan}, estimated with standard errors beyond), the full-data
 * centroid gap and trace ratio from exact sketches when given, spectra, the 2-D view and the
 * validation table.
 *
 * <p>Cost at the defaults (10,000 rows a modality, 200 queries, 2^18 pairs): float32 scores of the
 * image and raw-text queries against the samples (four {@code q x n} score matrices, {@code 2 q n
 * d} flops each, ~20 GFLOP in all at d = 1280) and the histogram blocks, once; per variant only
 * derived scores ({@link AffineTexts}: a few flops a pair), the float64 re-scoring of a few
 * candidates a query and the alignment of the sample; linear in the sample, not quadratic.
 */
public final class ComputeGapReport {
  /** Rows a modality behind the 2-D view's principal axes. */
  static final int AXES_ROWS = 500;

  private ComputeGapReport() {}

  /** Elapsed time per stage. */
  private static final class Clock {
    long mark = System.nanoTime();

    void time(GapReport.Builder b, String what) {
      long now = System.nanoTime();
      b.timings.merge(what, (now - mark) / 1_000_000, Long::sum);
      mark = now;
    }
  }

  /**
   * Computes every figure of the report.
   *
   * @throws IllegalArgumentException for a bad row in a sample (named by index), or a transform
   *     that rejects a sampled text
   */
  public static GapReport compute(ReportInputs in) {
    GapReport.Builder b = new GapReport.Builder();
    Clock clock = new Clock();
    ReportOptions o = in.options();
    int d = in.dimension();
    b.dimension = d;
    b.options = o;

    int nt = in.texts().length / d;
    int ni = in.images().length / d;
    float[] textSample = sample(in.texts(), d, o.sampleRows(), "text", b);
    float[] imageSample = sample(in.images(), d, o.sampleRows(), "image", b);
    // Views: the samples are not changed while the report runs (UnitRows keeps them, not copies).
    UnitRows raw = UnitRows.view(textSample, d);
    UnitRows img = UnitRows.view(imageSample, d);
    b.samples.add(new GapReport.SampleSize("text", nt, raw.rows()));
    b.samples.add(new GapReport.SampleSize("image", ni, img.rows()));

    b.mixingK =
        clampK(o.mixingK(), raw.rows() + img.rows() - 1, "k-NN mixing", "pooled rows minus one", b);
    b.overlapK = clampK(o.overlapK(), raw.rows() - 1, "k-NN overlap", "texts minus one", b);
    definitions(b, o);
    clock.time(b, "load");

    // A scorer of its own, to count the GEMM blocks that failed their spot check in this report.
    Nd4jScorer gemm = o.gemm() ? new Nd4jScorer(Nd4jScorer.ND4J) : null;
    CandidateScorer scorer = gemm != null ? gemm : CandidateScorer.fastest();
    EstimationPlan plan =
        new EstimationPlan(
            o.knnQueries(),
            o.knnQueries(),
            o.pairBudget(),
            EstimationPlan.PAIR_GROUPS_DEFAULT,
            scorer,
            Math.max(o.knnQueries(), EstimationPlan.EXACT_ROWS_DEFAULT));
    GapEvaluator eval = new GapEvaluator(img, raw, b.mixingK, b.overlapK, o.bins(), plan);
    b.edges = eval.histogramEdges();
    long[] imageCounts = eval.imagePairCosineCounts();
    b.imageHistogram = new GapReport.Histogram("image-image", imageCounts);
    long imagePairs = java.util.Arrays.stream(imageCounts).sum();
    b.estimation =
        new GapReport.Estimation(
            eval.queries()[0],
            eval.queries()[1],
            o.pairBudget(),
            EstimationPlan.PAIR_GROUPS_DEFAULT,
            imagePairs,
            (long) img.rows() * (img.rows() - 1) / 2,
            o.gemm()
                ? "nd4j-sgemm"
                : scorer == CandidateScorer.JAVA ? "java-float32" : "vector-api-float32");
    MomentSnapshot fullText = in.fullData() == null ? null : in.fullData().text();
    MomentSnapshot fullImage = in.fullData() == null ? null : in.fullData().image();
    addRow(b, GapReport.BEFORE, eval.before(), fullText, fullImage);
    clock.time(b, "metrics");

    // The axes of the 2-D view from at most AXES_ROWS rows a modality (evenly strided): plain
    // Java iteration on those rows, kept small; the view draws ~1,000 points anyway.
    PrincipalAxes axes =
        PrincipalAxes.of(
            raw.select(stride(raw.rows(), AXES_ROWS)), img.select(stride(img.rows(), AXES_ROWS)));
    int[] plotT = stride(raw.rows(), o.maxPlotPoints());
    int[] plotI = stride(img.rows(), o.maxPlotPoints());
    float[] imageXY = axes.project(img, plotI);
    List<GapReport.Projection> panels = new ArrayList<>();
    panels.add(new GapReport.Projection(GapReport.BEFORE, axes.project(raw, plotT), imageXY));
    clock.time(b, "pca");

    FixedFrame frame = null;
    List<ModalitySpectrum> spectra = new ArrayList<>();
    List<GapSplit> splits = new ArrayList<>();
    double[] muImage = img.mean();
    UnitRows specRaw = raw.head(Math.min(o.spectrumRows(), raw.rows()));
    UnitRows specImg = img.head(Math.min(o.spectrumRows(), img.rows()));
    // Checked ND4J decompositions, recomputed in plain Java where a check fails (listed in the
    // notes).
    Spectrum spectrum = Spectrum.checked();
    if (o.spectra()) {
      if (specRaw.rows() < raw.rows() || specImg.rows() < img.rows()) {
        b.notes.add(
            String.format(
                Locale.ROOT,
                "spectra and gap split: the first %d texts and %d"
                    + " images of the samples (id-hash order; report.spectrum_rows)",
                specRaw.rows(),
                specImg.rows()));
      }
      spectra.add(spectrum.of("text", specRaw, o.topK(), o.energyThreshold()));
      spectra.add(spectrum.of("image", specImg, o.topK(), o.energyThreshold()));
      frame = spectrum.fixedFrame(specRaw, specImg, o.topK(), o.energyThreshold());
      splits.add(frame.split(GapReport.BEFORE, minus(muImage, raw.mean())));
      clock.time(b, "spectra");
    }

    // One aligned sample at a time, in a buffer reused across the variants (each variant's view
    // is done with before the next overwrites it): with a fresh 50 MB and 100 MB array per variant
    // the align phase took 150-580 ms for three variants in a run (fresh heap memory is touched
    // for the first time), with the buffers reused 88-106 ms.
    float[] alignedFlat = new float[textSample.length];
    for (Map.Entry<Variant, ReAlignTransform> e : in.transforms().entrySet()) {
      String label = e.getKey().id();
      align(e.getValue(), textSample, d, "text sample", alignedFlat);
      UnitRows aligned = UnitRows.view(alignedFlat, d);
      clock.time(b, "align");
      MomentSnapshot full = in.fullData() == null ? null : in.fullData().aligned().get(e.getKey());
      // Every variant is affine in the raw texts up to per-row scalars: its candidate scores are
      // derived from the raw texts' (the figures are still the aligned rows' float64 cosines).
      ReAlignTransform t = e.getValue();
      AffineTexts form = AffineTexts.of(raw, t.scale(), t.muText(), t.muImage(), t.muHat());
      addRow(b, label, eval.evaluate(aligned, form), full, fullImage);
      clock.time(b, "metrics");
      panels.add(new GapReport.Projection(label, axes.project(aligned, plotT), imageXY));
      clock.time(b, "pca");
      if (frame != null) {
        spectra.add(
            spectrum.of(
                "text after " + label,
                aligned.head(specRaw.rows()),
                o.topK(),
                o.energyThreshold()));
        splits.add(frame.split(label, minus(muImage, aligned.mean())));
        clock.time(b, "spectra");
      }
    }
    b.pca =
        new GapReport.PcaView(
            axes.variance(), axes.totalVariance(), plotT.length, plotI.length, panels);
    if (plotT.length < raw.rows() || plotI.length < img.rows()) {
      b.notes.add(
          String.format(
              Locale.ROOT,
              "2-D view: %d of %d texts and %d of %d images drawn" + " (evenly strided)",
              plotT.length,
              raw.rows(),
              plotI.length,
              img.rows()));
    }
    notes(b, raw.rows(), img.rows());
    b.notes.addAll(spectrum.fallbacks());
    if (gemm != null && gemm.fallbacks() > 0) {
      b.notes.add(
          String.format(
              Locale.ROOT,
              "candidate scores: %d ND4J sgemm blocks failed their spot check and were recomputed"
                  + " by the engine-free scorer",
              gemm.fallbacks()));
    }
    if (frame != null) {
      b.diagnostics = new GapReport.Diagnostics(spectra, frame.pooled(), frame.rank(), splits);
    }
    if (in.hasValidation()) {
      b.validation = validation(in, b);
      clock.time(b, "validation");
    }
    return b.build();
  }

  /** Notes on which figures are estimates and which are over all rows. */
  private static void notes(GapReport.Builder b, int nt, int ni) {
    GapReport.Estimation e = b.estimation;
    if (e.textQueries() < nt || e.imageQueries() < ni) {
      b.notes.add(
          String.format(
              Locale.ROOT,
              "k-NN mixing and overlap: estimated over the first"
                  + " %d of %d texts and %d of %d images (by id hash) as queries, each query's neighbours"
                  + " exact among the whole sample; ± is one standard error",
              e.textQueries(),
              nt,
              e.imageQueries(),
              ni));
    }
    if (e.imagePairs() < e.imagePairsAvailable()) {
      b.notes.add(
          String.format(
              Locale.ROOT,
              "JS pairwise cos and the histograms: %d blocks of"
                  + " pairs, about %d pairs a histogram (budget), not all pairs; ± is the jackknife"
                  + " standard error over the blocks",
              e.pairGroups(),
              e.imagePairs()));
    }
    boolean anyFull = false;
    List<String> sampled = new ArrayList<>();
    for (GapReport.MetricsRow r : b.rows) {
      if (r.fullData()) {
        anyFull = true;
      } else {
        sampled.add(r.label());
      }
    }
    if (anyFull) {
      b.notes.add(
          "centroid gap and trace ratio: exact over every row (moment sketches of the"
              + " stats and apply passes)"
              + (sampled.isEmpty()
                  ? ""
                  : "; over the samples for "
                      + String.join(", ", sampled)
                      + " (no full-data sketch of those outputs)"));
    }
  }

  private static GapReport.Validation validation(ReportInputs in, GapReport.Builder b) {
    int d = in.dimension();
    UnitRows vt = UnitRows.normalise(in.validationTexts(), d);
    UnitRows vi = UnitRows.normalise(in.validationImages(), d);
    int n = vt.rows();
    int k1 = clampK(1, n, "recall@1", "validation pairs", b);
    int k5 = clampK(5, n, "recall@5", "validation pairs", b);
    List<GapReport.PairedRow> rows = new ArrayList<>();
    rows.add(paired(GapReport.BEFORE, vt, vi, k1, k5));
    for (Map.Entry<Variant, ReAlignTransform> e : in.transforms().entrySet()) {
      float[] out = new float[in.validationTexts().length];
      align(e.getValue(), in.validationTexts(), d, "validation texts", out);
      UnitRows aligned = UnitRows.normalise(out, d);
      rows.add(paired(e.getKey().id(), aligned, vi, k1, k5));
    }
    return new GapReport.Validation(n, k1, k5, rows, in.validationPairing());
  }

  private static GapReport.PairedRow paired(String label, UnitRows t, UnitRows i, int k1, int k5) {
    double[] r = GapMetrics.recallAtK(t, i, k1, k5);
    return new GapReport.PairedRow(label, GapMetrics.pairedCosine(t, i), r[0], r[1]);
  }

  private static void addRow(
      GapReport.Builder b,
      String label,
      GapFigures f,
      MomentSnapshot fullText,
      MomentSnapshot fullImage) {
    double gap = f.centroidGap();
    double ratio = f.traceRatio();
    long fullRows = 0;
    if (fullText != null && fullImage != null) {
      gap = GapMetrics.distance(fullImage.mean(), fullText.mean());
      ratio = fullText.trace() / fullImage.trace();
      fullRows = fullText.count();
    }
    b.rows.add(
        new GapReport.MetricsRow(
            label,
            gap,
            ratio,
            fullRows,
            f.centroidGap(),
            f.traceRatio(),
            f.js(),
            f.mixing(),
            f.perfectMixing(),
            f.overlap()));
    b.textHistograms.add(new GapReport.Histogram("text-text " + label, f.textPairCosineCounts()));
  }

  /** Rows a chunk of {@link #align}: chunks run on the common pool. */
  private static final int ALIGN_CHUNK = 256;

  /** Aligns {@code rows} into {@code out} (as long as {@code rows}). */
  private static void align(ReAlignTransform t, float[] rows, int d, String what, float[] out) {
    AlignmentKernel k = t.kernel();
    int n = rows.length / d;
    // Rows are independent (the same bits in any order); the first bad row by index is reported.
    dev.realign.vector.RejectReason[] rejected = new dev.realign.vector.RejectReason[n];
    java.util.stream.IntStream.range(0, (n + ALIGN_CHUNK - 1) / ALIGN_CHUNK)
        .parallel()
        .forEach(
            c -> {
              int r0 = c * ALIGN_CHUNK;
              int m = Math.min(ALIGN_CHUNK, n - r0);
              k.applyBatch(
                  rows,
                  r0 * d,
                  m,
                  out,
                  r0 * d,
                  k.newScratch(),
                  (row, reason) -> rejected[r0 + row] = reason);
            });
    for (int row = 0; row < n; row++) {
      if (rejected[row] != null) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "Invalid row %d of the %s:" + " %s (the %s transform cannot align it)",
                row,
                what,
                rejected[row],
                t.variant()));
      }
    }
  }

  /** At most {@code max} rows: all of them (with a note when fewer than asked), or a stride. */
  private static float[] sample(
      float[] rows, int d, int max, String modality, GapReport.Builder b) {
    int n = rows.length / d;
    if (n <= max) {
      if (n < max) {
        b.notes.add(
            String.format(
                Locale.ROOT,
                "sample size %d > %d %s rows available: all %d" + " used",
                max,
                n,
                modality,
                n));
      }
      return rows;
    }
    int[] idx = stride(n, max);
    float[] out = new float[idx.length * d];
    for (int r = 0; r < idx.length; r++) {
      System.arraycopy(rows, idx[r] * d, out, r * d, d);
    }
    b.notes.add(
        String.format(
            Locale.ROOT,
            "%s: %d of %d rows used (rows floor(i * %d / %d))",
            modality,
            max,
            n,
            n,
            max));
    return out;
  }

  /** {@code m} evenly spread indices of {@code [0, n)} ({@code floor(i n / m)}), or all. */
  static int[] stride(int n, int m) {
    int k = Math.min(n, m);
    int[] idx = new int[k];
    for (int i = 0; i < k; i++) {
      idx[i] = (int) ((long) i * n / k);
    }
    return idx;
  }

  private static int clampK(int k, int max, String what, String maxName, GapReport.Builder b) {
    checkArgument(
        max >= 1, "Invalid sample for %s: no neighbour possible (%s = %s)", what, maxName, max);
    if (k > max) {
      b.notes.add(
          String.format(
              Locale.ROOT, "%s: k = %d > %d (the %s); k = %d used", what, k, max, maxName, max));
      return max;
    }
    return k;
  }

  private static double[] minus(double[] a, double[] c) {
    double[] g = new double[a.length];
    for (int j = 0; j < a.length; j++) {
      g[j] = a[j] - c[j];
    }
    return g;
  }

  private static void definitions(GapReport.Builder b, ReportOptions o) {
    Map<String, String> m = b.definitions;
    m.put(
        "rows",
        "every row is L2-normalised in float64 first; means and traces are over the"
            + " normalised rows (1/n); 'before' is the raw texts, each other row the texts aligned by"
            + " that variant's fitted transform (float32 output)");
    m.put(
        "centroid_gap",
        GapMetrics.CENTROID_GAP_DEFINITION
            + "; over every row (exact moment"
            + " sketches: the stats pass for the raw texts and images, the apply pass for the written"
            + " aligned texts, float32 as written) where centroid_gap_scope is full_data, else over"
            + " the samples");
    m.put(
        "js_pairwise_cos",
        String.format(Locale.ROOT, GapMetrics.JS_DEFINITION, o.bins())
            + "; when the pairs exceed the budget, over all pairs inside 16 disjoint blocks of"
            + " consecutive sample rows (id-hash order), standard error by the delete-one-block"
            + " jackknife");
    m.put(
        "knn_mixing",
        String.format(Locale.ROOT, GapMetrics.KNN_MIXING_DEFINITION, b.mixingK)
            + "; when the sample exceeds the queries, averaged over the first q texts and q images"
            + " (id-hash order) as queries, each against the whole pooled sample, combined as"
            + " (n_t m_t + n_i m_i) / N with the stratified finite-population standard error");
    m.put("knn_mixing_normalised", GapMetrics.KNN_MIXING_NORMALISED_DEFINITION);
    m.put(
        "knn_overlap",
        String.format(Locale.ROOT, GapMetrics.OVERLAP_DEFINITION, b.overlapK)
            + "; when the sample exceeds the queries, averaged over the first q texts, each against"
            + " all texts of the sample, with its finite-population standard error");
    m.put("trace_ratio", GapMetrics.TRACE_RATIO_DEFINITION + "; scope as centroid_gap");
    m.put("paired_cos", GapMetrics.PAIRED_COS_DEFINITION + " (validation pairs)");
    m.put("t2i_recall_at_k", GapMetrics.RECALL_DEFINITION + " (validation pairs)");
    m.put(
        "spectrum",
        "eigenvalues (descending) of the 1/n covariance of a sample's unit rows;"
            + " effective rank = exp(spectral entropy of the normalised eigenvalues); energy top-k ="
            + " share of the variance in the top k directions; r = smallest rank holding the energy"
            + " threshold; condition number = lambda_1 / lambda_r");
    m.put(
        "gap_split",
        "Fixed frame: top-r principal subspace (r by the energy threshold) of the"
            + " pooled within-modality covariance (n_t C_t + n_i C_i) / (n_t + n_i) of the raw texts"
            + " and the images; gap g = mu_image - mean(texts) split into its projection on that"
            + " subspace and the orthogonal rest (|g|^2 = |in|^2 + |out|^2); one frame for all rows");
    m.put(
        "pca_2d",
        "top-2 principal axes of the pooled raw texts and images, centred on their"
            + " pooled mean; every panel projects on these same axes and centre; text_xy and image_xy"
            + " are flat [x0, y0, x1, y1, ...] of the plotted (evenly strided) rows");
    m.put(
        "histograms",
        String.format(
            Locale.ROOT,
            "counts of pairwise cosines (pairs i<j) in %d"
                + " equal bins on [-1,1], numpy.histogram edges, last bin closed; the pairs of"
                + " js_pairwise_cos",
            o.bins()));
  }
}
