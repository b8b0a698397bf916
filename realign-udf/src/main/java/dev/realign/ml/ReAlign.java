package dev.realign.ml;

import dev.realign.align.EncoderIdentity;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.Variant;
import dev.realign.spark.DataFramePasses;
import dev.realign.spark.DataFramePasses.ModalityStats;
import dev.realign.spark.StoredSketch;
import dev.realign.spark.VectorType;
import dev.realign.stats.MomentSnapshot;
import java.util.Arrays;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * ReAlign as a Spark ML Estimator. {@code fit} runs the CLI's passes ({@link DataFramePasses}, the
 * shared exact sketch aggregation): one pass sketching the text and image rows, then the centroid
 * passes over the texts; the result is a {@link ReAlignModel} holding the same transform (same
 * sha256) that {@code realign run} fits on the same rows.
 *
 * <p>Input: {@code inputCol} (array&lt;float&gt;, array&lt;double&gt; or ml.linalg.Vector) and
 * {@code modalityCol} ({@code textValue} / {@code imageValue}); or text rows only (no modality
 * column needed) with {@code imageStatsPath}, a stored image sketch. The dimension is the stored
 * sketch's, else the length of the first non-null vector of the input; rows of another length are
 * invalid. Doubles are rounded to float32 first (the precision the CLI reads).
 */
public final class ReAlign extends Estimator<ReAlignModel>
    implements ReAlignParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ReAlignParams.Declared p;

  public ReAlign() {
    this(Identifiable.randomUID("realign"));
  }

  public ReAlign(String uid) {
    this.uid = uid;
    this.p = new ReAlignParams.Declared(this);
    setDefault(p.inputCol, "embedding");
    setDefault(p.outputCol, "aligned");
    setDefault(p.modalityCol, "modality");
    setDefault(p.textValue, "text");
    setDefault(p.imageValue, "image");
    setDefault(p.variant, Variant.DEFAULT.id());
    setDefault(p.refinementIterations, (Object) 0);
    setDefault(p.imageStatsPath, "");
    setDefault(p.handleInvalid, "error");
  }

  @Override
  public String uid() {
    return uid;
  }

  // Params (public no-argument methods returning a Param: how Spark finds them).
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

  public ReAlign setInputCol(String v) {
    set(p.inputCol, v);
    return this;
  }

  public ReAlign setOutputCol(String v) {
    set(p.outputCol, v);
    return this;
  }

  public ReAlign setModalityCol(String v) {
    set(p.modalityCol, v);
    return this;
  }

  public ReAlign setTextValue(String v) {
    set(p.textValue, v);
    return this;
  }

  public ReAlign setImageValue(String v) {
    set(p.imageValue, v);
    return this;
  }

  public ReAlign setVariant(String v) {
    set(p.variant, v);
    return this;
  }

  public ReAlign setRefinementIterations(int v) {
    set(p.refinementIterations, (Object) v);
    return this;
  }

  public ReAlign setImageStatsPath(String v) {
    set(p.imageStatsPath, v);
    return this;
  }

  public ReAlign setHandleInvalid(String v) {
    set(p.handleInvalid, v);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return Schemas.validateAndAppend(this, schema, !getImageStatsPath().isEmpty());
  }

  @Override
  public ReAlignModel fit(Dataset<?> dataset) {
    StructType schema = dataset.schema();
    transformSchema(schema);
    FitOptions options =
        new FitOptions(
            Variant.fromId(getVariant()),
            getRefinementIterations(),
            EncoderIdentity.PRECOMPUTED,
            FitOptions.MIN_ROWS_DEFAULT,
            FitOptions.MIN_TRACE_DEFAULT);
    boolean fromSketch = !getImageStatsPath().isEmpty();
    boolean hasModality = Arrays.asList(schema.fieldNames()).contains(getModalityCol());
    Column modality =
        hasModality
            ? functions.col(getModalityCol()).cast("string")
            : functions.lit(getTextValue());
    Dataset<Row> frame = dataset.select(functions.col(getInputCol()), modality);
    DataFramePasses.Columns cols =
        new DataFramePasses.Columns(
            getInputCol(),
            hasModality ? getModalityCol() : "(none)",
            getTextValue(),
            getImageValue());

    StoredSketch stored = null;
    int dim;
    if (fromSketch) {
      stored =
          StoredSketch.read(
              getImageStatsPath(),
              "image",
              dataset.sparkSession().sparkContext().hadoopConfiguration());
      dim = stored.snapshot().dimension();
    } else {
      dim = firstDimension(frame);
    }
    ModalityStats stats =
        DataFramePasses.sketch(frame, dim, cols, getHandleInvalid().equals("error"));
    MomentSnapshot image;
    if (fromSketch) {
      if (stats.image.rows > 0) {
        throw new IllegalArgumentException(
            "Invalid input: "
                + stats.image.rows
                + " image rows"
                + " and imageStatsPath "
                + getImageStatsPath()
                + " (must be one image source: drop"
                + " the image rows or unset imageStatsPath)");
      }
      stored.requireFits(dim, EncoderIdentity.PRECOMPUTED, "in column " + getInputCol());
      image = stored.snapshot();
    } else {
      image = stats.image.snapshot();
    }
    ReAlignFitter fitter = ReAlignFitter.start(options, stats.text.snapshot(), image);
    while (fitter.needsCentroidPass()) {
      fitter.acceptCentroidPass(DataFramePasses.centroidPass(frame, cols, fitter.currentKernel()));
    }
    ReAlignTransform t = fitter.result();
    ReAlignModel model = new ReAlignModel(uid, t);
    copyValues(model, extractParamMap());
    model.setParent(this);
    return model;
  }

  /** The dimension of the fit: the length of the first non-null vector (in the frame's order). */
  private int firstDimension(Dataset<Row> frame) {
    java.util.List<Row> first =
        frame.filter(functions.col(getInputCol()).isNotNull()).takeAsList(1);
    if (first.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid input: no non-null vector in column "
              + getInputCol()
              + " (the fit needs text and image rows)");
    }
    return VectorType.toFloats(first.get(0).get(0)).length;
  }

  @Override
  public ReAlign copy(ParamMap extra) {
    return (ReAlign) defaultCopy(extra);
  }

  public static MLReader<ReAlign> read() {
    return new DefaultParamsReader<>();
  }

  public static ReAlign load(String path) {
    return read().load(path);
  }
}
