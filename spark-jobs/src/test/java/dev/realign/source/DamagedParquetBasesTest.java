package dev.realign.source;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Writes {@code damaged-parquet/spark-list.parquet}, the Spark base of {@link DamagedParquetTest}
 * (run on purpose: {@code -Drealign.test.excludedGroups=none -Dgroups=golden-generator}).
 */
class DamagedParquetBasesTest {
  /** Writes the Spark base: Spark's own Parquet writer with its defaults (one part file). */
  @Test
  @org.junit.jupiter.api.Tag("golden-generator")
  void writeSparkBase() throws Exception {
    org.apache.spark.sql.SparkSession spark = dev.realign.job.SparkTestSession.start();
    try {
      java.util.Random random = new java.util.Random(22);
      List<org.apache.spark.sql.Row> rows = new ArrayList<>();
      for (int i = 0; i < 240; i++) {
        Float[] v = new Float[8];
        for (int j = 0; j < v.length; j++) {
          v[j] = (random.nextInt(16) - 8) / 4f; // quarter steps: Spark keeps dictionary pages
        }
        rows.add(org.apache.spark.sql.RowFactory.create("r" + i, v));
      }
      var schema =
          new org.apache.spark.sql.types.StructType()
              .add("id", org.apache.spark.sql.types.DataTypes.StringType, false)
              .add(
                  "embedding",
                  org.apache.spark.sql.types.DataTypes.createArrayType(
                      org.apache.spark.sql.types.DataTypes.FloatType));
      Path tmp = Files.createTempDirectory("spark-base");
      spark
          .createDataFrame(rows, schema)
          .coalesce(1)
          .write()
          .parquet(tmp.resolve("out").toString());
      try (Stream<Path> parts = Files.list(tmp.resolve("out"))) {
        Path part =
            parts.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().get();
        Files.copy(
            part,
            Path.of("src", "test", "resources", "damaged-parquet", "spark-list.parquet"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      spark.stop();
    }
  }
}
