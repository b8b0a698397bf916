package dev.realign.cli;

import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.job.JobContext;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.apache.spark.SparkContext;

/**
 * Spark, started on a thread of its own ({@code realign-spark-start}) so that the command's thread
 * can plan its inputs meanwhile: it takes 1.2-2 s to start on a 2-core machine, mostly on one core.
 */
final class SparkStart {
  private final FutureTask<SparkContext> task;

  private SparkStart(FutureTask<SparkContext> task) {
    this.task = task;
  }

  static SparkStart begin(PipelineConfig config) {
    FutureTask<SparkContext> task = new FutureTask<>(() -> JobContext.startSpark(config));
    Thread t = new Thread(task, "realign-spark-start");
    t.setDaemon(true);
    t.start();
    return new SparkStart(task);
  }

  /** Whether the tasks run in this JVM (a local master, not spark-submit's cluster). */
  static boolean localMaster(PipelineConfig config) {
    return master(config).startsWith("local");
  }

  /**
   * Whether every task runs in this JVM's threads: {@code local} or {@code local[...]}, not {@code
   * local-cluster[...]}, whose executors are processes of their own.
   */
  static boolean inProcessMaster(PipelineConfig config) {
    String master = master(config);
    return master.equals("local") || master.startsWith("local[");
  }

  private static String master(PipelineConfig config) {
    return System.getProperty("spark.master", config.get(ConfigKeys.SPARK_MASTER));
  }

  /**
   * After a failure on the command's thread: waits for the start and stops Spark (unless {@code
   * realign.keep.spark} is set, as {@link RealignCommand} does after a command), ignoring a failed
   * start.
   */
  void stopQuietly() {
    try {
      SparkContext sc = await();
      if (System.getProperty("realign.keep.spark") == null) {
        sc.stop();
      }
    } catch (RuntimeException | Error ignored) {
      // The command's own failure is the one to report.
    }
  }

  /** The started context; a failed start throws what the start threw. */
  SparkContext await() {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while Spark was starting", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("Spark failed to start: " + cause, cause);
    }
  }
}
