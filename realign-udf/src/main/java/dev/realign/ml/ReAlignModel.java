package dev.realign.ml;

import dev.realign.align.AlignmentKernel;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.TransformJson;
import dev.realign.spark.DataFramePasses;
import dev.realign.spark.VectorType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted ReAlign transform as a Spark ML Model. {@code transform} aligns the text rows of {@code
 * inputCol} into {@code outputCol} (the input's type) with the kernel broadcast once per call (the
 * UDF captures the broadcast, not the model); image rows pass through unchanged (they already live
 * in the image distribution). Invalid text rows (NaN/Inf, zero norm, wrong length, null) and rows
 * of an unknown modality follow {@code handleInvalid}: error fails the job, skip drops the row,
 * keep gives a null output.
 *
 * <p>Saved in Spark ML's layout: {@code metadata/} (the Params, as JSON) and {@code
 * data/realign-transform.json} (the transform; its sha256 is checked on load).
 */
public final class ReAlignModel extends Model<ReAlignModel> implements ReAlignParams, MLWritable {
  private static final long serialVersionUID = 1L;
  static final String DATA_FILE = "data/" + TransformJson.FILE_NAME;

  private final String uid;
  private final ReAlignTransform transform;
  private final ReAlignParams.Declared p;

  public ReAlignModel(String uid, ReAlignTransform transform) {
    this.uid = uid;
    this.transform = Objects.requireNonNull(transform, "transform");
    this.p = new ReAlignParams.Declared(this);
    setDefault(p.inputCol, "embedding");
    setDefault(p.outputCol, "aligned");
    setDefault(p.modalityCol, "modality");
    setDefault(p.textValue, "text");
    setDefault(p.imageValue, "image");
    setDefault(p.variant, transform.variant().id());
    setDefault(p.refinementIterations, (Object) 0);
    setDefault(p.imageStatsPath, "");
    setDefault(p.handleInvalid, "error");
  }

  /** A model of a transform fitted elsewhere (e.g. by {@code realign fit}). */
  public ReAlignModel(ReAlignTransform transform) {
    this(Identifiable.randomUID("realign"), transform);
  }

  @Override
  public String uid() {
    return uid;
  }

  /** The fitted transform (an immutable value). */
  public ReAlignTransform transformValue() {
    return transform;
  }

  @Override
  public Param<String> inputCol() {
    return p.inputCol;
  }

  @Override
  public Param<String> outputCol() {
    return p.outputCol;
  }

  @Override
  public Param<String> modalityCol() {
    return p.modalityCol;
  }

  @Override
  public Param<String> textValue() {
    return p.textValue;
  }

  @Override
  public Param<String> imageValue() {
    return p.imageValue;
  }

  @Override
  public Param<String> variant() {
    return p.variant;
  }

  @Override
  public IntParam refinementIterations() {
    return p.refinementIterations;
  }

  @Override
  public Param<String> imageStatsPath() {
    return p.imageStatsPath;
  }

  @Override
  public Param<String> handleInvalid() {
    return p.handleInvalid;
  }

  public ReAlignModel setInputCol(String v) {
    set(p.inputCol, v);
    return this;
  }

  public ReAlignModel setOutputCol(String v) {
    set(p.outputCol, v);
    return this;
  }

  public ReAlignModel setModalityCol(String v) {
    set(p.modalityCol, v);
    return this;
  }

  public ReAlignModel setTextValue(String v) {
    set(p.textValue, v);
    return this;
  }

  public ReAlignModel setImageValue(String v) {
    set(p.imageValue, v);
    return this;
  }

  public ReAlignModel setHandleInvalid(String v) {
    set(p.handleInvalid, v);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return Schemas.validateAndAppend(this, schema, true);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = dataset.schema();
    StructType out = transformSchema(schema);
    VectorType type = VectorType.of(getInputCol(), schema.apply(getInputCol()).dataType());
    boolean hasModality = Arrays.asList(schema.fieldNames()).contains(getModalityCol());
    String mode = getHandleInvalid();
    DataFramePasses.Columns cols =
        new DataFramePasses.Columns(
            getInputCol(),
            hasModality ? getModalityCol() : "(none)",
            getTextValue(),
            getImageValue());
    Broadcast<AlignmentKernel> kernel =
        JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext())
            .broadcast(transform.kernel());
    UserDefinedFunction align =
        functions.udf(
            new AlignRowFunction(kernel, type, cols, mode.equals("error")),
            out.apply(getOutputCol()).dataType());
    Column modality = hasModality ? functions.col(getModalityCol()) : functions.lit(getTextValue());
    Dataset<Row> result =
        dataset.withColumn(
            getOutputCol(),
            align.apply(functions.col(getInputCol()), modality),
            out.apply(getOutputCol()).metadata());
    return mode.equals("skip") ? result.filter(functions.col(getOutputCol()).isNotNull()) : result;
  }

  @Override
  public ReAlignModel copy(ParamMap extra) {
    ReAlignModel copy = new ReAlignModel(uid, transform);
    copyValues(copy, extra);
    return copy.setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<ReAlignModel> read() {
    return new Reader();
  }

  public static ReAlignModel load(String path) {
    return read().load(path);
  }

  /**
   * {@code metadata/} through Spark's DefaultParamsWriter, then {@code
   * data/realign-transform.json}.
   */
  static final class Writer extends MLWriter {
    private final ReAlignModel model;

    Writer(ReAlignModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(model, path, sparkSession());
      Path data = new Path(path, DATA_FILE);
      try {
        FileSystem fs = data.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
        try (OutputStream o = fs.create(data, true)) {
          o.write(TransformJson.toJson(model.transform).getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write " + data, e);
      }
    }
  }

  static final class Reader extends MLReader<ReAlignModel> {
    @Override
    public ReAlignModel load(String path) {
      DefaultParamsReader.Metadata metadata =
          DefaultParamsReader.loadMetadata(path, sparkSession(), ReAlignModel.class.getName());
      Path data = new Path(path, DATA_FILE);
      String json;
      try {
        FileSystem fs = data.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
        try (InputStream in = fs.open(data)) {
          json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot read "
                + data
                + " (a ReAlignModel directory holds metadata/ and "
                + DATA_FILE
                + ")",
            e);
      }
      ReAlignTransform t;
      try {
        t = TransformJson.fromJson(json);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage() + " [in " + data + "]", e);
      }
      ReAlignModel model = new ReAlignModel(metadata.uid(), t);
      metadata.getAndSetParams(model, scala.Option.empty());
      return model;
    }
  }
}
