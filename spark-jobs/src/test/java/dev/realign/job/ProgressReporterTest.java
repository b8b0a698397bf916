package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress counts rows inside running tasks: the driver's accumulator only grows when a task ends,
 * but the reporter reads running tasks' values from executor heartbeats, so one long task shows
 * movement.
 */
class ProgressReporterTest {
  /** How long the driver waits for a heartbeat (a loaded machine can delay them a lot). */
  static final long WAIT_MILLIS = 120_000;

  /**
   * How long the task waits for the driver; longer, so a timeout fails the assertion, not races.
   */
  static final long TASK_WAIT_MILLIS = 2 * WAIT_MILLIS;

  static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("realign-progress-test")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
            // Heartbeats carry running tasks' accumulators; the default is every 10 s.
            .config("spark.executor.heartbeatInterval", "500ms")
            .getOrCreate();
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  @Test
  void rowsOfARunningTaskShowBeforeItEnds() throws Exception {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Path release = dir.resolve("release");
    String releasePath = release.toString();
    try (ProgressReporter progress = new ProgressReporter(jsc, "test", -1, 0)) {
      LongAccumulator counter = progress.counter();
      CompletableFuture<Void> job =
          CompletableFuture.runAsync(
              () ->
                  jsc.parallelize(List.of(1), 1)
                      .foreach(
                          x -> {
                            counter.add(7); // e.g. the first encoder batch of a long task
                            long deadline = System.currentTimeMillis() + TASK_WAIT_MILLIS;
                            while (!Files.exists(Path.of(releasePath))
                                && System.currentTimeMillis() < deadline) {
                              Thread.sleep(20);
                            }
                            counter.add(3);
                          }));
      try {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (progress.rowsSoFar() < 7 && System.currentTimeMillis() < deadline) {
          Thread.sleep(20);
        }
        // The task is still running (it waits for the release file): only the heartbeat knows.
        assertThat(counter.value()).isZero();
        assertThat(progress.rowsSoFar()).isEqualTo(7);
      } finally {
        Files.createFile(release);
      }
      job.get();
      assertThat(counter.value()).isEqualTo(10);
      long deadline = System.currentTimeMillis() + WAIT_MILLIS;
      while (progress.rowsSoFar() != 10 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertThat(progress.rowsSoFar()).isEqualTo(10);
    }
  }
}
