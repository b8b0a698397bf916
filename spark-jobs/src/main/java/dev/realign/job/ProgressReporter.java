package dev.realign.job;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;
import scala.collection.Iterator;

/**
 * Prints "stage: rows done / total, rows/s" every few seconds while a stage runs. Executors add to
 * a Spark accumulator as they go (the encoder after every batch). The driver's accumulator only
 * grows when a task ends, so running tasks are read from the executors' heartbeats ({@code
 * spark.executor.heartbeatInterval}, 10 s by default), which carry each running task's accumulator
 * values: progress moves within a long single task too.
 */
public final class ProgressReporter implements AutoCloseable {
  private final JavaSparkContext jsc;
  private final LongAccumulator rows;
  private final Thread thread;
  private final long startNanos = System.nanoTime();
  private final String stage;
  private final long total;

  /** Latest heartbeat value of each running task (task id -> rows), removed when it ends. */
  private final Map<Long, Long> running = new ConcurrentHashMap<>();

  private final SparkListener listener;
  private boolean closed;

  public ProgressReporter(JavaSparkContext jsc, String stage, long totalRows, int intervalSeconds) {
    this.jsc = jsc;
    this.stage = stage;
    this.total = totalRows;
    this.rows = jsc.sc().longAccumulator("realign rows: " + stage);
    long id = rows.id();
    this.listener =
        new SparkListener() {
          @Override
          public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
            Iterator<
                    Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>>>
                tasks = update.accumUpdates().iterator();
            while (tasks.hasNext()) {
              Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> t =
                  tasks.next();
              Iterator<AccumulableInfo> accs = t._4().iterator();
              while (accs.hasNext()) {
                AccumulableInfo a = accs.next();
                if (a.id() == id
                    && a.update().isDefined()
                    && a.update().get() instanceof Number n) {
                  running.put((Long) t._1(), n.longValue());
                }
              }
            }
          }

          @Override
          public void onTaskEnd(SparkListenerTaskEnd end) {
            running.remove(end.taskInfo().taskId());
          }
        };
    jsc.sc().addSparkListener(listener);
    if (intervalSeconds <= 0) {
      thread = null;
      return;
    }
    thread =
        new Thread(
            () -> {
              try {
                while (true) {
                  Thread.sleep(intervalSeconds * 1000L);
                  print();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "realign-progress-" + stage);
    thread.setDaemon(true);
    thread.start();
  }

  public LongAccumulator counter() {
    return rows;
  }

  /**
   * Rows so far: those of finished tasks plus the last reported rows of running ones. May count a
   * just-finished task twice for a moment (its end and its last heartbeat race); a progress figure.
   */
  public long rowsSoFar() {
    long n = rows.value();
    for (long r : running.values()) {
      n += r;
    }
    return n;
  }

  private void print() {
    long done = rowsSoFar();
    double secs = (System.nanoTime() - startNanos) / 1e9;
    if (total < 0) {
      Console.progress("%s: %,d rows, %,.0f rows/s", stage, done, secs > 0 ? done / secs : 0.0);
    } else {
      Console.progress(
          "%s: %,d / %,d rows (%.0f%%), %,.0f rows/s",
          stage,
          done,
          total,
          total == 0 ? 100.0 : 100.0 * done / total,
          secs > 0 ? done / secs : 0.0);
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
    if (closed) {
      return;
    }
    closed = true;
    if (thread != null) {
      thread.interrupt();
    }
    jsc.sc().removeSparkListener(listener);
  }
}
