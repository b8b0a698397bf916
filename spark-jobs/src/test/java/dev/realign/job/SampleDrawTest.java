package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realign.config.Modality;
import dev.realign.config.PipelineConfig;
import dev.realign.io.Npy;
import dev.realign.source.EmbeddingSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's sample drawn by the stats pass ({@link SampleRows.Draw}) is exactly the sample of
 * the report's own sampling pass, whatever the sample size and with bad rows in the input; the
 * sketch does not change; and {@code run}'s report equals the standalone {@code report}.
 */
class SampleDrawTest {
  static final int D = 16;
  static final int TEXT_ROWS = 3_001;
  static final int IMAGE_ROWS = 2_003;

  static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() throws Exception {
    spark = SparkTestSession.start();
    float[] texts = PipelineFixture.randomRows(5, TEXT_ROWS, D, 1.5);
    // Bad rows (rejected by the stats pass, never sampled): zero norm and NaN.
    for (int i = 0; i < TEXT_ROWS; i += 97) {
      java.util.Arrays.fill(texts, i * D, (i + 1) * D, 0f);
    }
    texts[5 * D + 3] = Float.NaN;
    Npy.write(dir.resolve("texts.npy"), texts, TEXT_ROWS, D);
    Npy.write(
        dir.resolve("images.npy"),
        PipelineFixture.randomRows(9, IMAGE_ROWS, D, -1.0),
        IMAGE_ROWS,
        D);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static JobContext context(String name, String... keyValues) {
    return new JobContext(
        spark,
        PipelineFixture.config(
            dir.resolve("texts.npy"), dir.resolve("images.npy"), dir.resolve(name), keyValues));
  }

  @Test
  void theDrawnSampleIsTheSamplingPassSample() {
    // Smaller than, close to, equal to (valid rows: 3,001 - 31 zero - 1 NaN) and above the data.
    for (int n : new int[] {1, 250, 2_900, 2_969, 5_000}) {
      JobContext ctx = context("draw-" + n, "input.partitions", "5");
      EmbeddingSet texts = AlignPipeline.plan(ctx, Modality.TEXT);
      SplitStats drawn = StatsPass.run(ctx, texts, new long[0], n);
      assertThat(drawn.draw().complete()).as("n = %d complete", n).isTrue();
      List<SampleRows.Sampled> a = drawn.draw().sample();
      List<SampleRows.Sampled> b =
          SampleRows.sample(ctx, texts, new long[0], n, drawn.snapshot().count(), "texts");
      assertThat(drawn.snapshot().count()).isEqualTo(2_969);
      assertThat(a).as("n = %d size", n).hasSize(Math.min(n, 2_969)).hasSameSizeAs(b);
      for (int i = 0; i < a.size(); i++) {
        assertThat(a.get(i).id).as("n = %d row %d", n, i).isEqualTo(b.get(i).id);
        assertThat(a.get(i).hash).isEqualTo(b.get(i).hash);
        assertThat(a.get(i).vector()).isEqualTo(b.get(i).vector());
      }
      // The sketch is the same bytes with or without the draw.
      SplitStats plain =
          StatsPass.run(context("plain-" + n, "input.partitions", "3"), texts, new long[0]);
      assertThat(plain.sketch).isEqualTo(drawn.sketch);
      assertThat(plain.draw().complete()).isFalse();
    }
  }

  @Test
  void aDrawWithTooFewRowsUnderItsThresholdIsIncomplete() {
    float[] row = new float[D];
    row[0] = 1f;
    SampleRows.Draw narrow = new SampleRows.Draw(10, 1e-12);
    SampleRows.Draw whole = new SampleRows.Draw(10, 1.0);
    for (int i = 0; i < 50; i++) {
      narrow.offer("id-" + i, row, 0, D);
      whole.offer("id-" + i, row, 0, D);
    }
    assertThat(narrow.rows).hasSizeLessThan(10);
    assertThat(narrow.complete()).isFalse();
    assertThat(whole.complete()).isTrue();
    // Merging keeps the n smallest: the same as the draw of all rows at once.
    SampleRows.Draw left = new SampleRows.Draw(10, 1.0);
    SampleRows.Draw right = new SampleRows.Draw(10, 1.0);
    for (int i = 0; i < 50; i++) {
      (i % 3 == 0 ? left : right).offer("id-" + i, row, 0, D);
    }
    SampleRows.Draw merged =
        SampleRows.Draw.merge(SampleRows.Draw.merge(SampleRows.Draw.none(), left), right);
    assertThat(merged.rows).hasSize(10);
    assertThat(merged.sample())
        .extracting(s -> s.id)
        .containsExactlyElementsOf(whole.sample().stream().map(s -> s.id).toList());
  }

  @Test
  void runsReportEqualsTheStandaloneReport() throws Exception {
    Path out = dir.resolve("run");
    PipelineConfig config =
        PipelineFixture.config(
            dir.resolve("texts.npy"),
            dir.resolve("images.npy"),
            out,
            "report.in_run",
            "true",
            "report.sample_rows",
            "1000",
            "input.partitions",
            "4",
            "quality.max_rejected_fraction",
            "0.1");
    AlignJobs.run(new JobContext(spark, config));
    ObjectMapper m = new ObjectMapper();
    JsonNode inRun = m.readTree(Files.readString(out.resolve("report/report.json")));
    ReportJob.run(
        new JobContext(
            spark,
            PipelineConfig.builder()
                .set("output.dir", out.toString())
                .set("progress.interval_seconds", "0")
                .set("report.sample_rows", "1000")
                .build()),
        null);
    JsonNode standalone = m.readTree(Files.readString(out.resolve("report/report.json")));
    ((ObjectNode) inRun).remove("timings_ms");
    ((ObjectNode) standalone).remove("timings_ms");
    assertThat(inRun.get("samples").toString()).contains("1000");
    assertThat(inRun).isEqualTo(standalone);
  }
}
