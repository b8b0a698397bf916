package dev.realign.report;

import static dev.realign.report.Svg.esc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link GapReport} as one self-contained {@code report.html}: inline CSS and inline SVG,
 * no scripts, no external references. Sections: sample sizes and notes; the metrics table; the
 * validation table (if any); the spectra (log-log) and their summary with the Fixed-frame gap split
 * (if computed); the pairwise-cosine histograms of each row against the images; the 2-D PCA view of
 * each row; the definitions.
 */
public final class ReportHtml {
  static final String IMAGE_COLOUR = "#1f77b4";
  static final String TEXT_COLOUR = "#e6550d";
  static final String[] SERIES = {
    "#e6550d", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#d62728", "#7f7f7f"
  };

  private ReportHtml() {}

  public static String render(GapReport r) {
    StringBuilder h = new StringBuilder(1 << 20);
    h.append(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<title>realign gap report</title><style>"
            + "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#222;"
            + "max-width:1340px}"
            + "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}"
            + "table{border-collapse:collapse;margin:8px 0;font-size:13px}"
            + "th,td{border:1px solid #ccc;padding:4px 9px;text-align:right}"
            + "th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}"
            + ".grid{display:flex;flex-wrap:wrap;gap:10px}.note{color:#555;font-size:13px}"
            + "dl{font-size:12px}dt{font-weight:bold;margin-top:6px}dd{margin-left:16px}"
            + "svg{border:1px solid #eee}"
            + "</style></head><body>\n");
    h.append("<h1>realign gap report</h1>\n");
    h.append("<p class=\"note\">");
    for (GapReport.SampleSize s : r.samples()) {
      h.append(
          String.format(
              Locale.ROOT,
              "%s: %d of %d rows%s; ",
              esc(s.modality()),
              s.used(),
              s.available(),
              s.allUsed() ? " (all)" : ""));
    }
    h.append(
        String.format(
            Locale.ROOT,
            "d = %d; k-NN mixing k = %d, overlap k = %d, %d" + " histogram bins.</p>\n",
            r.dimension(),
            r.mixingK(),
            r.overlapK(),
            r.bins()));
    if (!r.notes().isEmpty()) {
      h.append("<ul class=\"note\">");
      for (String n : r.notes()) {
        h.append("<li>").append(esc(n)).append("</li>");
      }
      h.append("</ul>\n");
    }
    metricsTable(h, r);
    r.validation().ifPresent(v -> validationTable(h, v));
    r.diagnostics().ifPresent(d -> spectra(h, d));
    histograms(h, r);
    pca(h, r);
    h.append("<h2>Definitions</h2>\n<dl>");
    for (Map.Entry<String, String> e : r.definitions().entrySet()) {
      h.append("<dt>")
          .append(esc(e.getKey()))
          .append("</dt><dd>")
          .append(esc(e.getValue()))
          .append("</dd>");
    }
    h.append("</dl>\n</body></html>\n");
    return h.toString();
  }

  /** Writes {@code report.html} (creating parent folders). */
  public static void write(GapReport r, Path file) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, render(r));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the gap report " + file, e);
    }
  }

  private static void metricsTable(StringBuilder h, GapReport r) {
    h.append(
        "<h2>Modality gap</h2>\n<table id=\"metrics\"><thead><tr><th>texts</th>"
            + "<th>centroid gap</th><th>JS pairwise cos</th>");
    h.append(
        String.format(
            Locale.ROOT,
            "<th>k-NN mixing (k=%d)</th><th>k-NN overlap (k=%d)</th>",
            r.mixingK(),
            r.overlapK()));
    h.append(
        "<th>k-NN mixing / perfect</th><th>trace ratio</th><th>gap and ratio over</th>"
            + "</tr></thead><tbody>\n");
    for (GapReport.MetricsRow m : r.rows()) {
      h.append("<tr><td>")
          .append(esc(m.label()))
          .append("</td>")
          .append(td(m.centroidGap()))
          .append(td(m.js()))
          .append(td(m.mixing()))
          .append(td(m.overlap()))
          .append(td(m.knnMixingNormalised()))
          .append(td(m.traceRatio()))
          .append("<td>")
          .append(
              m.fullData()
                  ? String.format(Locale.ROOT, "all %,d rows", m.fullDataRows())
                  : "samples")
          .append("</td></tr>\n");
    }
    GapReport.Estimation e = r.estimation();
    GapReport.MetricsRow first = r.rows().get(0);
    h.append(
        "</tbody></table>\n<p class=\"note\">Lower centroid gap and JS are better; higher"
            + " mixing means the modalities interleave (normalised: 1 = as mixed as a random pool of"
            + String.format(
                Locale.ROOT,
                " these sizes, %.4g); overlap is how many of a text's",
                first.perfectMixing())
            + " neighbours survive the alignment; trace ratio 1 means equal spread. ± is one standard"
            + String.format(
                Locale.ROOT,
                " error. Sizes: k-NN over %d text and %d image queries (of %d"
                    + " and %d), JS over %,d text pairs (of %,d) and %,d image pairs (of %,d).</p>\n",
                e.textQueries(),
                e.imageQueries(),
                r.samples().get(0).used(),
                r.samples().get(1).used(),
                first.js().used(),
                first.js().available(),
                e.imagePairs(),
                e.imagePairsAvailable()));
  }

  private static void validationTable(StringBuilder h, GapReport.Validation v) {
    h.append(
        String.format(
            Locale.ROOT,
            "<h2>Paired validation (%d pairs)</h2>\n<table"
                + " id=\"validation\"><thead><tr><th>texts</th><th>mean paired cos</th><th>t2i"
                + " recall@%d</th><th>t2i recall@%d</th></tr></thead><tbody>\n",
            v.pairs(),
            v.recallK1(),
            v.recallK5()));
    for (GapReport.PairedRow p : v.rows()) {
      h.append("<tr><td>")
          .append(esc(p.label()))
          .append("</td>")
          .append(td(p.pairedCosine()))
          .append(td(p.recallAt1()))
          .append(td(p.recallAt5()))
          .append("</tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  private static void spectra(StringBuilder h, GapReport.Diagnostics d) {
    h.append("<h2>Covariance spectra</h2>\n");
    List<ModalitySpectrum> all = d.spectra();
    // A sample of n rows has a covariance of rank <= n - 1: eigenvalues past that (and any <= 0)
    // are rounding noise and are not drawn.
    double lo = Double.MAX_VALUE;
    double hi = 0;
    int maxN = 1;
    for (ModalitySpectrum s : all) {
      double[] ev = s.eigenvalues();
      for (int i = 0; i < drawn(s); i++) {
        lo = Math.min(lo, ev[i]);
        hi = Math.max(hi, ev[i]);
      }
      maxN = Math.max(maxN, drawn(s));
    }
    if (hi > 0) {
      Svg svg =
          new Svg(
              900,
              380,
              "Covariance eigenvalues (log-log)",
              1,
              maxN,
              true,
              Math.pow(10, Math.floor(Math.log10(lo))),
              Math.pow(10, Math.ceil(Math.log10(hi))),
              true,
              "index (1 = largest)",
              "eigenvalue");
      String[] names = new String[all.size()];
      String[] colours = new String[all.size()];
      for (int q = 0; q < all.size(); q++) {
        ModalitySpectrum s = all.get(q);
        double[] ev = s.eigenvalues();
        int n = drawn(s);
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
          xs[i] = i + 1;
          ys[i] = ev[i];
        }
        names[q] = s.label();
        colours[q] = SERIES[q % SERIES.length];
        svg.line(xs, ys, colours[q], 1.6, q >= 2 ? "5,3" : null);
      }
      h.append(svg.legend(names, colours).close()).append('\n');
      h.append(
          "<p class=\"note\">Aligned texts dashed. A sample of n rows has at most n - 1"
              + " non-zero eigenvalues; the rest are not drawn.</p>\n");
    }
    h.append(
        "<table id=\"spectra\"><thead><tr><th>sample</th><th>rows</th>"
            + "<th>effective rank</th>");
    int[] topK = all.isEmpty() ? new int[0] : all.get(0).topK();
    for (int k : topK) {
      h.append("<th>energy top-").append(k).append("</th>");
    }
    double thr = d.pooled().energyThreshold();
    h.append(
        String.format(
            Locale.ROOT,
            "<th>r (%.0f%% energy)</th><th>condition number top-r" + "</th></tr></thead><tbody>\n",
            thr * 100));
    for (ModalitySpectrum s : all) {
      spectrumRow(h, s);
    }
    spectrumRow(h, d.pooled());
    h.append("</tbody></table>\n");
    h.append(
        String.format(
            Locale.ROOT,
            "<h2>Fixed-frame gap split (r = %d)</h2>\n<table"
                + " id=\"gap-split\"><thead><tr><th>texts</th><th>|gap|</th><th>in top-r subspace</th>"
                + "<th>orthogonal</th><th>share of gap&#178; inside</th></tr></thead><tbody>\n",
            d.frameRank()));
    for (GapSplit g : d.splits()) {
      h.append("<tr><td>")
          .append(esc(g.label()))
          .append("</td>")
          .append(td(g.gap()))
          .append(td(g.inSubspace()))
          .append(td(g.orthogonal()))
          .append(td(g.inSubspaceShare()))
          .append("</tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  /** How many leading eigenvalues to draw: positive ones, at most rows - 1. */
  private static int drawn(ModalitySpectrum s) {
    double[] ev = s.eigenvalues();
    int n = Math.min(ev.length, Math.max(1, s.rows() - 1));
    int k = 0;
    while (k < n && ev[k] > 0) {
      k++;
    }
    return k;
  }

  private static void spectrumRow(StringBuilder h, ModalitySpectrum s) {
    h.append("<tr><td>")
        .append(esc(s.label()))
        .append("</td><td>")
        .append(s.rows())
        .append("</td>")
        .append(td(s.effectiveRank()));
    for (double e : s.topKEnergy()) {
      h.append(td(e));
    }
    h.append("<td>")
        .append(s.rankAtThreshold())
        .append("</td>")
        .append(td(s.conditionNumberTopR()))
        .append("</tr>\n");
  }

  private static void histograms(StringBuilder h, GapReport r) {
    h.append(
        "<h2>Pairwise-cosine histograms</h2>\n<p class=\"note\">Share of pairs i&lt;j per"
            + " bin: text-text of each row against image-image.</p>\n<div class=\"grid\">\n");
    double[] edges = r.histogramEdges();
    double[] image = shares(r.imageHistogram().counts());
    double ymax = max(image);
    int lo = firstNonZero(r.imageHistogram().counts());
    int hi = lastNonZero(r.imageHistogram().counts());
    for (GapReport.Histogram t : r.textHistograms()) {
      double[] s = shares(t.counts());
      ymax = Math.max(ymax, max(s));
      lo = Math.min(lo, firstNonZero(t.counts()));
      hi = Math.max(hi, lastNonZero(t.counts()));
    }
    double x0 = edges[Math.max(0, lo - 2)];
    double x1 = edges[Math.min(edges.length - 1, hi + 3)];
    List<GapReport.MetricsRow> rows = r.rows();
    for (int q = 0; q < rows.size(); q++) {
      double[] s = shares(r.textHistograms().get(q).counts());
      Svg svg =
          new Svg(
              318,
              250,
              rows.get(q).label()
                  + String.format(Locale.ROOT, " (JS = %.4g)", rows.get(q).jsPairwiseCos()),
              x0,
              x1,
              false,
              0,
              ymax * 1.08,
              false,
              "cosine",
              "share of pairs");
      svg.steps(edges, image, IMAGE_COLOUR, true)
          .steps(edges, s, TEXT_COLOUR, false)
          .legend(
              new String[] {"image-image", "text-text"}, new String[] {IMAGE_COLOUR, TEXT_COLOUR});
      h.append(svg.close()).append('\n');
    }
    h.append("</div>\n");
  }

  private static void pca(StringBuilder h, GapReport r) {
    GapReport.PcaView p = r.pca();
    double[] var = p.axisVariance();
    h.append(
        String.format(
            Locale.ROOT,
            "<h2>2-D PCA view</h2>\n<p class=\"note\">Top-2"
                + " principal axes of the pooled raw texts and images (%.1f%% and %.1f%% of the variance);"
                + " every panel uses the same axes; %d texts and %d images drawn.</p>\n"
                + "<div class=\"grid\">\n",
            100 * var[0] / p.totalVariance(),
            100 * var[1] / p.totalVariance(),
            p.plottedTexts(),
            p.plottedImages()));
    double xmin = Double.MAX_VALUE;
    double xmax = -Double.MAX_VALUE;
    double ymin = Double.MAX_VALUE;
    double ymax = -Double.MAX_VALUE;
    for (GapReport.Projection pr : p.panels()) {
      for (float[] xy : new float[][] {pr.textXY(), pr.imageXY()}) {
        for (int i = 0; i + 1 < xy.length; i += 2) {
          xmin = Math.min(xmin, xy[i]);
          xmax = Math.max(xmax, xy[i]);
          ymin = Math.min(ymin, xy[i + 1]);
          ymax = Math.max(ymax, xy[i + 1]);
        }
      }
    }
    double padX = 0.05 * (xmax - xmin);
    double padY = 0.05 * (ymax - ymin);
    for (GapReport.Projection pr : p.panels()) {
      Svg svg =
          new Svg(
              318,
              318,
              pr.label(),
              xmin - padX,
              xmax + padX,
              false,
              ymin - padY,
              ymax + padY,
              false,
              "PC1",
              "PC2");
      svg.points(pr.imageXY(), IMAGE_COLOUR, 1.8, 0.55)
          .points(pr.textXY(), TEXT_COLOUR, 1.8, 0.55)
          .legend(new String[] {"images", "texts"}, new String[] {IMAGE_COLOUR, TEXT_COLOUR});
      h.append(svg.close()).append('\n');
    }
    h.append("</div>\n");
  }

  private static double[] shares(long[] counts) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    double[] s = new double[counts.length];
    for (int i = 0; i < counts.length; i++) {
      s[i] = total > 0 ? (double) counts[i] / total : 0.0;
    }
    return s;
  }

  private static double max(double[] v) {
    double m = 0;
    for (double x : v) {
      m = Math.max(m, x);
    }
    return m;
  }

  private static int firstNonZero(long[] c) {
    for (int i = 0; i < c.length; i++) {
      if (c[i] != 0) {
        return i;
      }
    }
    return 0;
  }

  private static int lastNonZero(long[] c) {
    for (int i = c.length - 1; i >= 0; i--) {
      if (c[i] != 0) {
        return i;
      }
    }
    return c.length - 1;
  }

  private static String td(dev.realign.metrics.Estimate e) {
    if (e.standardError() == 0.0 || !Double.isFinite(e.value())) {
      return td(e.value());
    }
    return String.format(Locale.ROOT, "<td>%.6g &#177; %.2g</td>", e.value(), e.standardError());
  }

  private static String td(double v) {
    if (!Double.isFinite(v)) {
      return "<td>&#8212;</td>";
    }
    return String.format(Locale.ROOT, "<td>%.6g</td>", v);
  }
}
