package dev.realign.udf;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;

/**
 * {@code realign_align} for callers that register a Java class by name, such as PySpark:
 *
 * <pre>
 * spark.udf.registerJavaFunction("realign_align", "dev.realign.udf.RealignAlignUdf",
 *                                ArrayType(FloatType()))
 * </pre>
 *
 * The transform path comes from the Spark conf key {@value RealignUdfs#TRANSFORM_CONF}, read when
 * Spark instantiates the class (on the driver, at registration); see {@link RealignUdfs} for bad
 * rows and loading.
 */
public final class RealignAlignUdf implements UDF1<Object, float[]> {
  private static final long serialVersionUID = 1L;

  private final AlignFunction function;

  public RealignAlignUdf() {
    SparkSession spark =
        SparkSession.getActiveSession()
            .getOrElse(
                () ->
                    SparkSession.getDefaultSession()
                        .getOrElse(
                            () -> {
                              throw new IllegalStateException(
                                  "RealignAlignUdf needs an active SparkSession (it reads "
                                      + RealignUdfs.TRANSFORM_CONF
                                      + " from its conf)");
                            }));
    String path = spark.conf().get(RealignUdfs.TRANSFORM_CONF, "");
    if (path.isBlank()) {
      throw new IllegalArgumentException(
          "Missing Spark conf "
              + RealignUdfs.TRANSFORM_CONF
              + ": set it to the path of a realign-transform.json (e.g. --conf "
              + RealignUdfs.TRANSFORM_CONF
              + "=/data/run/realign-transform.json)");
    }
    this.function = RealignUdfs.create(spark, path).function;
  }

  @Override
  public float[] call(Object vector) {
    return function.align(vector);
  }
}
