package dev.realign.store;

import dev.realign.cli.RealignCommand;
import dev.realign.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.StorageStatistics;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not part of the suite (no *Test name): apply of ROWS x DIM text embeddings (local .npy) to the S3
 * server (s3proxy, filesystem backend, 127.0.0.1) against the same apply to local disk, and the
 * bytes S3A copied. Run on purpose: {@code -Dtest=S3ApplyBench -Drealign.bench.rows=200000}.
 */
class S3ApplyBench {
  @TempDir Path dir;

  @Test
  void applyToS3AgainstLocalDisk() throws Exception {
    int rows = Integer.getInteger("realign.bench.rows", 200_000);
    int dim = Integer.getInteger("realign.bench.dim", 1280);
    int images = 20_000;
    System.setProperty("realign.warmup", "false");
    System.setProperty("realign.keep.spark", "true");
    Path in = Files.createDirectories(dir.resolve("in"));
    Npy.write(in.resolve("texts.npy"), rows(5, rows, dim, 1.0), rows, dim);
    Npy.write(in.resolve("images.npy"), rows(6, images, dim, -1.0), images, dim);
    try (S3Server s3 = S3Server.start(Files.createDirectories(dir.resolve("s3")))) {
      SparkSession.Builder b =
          SparkSession.builder()
              .master("local[2]")
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1");
      for (Map.Entry<String, String> e : s3.hadoopConf().entrySet()) {
        b = b.config("spark.hadoop." + e.getKey(), e.getValue());
      }
      SparkSession spark = b.getOrCreate();
      String texts = in.resolve("texts.npy").toString();
      String fitted = dir.resolve("fitted").toString();
      cli(
          "stats",
          "--text-embeddings",
          texts,
          "--image-embeddings",
          in.resolve("images.npy").toString(),
          "--output",
          fitted);
      cli("fit", "--text-embeddings", texts, "--output", fitted);
      String transform = fitted + "/realign-transform.json";
      String s3Out = s3.root() + "/bench";
      FileSystem fs =
          new org.apache.hadoop.fs.Path(s3Out)
              .getFileSystem(spark.sparkContext().hadoopConfiguration());
      StorageStatistics st = fs.getStorageStatistics();
      for (int round = 0; round < 2; round++) {
        long t0 = System.nanoTime();
        cli(
            "apply",
            "--text-embeddings",
            texts,
            "--transform",
            transform,
            "--output",
            dir.resolve("local-" + round).toString());
        double local = (System.nanoTime() - t0) / 1e9;
        long copied0 = st.getLong("files_copied_bytes");
        long copies0 = st.getLong("object_copy_requests");
        long put0 = st.getLong("object_put_bytes");
        t0 = System.nanoTime();
        cli(
            "apply",
            "--text-embeddings",
            texts,
            "--transform",
            transform,
            "--output",
            s3Out + "-" + round);
        double remote = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
            "[bench] round %d: apply %d x %d: local disk %.1f s, S3 (s3proxy) %.1f s;"
                + " S3 put %d bytes, copy requests %d, bytes copied %d%n",
            round,
            rows,
            dim,
            local,
            remote,
            st.getLong("object_put_bytes") - put0,
            st.getLong("object_copy_requests") - copies0,
            st.getLong("files_copied_bytes") - copied0);
      }
      // The rename plan on the same store, for comparison: what the commit would copy.
      long copied0 = st.getLong("files_copied_bytes");
      long copies0 = st.getLong("object_copy_requests");
      long t0 = System.nanoTime();
      cli(
          "apply",
          "--text-embeddings",
          texts,
          "--transform",
          transform,
          "--output",
          s3Out + "-rename",
          "--set",
          "output.commit=rename");
      System.out.printf(
          "[bench] rename plan on S3: %.1f s; copy requests %d, bytes copied %d%n",
          (System.nanoTime() - t0) / 1e9,
          st.getLong("object_copy_requests") - copies0,
          st.getLong("files_copied_bytes") - copied0);
      spark.stop();
    } finally {
      System.clearProperty("realign.warmup");
      System.clearProperty("realign.keep.spark");
    }
  }

  static float[] rows(long seed, int n, int dim, double offset) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    float[] out = new float[n * dim];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) ((i % dim == (int) (seed % dim) ? offset : 0.0) + r.nextDouble() - 0.5);
    }
    return out;
  }

  static void cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--set", "progress.interval_seconds=0", "--master", "local[2]"));
    int code = RealignCommand.run(all.toArray(String[]::new));
    if (code != 0) {
      throw new AssertionError("realign " + String.join(" ", args) + " exited " + code);
    }
  }
}
