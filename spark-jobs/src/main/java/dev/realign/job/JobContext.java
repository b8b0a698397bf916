package dev.realign.job;

import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.sink.OutputLayout;
import dev.realign.source.HadoopFiles;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
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

  public final JavaSparkContext jsc;
  public final PipelineConfig config;
  public final OutputLayout layout;
  public final FileSystem fs;
  public final Broadcast<SerializableHadoopConf> hadoopConf;

  /** The SQL session: the one given, or made on first use over {@link #jsc}'s context. */
  private SparkSession session;

  /**
   * Inputs planned before Spark was up ({@link InputPlans}), taken by {@link AlignPipeline#plan}.
   */
  final InputPlans inputPlans;

  public JobContext(SparkSession spark, PipelineConfig config) {
    this(spark, config, InputPlans.NONE);
  }

  public JobContext(SparkSession spark, PipelineConfig config, InputPlans inputPlans) {
    this(spark.sparkContext(), spark, config, inputPlans);
  }

  /**
   * Jobs on {@code sc}; a command that reads through Spark SQL gets its session from {@link
   * #spark()}, made then.
   */
  public JobContext(SparkContext sc, PipelineConfig config, InputPlans inputPlans) {
    this(sc, null, config, inputPlans);
  }

  private JobContext(
      SparkContext sc, SparkSession session, PipelineConfig config, InputPlans inputPlans) {
    this.session = session;
    this.inputPlans = inputPlans;
    this.jsc = JavaSparkContext.fromSparkContext(sc);
    this.config = config;
    this.layout = new OutputLayout(config.require(ConfigKeys.OUTPUT_DIR));
    this.fs = HadoopFiles.fs(layout.rootPath(), jsc.hadoopConfiguration());
    this.hadoopConf = jsc.broadcast(new SerializableHadoopConf(jsc.hadoopConfiguration()));
  }

  /**
   * Starts (or joins) Spark. Under spark-submit the master comes from there; otherwise from {@code
   * spark.master} of the config (default {@code local[*]}), bound to 127.0.0.1 with the UI off.
   *
   * <p>Start-up costs the jobs never use are left out (docs/benchmarks.md, sessions 25 and 34): the
   * jobs run on RDDs, so only the SparkContext starts; a command that reads through Spark SQL makes
   * the session when it does ({@link #spark()}). Making one initialises Spark SQL's configuration
   * registry (hundreds of entries, with 106 lambda classes) and its shared state.
   */
  public static SparkContext startSpark(PipelineConfig config) {
    // Spark's spark.* system properties first, as a session builder would read them.
    SparkConf conf =
        new SparkConf(true)
            .setAppName(config.get(ConfigKeys.SPARK_APP_NAME))
            .set("spark.ui.showConsoleProgress", "false");
    if (System.getProperty("spark.master") == null) {
      String master = config.get(ConfigKeys.SPARK_MASTER);
      conf.setMaster(master);
      if (master.startsWith("local")) {
        conf.set("spark.ui.enabled", "false")
            .set("spark.driver.host", "127.0.0.1")
            .set("spark.driver.bindAddress", "127.0.0.1");
        if (System.getProperty(DIRECT_RESULT_KEY) == null) {
          conf.set(DIRECT_RESULT_KEY, LOCAL_DIRECT_RESULT);
        }
      }
    }
    return SparkContext.getOrCreate(conf);
  }

  /**
   * The SQL session over this context, made on first use without spark-mllib's SQL functions
   * ({@link SessionServices}: their registration builds Spark's whole function registry and
   * encoders through Scala reflection, 0.6-1.0 s). The classic builder, not {@code
   * org.apache.spark.sql.SparkSession.builder()}, which finds the classic companion object through
   * Scala runtime reflection (1.1-2.5 s of a 500-row run). It is given the running context (a
   * builder that looked it up would warn that its settings may not take effect).
   */
  public synchronized SparkSession spark() {
    if (session == null) {
      org.apache.spark.sql.classic.SparkSession.Builder b =
          org.apache.spark.sql.classic.SparkSession.builder().sparkContext(jsc.sc());
      session = SessionServices.withoutMlFunctions(b::getOrCreate);
    }
    return session;
  }

  private JobContext(JobContext base, PipelineConfig config) {
    this.session = base.session;
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
