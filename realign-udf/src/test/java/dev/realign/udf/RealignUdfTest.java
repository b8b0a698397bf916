package dev.realign.udf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.SharedData;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.io.TransformFiles;
import dev.realign.spark.LocalSpark;
import dev.realign.spark.VectorType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** realign_align through spark.sql strings, registered from Java and by class name. */
class RealignUdfTest {
  static final int N = SharedData.Coco.N;
  static final int D = SharedData.Coco.D;
  static SparkSession spark;
  static ReAlignTransform core;
  static SharedData.Coco coco;
  static String transformPath;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() {
    spark = LocalSpark.start();
    coco = SharedData.coco();
    core = ReAlignFitter.fitInMemory(FitOptions.defaults(), coco.texts(), coco.images(), D);
    Path file = dir.resolve("realign-transform.json");
    TransformFiles.write(core, file);
    transformPath = file.toString();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      rows.add(RowFactory.create(i, boxed(Arrays.copyOfRange(coco.texts(), i * D, (i + 1) * D))));
    }
    spark
        .createDataFrame(
            rows,
            new StructType()
                .add("id", DataTypes.IntegerType)
                .add("embedding", DataTypes.createArrayType(DataTypes.FloatType)))
        .repartition(3)
        .createOrReplaceTempView("texts");
    float[] nan = new float[D];
    nan[3] = Float.NaN;
    nan[0] = 1;
    spark
        .createDataFrame(
            List.of(
                RowFactory.create("ok", boxed(Arrays.copyOf(coco.texts(), D))),
                RowFactory.create("nan", boxed(nan)),
                RowFactory.create("zero", boxed(new float[D])),
                RowFactory.create("short", boxed(new float[] {1, 2, 3})),
                RowFactory.create("null", null)),
            new StructType()
                .add("id", DataTypes.StringType)
                .add("embedding", DataTypes.createArrayType(DataTypes.FloatType)))
        .createOrReplaceTempView("bad");
  }

  @AfterEach
  void resetConf() {
    spark.conf().unset(RealignUdfs.ON_INVALID_CONF);
    spark.conf().unset(RealignUdfs.TRANSFORM_CONF);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static Float[] boxed(float[] v) {
    Float[] out = new Float[v.length];
    for (int j = 0; j < v.length; j++) {
      out[j] = v[j];
    }
    return out;
  }

  void assertAlignsEveryRowLikeTheCore(String sql) {
    List<Row> out = spark.sql(sql).collectAsList();
    assertThat(out).hasSize(N);
    for (Row r : out) {
      int i = r.getInt(0);
      assertThat(VectorType.toFloats(r.get(1)))
          .as("row %s", i)
          .isEqualTo(core.apply(Arrays.copyOfRange(coco.texts(), i * D, (i + 1) * D)));
    }
  }

  @Test
  void registeredFromJavaItAlignsLikeTheCoreInSql() {
    RealignUdfs.register(spark, "realign_align", transformPath);
    assertAlignsEveryRowLikeTheCore("SELECT id, realign_align(embedding) FROM texts");
    // array<double> input gives the same floats (doubles are rounded to float32 first).
    assertAlignsEveryRowLikeTheCore(
        "SELECT id, realign_align(CAST(embedding AS array<double>)) FROM texts");
    assertThat(
            spark
                .sql("SELECT realign_align(embedding) AS a FROM texts")
                .schema()
                .apply("a")
                .dataType())
        .isEqualTo(DataTypes.createArrayType(DataTypes.FloatType));
  }

  @Test
  void registeredByClassNameItReadsTheTransformFromTheSparkConf() {
    spark.conf().set(RealignUdfs.TRANSFORM_CONF, transformPath);
    // What PySpark's spark.udf.registerJavaFunction calls.
    spark
        .udf()
        .registerJava(
            "realign_align_j",
            RealignAlignUdf.class.getName(),
            DataTypes.createArrayType(DataTypes.FloatType));
    assertAlignsEveryRowLikeTheCore("SELECT id, realign_align_j(embedding) FROM texts");
  }

  @Test
  void theTransformIsLoadedOncePerJvm() {
    RealignUdfs.register(spark, "realign_once", transformPath);
    int before = TransformCache.LOADS.get();
    RealignUdfs.register(spark, "realign_once", transformPath);
    spark.sql("SELECT realign_once(embedding) FROM texts").collectAsList();
    spark.sql("SELECT realign_once(embedding) FROM texts").collectAsList();
    assertThat(TransformCache.LOADS.get()).isEqualTo(before);
  }

  @Test
  void badRowsFailTheQueryByDefault() {
    RealignUdfs.register(spark, "realign_strict", transformPath);
    for (String[] bad :
        new String[][] {
          {"nan", "non_finite"},
          {"zero", "zero_norm"},
          {"short", "wrong_dimension (length 3, expected 512)"},
          {"null", "null_vector"}
        }) {
      assertThatThrownBy(
              () ->
                  spark
                      .sql("SELECT realign_strict(embedding) FROM bad WHERE id = '" + bad[0] + "'")
                      .collectAsList())
          .as(bad[0])
          .isInstanceOf(SparkException.class)
          .rootCause()
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Invalid row for realign_align: " + bad[1])
          .hasMessageEndingWith("set spark.realign.udf.on_invalid=null to get null for such rows");
    }
  }

  @Test
  void badRowsGiveNullWhenTheConfSaysSo() {
    spark.conf().set(RealignUdfs.ON_INVALID_CONF, "null");
    RealignUdfs.register(spark, "realign_lenient", transformPath);
    List<Row> out =
        spark.sql("SELECT id, realign_lenient(embedding) FROM bad ORDER BY id").collectAsList();
    assertThat(out)
        .extracting(r -> r.getString(0) + "=" + (r.isNullAt(1) ? "null" : "aligned"))
        .containsExactly("nan=null", "null=null", "ok=aligned", "short=null", "zero=null");
  }

  @Test
  void theRegisteredFunctionSurvivesJavaAndKryoSerialisation() throws Exception {
    spark.conf().set(RealignUdfs.TRANSFORM_CONF, transformPath);
    float[] row = Arrays.copyOf(coco.texts(), D);
    Object seq = scala.jdk.javaapi.CollectionConverters.asScala(Arrays.asList(boxed(row))).toSeq();
    for (org.apache.spark.serializer.Serializer s :
        dev.realign.spark.SparkFaceSerializationTest.serializers()) {
      assertThat(
              dev.realign.spark.SparkFaceSerializationTest.roundTrip(
                      s, RealignUdfs.create(spark, transformPath))
                  .call(seq))
          .isEqualTo(core.apply(row));
      assertThat(
              dev.realign.spark.SparkFaceSerializationTest.roundTrip(s, new RealignAlignUdf())
                  .call(seq))
          .isEqualTo(core.apply(row));
    }
  }

  @Test
  void configurationErrorsNameTheKey() {
    spark.conf().set(RealignUdfs.ON_INVALID_CONF, "skip");
    assertThatThrownBy(() -> RealignUdfs.register(spark, "x", transformPath))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value for spark.realign.udf.on_invalid: \"skip\" (must be one of"
                + " [error, null])");
    spark.conf().unset(RealignUdfs.ON_INVALID_CONF);
    assertThatThrownBy(RealignAlignUdf::new)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Missing Spark conf spark.realign.transform: set it to the path");
    assertThatThrownBy(() -> RealignUdfs.register(spark, "x", dir.resolve("nope.json").toString()))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageStartingWith("Cannot read transform " + dir.resolve("nope.json"));
  }
}
