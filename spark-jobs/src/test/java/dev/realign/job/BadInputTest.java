package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.config.PipelineConfig;
import dev.realign.io.Npy;
import dev.realign.sink.ShardManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Row-level bad input is quarantined and counted; input-level bad input stops the job early. */
class BadInputTest {
  static final int D = 8;
  static SparkSession spark;
  @TempDir static Path dir;

  static final StructType LIST_SCHEMA =
      new StructType()
          .add("id", DataTypes.StringType, true)
          .add("text", DataTypes.StringType, true)
          .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, true), true);

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.start();
    float[] images = PipelineFixture.randomRows(3, 400, D, 1.0);
    Npy.write(dir.resolve("images.npy"), images, 400, D);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static List<Float> vec(float... v) {
    List<Float> l = new ArrayList<>();
    for (float x : v) {
      l.add(x);
    }
    return l;
  }

  static List<Float> good(int i) {
    float[] v = new float[D];
    for (int j = 0; j < D; j++) {
      v[j] = (float) Math.sin(i * 31 + j) + (j == 0 ? 2f : 0f);
    }
    return vec(v);
  }

  static Path writeTexts(String name, List<Row> rows) {
    Path p = dir.resolve(name);
    spark.createDataFrame(rows, LIST_SCHEMA).coalesce(1).write().parquet(p.toString());
    return p;
  }

  /** 1,000 good rows plus one of each bad kind. */
  static List<Row> textsWithBadRows() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rows.add(RowFactory.create("t" + i, "caption " + i, good(i)));
    }
    List<Float> nan = good(5000);
    nan.set(3, Float.NaN);
    List<Float> inf = good(5001);
    inf.set(1, Float.POSITIVE_INFINITY);
    List<Float> withNull = good(5002);
    withNull.set(2, null);
    rows.add(RowFactory.create("nan", "x", nan));
    rows.add(RowFactory.create("inf", "x", inf));
    rows.add(RowFactory.create("zero", "x", vec(new float[D])));
    rows.add(RowFactory.create("short", "x", vec(1f, 2f, 3f)));
    rows.add(RowFactory.create("nullvec", "x", null));
    rows.add(RowFactory.create("nullcomponent", "x", withNull));
    rows.add(RowFactory.create(null, "no id", good(5003)));
    rows.add(RowFactory.create("t7", "duplicate of t7", good(5004)));
    return rows;
  }

  @Test
  void badRowsAreQuarantinedWithReasonsAndCountsReconcile() {
    Path texts = writeTexts("texts-bad", textsWithBadRows());
    Path out = dir.resolve("out-bad");
    PipelineFixture.run(
        spark,
        PipelineFixture.config(
            texts, dir.resolve("images.npy"), out, "quality.max_rejected_fraction", "0.01"));

    ShardManifest m = PipelineFixture.manifest(out);
    assertThat(m.rows()).isEqualTo(1000);
    assertThat(m.rejectedRows()).isEqualTo(8);
    ShardManifest.ModalityCounts c = m.inputs().get("text");
    assertThat(c.rows()).isEqualTo(1008).isEqualTo(c.used() + c.rejected());
    assertThat(c.byReason())
        .containsEntry("non_finite", 2L)
        .containsEntry("zero_norm", 1L)
        .containsEntry("wrong_dimension", 1L)
        .containsEntry("null_vector", 2L)
        .containsEntry("null_id", 1L)
        .containsEntry("duplicate_id", 1L);

    List<Row> rejected =
        spark.read().parquet(out.resolve("rejected/text").toString()).collectAsList();
    assertThat(rejected).hasSize(8);
    Map<String, String> reasonById =
        rejected.stream()
            .filter(r -> !r.isNullAt(0))
            .collect(
                Collectors.toMap(r -> r.getString(0), r -> r.getString(r.fieldIndex("reason"))));
    assertThat(reasonById)
        .containsEntry("nan", "non_finite")
        .containsEntry("inf", "non_finite")
        .containsEntry("zero", "zero_norm")
        .containsEntry("short", "wrong_dimension")
        .containsEntry("nullvec", "null_vector")
        .containsEntry("nullcomponent", "null_vector")
        .containsEntry("t7", "duplicate_id");
    Row shortRow =
        rejected.stream().filter(r -> "short".equals(r.getString(0))).findFirst().orElseThrow();
    assertThat(shortRow.getList(shortRow.fieldIndex("embedding"))).containsExactly(1f, 2f, 3f);
    assertThat(shortRow.getString(shortRow.fieldIndex("source"))).endsWith(".parquet");

    // The kept t7 is the first occurrence, with its own caption; texts are carried through.
    List<Row> aligned = PipelineFixture.readShards(spark, out);
    Row t7 = aligned.stream().filter(r -> r.getString(0).equals("t7")).findFirst().orElseThrow();
    assertThat(t7.getString(t7.fieldIndex("text"))).isEqualTo("caption 7");
    assertThat(aligned).allSatisfy(r -> assertThat(PipelineFixture.embedding(r)).hasSize(D));
  }

  @Test
  void tooManyRejectedRowsFailTheJobAndSayHowManyAndWhere() {
    Path texts = writeTexts("texts-too-bad", textsWithBadRows());
    Path out = dir.resolve("out-too-bad");
    assertThatThrownBy(
            () ->
                PipelineFixture.run(
                    spark, PipelineFixture.config(texts, dir.resolve("images.npy"), out)))
        .hasMessageContaining("Too many rejected text rows: 8 of 1,008")
        .hasMessageContaining("quality.max_rejected_fraction = 0.001")
        .hasMessageContaining(out.resolve("rejected").resolve("text").toString());
    assertThat(out.resolve("aligned/_manifest.json")).doesNotExist();
    assertThat(out.resolve("rejected/text")).isDirectory();
  }

  @Test
  void inputLevelProblemsStopBeforeAnyOutput() throws Exception {
    Path images = dir.resolve("images.npy");
    Path good = writeTexts("texts-good", List.of(RowFactory.create("a", "x", good(1))));

    assertThatThrownBy(() -> run(dir.resolve("nope"), images, "o1"))
        .hasMessageContaining("Missing input path for text embeddings")
        .hasMessageContaining("nope");

    Path empty = writeTexts("texts-empty", List.of());
    assertThatThrownBy(() -> run(empty, images, "o2")).hasMessageContaining("0 rows");

    Path wrongType = dir.resolve("texts-wrong-type");
    spark
        .createDataFrame(
            List.of(RowFactory.create("a", "not a vector")),
            new StructType().add("id", DataTypes.StringType).add("embedding", DataTypes.StringType))
        .write()
        .parquet(wrongType.toString());
    assertThatThrownBy(() -> run(wrongType, images, "o3"))
        .hasMessageContaining("Invalid column 'embedding'")
        .hasMessageContaining("must be list<float> or binary");

    Path doubles = dir.resolve("texts-doubles");
    spark
        .createDataFrame(
            List.of(RowFactory.create("a", List.of(1.0, 2.0))),
            new StructType()
                .add("id", DataTypes.StringType)
                .add("embedding", DataTypes.createArrayType(DataTypes.DoubleType)))
        .write()
        .parquet(doubles.toString());
    assertThatThrownBy(() -> run(doubles, images, "o4"))
        .hasMessageContaining("Invalid column 'embedding'");

    Path otherDim = dir.resolve("images-16.npy");
    Npy.write(otherDim, PipelineFixture.randomRows(1, 10, 16, 1.0), 10, 16);
    assertThatThrownBy(() -> run(good, otherDim, "o5"))
        .hasMessageContaining("dimension 8")
        .hasMessageContaining("16");

    Path threeD = dir.resolve("images-3d.npy");
    Npy.write(threeD, new float[2 * 3 * D], 2, 3, D);
    assertThatThrownBy(() -> run(good, threeD, "o6")).hasMessageContaining("must be 2-D");

    for (String o : List.of("o1", "o2", "o3", "o4", "o5", "o6")) {
      assertThat(dir.resolve(o).resolve("aligned")).doesNotExist();
    }
  }

  /**
   * Small sets find repeated id hashes on the driver, large ones with a shuffle
   * (DuplicateIdPass.driverRowsLimit): both ways reject the same rows and write the same bytes.
   */
  @Test
  void duplicateIdsFoundOnTheDriverAndByShuffleAreTheSame() throws Exception {
    List<Row> rows = textsWithBadRows();
    rows.add(RowFactory.create("t9", "x", good(5005)));
    rows.add(RowFactory.create("t9", "x", good(5006)));
    Path texts = writeTexts("texts-dup-paths", rows);
    Path driver = dir.resolve("out-dup-driver");
    Path shuffled = dir.resolve("out-dup-shuffle");
    PipelineFixture.run(
        spark,
        PipelineFixture.config(
            texts, dir.resolve("images.npy"), driver, "quality.max_rejected_fraction", "0.02"));
    long limit = DuplicateIdPass.driverRowsLimit;
    DuplicateIdPass.driverRowsLimit = 0;
    try {
      PipelineFixture.run(
          spark,
          PipelineFixture.config(
              texts, dir.resolve("images.npy"), shuffled, "quality.max_rejected_fraction", "0.02"));
    } finally {
      DuplicateIdPass.driverRowsLimit = limit;
    }
    assertThat(PipelineFixture.manifest(driver).inputs().get("text").byReason())
        .containsEntry("duplicate_id", 3L); // t7 once, t9 (also among t0..t999) twice
    Map<String, String> a = IsaIndependenceTest.digests(driver);
    Map<String, String> b = IsaIndependenceTest.digests(shuffled);
    assertThat(a).containsKey("aligned/_manifest.json").isEqualTo(b);
    List<String> rejectedA = rejectedIds(driver);
    assertThat(rejectedA)
        .contains("t7:duplicate_id", "t9:duplicate_id")
        .isEqualTo(rejectedIds(shuffled));
  }

  private static List<String> rejectedIds(Path out) {
    return spark.read().parquet(out.resolve("rejected/text").toString()).collectAsList().stream()
        .map(
            r ->
                (r.isNullAt(0) ? "<null>" : r.getString(0))
                    + ":"
                    + r.getString(r.fieldIndex("reason")))
        .sorted()
        .toList();
  }

  @Test
  void anExistingOutputIsRefusedInErrorModeAndReplacedInOverwriteMode() throws Exception {
    Path texts =
        writeTexts(
            "texts-mode",
            List.of(RowFactory.create("a", "x", good(1)), RowFactory.create("b", "y", good(2))));
    Path out = dir.resolve("out-mode");
    // Two text rows: below the default fit.min_rows, which this test lowers.
    PipelineFixture.run(
        spark, PipelineFixture.config(texts, dir.resolve("images.npy"), out, "fit.min_rows", "2"));
    Files.writeString(out.resolve("keep-me.txt"), "user file");
    assertThatThrownBy(
            () ->
                PipelineFixture.run(
                    spark,
                    PipelineFixture.config(
                        texts, dir.resolve("images.npy"), out, "fit.min_rows", "2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already holds a realign run")
        .hasMessageContaining("overwrite")
        .hasMessageContaining("resume");
    PipelineFixture.run(
        spark,
        PipelineFixture.config(
            texts,
            dir.resolve("images.npy"),
            out,
            "output.mode",
            "overwrite",
            "fit.min_rows",
            "2"));
    assertThat(PipelineFixture.manifest(out).rows()).isEqualTo(2);
    assertThat(out.resolve("keep-me.txt")).hasContent("user file");
  }

  @Test
  void binaryVectorsAreReadLikeLists() {
    StructType binarySchema =
        new StructType().add("id", DataTypes.LongType).add("embedding", DataTypes.BinaryType);
    List<Row> rows = new ArrayList<>();
    List<Row> listRows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      List<Float> v = good(i);
      java.nio.ByteBuffer b =
          java.nio.ByteBuffer.allocate(D * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      v.forEach(b::putFloat);
      rows.add(RowFactory.create((long) i, b.array()));
      listRows.add(RowFactory.create(Long.toString(i), null, v));
    }
    rows.add(RowFactory.create(99L, new byte[7]));
    Path bin = dir.resolve("texts-binary");
    spark.createDataFrame(rows, binarySchema).coalesce(1).write().parquet(bin.toString());
    Path list = writeTexts("texts-list", listRows);
    AlignPipeline.Outcome a =
        PipelineFixture.run(
            spark,
            PipelineFixture.config(
                bin,
                dir.resolve("images.npy"),
                dir.resolve("out-bin"),
                "quality.max_rejected_fraction",
                "0.05"));
    AlignPipeline.Outcome b =
        PipelineFixture.run(
            spark,
            PipelineFixture.config(list, dir.resolve("images.npy"), dir.resolve("out-list")));
    assertThat(a.transform().muText()).isEqualTo(b.transform().muText());
    assertThat(a.manifest().rejectedRows()).isEqualTo(1);
    assertThat(a.manifest().inputs().get("text").byReason()).containsEntry("wrong_dimension", 1L);
  }

  static void run(Path texts, Path images, String out) {
    PipelineConfig c = PipelineFixture.config(texts, images, dir.resolve(out));
    PipelineFixture.run(spark, c);
  }
}
