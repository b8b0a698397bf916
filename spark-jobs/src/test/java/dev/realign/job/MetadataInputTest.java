package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.io.Npy;
import dev.realign.sink.ShardManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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
 * .npy embeddings with ids and texts from a metadata Parquet file per .npy file (the layout
 * clip-retrieval writes), paired in sorted order.
 */
class MetadataInputTest {
  static final int D = 8;
  static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() throws IOException {
    spark = SparkTestSession.start();
    Npy.write(dir.resolve("images.npy"), PipelineFixture.randomRows(9, 300, D, 1.0), 300, D);
    Files.createDirectories(dir.resolve("emb"));
    Files.createDirectories(dir.resolve("meta"));
    Npy.write(dir.resolve("emb/text_emb_0.npy"), PipelineFixture.randomRows(1, 30, D, 2.0), 30, D);
    Npy.write(dir.resolve("emb/text_emb_1.npy"), PipelineFixture.randomRows(2, 20, D, 2.0), 20, D);
    List<Row> m0 = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      m0.add(RowFactory.create(i == 4 ? null : "doc-" + i, "caption " + i));
    }
    List<Row> m1 = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      // doc-7 repeats an id of the first file: the later row is the duplicate.
      m1.add(RowFactory.create(i == 3 ? "doc-7" : "doc-" + (100 + i), "second " + i));
    }
    writeSingleParquet(m0, dir.resolve("meta/metadata_0.parquet"));
    writeSingleParquet(m1, dir.resolve("meta/metadata_1.parquet"));
  }

  static void writeSingleParquet(List<Row> rows, Path target) throws IOException {
    Path tmp = dir.resolve("tmp-" + target.getFileName());
    spark
        .createDataFrame(
            rows,
            new StructType().add("id", DataTypes.StringType).add("text", DataTypes.StringType))
        .coalesce(1)
        .write()
        .parquet(tmp.toString());
    try (Stream<Path> files = Files.list(tmp)) {
      Path part =
          files
              .filter(p -> p.getFileName().toString().endsWith(".parquet"))
              .findFirst()
              .orElseThrow();
      Files.copy(part, target);
    }
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  @Test
  void idsAndTextsComeFromTheMetadataAndBadIdsAreRejected() {
    Path out = dir.resolve("out");
    PipelineFixture.run(
        spark,
        PipelineFixture.config(
            dir.resolve("emb"),
            dir.resolve("images.npy"),
            out,
            "input.text.metadata",
            dir.resolve("meta").toString(),
            "quality.max_rejected_fraction",
            "0.1",
            "report.in_run",
            "false"));
    List<Row> rows = PipelineFixture.readShards(spark, out);
    assertThat(rows).hasSize(48);
    assertThat(rows.get(0).getString(0)).isEqualTo("doc-0");
    assertThat(rows.get(0).getString(rows.get(0).fieldIndex("text"))).isEqualTo("caption 0");
    assertThat(rows.get(29).getString(0)).isEqualTo("doc-100");
    assertThat(rows.get(29).getString(1)).isEqualTo("second 0");
    ShardManifest m = PipelineFixture.manifest(out);
    assertThat(m.inputs().get("text").byReason())
        .containsEntry("null_id", 1L)
        .containsEntry("duplicate_id", 1L);
    List<Row> rejected =
        spark.read().parquet(out.resolve("rejected/text").toString()).collectAsList();
    assertThat(rejected)
        .extracting(r -> r.getString(r.fieldIndex("reason")))
        .containsExactlyInAnyOrder("null_id", "duplicate_id");
    Row dup =
        rejected.stream()
            .filter(r -> "duplicate_id".equals(r.getString(3)))
            .findFirst()
            .orElseThrow();
    assertThat(dup.getString(0)).isEqualTo("doc-7");
    assertThat(dup.getLong(dup.fieldIndex("row"))).isEqualTo(3L);
    assertThat(dup.getString(dup.fieldIndex("source"))).endsWith("text_emb_1.npy");
  }

  @Test
  void metadataThatDoesNotPairFailsBeforeAnyWork() throws IOException {
    Path meta = dir.resolve("meta-short");
    Files.createDirectories(meta);
    Files.copy(dir.resolve("meta/metadata_0.parquet"), meta.resolve("metadata_0.parquet"));
    assertThatThrownBy(
            () ->
                PipelineFixture.run(
                    spark,
                    PipelineFixture.config(
                        dir.resolve("emb"),
                        dir.resolve("images.npy"),
                        dir.resolve("out-short"),
                        "input.text.metadata",
                        meta.toString())))
        .hasMessageContaining("expected 2 Parquet files")
        .hasMessageContaining("actual 1");
    Files.copy(dir.resolve("meta/metadata_0.parquet"), meta.resolve("metadata_1.parquet"));
    assertThatThrownBy(
            () ->
                PipelineFixture.run(
                    spark,
                    PipelineFixture.config(
                        dir.resolve("emb"),
                        dir.resolve("images.npy"),
                        dir.resolve("out-short2"),
                        "input.text.metadata",
                        meta.toString())))
        .hasMessageContaining("expected 20 rows")
        .hasMessageContaining("actual 30");
  }
}
