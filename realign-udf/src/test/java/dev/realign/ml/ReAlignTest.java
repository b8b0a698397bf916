package dev.realign.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.SharedData;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.TransformJson;
import dev.realign.align.Variant;
import dev.realign.spark.LocalSpark;
import dev.realign.spark.StoredSketch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkException;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ReAlign and ReAlignModel: the core's fit bit for bit, persistence, Params and bad rows. */
class ReAlignTest {
  static final int D = 8;
  static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** Rows of {@code n} random vectors around {@code +-shift} on the first axis. */
  static float[] rows(long seed, int n, int d, double shift) {
    Random r = new Random(seed);
    float[] out = new float[n * d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        out[i * d + j] = (float) (r.nextGaussian() + (j == 0 ? shift : 0));
      }
    }
    return out;
  }

  static Dataset<Row> frame(
      float[] texts, float[] images, int d, DataType type, Row... extraTexts) {
    List<Row> rows = new ArrayList<>();
    for (int off = 0; off < texts.length; off += d) {
      rows.add(
          RowFactory.create(
              "t" + off / d, value(Arrays.copyOfRange(texts, off, off + d), type), "text"));
    }
    rows.addAll(Arrays.asList(extraTexts));
    for (int off = 0; off < images.length; off += d) {
      rows.add(
          RowFactory.create(
              "i" + off / d, value(Arrays.copyOfRange(images, off, off + d), type), "image"));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType)
            .add("embedding", type)
            .add("modality", DataTypes.StringType);
    return spark.createDataFrame(rows, schema).repartition(3);
  }

  static Object value(float[] v, DataType type) {
    if (v == null) {
      return null;
    }
    if (type.equals(SQLDataTypes.VectorType())) {
      return Vectors.dense(widen(v));
    }
    if (type.equals(DataTypes.createArrayType(DataTypes.DoubleType))) {
      List<Double> l = new ArrayList<>();
      for (float x : v) {
        l.add((double) x);
      }
      return l.toArray(new Double[0]);
    }
    List<Float> l = new ArrayList<>();
    for (float x : v) {
      l.add(x);
    }
    return l.toArray(new Float[0]);
  }

  static double[] widen(float[] v) {
    double[] d = new double[v.length];
    for (int j = 0; j < v.length; j++) {
      d[j] = v[j];
    }
    return d;
  }

  static final DataType FLOATS = DataTypes.createArrayType(DataTypes.FloatType);

  static float[] floats(Row r, String col) {
    Object v = r.get(r.fieldIndex(col));
    return dev.realign.spark.VectorType.toFloats(v);
  }

  @Test
  void fitOnCocoEqualsTheCoreBitForBitAndImagesPassThrough() {
    SharedData.Coco coco = SharedData.coco();
    int d = SharedData.Coco.D;
    ReAlignModel model = new ReAlign().fit(frame(coco.texts(), coco.images(), d, FLOATS));
    ReAlignTransform core =
        ReAlignFitter.fitInMemory(FitOptions.defaults(), coco.texts(), coco.images(), d);
    assertThat(model.transformValue().sha256()).isEqualTo(core.sha256());

    List<Row> out =
        model
            .transform(frame(coco.texts(), coco.images(), d, FLOATS))
            .orderBy("id")
            .collectAsList();
    assertThat(out).hasSize(2 * SharedData.Coco.N);
    for (Row r : out) {
      String id = r.getString(0);
      int i = Integer.parseInt(id.substring(1));
      if (id.startsWith("t")) {
        float[] raw = Arrays.copyOfRange(coco.texts(), i * d, (i + 1) * d);
        assertThat(floats(r, "aligned")).as(id).isEqualTo(core.apply(raw));
      } else {
        assertThat(floats(r, "aligned")).as(id).isEqualTo(floats(r, "embedding"));
      }
    }
  }

  @Test
  void everyVectorTypeGivesTheSameTransformAndItsOwnType() {
    float[] texts = rows(1, 200, D, 1.0);
    float[] images = rows(2, 150, D, -1.0);
    String expected = ReAlignFitter.fitInMemory(FitOptions.defaults(), texts, images, D).sha256();
    for (DataType type :
        List.of(
            FLOATS, DataTypes.createArrayType(DataTypes.DoubleType), SQLDataTypes.VectorType())) {
      ReAlignModel m = new ReAlign().fit(frame(texts, images, D, type));
      assertThat(m.transformValue().sha256()).as(type.catalogString()).isEqualTo(expected);
      Dataset<Row> out = m.transform(frame(texts, images, D, type));
      assertThat(out.schema().apply("aligned").dataType()).isEqualTo(type);
      Row first = out.filter("id = 't0'").first();
      assertThat(floats(first, "aligned"))
          .isEqualTo(m.transformValue().apply(Arrays.copyOf(texts, D)));
    }
  }

  @Test
  void variantsAndRefinementReachTheFit() {
    float[] texts = rows(3, 100, D, 1.0);
    float[] images = rows(4, 100, D, -1.0);
    for (Variant v : Variant.values()) {
      ReAlignModel m = new ReAlign().setVariant(v.id()).fit(frame(texts, images, D, FLOATS));
      assertThat(m.transformValue().sha256())
          .isEqualTo(ReAlignFitter.fitInMemory(FitOptions.of(v), texts, images, D).sha256());
      assertThat(m.getVariant()).isEqualTo(v.id());
    }
    ReAlignModel refined =
        new ReAlign().setRefinementIterations(2).fit(frame(texts, images, D, FLOATS));
    assertThat(refined.transformValue().muHat()).hasNumberOfRows(3);
    assertThatThrownBy(
            () ->
                new ReAlign()
                    .setVariant("anchor")
                    .setRefinementIterations(1)
                    .fit(frame(texts, images, D, FLOATS)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid refinement iterations: 1 for variant anchor (must be 0: only realign"
                + " has a centroid step)");
  }

  @Test
  void modelSavesAndLoadsAloneAndInAPipeline() throws Exception {
    float[] texts = rows(5, 120, D, 1.0);
    float[] images = rows(6, 90, D, -1.0);
    Dataset<Row> df = frame(texts, images, D, FLOATS);
    ReAlign estimator = new ReAlign().setOutputCol("out").setHandleInvalid("keep");
    ReAlignModel model = estimator.fit(df);

    String modelPath = dir.resolve("model").toString();
    model.write().overwrite().save(modelPath);
    assertThat(dir.resolve("model/metadata")).isDirectory();
    ReAlignTransform onDisk =
        TransformJson.fromJson(Files.readString(dir.resolve("model/data/realign-transform.json")));
    assertThat(onDisk.sha256()).isEqualTo(model.transformValue().sha256());
    ReAlignModel loaded = ReAlignModel.load(modelPath);
    assertThat(loaded.uid()).isEqualTo(model.uid());
    assertThat(loaded.transformValue()).isEqualTo(model.transformValue());
    assertThat(loaded.getOutputCol()).isEqualTo("out");
    assertThat(loaded.getHandleInvalid()).isEqualTo("keep");

    String estimatorPath = dir.resolve("estimator").toString();
    estimator.write().overwrite().save(estimatorPath);
    ReAlign back = ReAlign.load(estimatorPath);
    assertThat(back.getOutputCol()).isEqualTo("out");
    assertThat(back.uid()).isEqualTo(estimator.uid());

    PipelineModel pm = new Pipeline().setStages(new PipelineStage[] {new ReAlign()}).fit(df);
    String pipelinePath = dir.resolve("pipeline").toString();
    pm.write().overwrite().save(pipelinePath);
    PipelineModel pmBack = PipelineModel.load(pipelinePath);
    assertThat(((ReAlignModel) pmBack.stages()[0]).transformValue())
        .isEqualTo(model.transformValue());
    List<Row> a = pm.transform(df).orderBy("id").collectAsList();
    List<Row> b = pmBack.transform(df).orderBy("id").collectAsList();
    assertThat(b).isEqualTo(a);
  }

  @Test
  void copiesKeepTheTransformAndTakeExtraParams() {
    ReAlign r = new ReAlign().setOutputCol("a1");
    ReAlign rc = r.copy(new org.apache.spark.ml.param.ParamMap().put(r.outputCol(), "a2"));
    assertThat(List.of(r.getOutputCol(), rc.getOutputCol(), rc.uid()))
        .containsExactly("a1", "a2", r.uid());
    ReAlignModel m = r.fit(frame(rows(16, 40, D, 1), rows(17, 40, D, -1), D, FLOATS));
    assertThat(m.getOutputCol()).isEqualTo("a1");
    assertThat(m.parent()).isSameAs(r);
    ReAlignModel mc =
        m.copy(new org.apache.spark.ml.param.ParamMap().put(m.handleInvalid(), "skip"));
    assertThat(mc.transformValue()).isEqualTo(m.transformValue());
    assertThat(List.of(mc.getHandleInvalid(), m.getHandleInvalid(), mc.getOutputCol()))
        .containsExactly("skip", "error", "a1");
    assertThat(mc.parent()).isSameAs(r);
  }

  @Test
  void aTamperedTransformIsRefusedOnLoad() throws Exception {
    ReAlignModel model = new ReAlign().fit(frame(rows(7, 50, D, 1), rows(8, 50, D, -1), D, FLOATS));
    Path p = dir.resolve("tampered");
    model.write().overwrite().save(p.toString());
    Path json = p.resolve("data/realign-transform.json");
    // An edit by hand: Hadoop's local checksum file goes too, so realign's own check must catch it.
    Files.deleteIfExists(json.resolveSibling(".realign-transform.json.crc"));
    Files.writeString(
        json, Files.readString(json).replaceFirst("\"scale\" : [0-9.eE-]+", "\"scale\" : 0.5"));
    assertThatThrownBy(() -> ReAlignModel.load(p.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Transform checksum mismatch")
        .hasMessageContaining(json.getFileName().toString());
  }

  @Test
  void everyParamRefusesABadValueWithItsOwnMessage() {
    ReAlign r = new ReAlign();
    assertThatThrownBy(() -> r.setInputCol(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid inputCol: \"\" (must be a non-empty column name)");
    assertThatThrownBy(() -> r.setOutputCol(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid outputCol: \" \" (must be a non-empty column name)");
    assertThatThrownBy(() -> r.setModalityCol(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid modalityCol: \"null\" (must be a non-empty column name)");
    assertThatThrownBy(() -> r.setTextValue(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid textValue: \"\" (must be non-empty)");
    assertThatThrownBy(() -> r.setImageValue(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid imageValue: \"\" (must be non-empty)");
    assertThatThrownBy(() -> r.setVariant("whitening"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid variant: \"whitening\" (must be one of [anchor, anchor-trace," + " realign])");
    assertThatThrownBy(() -> r.setRefinementIterations(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid refinementIterations: -1 (must be in [0, 16])");
    assertThatThrownBy(() -> r.setRefinementIterations(17))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid refinementIterations: 17 (must be in [0, 16])");
    assertThatThrownBy(() -> r.setImageStatsPath(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid imageStatsPath: null (must be a string)");
    assertThatThrownBy(() -> r.setHandleInvalid("drop"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid handleInvalid: \"drop\" (must be one of [error, skip, keep])");
    // Through a ParamMap (how a Pipeline passes params) the same rule and message apply.
    assertThatThrownBy(
            () -> r.copy(new org.apache.spark.ml.param.ParamMap().put(r.handleInvalid(), "drop")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid handleInvalid: \"drop\" (must be one of [error, skip, keep])");
    // Defaults, and that a refused value left the instance unchanged.
    assertThat(
            List.of(
                r.getInputCol(),
                r.getOutputCol(),
                r.getModalityCol(),
                r.getTextValue(),
                r.getImageValue(),
                r.getVariant(),
                r.getImageStatsPath(),
                r.getHandleInvalid()))
        .containsExactly(
            "embedding", "aligned", "modality", "text", "image", "realign", "", "error");
    assertThat(r.getRefinementIterations()).isZero();
  }

  @Test
  void schemaProblemsNameTheColumn() {
    StructType ok = new StructType().add("embedding", FLOATS).add("modality", DataTypes.StringType);
    assertThat(new ReAlign().transformSchema(ok).apply("aligned").dataType()).isEqualTo(FLOATS);
    assertThatThrownBy(() -> new ReAlign().setInputCol("vec").transformSchema(ok))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Missing input column: vec (the schema has [embedding, modality]; set" + " inputCol)");
    assertThatThrownBy(
            () ->
                new ReAlign()
                    .transformSchema(
                        new StructType()
                            .add("embedding", DataTypes.StringType)
                            .add("modality", DataTypes.StringType)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid type of column embedding: string (must be array<float>,"
                + " array<double> or an ml.linalg.Vector)");
    assertThatThrownBy(
            () -> new ReAlign().transformSchema(new StructType().add("embedding", FLOATS)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Missing modality column: modality");
    assertThatThrownBy(() -> new ReAlign().setOutputCol("embedding").transformSchema(ok))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid outputCol: embedding (must not exist in the input");
  }

  /** Bad text rows of each kind, with the reason code each must be reported under. */
  static final Object[][] BAD_ROWS = {
    {"nan", new float[] {1, Float.NaN, 0, 0, 0, 0, 0, 0}, "non_finite"},
    {"zero", new float[D], "zero_norm"},
    {"short", new float[] {1, 2, 3}, "wrong_dimension"},
  };

  @Test
  void handleInvalidErrorFailsOnEachBadRowKind() {
    float[] texts = rows(9, 60, D, 1.0);
    float[] images = rows(10, 60, D, -1.0);
    ReAlignModel model = new ReAlign().fit(frame(texts, images, D, FLOATS));
    for (Object[] bad : BAD_ROWS) {
      Dataset<Row> df =
          frame(
              texts,
              images,
              D,
              FLOATS,
              RowFactory.create((String) bad[0], value((float[]) bad[1], FLOATS), "text"));
      assertThatThrownBy(() -> new ReAlign().fit(df))
          .as("fit, %s", bad[0])
          .isInstanceOf(SparkException.class)
          .rootCause()
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Invalid text row in column embedding: " + bad[2])
          .hasMessageEndingWith("set handleInvalid to skip or keep to leave such rows out");
      assertThatThrownBy(() -> model.transform(df).collectAsList())
          .as("transform, %s", bad[0])
          .isInstanceOf(SparkException.class)
          .rootCause()
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Invalid text row in column embedding: " + bad[2]);
    }
    Dataset<Row> unknown =
        frame(
            texts,
            images,
            D,
            FLOATS,
            RowFactory.create("audio", value(Arrays.copyOf(texts, D), FLOATS), "audio"));
    assertThatThrownBy(() -> new ReAlign().fit(unknown))
        .isInstanceOf(SparkException.class)
        .rootCause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Invalid modality in column modality: \"audio\" (must be \"text\"" + " or \"image\"");
  }

  @Test
  void handleInvalidSkipAndKeepLeaveBadRowsOutOfTheFitAndDropOrNullThem() {
    float[] texts = rows(11, 60, D, 1.0);
    float[] images = rows(12, 60, D, -1.0);
    String clean = ReAlignFitter.fitInMemory(FitOptions.defaults(), texts, images, D).sha256();
    List<Row> extra = new ArrayList<>();
    for (Object[] bad : BAD_ROWS) {
      extra.add(RowFactory.create((String) bad[0], value((float[]) bad[1], FLOATS), "text"));
    }
    extra.add(RowFactory.create("null", null, "text"));
    Dataset<Row> df = frame(texts, images, D, FLOATS, extra.toArray(new Row[0]));
    int good = 120;
    for (String mode : List.of("skip", "keep")) {
      ReAlignModel m = new ReAlign().setHandleInvalid(mode).fit(df);
      assertThat(m.transformValue().sha256()).as(mode).isEqualTo(clean);
      List<Row> out = m.transform(df).collectAsList();
      if (mode.equals("skip")) {
        assertThat(out).hasSize(good);
        assertThat(out).allSatisfy(r -> assertThat(r.isNullAt(r.fieldIndex("aligned"))).isFalse());
      } else {
        assertThat(out).hasSize(good + extra.size());
        for (Row r : out) {
          boolean bad = !r.getString(0).startsWith("t") && !r.getString(0).startsWith("i");
          assertThat(r.isNullAt(r.fieldIndex("aligned"))).as(r.getString(0)).isEqualTo(bad);
        }
      }
    }
  }

  @Test
  void textRowsFitAgainstAStoredImageSketch() throws Exception {
    float[] texts = rows(13, 80, D, 1.0);
    float[] images = rows(14, 70, D, -1.0);
    String full = new ReAlign().fit(frame(texts, images, D, FLOATS)).transformValue().sha256();
    Path sketch = dir.resolve("assets/image.sketch");
    Files.createDirectories(sketch.getParent());
    StoredSketch.write(
        new org.apache.hadoop.fs.Path(sketch.toUri()),
        "image",
        ReAlignFitter.sketch(images, D),
        dev.realign.align.EncoderIdentity.PRECOMPUTED,
        spark.sparkContext().hadoopConfiguration());
    Dataset<Row> textOnly = frame(texts, new float[0], D, FLOATS).drop("modality");
    ReAlignModel m = new ReAlign().setImageStatsPath(sketch.getParent().toString()).fit(textOnly);
    assertThat(m.transformValue().sha256()).isEqualTo(full);
    assertThat(m.transform(textOnly).count()).isEqualTo(80);

    assertThatThrownBy(
            () ->
                new ReAlign()
                    .setImageStatsPath(sketch.toString())
                    .fit(frame(texts, images, D, FLOATS)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid input: 70 image rows and imageStatsPath");
    float[] wide = rows(15, 10, D + 1, 1.0);
    assertThatThrownBy(
            () ->
                new ReAlign()
                    .setImageStatsPath(sketch.toString())
                    .fit(frame(wide, new float[0], D + 1, FLOATS).drop("modality")))
        .isInstanceOf(SparkException.class)
        .rootCause()
        .hasMessageStartingWith(
            "Invalid text row in column embedding: wrong_dimension (length 9," + " expected 8)");
  }
}
