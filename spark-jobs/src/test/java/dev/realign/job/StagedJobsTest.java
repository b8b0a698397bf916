package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.config.PipelineConfig;
import dev.realign.io.Npy;
import dev.realign.source.HadoopFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stages run one by one ({@code stats}, {@code fit}, {@code apply}) keep the guards that {@code
 * run} keeps: the output mode, the rejected-row verdict, the row accounting.
 */
class StagedJobsTest {
  static final int D = 16;
  static final int ROWS = 300;

  /** 5 NaN rows in 300: 1.7%, above the default limit of 0.1%. */
  static final int NAN_ROWS = 5;

  static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.start();
    Npy.write(dir.resolve("texts.npy"), PipelineFixture.randomRows(21, ROWS, D, 1.0), ROWS, D);
    Npy.write(dir.resolve("images.npy"), PipelineFixture.randomRows(22, ROWS, D, -1.0), ROWS, D);
    float[] bad = PipelineFixture.randomRows(23, ROWS, D, 1.0);
    for (int r = 0; r < NAN_ROWS; r++) {
      bad[r * 37 * D] = Float.NaN;
    }
    Npy.write(dir.resolve("texts-bad.npy"), bad, ROWS, D);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static JobContext ctx(Path texts, Path out, String... kv) {
    return new JobContext(spark, PipelineFixture.config(texts, dir.resolve("images.npy"), out, kv));
  }

  @Test
  void stagesAloneGiveTheBytesOfRunAndRefuseToOverwriteInErrorMode() throws Exception {
    Path texts = dir.resolve("texts.npy");
    Path whole = dir.resolve("whole");
    AlignPipeline.Outcome run = AlignJobs.run(ctx(texts, whole));
    Path staged = dir.resolve("staged");
    AlignJobs.stats(ctx(texts, staged));
    AlignJobs.fit(ctx(texts, staged));
    AlignJobs.apply(ctx(texts, staged), null);
    assertThat(PipelineFixture.sha256(staged.resolve("realign-transform.json")))
        .isEqualTo(PipelineFixture.sha256(whole.resolve("realign-transform.json")));
    assertThat(PipelineFixture.sha256(staged.resolve("aligned/_manifest.json")))
        .isEqualTo(PipelineFixture.sha256(whole.resolve("aligned/_manifest.json")));
    assertThat(run.manifest().rows()).isEqualTo(ROWS);

    String transform = PipelineFixture.sha256(staged.resolve("realign-transform.json"));
    String manifest = PipelineFixture.sha256(staged.resolve("aligned/_manifest.json"));
    assertThatThrownBy(() -> AlignJobs.fit(ctx(texts, staged)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Output file "
                + staged.resolve("realign-transform.json")
                + " already exists; set output.mode"
                + " (--mode) to overwrite to replace it");
    assertThatThrownBy(() -> AlignJobs.apply(ctx(texts, staged), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("aligned already holds shards (found ")
        .hasMessageContaining("output.mode (--mode) to overwrite");
    // Refused means untouched: the old manifest is still the commit point of the old shards.
    assertThat(PipelineFixture.sha256(staged.resolve("realign-transform.json")))
        .isEqualTo(transform);
    assertThat(PipelineFixture.sha256(staged.resolve("aligned/_manifest.json")))
        .isEqualTo(manifest);

    AlignJobs.fit(ctx(texts, staged, "output.mode", "overwrite"));
    AlignJobs.apply(ctx(texts, staged, "output.mode", "overwrite"), null);
    assertThat(PipelineFixture.sha256(staged.resolve("aligned/_manifest.json")))
        .isEqualTo(manifest);
  }

  @Test
  void aFailedStatsIsRecordedAndFitAndApplyRefuseIt() throws Exception {
    Path texts = dir.resolve("texts-bad.npy");
    Path out = dir.resolve("failed-stats");
    assertThatThrownBy(() -> AlignJobs.stats(ctx(texts, out)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("Too many rejected text rows: 5 of 300");
    String summary = Files.readString(out.resolve("stats/summary.json"));
    assertThat(summary)
        .contains("\"verdict\" : \"failed\"")
        .contains("Too many rejected text rows: 5 of 300");
    assertThat(out.resolve("stats/text.sketch")).isRegularFile();

    assertThatThrownBy(() -> AlignJobs.fit(ctx(texts, out)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "Refusing to fit: the stats stage of "
                + out
                + " failed (Too many"
                + " rejected text rows: 5 of 300");
    assertThat(out.resolve("realign-transform.json")).doesNotExist();

    // A transform from elsewhere does not get a failed stats through apply either.
    Path good = dir.resolve("good-for-apply");
    AlignJobs.run(ctx(dir.resolve("texts.npy"), good));
    assertThatThrownBy(
            () ->
                AlignJobs.apply(ctx(texts, out), good.resolve("realign-transform.json").toString()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("Refusing to apply: the stats stage of " + out + " failed");
    assertThat(out.resolve("aligned/_manifest.json")).doesNotExist();
  }

  @Test
  void summaryAndSketchProblemsAreNotSwallowed() throws Exception {
    Path texts = dir.resolve("texts.npy");
    Path out = dir.resolve("broken-summary");
    AlignJobs.stats(ctx(texts, out));
    AlignJobs.fit(ctx(texts, out));
    Path summary = out.resolve("stats/summary.json");
    String good = Files.readString(summary);

    Files.writeString(summary, "{ not json");
    assertThatThrownBy(() -> AlignJobs.apply(ctx(texts, out), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid stats summary: not JSON")
        .hasMessageEndingWith("[in " + summary + "]");
    Files.writeString(summary, good.replace("\"verdict\" : \"passed\",", ""));
    assertThatThrownBy(() -> AlignJobs.apply(ctx(texts, out), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid stats summary: verdict \"\"")
        .hasMessageContaining("rerun stats");
    assertThat(out.resolve("aligned/_manifest.json")).doesNotExist();

    // A sketch that is not the one the summary counted (a stats stage cut short, a stale file).
    Files.writeString(summary, good);
    Files.copy(
        out.resolve("stats/image.sketch"),
        out.resolve("stats/text.sketch"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> AlignJobs.fit(ctx(texts, out, "output.mode", "overwrite")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid text sketch " + out.resolve("stats/text.sketch"))
        .hasMessageContaining("rerun stats");
  }

  @Test
  void applyWithoutAStatsStageKeepsTheRejectedRowLimit() {
    Path good = dir.resolve("transform-source");
    AlignJobs.run(ctx(dir.resolve("texts.npy"), good));
    String transform = good.resolve("realign-transform.json").toString();
    Path out = dir.resolve("apply-alone");
    assertThatThrownBy(() -> AlignJobs.apply(ctx(dir.resolve("texts-bad.npy"), out), transform))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "Too many rejected text rows: 5 of 300 exceed"
                + " quality.max_rejected_fraction = 0.001 (counted by apply without a stats summary");
    assertThat(out.resolve("aligned/_manifest.json")).doesNotExist();
    AlignPipeline.Outcome o =
        AlignJobs.apply(
            ctx(
                dir.resolve("texts-bad.npy"),
                out,
                "quality.max_rejected_fraction",
                "0.05",
                "output.mode",
                "overwrite"),
            transform);
    assertThat(o.manifest().rows()).isEqualTo(ROWS - NAN_ROWS);
    assertThat(o.manifest().rejectedRows()).isEqualTo(NAN_ROWS);
  }

  /** An invalid row with an id must not hide a later valid row with the same id. */
  @Test
  void theFirstValidOccurrenceOfAnIdWins() {
    List<Row> rows = new ArrayList<>();
    float[] base = PipelineFixture.randomRows(31, 40, D, 1.0);
    List<Float> nan = vector(base, 0);
    nan.set(2, Float.NaN);
    rows.add(RowFactory.create("x", "the NaN x", nan));
    rows.add(RowFactory.create("y", "the short y", List.of(1f, 2f)));
    rows.add(RowFactory.create("x", "the valid x", vector(base, 1)));
    rows.add(RowFactory.create("y", "the valid y", vector(base, 2)));
    rows.add(RowFactory.create("x", "a later x", vector(base, 3)));
    for (int i = 4; i < 40; i++) {
      rows.add(RowFactory.create("r" + i, "row " + i, vector(base, i)));
    }
    Path texts = dir.resolve("texts-dup");
    spark
        .createDataFrame(rows, BadInputTest.LIST_SCHEMA)
        .coalesce(1)
        .write()
        .parquet(texts.toString());
    Path out = dir.resolve("out-dup");
    AlignPipeline.Outcome o =
        AlignJobs.run(ctx(texts, out, "quality.max_rejected_fraction", "0.2"));
    assertThat(o.manifest().inputs().get("text").byReason())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("non_finite", 1L, "wrong_dimension", 1L, "duplicate_id", 1L));
    Map<String, String> textById =
        PipelineFixture.readShards(spark, out).stream()
            .collect(Collectors.toMap(r -> r.getString(0), r -> r.getString(1)));
    assertThat(textById)
        .containsEntry("x", "the valid x")
        .containsEntry("y", "the valid y")
        .hasSize(38);
    List<String> duplicates =
        spark.read().parquet(out.resolve("rejected/text").toString()).collectAsList().stream()
            .filter(r -> r.getString(r.fieldIndex("reason")).equals("duplicate_id"))
            .map(r -> r.getString(r.fieldIndex("text")))
            .toList();
    assertThat(duplicates).containsExactly("a later x");
  }

  static List<Float> vector(float[] flat, int row) {
    List<Float> v = new ArrayList<>();
    for (int j = 0; j < D; j++) {
      v.add(flat[row * D + j]);
    }
    return v;
  }

  @Test
  void thePlanListsTheEntriesItSkipped() throws Exception {
    Path in = dir.resolve("mixed-input");
    Files.createDirectories(in.resolve("more"));
    Npy.write(in.resolve("a.npy"), PipelineFixture.randomRows(41, 50, D, 1.0), 50, D);
    Npy.write(in.resolve("more/b.npy"), PipelineFixture.randomRows(42, 50, D, 1.0), 50, D);
    Files.writeString(in.resolve("notes.txt"), "not data");
    Files.writeString(in.resolve("_SUCCESS"), "");
    HadoopFiles.Listing l =
        HadoopFiles.list(
            in.toString(), new Configuration(), name -> name.endsWith(".npy"), "text embeddings");
    assertThat(l.files()).containsExactly("file:" + in.resolve("a.npy"));
    assertThat(l.skipped())
        .containsExactly(
            "file:" + in.resolve("more") + "/ (a directory: not read recursively)",
            "file:" + in.resolve("notes.txt") + " (not a data file of this input)");
    assertThat(l.hidden()).isEqualTo(1);

    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      AlignPipeline.plan(ctx(in, dir.resolve("unused")), "text");
    } finally {
      System.setOut(stdout);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains(
            "[realign] text embeddings:"
                + " skipped 2 entries of "
                + in
                + ": file:"
                + in.resolve("more")
                + "/ (a directory");
  }

  @Test
  void aDegenerateFitIsRefusedNamingTheKeyThatOverridesIt() {
    Path few = dir.resolve("few.npy");
    Npy.write(few, PipelineFixture.randomRows(51, 5, D, 1.0), 5, D);
    assertThatThrownBy(() -> AlignJobs.run(ctx(few, dir.resolve("few-out"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid text embeddings: 5 valid rows (must be >= 10 for a fit")
        .hasMessageContaining("fit.min_rows");
    PipelineConfig lowered =
        PipelineFixture.config(
            few,
            dir.resolve("images.npy"),
            dir.resolve("few-out"),
            "fit.min_rows",
            "5",
            "output.mode",
            "overwrite");
    assertThat(AlignJobs.run(new JobContext(spark, lowered)).manifest().rows()).isEqualTo(5);
  }
}
