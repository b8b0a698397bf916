package dev.realign.job;

import dev.realign.config.PipelineConfig;
import dev.realign.sink.ShardInfo;
import dev.realign.sink.ShardManifest;
import dev.realign.source.HadoopFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Builds configs, runs jobs and reads results back for pipeline tests. */
final class PipelineFixture {
  private PipelineFixture() {}

  static PipelineConfig config(Path texts, Path images, Path out, String... keyValues) {
    PipelineConfig.Builder b =
        PipelineConfig.builder()
            .set("input.text.path", texts.toString())
            .set("input.image.path", images.toString())
            .set("output.dir", out.toString())
            .set("progress.interval_seconds", "0")
            // The report has its own tests (ReportJobTest); the pipeline tests skip it for speed.
            .set("report.in_run", "false");
    for (int i = 0; i < keyValues.length; i += 2) {
      b.set(keyValues[i], keyValues[i + 1]);
    }
    return b.build();
  }

  static AlignPipeline.Outcome run(SparkSession spark, PipelineConfig config) {
    return AlignJobs.run(new JobContext(spark, config));
  }

  static ShardManifest manifest(Path out) {
    org.apache.hadoop.fs.Path p =
        new org.apache.hadoop.fs.Path(out.toString(), "aligned/_manifest.json");
    return ShardManifest.read(HadoopFiles.fs(p, new Configuration()), p);
  }

  /** Every aligned row in manifest order: shard by shard, rows in file order. */
  static List<Row> readShards(SparkSession spark, Path out) {
    List<Row> rows = new ArrayList<>();
    for (ShardInfo s : manifest(out).shards()) {
      rows.addAll(
          spark
              .read()
              .parquet(out.resolve("aligned").resolve(s.name()).toString())
              .collectAsList());
    }
    return rows;
  }

  static float[] embedding(Row r) {
    List<Float> list = r.getList(r.fieldIndex("embedding"));
    float[] v = new float[list.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = list.get(i);
    }
    return v;
  }

  /** Random rows around an offset centre: a small stand-in for one modality. */
  static float[] randomRows(long seed, int rows, int dim, double offset) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] out = new float[rows * dim];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < dim; j++) {
        double centre = j == (int) (seed % dim) ? offset : 0.0;
        out[i * dim + j] = (float) (centre + r.nextDouble() - 0.5);
      }
    }
    return out;
  }

  static Map<String, String> sketchFingerprints(Path out) {
    try {
      return Map.of(
          "text", sha256(out.resolve("stats/text.sketch")),
          "image", sha256(out.resolve("stats/image.sketch")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static String sha256(Path file) throws java.io.IOException {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(java.nio.file.Files.readAllBytes(file)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
