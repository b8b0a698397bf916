package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realign.io.Npy;
import dev.realign.sink.ShardInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly what docs/output.md's Determinism section promises, statement by statement: what stays
 * byte-identical when the partition count changes or the input files are cut differently, and what
 * does not (shard files, the manifest's shard list, rejected/ part names, stats/inputs.json,
 * made-up ids).
 */
class DeterminismScopeTest {
  static final int D = 16;
  static final int ROWS = 2_000;
  static final int NAN_ROW = 1_500;
  static final ObjectMapper MAPPER = new ObjectMapper();
  static SparkSession spark;
  @TempDir static Path dir;
  static Path one;
  static Path five;
  static Path cut;
  static Path again;

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.start();
    float[] texts = PipelineFixture.randomRows(61, ROWS, D, 1.5);
    texts[NAN_ROW * D] = Float.NaN;
    Npy.write(dir.resolve("texts.npy"), texts, ROWS, D);
    Npy.write(dir.resolve("images.npy"), PipelineFixture.randomRows(62, 1000, D, -1.0), 1000, D);
    try {
      Files.createDirectories(dir.resolve("cut"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Npy.write(dir.resolve("cut/a.npy"), Arrays.copyOfRange(texts, 0, 1000 * D), 1000, D);
    Npy.write(dir.resolve("cut/b.npy"), Arrays.copyOfRange(texts, 1000 * D, ROWS * D), 1000, D);
    one = run("one", dir.resolve("texts.npy"), 1);
    five = run("five", dir.resolve("texts.npy"), 5);
    cut = run("cut-out", dir.resolve("cut"), 1);
    again = run("one-again", dir.resolve("texts.npy"), 1);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static Path run(String name, Path texts, int partitions) {
    Path out = dir.resolve(name);
    PipelineFixture.run(
        spark,
        PipelineFixture.config(
            texts,
            dir.resolve("images.npy"),
            out,
            "input.partitions",
            Integer.toString(partitions)));
    return out;
  }

  static String sha(Path p) throws Exception {
    return PipelineFixture.sha256(p);
  }

  /** The manifest without the two fields that list files. */
  static ObjectNode manifestWithoutFileLists(Path out) throws Exception {
    ObjectNode m = (ObjectNode) MAPPER.readTree(out.resolve("aligned/_manifest.json").toFile());
    m.remove("shards");
    m.remove("rejected_files");
    return m;
  }

  static List<String> embeddings(Path out) {
    List<String> rows = new ArrayList<>();
    for (Row r : PipelineFixture.readShards(spark, out)) {
      rows.add(Arrays.toString(PipelineFixture.embedding(r)));
    }
    return rows;
  }

  static List<String> ids(Path out) {
    return PipelineFixture.readShards(spark, out).stream().map(r -> r.getString(0)).toList();
  }

  static List<String> rejected(Path out) {
    return spark.read().parquet(out.resolve("rejected/text").toString()).collectAsList().stream()
        .map(
            r ->
                r.getString(r.fieldIndex("reason"))
                    + " row "
                    + r.getLong(r.fieldIndex("row"))
                    + " "
                    + r.getList(r.fieldIndex("embedding")))
        .sorted()
        .toList();
  }

  static List<String> names(Path d) throws Exception {
    try (var s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .sorted()
          .toList();
    }
  }

  @Test
  void thePartitionCountChangesNoStatisticTransformOrRow() throws Exception {
    for (String f : List.of("realign-transform.json", "stats/text.sketch", "stats/image.sketch")) {
      assertThat(sha(five.resolve(f))).as(f).isEqualTo(sha(one.resolve(f)));
    }
    assertThat(manifestWithoutFileLists(five)).isEqualTo(manifestWithoutFileLists(one));
    assertThat(ids(five)).isEqualTo(ids(one)).hasSize(ROWS - 1);
    assertThat(embeddings(five)).isEqualTo(embeddings(one));
    assertThat(rejected(five)).isEqualTo(rejected(one)).hasSize(1);
  }

  @Test
  void thePartitionCountChangesTheFilesAndTheListsOfFiles() throws Exception {
    assertThat(PipelineFixture.manifest(one).shards())
        .extracting(ShardInfo::name)
        .containsExactly("part-00000-of-00001.parquet");
    assertThat(PipelineFixture.manifest(five).shards())
        .extracting(ShardInfo::name)
        .containsExactly(
            "part-00000-of-00005.parquet",
            "part-00001-of-00005.parquet",
            "part-00002-of-00005.parquet",
            "part-00003-of-00005.parquet",
            "part-00004-of-00005.parquet");
    assertThat(sha(five.resolve("aligned/_manifest.json")))
        .isNotEqualTo(sha(one.resolve("aligned/_manifest.json")));
    // Row 1,500 of 2,000 falls in split 3 of 5 (400 rows a split).
    assertThat(names(one.resolve("rejected/text"))).containsExactly("part-00000-of-00001.parquet");
    assertThat(names(five.resolve("rejected/text"))).containsExactly("part-00003-of-00005.parquet");
    ObjectNode summaryOne =
        (ObjectNode) MAPPER.readTree(one.resolve("stats/summary.json").toFile());
    ObjectNode summaryFive =
        (ObjectNode) MAPPER.readTree(five.resolve("stats/summary.json").toFile());
    assertThat(summaryFive).isNotEqualTo(summaryOne);
    summaryOne.remove("rejected_files");
    summaryFive.remove("rejected_files");
    assertThat(summaryFive).isEqualTo(summaryOne);
    assertThat(
            MAPPER
                .readTree(one.resolve("stats/inputs.json").toFile())
                .path("input.partitions")
                .asText())
        .isEqualTo("1");
    assertThat(
            MAPPER
                .readTree(five.resolve("stats/inputs.json").toFile())
                .path("input.partitions")
                .asText())
        .isEqualTo("5");
  }

  @Test
  void cuttingTheFilesKeepsTheTransformAndEmbeddingsButChangesMadeUpIds() throws Exception {
    for (String f : List.of("realign-transform.json", "stats/text.sketch", "stats/image.sketch")) {
      assertThat(sha(cut.resolve(f))).as(f).isEqualTo(sha(one.resolve(f)));
    }
    assertThat(embeddings(cut)).isEqualTo(embeddings(one));
    // Made-up ids are <file stem>-<row in file>: the 1,001st row is texts-1000 in one file and
    // b-0 in the second of two.
    assertThat(ids(one).get(1000)).isEqualTo("texts-1000");
    assertThat(ids(cut).get(1000)).isEqualTo("b-0");
  }

  @Test
  void theSameInputsAndPartitionsGiveTheSameBytesEverywhere() throws Exception {
    assertThat(FailureAndResumeTest.tree(again))
        .isEqualTo(FailureAndResumeTest.tree(one))
        .containsKeys(
            "aligned/_manifest.json",
            "stats/summary.json",
            "stats/inputs.json",
            "realign-transform.json",
            "rejected/text/part-00000-of-00001.parquet");
  }
}
