package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.io.Npy;
import dev.realign.sink.ShardManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sketches, the transform and the aligned rows do not depend on how the input is cut: 1, 3 and
 * 17 partitions, one file against several, and one Parquet row group cut into row ranges, give
 * identical bytes.
 */
class PartitionInvarianceTest {
  static final int D = 48;
  static final int TEXT_ROWS = 3_001;
  static final int IMAGE_ROWS = 2_003;

  static SparkSession spark;
  @TempDir static Path dir;
  static float[] texts;

  @BeforeAll
  static void setUp() throws Exception {
    spark = SparkTestSession.start();
    texts = PipelineFixture.randomRows(7, TEXT_ROWS, D, 2.0);
    float[] images = PipelineFixture.randomRows(11, IMAGE_ROWS, D, -1.5);
    Npy.write(dir.resolve("texts.npy"), texts, TEXT_ROWS, D);
    Npy.write(dir.resolve("images.npy"), images, IMAGE_ROWS, D);
    // The same texts cut into three files.
    Files.createDirectories(dir.resolve("texts-split"));
    int[] cuts = {0, 1000, 1001, TEXT_ROWS};
    for (int f = 0; f < 3; f++) {
      float[] part = java.util.Arrays.copyOfRange(texts, cuts[f] * D, cuts[f + 1] * D);
      Npy.write(
          dir.resolve("texts-split").resolve("t" + f + ".npy"), part, cuts[f + 1] - cuts[f], D);
    }
  }

  /** The texts as one Parquet row group of small pages, without ids (so ids are texts-<row>). */
  static Path textsAsOneRowGroup() throws Exception {
    Path file = dir.resolve("texts-parquet").resolve("texts.parquet");
    Files.createDirectories(file.getParent());
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message m { optional group"
                + " embedding (LIST) { repeated group list { optional float element; } } }");
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withType(schema)
            .withPageSize(8192)
            .build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(schema);
      for (int i = 0; i < TEXT_ROWS; i++) {
        Group row = f.newGroup();
        Group list = row.addGroup("embedding");
        for (int j = 0; j < D; j++) {
          list.addGroup("list").append("element", texts[i * D + j]);
        }
        w.write(row);
      }
    }
    return file.getParent();
  }

  @Test
  void oneParquetRowGroupCutInto3Or17SplitsGivesTheBitsOfTheNpyInput() throws Exception {
    Result npy = run("npy-p1", dir.resolve("texts.npy"), 1);
    Path parquet = textsAsOneRowGroup();
    Result one = run("pq-p1", parquet, 1);
    Result three = run("pq-p3", parquet, 3);
    Result seventeen = run("pq-p17", parquet, 17);

    assertThat(List.of(one.shards(), three.shards(), seventeen.shards())).containsExactly(1, 3, 17);
    List<String> ids = ids("npy-p1");
    assertThat(ids).hasSize(TEXT_ROWS).startsWith("texts-0", "texts-1").endsWith("texts-3000");
    for (String name : List.of("pq-p1", "pq-p3", "pq-p17")) {
      assertThat(ids(name)).as(name).isEqualTo(ids);
    }
    for (Result r : List.of(one, three, seventeen)) {
      assertThat(r.sketches()).isEqualTo(npy.sketches());
      assertThat(r.transformSha()).isEqualTo(one.transformSha());
      assertThat(r.rows()).hasSize(TEXT_ROWS);
      for (int i = 0; i < TEXT_ROWS; i++) {
        assertThat(r.rows().get(i)).as("row %s", i).isEqualTo(npy.rows().get(i));
      }
    }
  }

  static List<String> ids(String name) {
    return PipelineFixture.readShards(spark, dir.resolve(name)).stream()
        .map(r -> r.getString(r.fieldIndex("id")))
        .toList();
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  record Result(
      String transformSha, Map<String, String> sketches, List<float[]> rows, int shards) {}

  static Result run(String name, Path textInput, int partitions) {
    Path out = dir.resolve(name);
    AlignPipeline.Outcome o =
        PipelineFixture.run(
            spark,
            PipelineFixture.config(
                textInput,
                dir.resolve("images.npy"),
                out,
                "input.partitions",
                Integer.toString(partitions)));
    List<float[]> rows = new ArrayList<>();
    for (Row r : PipelineFixture.readShards(spark, out)) {
      rows.add(PipelineFixture.embedding(r));
    }
    ShardManifest m = PipelineFixture.manifest(out);
    return new Result(
        o.transform().sha256(), PipelineFixture.sketchFingerprints(out), rows, m.shards().size());
  }

  @Test
  void everythingIsBitIdenticalFor1And3And17Partitions() {
    Result one = run("p1", dir.resolve("texts.npy"), 1);
    Result three = run("p3", dir.resolve("texts.npy"), 3);
    Result seventeen = run("p17", dir.resolve("texts.npy"), 17);
    Result files = run("files", dir.resolve("texts-split"), 2);

    assertThat(one.shards()).isEqualTo(1);
    assertThat(three.shards()).isEqualTo(3);
    assertThat(seventeen.shards()).isEqualTo(17);
    for (Result r : List.of(three, seventeen, files)) {
      assertThat(r.sketches()).isEqualTo(one.sketches());
      assertThat(r.transformSha()).isEqualTo(one.transformSha());
      assertThat(r.rows()).hasSize(TEXT_ROWS);
      for (int i = 0; i < TEXT_ROWS; i++) {
        assertThat(r.rows().get(i)).as("row %s", i).isEqualTo(one.rows().get(i));
      }
    }
  }
}
