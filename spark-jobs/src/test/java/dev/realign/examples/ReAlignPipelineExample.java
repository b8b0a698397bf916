package dev.realign.examples;

import dev.realign.ml.ReAlign;
import dev.realign.ml.ReAlignModel;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Java example of docs/spark.md (an excerpt is in the README's quick tour): ReAlign in a Spark
 * ML Pipeline, fitted, saved, loaded and applied.
 *
 * <p>Arguments: INPUT (Parquet: id, embedding array&lt;float&gt;, modality "text"/"image"),
 * MODEL_DIR, OUTPUT (Parquet of the aligned text rows).
 */
public final class ReAlignPipelineExample {
  private ReAlignPipelineExample() {}

  public static void main(String[] args) throws Exception {
    SparkSession spark = SparkSession.builder().appName("realign-pipeline-example").getOrCreate();
    Dataset<Row> rows = spark.read().parquet(args[0]);

    Pipeline pipeline =
        new Pipeline()
            .setStages(
                new PipelineStage[] {
                  new ReAlign()
                      .setInputCol("embedding") // array<float>, array<double> or ml.linalg.Vector
                      .setModalityCol("modality") // "text" / "image"
                      .setOutputCol("aligned")
                      .setVariant("realign")
                      .setHandleInvalid("error")
                });
    PipelineModel fitted = pipeline.fit(rows);
    fitted.write().overwrite().save(args[1]);

    PipelineModel loaded = PipelineModel.load(args[1]);
    ReAlignModel stage = (ReAlignModel) loaded.stages()[0];
    System.out.println(
        "transform sha256 "
            + stage.transformValue().sha256()
            + " (variant "
            + stage.transformValue().variant()
            + ", scale "
            + stage.transformValue().scale()
            + ")");
    Dataset<Row> aligned =
        loaded.transform(rows).filter("modality = 'text'").select("id", "aligned");
    aligned.write().mode("overwrite").parquet(args[2]);
    System.out.println(
        "aligned " + spark.read().parquet(args[2]).count() + " text rows -> " + args[2]);
  }
}
