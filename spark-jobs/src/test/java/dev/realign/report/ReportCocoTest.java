package dev.realign.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole report on COCO-500: figures against {@code expected_realign.json}, the JSON and the
 * HTML's structure. Writes {@code target/coco-report/report.{json,html}} for the screenshot script.
 */
class ReportCocoTest {
  static final double ALLOWED_ERROR = 1e-6;
  static final Path OUT = Path.of("target", "coco-report");

  static GapReport report;
  static final int N = 500;
  static JsonNode expected;

  @BeforeAll
  static void build() throws Exception {
    expected =
        new ObjectMapper().readTree(Files.readString(CocoData.file("expected_realign.json")));
    report = ComputeGapReport.compute(CocoData.load().inputs());
    ReportJson.write(report, OUT.resolve("report.json"));
    ReportHtml.write(report, OUT.resolve("report.html"));
  }

  @Test
  void metricsMatchTheReference() {
    String[][] rows = {
      {"before", "before"},
      {"anchor", "after_anchor_only"},
      {"anchor-trace", "after_anchor_trace"},
      {"realign", "after_realign"}
    };
    List<GapReport.MetricsRow> table = report.rows();
    assertThat(table)
        .extracting(GapReport.MetricsRow::label)
        .containsExactly("before", "anchor", "anchor-trace", "realign");
    for (int q = 0; q < rows.length; q++) {
      JsonNode e = expected.get(rows[q][1]);
      GapReport.MetricsRow m = table.get(q);
      assertThat(m.centroidGap())
          .as(rows[q][0])
          .isCloseTo(e.get("centroid_gap").doubleValue(), within(ALLOWED_ERROR));
      assertThat(m.jsPairwiseCos())
          .as(rows[q][0])
          .isCloseTo(e.get("js_pairwise_cos").doubleValue(), within(ALLOWED_ERROR));
      assertThat(m.knnMixing())
          .as(rows[q][0])
          .isCloseTo(e.get("knn_mixing").doubleValue(), within(ALLOWED_ERROR));
      assertThat(m.neighbourhoodOverlap())
          .as(rows[q][0])
          .isCloseTo(e.get("knn_overlap_k10").doubleValue(), within(ALLOWED_ERROR));
      // 500 + 500 rows fit the default plan: exact, no standard error
      assertThat(List.of(m.js(), m.mixing(), m.overlap()))
          .allSatisfy(
              est -> {
                assertThat(est.isExact()).isTrue();
                assertThat(est.standardError()).isEqualTo(0.0);
              });
      assertThat(m.knnMixingNormalised().value())
          .isCloseTo(m.knnMixing() / (2.0 * N * N / (2.0 * N * (2 * N - 1))), within(1e-12));
      GapReport.PairedRow p = report.validation().orElseThrow().rows().get(q);
      assertThat(p.label()).isEqualTo(rows[q][0]);
      assertThat(p.pairedCosine())
          .as(rows[q][0])
          .isCloseTo(e.get("paired_cos").doubleValue(), within(ALLOWED_ERROR));
      assertThat(p.recallAt1())
          .as(rows[q][0])
          .isCloseTo(e.get("t2i_r1").doubleValue(), within(ALLOWED_ERROR));
      assertThat(p.recallAt5())
          .as(rows[q][0])
          .isCloseTo(e.get("t2i_r5").doubleValue(), within(ALLOWED_ERROR));
    }
    // sample sizes: the default 10,000 > 500 available, so all 500 used, and said so
    assertThat(report.samples()).allSatisfy(s -> assertThat(s.allUsed()).isTrue());
    assertThat(report.notes())
        .anySatisfy(
            n ->
                assertThat(n)
                    .contains("sample size 10000 > 500 text rows available: all 500 used"));
  }

  @Test
  void diagnosticsAreConsistent() {
    GapReport.Diagnostics d = report.diagnostics().orElseThrow();
    assertThat(d.spectra())
        .extracting(ModalitySpectrum::label)
        .containsExactly(
            "text", "image", "text after anchor", "text after anchor-trace", "text after realign");
    ModalitySpectrum text = d.spectra().get(0);
    double sum = 0;
    for (double v : text.eigenvalues()) {
      sum += v;
    }
    assertThat(sum)
        .as("sum of eigenvalues = trace")
        .isCloseTo(expected.get("trace_text").doubleValue(), within(1e-9));
    assertThat(d.splits()).hasSize(4);
    for (GapSplit s : d.splits()) {
      assertThat(Math.hypot(s.inSubspace(), s.orthogonal())).isCloseTo(s.gap(), within(1e-12));
    }
    assertThat(d.splits().get(0).gap())
        .isCloseTo(expected.get("before").get("centroid_gap").doubleValue(), within(1e-9));
  }

  @Test
  void jsonHoldsEveryFigure() throws Exception {
    JsonNode j = new ObjectMapper().readTree(OUT.resolve("report.json").toFile());
    assertThat(j.get("format").asText()).isEqualTo(ReportJson.FORMAT);
    assertThat(j.get("samples").get("text").get("used").asInt()).isEqualTo(500);
    assertThat(j.get("metrics")).hasSize(4);
    assertThat(j.get("metrics").get(3).get("centroid_gap").asDouble())
        .isCloseTo(
            expected.get("after_realign").get("centroid_gap").doubleValue(), within(ALLOWED_ERROR));
    assertThat(j.get("validation").get("rows")).hasSize(4);
    assertThat(j.get("spectra").get("samples").get(0).get("eigenvalues")).hasSize(512);
    assertThat(j.get("histograms").get("counts")).hasSize(5);
    assertThat(j.get("pca_2d").get("panels")).hasSize(4);
    assertThat(j.get("definitions").get("js_pairwise_cos").asText()).contains("100 equal bins");
    JsonNode realign = j.get("metrics").get(3);
    assertThat(realign.get("knn_overlap").asDouble())
        .isCloseTo(
            expected.get("after_realign").get("knn_overlap_k10").doubleValue(),
            within(ALLOWED_ERROR));
    assertThat(realign.get("knn_mixing_estimate").get("standard_error").asDouble()).isEqualTo(0.0);
    assertThat(realign.get("knn_mixing_estimate").get("queries_used").asLong()).isEqualTo(1000);
    assertThat(realign.get("js_pairwise_cos_estimate").get("pairs_used").asLong())
        .isEqualTo(500L * 499 / 2);
    assertThat(realign.get("knn_mixing_normalised").asDouble()).isPositive();
    assertThat(realign.get("centroid_gap_scope").asText()).isEqualTo("sample");
    assertThat(j.get("validation").get("rows").get(3).get("t2i_r5").asDouble())
        .isCloseTo(
            expected.get("after_realign").get("t2i_r5").doubleValue(), within(ALLOWED_ERROR));
  }

  @Test
  void htmlIsSelfContainedWithTablesAndPlots() throws Exception {
    String html = Files.readString(OUT.resolve("report.html"));
    assertThat(html).startsWith("<!DOCTYPE html>");
    assertThat(html.toLowerCase())
        .doesNotContain("http")
        .doesNotContain("<script")
        .doesNotContain("src=")
        .doesNotContain("href=");
    assertThat(count(html, "<svg")).as("1 spectra + 4 histograms + 4 PCA panels").isEqualTo(9);
    assertThat(count(html, "</svg>")).isEqualTo(9);
    String metrics = section(html, "<table id=\"metrics\">");
    assertThat(count(metrics, "<tr>")).as("header + 4 rows").isEqualTo(5);
    for (String label : new String[] {"before", "anchor", "anchor-trace", "realign"}) {
      assertThat(metrics).contains("<tr><td>" + label + "</td>");
    }
    assertThat(count(section(html, "<table id=\"validation\">"), "<tr>")).isEqualTo(5);
    assertThat(count(section(html, "<table id=\"gap-split\">"), "<tr>")).isEqualTo(5);
    assertThat(html).contains("0.851352").contains("0.00146479");
  }

  private static String section(String html, String start) {
    int a = html.indexOf(start);
    assertThat(a).as(start).isGreaterThanOrEqualTo(0);
    return html.substring(a, html.indexOf("</table>", a));
  }

  private static int count(String s, String what) {
    Matcher m = Pattern.compile(Pattern.quote(what)).matcher(s);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
