package dev.realign.job;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * Prints "stage: rows done / total, rows/s" every few seconds while a stage runs. Executors add to
 * a Spark accumulator, which reaches the driver as tasks finish.
 */
public final class ProgressReporter implements AutoCloseable {
  private final LongAccumulator rows;
  private final Thread thread;
  private final long startNanos = System.nanoTime();
  private final String stage;
  private final long total;

  public ProgressReporter(JavaSparkContext jsc, String stage, long totalRows, int intervalSeconds) {
    this.stage = stage;
    this.total = totalRows;
    this.rows = jsc.sc().longAccumulator("realign rows: " + stage);
    if (intervalSeconds <= 0) {
      thread = null;
      return;
    }
    thread = new Thread(() -> {
      try {
        while (true) {
          Thread.sleep(intervalSeconds * 1000L);
          print();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "realign-progress-" + stage);
    thread.setDaemon(true);
    thread.start();
  }

  public LongAccumulator counter() {
    return rows;
  }

  private void print() {
    long done = rows.value();
    double secs = (System.nanoTime() - startNanos) / 1e9;
    if (total < 0) {
      Console.progress("%s: %,d rows, %,.0f rows/s", stage, done, secs > 0 ? done / secs : 0.0);
    } else {
      Console.progress("%s: %,d / %,d rows (%.0f%%), %,.0f rows/s", stage, done, total,
          total == 0 ? 100.0 : 100.0 * done / total, secs > 0 ? done / secs : 0.0);
    }
  }

  /** Stops the reporter and returns the stage's wall time in seconds. */
  public double finish() {
    close();
    double secs = (System.nanoTime() - startNanos) / 1e9;
    Console.progress("%s: done, %,d rows in %.1f s", stage, rows.value(), secs);
    return secs;
  }

  @Override
  public void close() {
    if (thread != null) {
      thread.interrupt();
    }
  }
}
