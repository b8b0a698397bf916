package dev.realign.report;

import dev.realign.metrics.Estimate;
import dev.realign.metrics.GapMetrics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gap report: an immutable value, computed by {@link ComputeGapReport} from in-memory samples
 * (and the full-data sketches when known), written by {@link ReportJson} and {@link ReportHtml}.
 * Rows of every table: {@code before} (the raw texts), then each requested variant in {@link
 * Variant} order ({@code anchor}, {@code anchor-trace}, {@code realign}).
 */
public final class GapReport {
  public static final String BEFORE = "before";

  /**
   * One row of the metrics table (definitions: {@link GapMetrics}).
   *
   * @param centroidGap over every row when {@code fullDataRows > 0} (exact sketches), else over the
   *     samples ({@code sampleCentroidGap})
   * @param traceRatio likewise
   * @param fullDataRows the text rows behind the full-data figures, or 0 when they are the samples'
   * @param perfectMixing the mixing of a perfectly mixed pool of the sample sizes
   */
  public record MetricsRow(
      String label,
      double centroidGap,
      double traceRatio,
      long fullDataRows,
      double sampleCentroidGap,
      double sampleTraceRatio,
      Estimate js,
      Estimate mixing,
      double perfectMixing,
      Estimate overlap) {
    public double jsPairwiseCos() {
      return js.value();
    }

    public double knnMixing() {
      return mixing.value();
    }

    /** Mixing over its perfect-mixing value (issue: unequal samples compare). */
    public Estimate knnMixingNormalised() {
      return mixing.times(1.0 / perfectMixing);
    }

    public double neighbourhoodOverlap() {
      return overlap.value();
    }

    public boolean fullData() {
      return fullDataRows > 0;
    }
  }

  /**
   * How the estimated figures were sampled: k-NN queries a modality (each against the whole
   * sample), the pair budget and blocks of the histograms, and the image pairs counted.
   */
  public record Estimation(
      int textQueries,
      int imageQueries,
      long pairBudget,
      int pairGroups,
      long imagePairs,
      long imagePairsAvailable,
      String scorer) {}

  /** How many rows of a modality were available and how many the figures used. */
  public record SampleSize(String modality, int available, int used) {
    public boolean allUsed() {
      return used == available;
    }
  }

  /** Paired figures of one row on the validation set. */
  public record PairedRow(String label, double pairedCosine, double recallAt1, double recallAt5) {}

  /**
   * The validation table. {@code recallK} are the k actually used (clamped to the pairs); {@code
   * pairing} counts how the two sets paired (empty when the caller paired them).
   */
  public record Validation(
      int pairs, int recallK1, int recallK5, List<PairedRow> rows, Map<String, Long> pairing) {
    public Validation {
      rows = List.copyOf(rows);
      pairing = Collections.unmodifiableMap(new LinkedHashMap<>(pairing));
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
  public record Diagnostics(
      List<ModalitySpectrum> spectra,
      ModalitySpectrum pooled,
      int frameRank,
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
  public record PcaView(
      double[] axisVariance,
      double totalVariance,
      int plottedTexts,
      int plottedImages,
      List<Projection> panels) {
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
  private final Estimation estimation;
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
    this.estimation = b.estimation;
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

  /** The mutable form that {@link ComputeGapReport} fills; {@link #build} takes a snapshot. */
  static final class Builder {
    int dimension;
    Estimation estimation;
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

    GapReport build() {
      return new GapReport(this);
    }
  }

  public int dimension() {
    return dimension;
  }

  /** How the estimated figures were sampled. */
  public Estimation estimation() {
    return estimation;
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
