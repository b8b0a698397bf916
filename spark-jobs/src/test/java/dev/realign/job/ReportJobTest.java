package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.realign.SharedData;
import dev.realign.config.PipelineConfig;
import dev.realign.io.Npy;
import dev.realign.report.GapReport;
import dev.realign.stats.MomentSketch;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.SketchCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report} through Spark on COCO-500: the figures equal {@code expected_realign.json}; and
 * the command-level bad inputs (no transform, validation ids matching nothing, mismatched
 * dimensions).
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
    expected =
        new ObjectMapper()
            .readTree(Files.readString(SharedData.modalityGap("expected_realign.json")));
    float[] all = Npy.readFloats(SharedData.modalityGap("features_clip.npy"));
    Npy.write(dir.resolve("images.npy"), Arrays.copyOfRange(all, 0, N * D), N, D);
    Npy.write(dir.resolve("texts.npy"), Arrays.copyOfRange(all, N * D, 2 * N * D), N, D);
    out = dir.resolve("out");
    PipelineFixture.run(
        spark,
        PipelineFixture.config(
            dir.resolve("texts.npy"),
            dir.resolve("images.npy"),
            out,
            "report.in_run",
            "false",
            "input.partitions",
            "2"));
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static JobContext reportContext(String... keyValues) {
    PipelineConfig.Builder b =
        PipelineConfig.builder()
            .set("output.dir", out.toString())
            .set("progress.interval_seconds", "0")
            .set("report.spectra", "false");
    for (int i = 0; i < keyValues.length; i += 2) {
      b.set(keyValues[i], keyValues[i + 1]);
    }
    return new JobContext(spark, b.build());
  }

  @Test
  void cocoFiguresEqualTheReferenceAndTheFilesAreWritten() throws Exception {
    // Inputs come from the run's record (stats/inputs.json); the validation set pairs by position.
    GapReport r =
        ReportJob.run(
            reportContext(
                "report.validation.text", dir.resolve("texts.npy").toString(),
                "report.validation.image", dir.resolve("images.npy").toString()),
            null);
    String[][] rows = {
      {"before", "before"},
      {"anchor", "after_anchor_only"},
      {"anchor-trace", "after_anchor_trace"},
      {"realign", "after_realign"}
    };
    assertThat(r.rows())
        .extracting(GapReport.MetricsRow::label)
        .containsExactly("before", "anchor", "anchor-trace", "realign");
    for (int q = 0; q < rows.length; q++) {
      JsonNode e = expected.get(rows[q][1]);
      GapReport.MetricsRow m = r.rows().get(q);
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
      assertThat(m.mixing().standardError()).isEqualTo(0.0);
      // before: the stats sketches; realign (the written variant): the apply pass's sketch
      assertThat(m.fullData())
          .as(rows[q][0] + " full data")
          .isEqualTo(q == 0 || rows[q][0].equals("realign"));
      GapReport.PairedRow p = r.validation().orElseThrow().rows().get(q);
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
    assertThat(r.validation().orElseThrow().pairing())
        .containsEntry("pairs", (long) N)
        .containsEntry("used", (long) N)
        .containsEntry("unmatched_text", 0L)
        .containsEntry("duplicate_image", 0L);
    // The default sample (10,000) is larger than the data: all 500 rows are used, and said so.
    assertThat(r.samples()).allSatisfy(s -> assertThat(s.used()).isEqualTo(N));
    assertThat(String.join(" ", r.notes())).contains("500");
    assertThat(out.resolve("report/report.json")).isRegularFile();
    String html = Files.readString(out.resolve("report/report.html"));
    assertThat(html)
        .contains("<svg")
        .doesNotContain("http://")
        .doesNotContain("https://")
        .doesNotContain("<script");
  }

  /** The exact sketch stored by apply is the sketch of the shards' rows as read back. */
  @Test
  void theAlignedSketchEqualsTheShardsReadBack() throws Exception {
    String sha = PipelineFixture.manifest(out).transformSha256();
    Path stored = out.resolve("stats").resolve("aligned-" + sha + ".sketch");
    MomentSnapshot fromApply = SketchCodec.decode(Files.readAllBytes(stored));
    MomentSketch readBack = new MomentSketch(D);
    double[] unit = new double[D];
    for (Row row : PipelineFixture.readShards(spark, out)) {
      float[] v = PipelineFixture.embedding(row);
      for (int j = 0; j < D; j++) {
        unit[j] = v[j];
      }
      readBack.addUnit(unit);
    }
    assertThat(fromApply.count()).isEqualTo(N);
    assertThat(fromApply).isEqualTo(readBack.snapshot());
    // and the report's "after" centroid gap is the one of every written row
    GapReport r = ReportJob.run(reportContext("report.variants", "realign"), null);
    double[] mu = fromApply.mean();
    double[] muImage = dev.realign.job.AlignPipeline.readSketch(reportContext(), "image").mean();
    assertThat(r.rows().get(1).centroidGap())
        .isEqualTo(dev.realign.metrics.GapMetrics.distance(muImage, mu));
  }

  /** Issue 12 item 6: every id is accounted for, duplicates are counted, the pairs are capped. */
  @Test
  void validationPairingCountsUnmatchedAndDuplicateIdsAndCapsThePairs() {
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType)
            .add("embedding", DataTypes.createArrayType(DataTypes.FloatType));
    float[] raw = PipelineFixture.randomRows(5, 8, D, 0.0);
    java.util.function.IntFunction<List<Float>> vec =
        i -> {
          List<Float> l = new java.util.ArrayList<>();
          for (int j = 0; j < D; j++) {
            l.add(i < 0 ? Float.NaN : raw[i * D + j]);
          }
          return l;
        };
    Path vt = dir.resolve("pairing-text");
    Path vi = dir.resolve("pairing-image");
    // a, f, g pair; b twice among texts; c twice among images; d only a text (bad row); e only an
    // image; h pairs with a NaN text
    spark
        .createDataFrame(
            List.of(
                RowFactory.create("a", vec.apply(0)),
                RowFactory.create("b", vec.apply(1)),
                RowFactory.create("b", vec.apply(2)),
                RowFactory.create("c", vec.apply(3)),
                RowFactory.create("d", vec.apply(-1)),
                RowFactory.create("f", vec.apply(4)),
                RowFactory.create("g", vec.apply(5)),
                RowFactory.create("h", vec.apply(-1))),
            schema)
        .coalesce(1)
        .write()
        .parquet(vt.toString());
    spark
        .createDataFrame(
            List.of(
                RowFactory.create("a", vec.apply(6)),
                RowFactory.create("b", vec.apply(7)),
                RowFactory.create("c", vec.apply(0)),
                RowFactory.create("c", vec.apply(1)),
                RowFactory.create("e", vec.apply(2)),
                RowFactory.create("f", vec.apply(3)),
                RowFactory.create("g", vec.apply(4)),
                RowFactory.create("h", vec.apply(5))),
            schema)
        .coalesce(1)
        .write()
        .parquet(vi.toString());
    GapReport r =
        ReportJob.run(
            reportContext(
                "report.validation.text",
                vt.toString(),
                "report.validation.image",
                vi.toString(),
                "report.variants",
                "realign",
                "report.validation.max_pairs",
                "2"),
            null);
    GapReport.Validation v = r.validation().orElseThrow();
    assertThat(v.pairing())
        .containsEntry("pairs", 3L)
        .containsEntry("used", 2L)
        .containsEntry("max_pairs", 2L)
        .containsEntry("duplicate_text", 1L)
        .containsEntry("duplicate_image", 1L)
        .containsEntry("unmatched_text", 1L)
        .containsEntry("unmatched_image", 1L)
        .containsEntry("bad_row", 1L);
    assertThat(v.pairs()).isEqualTo(2);
  }

  /** The validation pairing's executor-side values survive Java and Kryo serialisation. */
  @Test
  void validationPairingValuesRoundTrip() {
    ValidationPairs.Pair p =
        new ValidationPairs.Pair(-5L, "k", new float[] {1, 2}, new float[] {3, 4});
    ValidationPairs.Pair q = new ValidationPairs.Pair(7L, "j", new float[] {1}, new float[] {2});
    for (org.apache.spark.serializer.Serializer s : SerializationTest.serializers()) {
      ValidationPairs.Pair copy = SerializationTest.roundTrip(s, p);
      assertThat(copy.key).isEqualTo("k");
      assertThat(copy.text).containsExactly(1, 2);
      assertThat(copy.image).containsExactly(3, 4);
      assertThat(SerializationTest.roundTrip(s, new ValidationPairs.Keyed(null)).vector).isNull();
      // unsigned order: -5 is above 7
      assertThat(SerializationTest.roundTrip(s, new ValidationPairs.ByHash()).compare(q, copy))
          .isNegative();
    }
  }

  @Test
  void validationIdsThatMatchNothingFailClearly() {
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType)
            .add("embedding", DataTypes.createArrayType(DataTypes.FloatType));
    float[] v = new float[D];
    v[0] = 1;
    List<Float> vec = new java.util.ArrayList<>();
    for (float x : v) {
      vec.add(x);
    }
    Path vt = dir.resolve("val-text");
    Path vi = dir.resolve("val-image");
    spark
        .createDataFrame(List.of(RowFactory.create("a", vec), RowFactory.create("b", vec)), schema)
        .write()
        .parquet(vt.toString());
    spark
        .createDataFrame(List.of(RowFactory.create("x", vec)), schema)
        .write()
        .parquet(vi.toString());
    assertThatThrownBy(
            () ->
                ReportJob.run(
                    reportContext(
                        "report.validation.text",
                        vt.toString(),
                        "report.validation.image",
                        vi.toString(),
                        "report.variants",
                        "realign"),
                    null))
        .hasMessageContaining("none of the 2 ids")
        .hasMessageContaining("match");
  }

  /**
   * report.json is rendered beside report.html but written first: when its write fails, the error
   * names it and no new report.html is left (an old report.json never sits beside a newer HTML).
   */
  @Test
  void aFailedReportJsonWriteNamesItAndLeavesNoNewHtml() throws Exception {
    GapReport r = ReportJob.run(reportContext(), null);
    Path other = dir.resolve("unwritable-report");
    // A directory, not empty, where report.json goes: the file cannot replace it.
    Files.createDirectories(other.resolve("report/report.json"));
    Files.writeString(other.resolve("report/report.json/kept"), "x");
    JobContext ctx = reportContext("output.dir", other.toString());
    assertThatThrownBy(() -> ReportJob.writeReport(ctx, r))
        .hasMessageContaining(other.resolve("report/report.json").toString());
    assertThat(other.resolve("report/report.html")).doesNotExist();
    // The same report written where it can be: both files, the JSON the figures' own rendering.
    Path fine = dir.resolve("writable-report");
    ReportJob.writeReport(reportContext("output.dir", fine.toString()), r);
    assertThat(Files.readString(fine.resolve("report/report.json")))
        .isEqualTo(dev.realign.report.ReportJson.toJson(r));
    assertThat(fine.resolve("report/report.html")).isRegularFile();
  }

  @Test
  void mismatchedDimensionsAndAMissingTransformFailClearly() throws Exception {
    Path small = dir.resolve("val-16.npy");
    Npy.write(small, PipelineFixture.randomRows(3, 10, 16, 1.0), 10, 16);
    assertThatThrownBy(
            () ->
                ReportJob.run(
                    reportContext(
                        "report.validation.text",
                        small.toString(),
                        "report.validation.image",
                        small.toString(),
                        "report.variants",
                        "realign"),
                    null))
        .hasMessageContaining("dimension 16")
        .hasMessageContaining("512");

    Path empty = dir.resolve("no-transform");
    Files.createDirectories(empty);
    assertThatThrownBy(
            () ->
                ReportJob.run(
                    new JobContext(
                        spark,
                        PipelineConfig.builder().set("output.dir", empty.toString()).build()),
                    null))
        .hasMessageContaining("Missing transform")
        .hasMessageContaining("realign-transform.json");
  }
}
