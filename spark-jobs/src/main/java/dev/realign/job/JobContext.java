package dev.realign.job;

import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.sink.OutputLayout;
import dev.realign.source.HadoopFiles;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/** What every job needs: Spark, the resolved config, the output layout and its file system. */
public final class JobContext {
  private static final String DIRECT_RESULT_KEY = "spark.task.maxDirectResultSize";

  /**
   * In local mode a task result up to this size is handed to the driver in-process. Above Spark's
   * default (1 MiB) it is put in the block manager and fetched back through the block transfer
   * service, in the same JVM: the stats pass's tasks return the report's sampled rows (about 14 MB
   * a task at the defaults), and that round trip took the 200k-row text stats stage from 1.36 to
   * 1.76 s (Spark's event log). Where {@code -Dspark.task.maxDirectResultSize} is set, it wins.
   */
  private static final String LOCAL_DIRECT_RESULT = "64m";

  public final SparkSession spark;
  public final JavaSparkContext jsc;
  public final PipelineConfig config;
  public final OutputLayout layout;
  public final FileSystem fs;
  public final Broadcast<SerializableHadoopConf> hadoopConf;

  /**
   * Inputs planned before Spark was up ({@link InputPlans}), taken by {@link AlignPipeline#plan}.
   */
  final InputPlans inputPlans;

  public JobContext(SparkSession spark, PipelineConfig config) {
    this(spark, config, InputPlans.NONE);
  }

  public JobContext(SparkSession spark, PipelineConfig config, InputPlans inputPlans) {
    this.spark = spark;
    this.inputPlans = inputPlans;
    this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.config = config;
    this.layout = new OutputLayout(config.require(ConfigKeys.OUTPUT_DIR));
    this.fs = HadoopFiles.fs(layout.rootPath(), jsc.hadoopConfiguration());
    this.hadoopConf = jsc.broadcast(new SerializableHadoopConf(jsc.hadoopConfiguration()));
  }

  /**
   * Starts (or joins) the Spark session. Under spark-submit the master comes from there; otherwise
   * from {@code spark.master} of the config (default {@code local[*]}), bound to 127.0.0.1 with the
   * UI off.
   *
   * <p>Two start-up costs the jobs never use are left out (docs/benchmarks.md, "Start-up"): the
   * builder is the classic one, not {@code org.apache.spark.sql.SparkSession.builder()}, which
   * finds the classic companion object through Scala runtime reflection (building that universe
   * took 1.1-2.5 s of a 500-row run); and the session starts without the SQL extension that
   * spark-mllib declares as a service ({@link SessionServices}), whose registration builds Spark's
   * function registry and encoders (0.6-1.0 s). The jobs run on RDDs and call no SQL function.
   */
  public static SparkSession startSpark(PipelineConfig config) {
    org.apache.spark.sql.classic.SparkSession.Builder b =
        org.apache.spark.sql.classic.SparkSession.builder()
            .appName(config.get(ConfigKeys.SPARK_APP_NAME))
            .config("spark.ui.showConsoleProgress", "false");
    if (System.getProperty("spark.master") == null) {
      String master = config.get(ConfigKeys.SPARK_MASTER);
      b = b.master(master);
      if (master.startsWith("local")) {
        b =
            b.config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1");
        if (System.getProperty(DIRECT_RESULT_KEY) == null) {
          b = b.config(DIRECT_RESULT_KEY, LOCAL_DIRECT_RESULT);
        }
      }
    }
    return SessionServices.withoutMlFunctions(b::getOrCreate);
  }

  private JobContext(JobContext base, PipelineConfig config) {
    this.spark = base.spark;
    this.jsc = base.jsc;
    this.config = config;
    this.layout = base.layout;
    this.fs = base.fs;
    this.hadoopConf = base.hadoopConf;
    this.inputPlans = base.inputPlans;
  }

  /** The same Spark and output, with another resolved config (e.g. recorded inputs filled in). */
  public JobContext withConfig(PipelineConfig other) {
    return other == config ? this : new JobContext(this, other);
  }

  public int progressInterval() {
    return config.getInt(ConfigKeys.PROGRESS_INTERVAL);
  }
}
