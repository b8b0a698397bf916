package dev.realign.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realign.metrics.Estimate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a {@link GapReport} as {@code report.json}: every figure with its sample sizes and
 * definitions. Field names are snake_case and stable ({@code format}, {@code version} first); a
 * non-finite number (e.g. an infinite condition number) is written as {@code null}.
 */
public final class ReportJson {
  public static final String FORMAT = "realign-gap-report";
  public static final int VERSION = 2;

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportJson() {}

  /** The report as a JSON tree. */
  public static ObjectNode toTree(GapReport r) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    ObjectNode by = root.putObject("created_by");
    dev.realign.build.BuildInfo.createdBy().forEach(by::put);
    root.put("dimension", r.dimension());
    ObjectNode samples = root.putObject("samples");
    for (GapReport.SampleSize s : r.samples()) {
      ObjectNode o = samples.putObject(s.modality());
      o.put("available", s.available());
      o.put("used", s.used());
      o.put("all_used", s.allUsed());
    }
    ArrayNode notes = root.putArray("notes");
    r.notes().forEach(notes::add);
    ObjectNode opts = root.putObject("options");
    ReportOptions o = r.options();
    opts.put("sample_rows", o.sampleRows());
    opts.put("knn_mixing_k", r.mixingK());
    opts.put("knn_overlap_k", r.overlapK());
    opts.put("bins", o.bins());
    opts.put("spectra", o.spectra());
    num(opts, "energy_threshold", o.energyThreshold());
    ArrayNode tk = opts.putArray("top_k");
    for (int k : o.topK()) {
      tk.add(k);
    }
    ObjectNode defs = root.putObject("definitions");
    r.definitions().forEach(defs::put);

    GapReport.Estimation est = r.estimation();
    ObjectNode en = root.putObject("estimation");
    en.put("knn_queries_text", est.textQueries());
    en.put("knn_queries_image", est.imageQueries());
    en.put("pair_budget", est.pairBudget());
    en.put("pair_groups", est.pairGroups());
    en.put("image_pairs", est.imagePairs());
    en.put("image_pairs_available", est.imagePairsAvailable());
    en.put("candidate_scorer", est.scorer());

    ArrayNode metrics = root.putArray("metrics");
    for (GapReport.MetricsRow m : r.rows()) {
      ObjectNode row = metrics.addObject();
      row.put("label", m.label());
      num(row, "centroid_gap", m.centroidGap());
      num(row, "js_pairwise_cos", m.jsPairwiseCos());
      num(row, "knn_mixing", m.knnMixing());
      num(row, "knn_overlap", m.neighbourhoodOverlap());
      num(row, "trace_ratio", m.traceRatio());
      row.put("centroid_gap_scope", m.fullData() ? "full_data" : "sample");
      row.put("full_data_rows", m.fullDataRows());
      num(row, "sample_centroid_gap", m.sampleCentroidGap());
      num(row, "sample_trace_ratio", m.sampleTraceRatio());
      num(row, "knn_mixing_normalised", m.knnMixingNormalised().value());
      num(row, "knn_perfect_mixing", m.perfectMixing());
      estimate(row.putObject("js_pairwise_cos_estimate"), m.js(), "pairs");
      estimate(row.putObject("knn_mixing_estimate"), m.mixing(), "queries");
      estimate(row.putObject("knn_mixing_normalised_estimate"), m.knnMixingNormalised(), "queries");
      estimate(row.putObject("knn_overlap_estimate"), m.overlap(), "queries");
    }

    r.validation()
        .ifPresent(
            v -> {
              ObjectNode val = root.putObject("validation");
              val.put("pairs", v.pairs());
              val.put("recall_k1", v.recallK1());
              val.put("recall_k5", v.recallK5());
              ObjectNode pairing = val.putObject("pairing");
              v.pairing().forEach(pairing::put);
              ArrayNode rows = val.putArray("rows");
              for (GapReport.PairedRow p : v.rows()) {
                ObjectNode row = rows.addObject();
                row.put("label", p.label());
                num(row, "paired_cos", p.pairedCosine());
                num(row, "t2i_r1", p.recallAt1());
                num(row, "t2i_r5", p.recallAt5());
              }
            });

    r.diagnostics()
        .ifPresent(
            d -> {
              ObjectNode diag = root.putObject("spectra");
              ArrayNode list = diag.putArray("samples");
              for (ModalitySpectrum s : d.spectra()) {
                spectrum(list.addObject(), s);
              }
              spectrum(diag.putObject("pooled_within_modality"), d.pooled());
              ObjectNode split = diag.putObject("gap_split");
              split.put("frame_rank", d.frameRank());
              ArrayNode rows = split.putArray("rows");
              for (GapSplit g : d.splits()) {
                ObjectNode row = rows.addObject();
                row.put("label", g.label());
                num(row, "gap", g.gap());
                num(row, "in_subspace", g.inSubspace());
                num(row, "orthogonal", g.orthogonal());
                num(row, "in_subspace_share", g.inSubspaceShare());
              }
            });

    ObjectNode hist = root.putObject("histograms");
    ArrayNode edges = hist.putArray("edges");
    for (double e : r.histogramEdges()) {
      edges.add(e);
    }
    histogram(hist.putArray("counts"), r.imageHistogram());
    ArrayNode counts = (ArrayNode) hist.get("counts");
    r.textHistograms().forEach(h -> histogram(counts, h));

    GapReport.PcaView p = r.pca();
    ObjectNode pca = root.putObject("pca_2d");
    ArrayNode var = pca.putArray("axis_variance");
    for (double v : p.axisVariance()) {
      var.add(v);
    }
    num(pca, "total_variance", p.totalVariance());
    pca.put("plotted_texts", p.plottedTexts());
    pca.put("plotted_images", p.plottedImages());
    ArrayNode panels = pca.putArray("panels");
    for (GapReport.Projection pr : p.panels()) {
      ObjectNode panel = panels.addObject();
      panel.put("label", pr.label());
      points(panel.putArray("text_xy"), pr.textXY());
      points(panel.putArray("image_xy"), pr.imageXY());
    }
    ObjectNode timings = root.putObject("timings_ms");
    for (Map.Entry<String, Long> e : r.timingsMillis().entrySet()) {
      timings.put(e.getKey(), e.getValue());
    }
    return root;
  }

  public static String toJson(GapReport r) {
    try {
      return MAPPER.writeValueAsString(toTree(r));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code report.json} (creating parent folders). */
  public static void write(GapReport r, Path file) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, toJson(r));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the gap report " + file, e);
    }
  }

  private static void estimate(ObjectNode o, Estimate e, String unit) {
    num(o, "value", e.value());
    num(o, "standard_error", e.standardError());
    o.put(unit + "_used", e.used());
    o.put(unit + "_available", e.available());
    o.put("exact", e.isExact() && e.standardError() == 0.0);
  }

  private static void spectrum(ObjectNode o, ModalitySpectrum s) {
    o.put("label", s.label());
    o.put("rows", s.rows());
    num(o, "effective_rank", s.effectiveRank());
    num(o, "energy_threshold", s.energyThreshold());
    o.put("rank_at_threshold", s.rankAtThreshold());
    num(o, "condition_number_top_r", s.conditionNumberTopR());
    ObjectNode energy = o.putObject("energy_top_k");
    int[] k = s.topK();
    double[] e = s.topKEnergy();
    for (int q = 0; q < k.length; q++) {
      num(energy, Integer.toString(k[q]), e[q]);
    }
    ArrayNode ev = o.putArray("eigenvalues");
    for (double v : s.eigenvalues()) {
      ev.add(v);
    }
  }

  private static void histogram(ArrayNode a, GapReport.Histogram h) {
    ObjectNode o = a.addObject();
    o.put("label", h.label());
    ArrayNode c = o.putArray("counts");
    for (long v : h.counts()) {
      c.add(v);
    }
  }

  private static void points(ArrayNode a, float[] xy) {
    for (float v : xy) {
      a.add(v);
    }
  }

  private static void num(ObjectNode o, String key, double v) {
    if (Double.isFinite(v)) {
      o.put(key, v);
    } else {
      o.putNull(key);
    }
  }
}
