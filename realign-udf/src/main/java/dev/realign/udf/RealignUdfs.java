package dev.realign.udf;

import dev.realign.align.ReAlignTransform;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * The SQL function {@code realign_align(embedding)}: aligns one text embedding (array&lt;float&gt;
 * or array&lt;double&gt;) with a fitted transform and returns array&lt;float&gt;.
 *
 * <pre>
 * RealignUdfs.register(spark, "realign_align", "/data/run/realign-transform.json");
 * spark.sql("SELECT id, realign_align(embedding) AS aligned FROM texts");
 * </pre>
 *
 * The transform is read and verified on the driver when the function is registered, and again at
 * most once per executor JVM (checked against the driver's sha256). Bad rows (null, wrong length,
 * NaN/Inf, zero norm) fail the query by default; {@value #ON_INVALID_CONF}{@code =null} makes them
 * null instead.
 */
public final class RealignUdfs {
  /** The transform of {@link RealignAlignUdf} (a Hadoop path: local, HDFS, S3...). */
  public static final String TRANSFORM_CONF = "spark.realign.transform";

  /** {@code error} (default): a bad row fails the query; {@code null}: it gives null. */
  public static final String ON_INVALID_CONF = "spark.realign.udf.on_invalid";

  public static final String ON_INVALID_DEFAULT = "error";

  private RealignUdfs() {}

  /** Registers {@code name} as the aligning function of the transform at {@code transformPath}. */
  public static UserDefinedFunction register(
      SparkSession spark, String name, String transformPath) {
    UDF1<Object, float[]> f = create(spark, transformPath);
    return spark
        .udf()
        .register(name, functions.udf(f, DataTypes.createArrayType(DataTypes.FloatType)));
  }

  static AlignUdf create(SparkSession spark, String transformPath) {
    if (transformPath == null || transformPath.isBlank()) {
      throw new IllegalArgumentException(
          "Invalid transform path: \""
              + transformPath
              + "\" (must be the path of a realign-transform.json; for RealignAlignUdf set "
              + TRANSFORM_CONF
              + ")");
    }
    ReAlignTransform t =
        TransformCache.transform(transformPath, null, spark.sparkContext().hadoopConfiguration());
    return new AlignUdf(
        new AlignFunction(transformPath, t.sha256(), t.dimension(), nullOnInvalid(spark)));
  }

  static boolean nullOnInvalid(SparkSession spark) {
    String v =
        spark.conf().get(ON_INVALID_CONF, ON_INVALID_DEFAULT).trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "error" -> false;
      case "null" -> true;
      default ->
          throw new IllegalArgumentException(
              "Invalid value for "
                  + ON_INVALID_CONF
                  + ": \""
                  + v
                  + "\" (must be one of [error, null])");
    };
  }

  /** The registered function: a thin delegate, so that what Spark ships is small. */
  static final class AlignUdf implements UDF1<Object, float[]> {
    private static final long serialVersionUID = 1L;
    final AlignFunction function;

    AlignUdf(AlignFunction function) {
      this.function = function;
    }

    @Override
    public float[] call(Object vector) {
      return function.align(vector);
    }
  }
}
