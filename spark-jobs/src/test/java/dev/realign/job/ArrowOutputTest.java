package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.SharedData;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.io.Npy;
import dev.realign.sink.ArrowShards;
import dev.realign.sink.ShardInfo;
import dev.realign.sink.ShardManifest;
import dev.realign.vector.Float16;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code output.format = arrow} on COCO-500 through the whole pipeline: the same rows as the
 * Parquet shards and the core, bit for bit; float16 rounded ties-to-even; identical bytes for any
 * partition count and after a failure and resume.
 *
 * <p>Its outputs (in {@code target/reader-fixtures/}: Parquet and Arrow, float32 and float16, with
 * their transform, plus the core's aligned rows as {@code expected-float32.npy}) must equal the
 * golden ones committed under {@code deploy/reader/tests/fixtures/} byte for byte ({@link
 * GoldenOutputs}); the Python reader's tests ({@code deploy/reader/tests}) read those, so Python is
 * checked against shards the Java job really writes, with no Java build.
 */
class ArrowOutputTest {
  static final int N = SharedData.Coco.N;
  static final int D = SharedData.Coco.D;
  static final Path FIXTURES = Path.of("target", "reader-fixtures").toAbsolutePath();

  static SparkSession spark;
  static float[] texts;
  static float[] expected;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() throws IOException {
    spark = SparkTestSession.start();
    deleteTree(FIXTURES);
    Path in = Files.createDirectories(FIXTURES.resolve("inputs"));
    SharedData.Coco coco = SharedData.coco();
    texts = coco.texts();
    Npy.write(in.resolve("texts.npy"), coco.texts(), N, D);
    Npy.write(in.resolve("images.npy"), coco.images(), N, D);
    List<Row> meta = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      // Captions stand in for COCO's (the fixture holds embeddings only); one non-ASCII letter.
      meta.add(RowFactory.create(String.format("coco-%03d", i), "caption " + i + " – a café"));
    }
    Path tmp = dir.resolve("meta-tmp");
    spark
        .createDataFrame(
            meta,
            new StructType().add("id", DataTypes.StringType).add("text", DataTypes.StringType))
        .coalesce(1)
        .write()
        .parquet(tmp.toString());
    Files.createDirectories(in.resolve("meta"));
    try (Stream<Path> files = Files.list(tmp)) {
      Files.copy(
          files
              .filter(p -> p.getFileName().toString().endsWith(".parquet"))
              .findFirst()
              .orElseThrow(),
          in.resolve("meta/texts.parquet"));
    }
    ReAlignTransform core =
        ReAlignFitter.fitInMemory(FitOptions.defaults(), coco.texts(), coco.images(), D);
    expected = new float[N * D];
    for (int i = 0; i < N; i++) {
      System.arraycopy(
          core.apply(Arrays.copyOfRange(texts, i * D, (i + 1) * D)), 0, expected, i * D, D);
    }
    Npy.write(FIXTURES.resolve("expected-float32.npy"), expected, N, D);
    run(FIXTURES.resolve("parquet-float32"), "3", "output.format", "parquet");
    run(
        FIXTURES.resolve("arrow-float32"),
        "3",
        "output.format",
        "arrow",
        "output.arrow_batch_rows",
        "64");
    run(
        FIXTURES.resolve("arrow-float16"),
        "3",
        "output.format",
        "arrow",
        "output.arrow_batch_rows",
        "64",
        "output.dtype",
        "float16");
    run(
        FIXTURES.resolve("parquet-float16"),
        "3",
        "output.format",
        "parquet",
        "output.dtype",
        "float16");
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static AlignPipeline.Outcome run(Path out, String partitions, String... keyValues) {
    List<String> kv =
        new ArrayList<>(
            List.of(
                "input.partitions",
                partitions,
                "input.text.metadata",
                FIXTURES.resolve("inputs/meta").toString()));
    kv.addAll(List.of(keyValues));
    return PipelineFixture.run(
        spark,
        PipelineFixture.config(
            FIXTURES.resolve("inputs/texts.npy"),
            FIXTURES.resolve("inputs/images.npy"),
            out,
            kv.toArray(String[]::new)));
  }

  /** Every row of an Arrow output, in manifest order, and a check of each shard's SHA-256. */
  static List<ArrowShards.ArrowRow> arrowRows(Path out) throws IOException {
    ShardManifest m = PipelineFixture.manifest(out);
    List<ArrowShards.ArrowRow> rows = new ArrayList<>();
    for (ShardInfo s : m.shards()) {
      Path file = out.resolve("aligned").resolve(s.name());
      assertThat(PipelineFixture.sha256(file)).as("sha256 of %s", s.name()).isEqualTo(s.sha256());
      rows.addAll(ArrowShards.read(file).rows());
    }
    return rows;
  }

  @Test
  void arrowShardsHoldTheParquetRowsBitForBit() throws IOException {
    Path out = FIXTURES.resolve("arrow-float32");
    ShardManifest m = PipelineFixture.manifest(out);
    assertThat(m.shardFormat()).isEqualTo("arrow");
    assertThat(m.dtype()).isEqualTo("float32");
    assertThat(m.shards())
        .extracting(ShardInfo::name)
        .containsExactly(
            "part-00000-of-00003.arrow", "part-00001-of-00003.arrow", "part-00002-of-00003.arrow");
    assertThat(Files.readString(out.resolve("aligned/_manifest.json")))
        .contains("\"shard_format\" : \"arrow\"");
    assertThat(ArrowShards.read(out.resolve("aligned/part-00000-of-00003.arrow")).batchRows())
        .as("record batches of output.arrow_batch_rows rows")
        .startsWith(64, 64);

    List<ArrowShards.ArrowRow> arrow = arrowRows(out);
    List<Row> parquet = PipelineFixture.readShards(spark, FIXTURES.resolve("parquet-float32"));
    assertThat(arrow).hasSize(N);
    assertThat(parquet).hasSize(N);
    for (int i = 0; i < N; i++) {
      ArrowShards.ArrowRow a = arrow.get(i);
      Row p = parquet.get(i);
      assertThat(a.id())
          .isEqualTo(p.getString(p.fieldIndex("id")))
          .isEqualTo(String.format("coco-%03d", i));
      assertThat(a.text()).isEqualTo(p.getString(p.fieldIndex("text")));
      float[] pv = PipelineFixture.embedding(p);
      for (int j = 0; j < D; j++) {
        assertThat(a.bits()[j])
            .as("row %s component %s", i, j)
            .isEqualTo(Float.floatToRawIntBits(pv[j]))
            .isEqualTo(Float.floatToRawIntBits(expected[i * D + j]));
      }
    }
    assertThat(PipelineFixture.manifest(FIXTURES.resolve("parquet-float32")).shardFormat())
        .isEqualTo("parquet");
  }

  @Test
  void float16ShardsHoldTheRoundedRowsAndTheStatisticsStayExact() throws IOException {
    Path out = FIXTURES.resolve("arrow-float16");
    ShardManifest m = PipelineFixture.manifest(out);
    assertThat(m.dtype()).isEqualTo("float16");
    assertThat(m.transformSha256())
        .isEqualTo(PipelineFixture.manifest(FIXTURES.resolve("arrow-float32")).transformSha256());
    assertThat(m.extra())
        .isEqualTo(PipelineFixture.manifest(FIXTURES.resolve("arrow-float32")).extra());
    List<ArrowShards.ArrowRow> rows = arrowRows(out);
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < D; j++) {
        assertThat(rows.get(i).bits()[j])
            .isEqualTo(Float16.fromFloat(expected[i * D + j]) & 0xffff);
      }
    }
  }

  @Test
  void rowsAndShardBytesDoNotDependOnPartitionsOrBatchSize() throws IOException {
    List<ArrowShards.ArrowRow> three = arrowRows(FIXTURES.resolve("arrow-float32"));
    for (String partitions : List.of("1", "7")) {
      Path out = dir.resolve("p" + partitions);
      run(out, partitions, "output.format", "arrow", "output.arrow_batch_rows", "100");
      List<ArrowShards.ArrowRow> other = arrowRows(out);
      assertThat(other).hasSameSizeAs(three);
      for (int i = 0; i < N; i++) {
        assertThat(other.get(i).id()).isEqualTo(three.get(i).id());
        assertThat(other.get(i).bits()).isEqualTo(three.get(i).bits());
      }
    }
    // Same partitioning and options: same shard bytes, so the manifests are equal byte for byte.
    Path again = dir.resolve("again");
    run(again, "3", "output.format", "arrow", "output.arrow_batch_rows", "64");
    assertThat(Files.readString(again.resolve("aligned/_manifest.json")))
        .isEqualTo(Files.readString(FIXTURES.resolve("arrow-float32/aligned/_manifest.json")));
  }

  @Test
  void aFailedArrowRunResumesToTheSameBytesAndADtypeChangeRedoesTheShards() throws Exception {
    Path broken = dir.resolve("broken");
    assertThatThrownBy(
            () ->
                FailureAndResumeTest.withFault(
                    FaultSeam.FAIL_APPLY_SPLIT,
                    1,
                    () ->
                        run(
                            broken,
                            "3",
                            "output.format",
                            "arrow",
                            "output.arrow_batch_rows",
                            "64",
                            "output.dtype",
                            "float16")))
        .isInstanceOf(Exception.class)
        .hasStackTraceContaining("Injected failure after writing shard part-00001-of-00003.arrow");
    assertThat(broken.resolve("aligned/_manifest.json")).doesNotExist();
    run(
        broken,
        "3",
        "output.format",
        "arrow",
        "output.arrow_batch_rows",
        "64",
        "output.dtype",
        "float16",
        "output.mode",
        "resume");
    assertThat(FailureAndResumeTest.tree(broken.resolve("aligned")))
        .isEqualTo(FailureAndResumeTest.tree(FIXTURES.resolve("arrow-float16/aligned")));

    // Resuming the complete float16 run as float32 must not keep the float16 shards.
    run(
        broken,
        "3",
        "output.format",
        "arrow",
        "output.arrow_batch_rows",
        "64",
        "output.mode",
        "resume");
    assertThat(FailureAndResumeTest.tree(broken.resolve("aligned")))
        .isEqualTo(FailureAndResumeTest.tree(FIXTURES.resolve("arrow-float32/aligned")));
  }

  @Test
  void theOutputsAreTheGoldenFixturesByteForByte() throws IOException {
    for (String output : GoldenOutputs.OUTPUTS) {
      GoldenOutputs.assertSameOutput(GoldenOutputs.DIR.resolve(output), FIXTURES.resolve(output));
    }
    GoldenOutputs.assertSameFile(
        GoldenOutputs.DIR.resolve(GoldenOutputs.EXPECTED),
        FIXTURES.resolve(GoldenOutputs.EXPECTED));
  }

  @Test
  void theGoldenCheckFailsWhenAShardByteChanges() throws IOException {
    Path copy = dir.resolve("golden-copy");
    Path shard = Path.of("aligned", "part-00001-of-00003.parquet");
    Files.createDirectories(copy.resolve("aligned"));
    Files.copy(FIXTURES.resolve("parquet-float16").resolve(shard), copy.resolve(shard));
    byte[] bytes = Files.readAllBytes(copy.resolve(shard));
    bytes[bytes.length / 2] ^= 1;
    Files.write(copy.resolve(shard), bytes);
    assertThatThrownBy(
            () ->
                GoldenOutputs.assertSameFile(
                    GoldenOutputs.DIR.resolve("parquet-float16").resolve(shard),
                    copy.resolve(shard)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("regenerate");
  }

  /** Rewrites the golden fixtures from this run (on purpose only: see {@link GoldenOutputs}). */
  @Test
  @Tag("golden-generator")
  void writeGoldenFixtures() throws IOException {
    for (String output : GoldenOutputs.OUTPUTS) {
      GoldenOutputs.write(FIXTURES.resolve(output), output);
    }
    Files.copy(
        FIXTURES.resolve(GoldenOutputs.EXPECTED),
        GoldenOutputs.DIR.resolve(GoldenOutputs.EXPECTED),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
