package dev.realign.report;

import static dev.realign.Checks.checkArgument;

import dev.realign.align.AlignmentKernel;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.Variant;
import dev.realign.metrics.GapEvaluator;
import dev.realign.metrics.GapFigures;
import dev.realign.metrics.GapMetrics;
import dev.realign.metrics.UnitRows;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The gap report: an immutable value computed by {@link #compute} from in-memory samples, written
 * by {@link ReportJson} and {@link ReportHtml}. Rows of every table: {@code before} (the raw texts),
 * then each requested variant in {@link Variant} order ({@code anchor}, {@code anchor-trace},
 * {@code realign}).
 */
public final class GapReport {
  public static final String BEFORE = "before";

  /** One row of the metrics table (definitions: {@link GapMetrics}). */
  public record MetricsRow(String label, double centroidGap, double jsPairwiseCos,
      double knnMixing, double neighbourhoodOverlap, double traceRatio) {}

  /** How many rows of a modality were available and how many the figures used. */
  public record SampleSize(String modality, int available, int used) {
    public boolean allUsed() {
      return used == available;
    }
  }

  /** Paired figures of one row on the validation set. */
  public record PairedRow(String label, double pairedCosine, double recallAt1,
      double recallAt5) {}

  /** The validation table. {@code recallK} are the k actually used (clamped to the pairs). */
  public record Validation(int pairs, int recallK1, int recallK5, List<PairedRow> rows) {
    public Validation {
      rows = List.copyOf(rows);
    }
  }

  /** A pairwise-cosine histogram (counts on {@link GapReport#histogramEdges()}). */
  public record Histogram(String label, long[] counts) {
    public Histogram {
      counts = counts.clone();
    }

    @Override
    public long[] counts() {
      return counts.clone();
    }
  }

  /** Second-order diagnostics (spectra in {@code text}, {@code image}, then aligned texts). */
  public record Diagnostics(List<ModalitySpectrum> spectra, ModalitySpectrum pooled, int frameRank,
      List<GapSplit> splits) {
    public Diagnostics {
      spectra = List.copyOf(spectra);
      splits = List.copyOf(splits);
    }
  }

  /** One panel of the 2-D view: {@code [x0, y0, x1, y1, ...]} of the plotted rows. */
  public record Projection(String label, float[] textXY, float[] imageXY) {
    public Projection {
      textXY = textXY.clone();
      imageXY = imageXY.clone();
    }

    @Override
    public float[] textXY() {
      return textXY.clone();
    }

    @Override
    public float[] imageXY() {
      return imageXY.clone();
    }
  }

  /**
   * The 2-D PCA view: the top-2 principal axes of the pooled raw texts and images (centred on their
   * pooled mean), the same axes and centre for every panel.
   */
  public record PcaView(double[] axisVariance, double totalVariance, int plottedTexts,
      int plottedImages, List<Projection> panels) {
    public PcaView {
      axisVariance = axisVariance.clone();
      panels = List.copyOf(panels);
    }

    @Override
    public double[] axisVariance() {
      return axisVariance.clone();
    }
  }

  private final int dimension;
  private final ReportOptions options;
  private final int mixingK;
  private final int overlapK;
  private final List<SampleSize> samples;
  private final List<String> notes;
  private final Map<String, String> definitions;
  private final List<MetricsRow> rows;
  private final double[] histogramEdges;
  private final Histogram imageHistogram;
  private final List<Histogram> textHistograms;
  private final Validation validation;
  private final Diagnostics diagnostics;
  private final PcaView pca;
  private final Map<String, Long> timingsMillis;

  private GapReport(Builder b) {
    this.dimension = b.dimension;
    this.options = b.options;
    this.mixingK = b.mixingK;
    this.overlapK = b.overlapK;
    this.samples = List.copyOf(b.samples);
    this.notes = List.copyOf(b.notes);
    this.definitions = Collections.unmodifiableMap(new LinkedHashMap<>(b.definitions));
    this.rows = List.copyOf(b.rows);
    this.histogramEdges = b.edges.clone();
    this.imageHistogram = b.imageHistogram;
    this.textHistograms = List.copyOf(b.textHistograms);
    this.validation = b.validation;
    this.diagnostics = b.diagnostics;
    this.pca = b.pca;
    this.timingsMillis = Collections.unmodifiableMap(new LinkedHashMap<>(b.timings));
  }

  private static final class Builder {
    int dimension;
    ReportOptions options;
    int mixingK;
    int overlapK;
    final List<SampleSize> samples = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final Map<String, String> definitions = new LinkedHashMap<>();
    final List<MetricsRow> rows = new ArrayList<>();
    double[] edges;
    Histogram imageHistogram;
    final List<Histogram> textHistograms = new ArrayList<>();
    Validation validation;
    Diagnostics diagnostics;
    PcaView pca;
    final Map<String, Long> timings = new LinkedHashMap<>();
    long mark = System.nanoTime();

    void time(String what) {
      long now = System.nanoTime();
      timings.merge(what, (now - mark) / 1_000_000, Long::sum);
      mark = now;
    }
  }

  /**
   * Computes every figure of the report. Cost: {@code O(n^2 d)} per row of the table for the
   * all-pairs metrics on samples of n rows, {@code O(n d^2 + d^3)} for the spectra.
   *
   * @throws IllegalArgumentException for a bad row in a sample (named by index), or a transform
   *     that rejects a sampled text
   */
  public static GapReport compute(ReportInputs in) {
    Builder b = new Builder();
    ReportOptions o = in.options();
    int d = in.dimension();
    b.dimension = d;
    b.options = o;

    int nt = in.texts().length / d;
    int ni = in.images().length / d;
    float[] textSample = sample(in.texts(), d, o.sampleRows(), "text", b);
    float[] imageSample = sample(in.images(), d, o.sampleRows(), "image", b);
    UnitRows raw = UnitRows.normalise(textSample, d);
    UnitRows img = UnitRows.normalise(imageSample, d);
    b.samples.add(new SampleSize("text", nt, raw.rows()));
    b.samples.add(new SampleSize("image", ni, img.rows()));

    b.mixingK = clampK(o.mixingK(), raw.rows() + img.rows() - 1, "k-NN mixing",
        "pooled rows minus one", b);
    b.overlapK = clampK(o.overlapK(), raw.rows() - 1, "k-NN overlap", "texts minus one", b);
    definitions(b, o);
    b.time("load");

    GapEvaluator eval = new GapEvaluator(img, raw, b.mixingK, b.overlapK, o.bins());
    b.edges = eval.histogramEdges();
    b.imageHistogram = new Histogram("image-image", eval.imagePairCosineCounts());
    addRow(b, BEFORE, eval.before());
    b.time("metrics");

    PrincipalAxes axes = PrincipalAxes.of(raw, img);
    int[] plotT = stride(raw.rows(), o.maxPlotPoints());
    int[] plotI = stride(img.rows(), o.maxPlotPoints());
    float[] imageXY = axes.project(img, plotI);
    List<Projection> panels = new ArrayList<>();
    panels.add(new Projection(BEFORE, axes.project(raw, plotT), imageXY));
    b.time("pca");

    FixedFrame frame = null;
    List<ModalitySpectrum> spectra = new ArrayList<>();
    List<GapSplit> splits = new ArrayList<>();
    double[] muImage = img.mean();
    if (o.spectra()) {
      spectra.add(Spectrum.of("text", raw, o.topK(), o.energyThreshold()));
      spectra.add(Spectrum.of("image", img, o.topK(), o.energyThreshold()));
      frame = Spectrum.fixedFrame(raw, img, o.topK(), o.energyThreshold());
      splits.add(frame.split(BEFORE, minus(muImage, raw.mean())));
      b.time("spectra");
    }

    for (Map.Entry<Variant, ReAlignTransform> e : in.transforms().entrySet()) {
      String label = e.getKey().id();
      UnitRows aligned = UnitRows.normalise(align(e.getValue(), textSample, d, "text sample"), d);
      b.time("align");
      addRow(b, label, eval.evaluate(aligned));
      b.time("metrics");
      panels.add(new Projection(label, axes.project(aligned, plotT), imageXY));
      b.time("pca");
      if (frame != null) {
        spectra.add(Spectrum.of("text after " + label, aligned, o.topK(), o.energyThreshold()));
        splits.add(frame.split(label, minus(muImage, aligned.mean())));
        b.time("spectra");
      }
    }
    b.pca = new PcaView(axes.variance(), axes.totalVariance(), plotT.length, plotI.length, panels);
    if (plotT.length < raw.rows() || plotI.length < img.rows()) {
      b.notes.add(String.format(Locale.ROOT, "2-D view: %d of %d texts and %d of %d images drawn"
          + " (evenly strided)", plotT.length, raw.rows(), plotI.length, img.rows()));
    }
    if (frame != null) {
      b.diagnostics = new Diagnostics(spectra, frame.pooled(), frame.rank(), splits);
    }
    if (in.hasValidation()) {
      b.validation = validation(in, b);
      b.time("validation");
    }
    return new GapReport(b);
  }

  private static Validation validation(ReportInputs in, Builder b) {
    int d = in.dimension();
    UnitRows vt = UnitRows.normalise(in.validationTexts(), d);
    UnitRows vi = UnitRows.normalise(in.validationImages(), d);
    int n = vt.rows();
    int k1 = clampK(1, n, "recall@1", "validation pairs", b);
    int k5 = clampK(5, n, "recall@5", "validation pairs", b);
    List<PairedRow> rows = new ArrayList<>();
    rows.add(paired(BEFORE, vt, vi, k1, k5));
    for (Map.Entry<Variant, ReAlignTransform> e : in.transforms().entrySet()) {
      UnitRows aligned = UnitRows.normalise(
          align(e.getValue(), in.validationTexts(), d, "validation texts"), d);
      rows.add(paired(e.getKey().id(), aligned, vi, k1, k5));
    }
    return new Validation(n, k1, k5, rows);
  }

  private static PairedRow paired(String label, UnitRows t, UnitRows i, int k1, int k5) {
    double[] r = GapMetrics.recallAtK(t, i, k1, k5);
    return new PairedRow(label, GapMetrics.pairedCosine(t, i), r[0], r[1]);
  }

  private static void addRow(Builder b, String label, GapFigures f) {
    b.rows.add(new MetricsRow(label, f.centroidGap(), f.jsPairwiseCos(), f.knnMixing(),
        f.neighbourhoodOverlap(), f.traceRatio()));
    b.textHistograms.add(new Histogram("text-text " + label, f.textPairCosineCounts()));
  }

  private static float[] align(ReAlignTransform t, float[] rows, int d, String what) {
    AlignmentKernel k = t.kernel();
    int n = rows.length / d;
    float[] out = new float[rows.length];
    k.applyBatch(rows, 0, n, out, 0, k.newScratch(), (row, reason) -> {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "Invalid row %d of the %s:"
          + " %s (the %s transform cannot align it)", row, what, reason, t.variant()));
    });
    return out;
  }

  /** At most {@code max} rows: all of them (with a note when fewer than asked), or a stride. */
  private static float[] sample(float[] rows, int d, int max, String modality, Builder b) {
    int n = rows.length / d;
    if (n <= max) {
      if (n < max) {
        b.notes.add(String.format(Locale.ROOT, "sample size %d > %d %s rows available: all %d"
            + " used", max, n, modality, n));
      }
      return rows;
    }
    int[] idx = stride(n, max);
    float[] out = new float[idx.length * d];
    for (int r = 0; r < idx.length; r++) {
      System.arraycopy(rows, idx[r] * d, out, r * d, d);
    }
    b.notes.add(String.format(Locale.ROOT, "%s: %d of %d rows used (rows floor(i * %d / %d))",
        modality, max, n, n, max));
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

  private static int clampK(int k, int max, String what, String maxName, Builder b) {
    checkArgument(max >= 1, "Invalid sample for %s: no neighbour possible (%s = %s)", what,
        maxName, max);
    if (k > max) {
      b.notes.add(String.format(Locale.ROOT, "%s: k = %d > %d (the %s); k = %d used", what, k,
          max, maxName, max));
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

  private static void definitions(Builder b, ReportOptions o) {
    Map<String, String> m = b.definitions;
    m.put("rows", "every row is L2-normalised in float64 first; means and traces are over the"
        + " normalised rows (1/n); 'before' is the raw texts, each other row the texts aligned by"
        + " that variant's fitted transform (float32 output)");
    m.put("centroid_gap", GapMetrics.CENTROID_GAP_DEFINITION);
    m.put("js_pairwise_cos", String.format(Locale.ROOT, GapMetrics.JS_DEFINITION, o.bins()));
    m.put("knn_mixing", String.format(Locale.ROOT, GapMetrics.KNN_MIXING_DEFINITION, b.mixingK));
    m.put("knn_overlap", String.format(Locale.ROOT, GapMetrics.OVERLAP_DEFINITION, b.overlapK));
    m.put("trace_ratio", GapMetrics.TRACE_RATIO_DEFINITION);
    m.put("paired_cos", GapMetrics.PAIRED_COS_DEFINITION + " (validation pairs)");
    m.put("t2i_recall_at_k", GapMetrics.RECALL_DEFINITION + " (validation pairs)");
    m.put("spectrum", "eigenvalues (descending) of the 1/n covariance of a sample's unit rows;"
        + " effective rank = exp(spectral entropy of the normalised eigenvalues); energy top-k ="
        + " share of the variance in the top k directions; r = smallest rank holding the energy"
        + " threshold; condition number = lambda_1 / lambda_r");
    m.put("gap_split", "Fixed frame: top-r principal subspace (r by the energy threshold) of the"
        + " pooled within-modality covariance (n_t C_t + n_i C_i) / (n_t + n_i) of the raw texts"
        + " and the images; gap g = mu_image - mean(texts) split into its projection on that"
        + " subspace and the orthogonal rest (|g|^2 = |in|^2 + |out|^2); one frame for all rows");
    m.put("pca_2d", "top-2 principal axes of the pooled raw texts and images, centred on their"
        + " pooled mean; every panel projects on these same axes and centre; text_xy and image_xy"
        + " are flat [x0, y0, x1, y1, ...] of the plotted (evenly strided) rows");
    m.put("histograms", String.format(Locale.ROOT, "counts of pairwise cosines (pairs i<j) in %d"
        + " equal bins on [-1,1], numpy.histogram edges, last bin closed", o.bins()));
  }

  public int dimension() {
    return dimension;
  }

  public ReportOptions options() {
    return options;
  }

  /** The k used for the k-NN mixing (the option, clamped to the pooled sample; see notes). */
  public int mixingK() {
    return mixingK;
  }

  public int overlapK() {
    return overlapK;
  }

  public List<SampleSize> samples() {
    return samples;
  }

  /** Human-readable notes: clamped sizes and k, subsets used. */
  public List<String> notes() {
    return notes;
  }

  public Map<String, String> definitions() {
    return definitions;
  }

  public List<MetricsRow> rows() {
    return rows;
  }

  public double[] histogramEdges() {
    return histogramEdges.clone();
  }

  public Histogram imageHistogram() {
    return imageHistogram;
  }

  /** The text-text histogram of each row, in row order. */
  public List<Histogram> textHistograms() {
    return textHistograms;
  }

  public Optional<Validation> validation() {
    return Optional.ofNullable(validation);
  }

  public Optional<Diagnostics> diagnostics() {
    return Optional.ofNullable(diagnostics);
  }

  public PcaView pca() {
    return pca;
  }

  /** Wall time of each stage, milliseconds (informational; not part of the figures). */
  public Map<String, Long> timingsMillis() {
    return timingsMillis;
  }

  /** The histogram bins (convenience for {@code histogramEdges().length - 1}). */
  public int bins() {
    return histogramEdges.length - 1;
  }
}
