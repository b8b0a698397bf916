package dev.realign.job;

import dev.realign.SharedData;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.realign.config.PipelineConfig;
import dev.realign.io.Npy;
import dev.realign.report.GapReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report} through Spark on COCO-500: the figures equal {@code expected_realign.json}; and the
 * command-level bad inputs (no transform, validation ids matching nothing, mismatched dimensions).
 */
class ReportJobTest {
  static final double ALLOWED_ERROR = 1e-6;
  static final int N = 500;
  static final int D = 512;
  static SparkSession spark;
  @TempDir static Path dir;
  static JsonNode expected;
  static Path out;

  @BeforeAll
  static void setUp() throws Exception {
    spark = SparkTestSession.start();
    expected = new ObjectMapper().readTree(Files.readString(SharedData.modalityGap(
        "expected_realign.json")));
    float[] all = Npy.readFloats(SharedData.modalityGap("features_clip.npy"));
    Npy.write(dir.resolve("images.npy"), Arrays.copyOfRange(all, 0, N * D), N, D);
    Npy.write(dir.resolve("texts.npy"), Arrays.copyOfRange(all, N * D, 2 * N * D), N, D);
    out = dir.resolve("out");
    PipelineFixture.run(spark, PipelineFixture.config(dir.resolve("texts.npy"),
        dir.resolve("images.npy"), out, "report.in_run", "false", "input.partitions", "2"));
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static JobContext reportContext(String... keyValues) {
    PipelineConfig.Builder b = PipelineConfig.builder().set("output.dir", out.toString())
        .set("progress.interval_seconds", "0").set("report.spectra", "false");
    for (int i = 0; i < keyValues.length; i += 2) {
      b.set(keyValues[i], keyValues[i + 1]);
    }
    return new JobContext(spark, b.build());
  }

  @Test
  void cocoFiguresEqualTheReferenceAndTheFilesAreWritten() throws Exception {
    // Inputs come from the run's record (stats/inputs.json); the validation set pairs by position.
    GapReport r = ReportJob.run(reportContext(
        "report.validation.text", dir.resolve("texts.npy").toString(),
        "report.validation.image", dir.resolve("images.npy").toString()), null);
    String[][] rows = {{"before", "before"}, {"anchor", "after_anchor_only"},
        {"anchor-trace", "after_anchor_trace"}, {"realign", "after_realign"}};
    assertThat(r.rows()).extracting(GapReport.MetricsRow::label)
        .containsExactly("before", "anchor", "anchor-trace", "realign");
    for (int q = 0; q < rows.length; q++) {
      JsonNode e = expected.get(rows[q][1]);
      GapReport.MetricsRow m = r.rows().get(q);
      assertThat(m.centroidGap()).as(rows[q][0])
          .isCloseTo(e.get("centroid_gap").doubleValue(), within(ALLOWED_ERROR));
      assertThat(m.jsPairwiseCos()).as(rows[q][0])
          .isCloseTo(e.get("js_pairwise_cos").doubleValue(), within(ALLOWED_ERROR));
      assertThat(m.knnMixing()).as(rows[q][0])
          .isCloseTo(e.get("knn_mixing").doubleValue(), within(ALLOWED_ERROR));
      GapReport.PairedRow p = r.validation().orElseThrow().rows().get(q);
      assertThat(p.pairedCosine()).as(rows[q][0])
          .isCloseTo(e.get("paired_cos").doubleValue(), within(ALLOWED_ERROR));
      assertThat(p.recallAt1()).as(rows[q][0])
          .isCloseTo(e.get("t2i_r1").doubleValue(), within(ALLOWED_ERROR));
    }
    // The default sample (10,000) is larger than the data: all 500 rows are used, and said so.
    assertThat(r.samples()).allSatisfy(s -> assertThat(s.used()).isEqualTo(N));
    assertThat(String.join(" ", r.notes())).contains("500");
    assertThat(out.resolve("report/report.json")).isRegularFile();
    String html = Files.readString(out.resolve("report/report.html"));
    assertThat(html).contains("<svg").doesNotContain("http://").doesNotContain("https://")
        .doesNotContain("<script");
  }

  @Test
  void validationIdsThatMatchNothingFailClearly() {
    StructType schema = new StructType().add("id", DataTypes.StringType)
        .add("embedding", DataTypes.createArrayType(DataTypes.FloatType));
    float[] v = new float[D];
    v[0] = 1;
    List<Float> vec = new java.util.ArrayList<>();
    for (float x : v) {
      vec.add(x);
    }
    Path vt = dir.resolve("val-text");
    Path vi = dir.resolve("val-image");
    spark.createDataFrame(List.of(RowFactory.create("a", vec), RowFactory.create("b", vec)),
        schema).write().parquet(vt.toString());
    spark.createDataFrame(List.of(RowFactory.create("x", vec)), schema).write()
        .parquet(vi.toString());
    assertThatThrownBy(() -> ReportJob.run(reportContext("report.validation.text", vt.toString(),
        "report.validation.image", vi.toString(), "report.variants", "realign"), null))
        .hasMessageContaining("none of the 2 ids").hasMessageContaining("match");
  }

  @Test
  void mismatchedDimensionsAndAMissingTransformFailClearly() throws Exception {
    Path small = dir.resolve("val-16.npy");
    Npy.write(small, PipelineFixture.randomRows(3, 10, 16, 1.0), 10, 16);
    assertThatThrownBy(() -> ReportJob.run(reportContext("report.validation.text",
        small.toString(), "report.validation.image", small.toString(), "report.variants",
        "realign"), null))
        .hasMessageContaining("dimension 16").hasMessageContaining("512");

    Path empty = dir.resolve("no-transform");
    Files.createDirectories(empty);
    assertThatThrownBy(() -> ReportJob.run(new JobContext(spark, PipelineConfig.builder()
        .set("output.dir", empty.toString()).build()), null))
        .hasMessageContaining("Missing transform")
        .hasMessageContaining("realign-transform.json");
  }
}
