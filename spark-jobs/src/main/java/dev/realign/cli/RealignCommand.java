package dev.realign.cli;

import dev.realign.build.BuildInfo;
import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.demo.DemoInput;
import dev.realign.job.Console;
import dev.realign.job.Failures;
import dev.realign.job.InputPlans;
import dev.realign.job.JobContext;
import dev.realign.job.ReportJob;
import dev.realign.job.Warmups;
import dev.realign.report.ReportOptions;
import dev.realign.source.NioLocalFileSystem;
import dev.realign.vector.VectorSupport;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import scala.Tuple2;

/**
 * {@code realign <command> [options]}: parses the command line, resolves the config, runs the
 * command ({@link Subcommands}) and turns any failure into one line and an exit code.
 */
public final class RealignCommand {
  private RealignCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, true));
  }

  /** Runs a command; returns the process exit code (0 ok, 2 bad usage or input, 1 failure). */
  public static int run(String[] args) {
    return run(args, false);
  }

  /**
   * {@code ownsProcess}: whether this command is the process's only one ({@link #main}), so that it
   * may choose process-wide settings (the kernels, once loaded, are the process's for good).
   */
  private static int run(String[] args, boolean ownsProcess) {
    StartupLog.mark("main");
    try {
      if (args.length == 1 && (args[0].equals("--version") || args[0].equals("version"))) {
        System.out.print(BuildInfo.versionText());
        return 0;
      }
      if (args.length > 1 && args[0].equals("stats") && args[1].equals("merge")) {
        return StatsMergeCommand.run(java.util.Arrays.copyOfRange(args, 2, args.length));
      }
      return dispatch(CommandLine.parse(args), ownsProcess);
    } catch (Throwable e) {
      // Errors too (an OutOfMemoryError, Hadoop's FSError): one line, no stack trace.
      return fail(e, System.err);
    }
  }

  private static int dispatch(CommandLine cl, boolean ownsProcess) {
    if (cl.command.equals("help")) {
      System.out.print(Subcommands.usage());
      return 0;
    }
    Subcommand command = Subcommands.find(cl.command);
    if (cl.help) {
      System.out.print(Subcommands.help(command));
      return 0;
    }
    PipelineConfig config = resolve(cl);
    switch (command.name()) {
      case "config" -> {
        Subcommands.printConfig(config);
        return 0;
      }
      case "generate" -> {
        Subcommands.generate(config);
        return 0;
      }
      default -> {}
    }
    if (ownsProcess
        && SparkStart.inProcessMaster(config)
        && NioLocalFileSystem.class.getClassLoader() == ClassLoader.getSystemClassLoader()) {
      // Before any file: path is opened (Hadoop caches the first file system it makes).
      NioLocalFileSystem.installForThisProcess();
    }
    config = DemoInput.prepare(config);
    StartupLog.mark("config resolved");
    String name = command.name();
    Warmups.Rows rows =
        name.equals("copy")
            ? Warmups.Rows.COPY
            : List.of("run", "stats", "fit", "apply").contains(name)
                ? Warmups.Rows.PASSES
                : Warmups.Rows.NONE;
    ReportOptions report =
        name.equals("run") && config.getBoolean(ConfigKeys.REPORT_IN_RUN)
            ? ReportJob.options(config)
            : null;
    // Spark starts on a thread of its own while this one plans the inputs (their plan lines come
    // out before Spark is up) and sizes the warm-ups to them.
    SparkStart sparkStart = SparkStart.begin(config);
    InputPlans inputs;
    try {
      inputs = InputPlans.before(name, config);
      StartupLog.mark("inputs planned");
      // On the core Spark's start leaves idle: the passes' row code for the commands that read
      // embedding rows, SHA-256, and the report's kernels for a run that ends with one.
      boolean local = SparkStart.localMaster(config);
      if (ownsProcess
          && local
          && !inputs.large()
          && System.getProperty(VectorSupport.PROPERTY) == null
          && System.getProperty(VectorSupport.ROWS_PROPERTY) == null) {
        // The passes' kernels only (the report's keep the Vector API: its warm-up compiles them),
        // set before any kernel class loads: VectorSupport reads it once. Its constants are
        // compile-time constants, so naming them does not load it.
        System.setProperty(VectorSupport.ROWS_PROPERTY, "false");
      }
      Warmups.start(rows, report, inputs, local);
    } catch (RuntimeException | Error e) {
      sparkStart.stopQuietly();
      throw e;
    }
    SparkContext sc = sparkStart.await();
    Warmups.sparkStarted();
    StartupLog.mark("spark started");
    try {
      command.action().run(new JobContext(sc, config, inputs), cl);
      StartupLog.mark("command done");
      StartupLog.kernels();
      StartupLog.localFileSystem();
      if (ownsProcess && dev.realign.job.ArchivePreload.requested()) {
        preloadForArchive();
      }
    } finally {
      if (System.getProperty("realign.keep.spark") == null) {
        sc.stop();
        StartupLog.mark("spark stopped");
      }
    }
    return 0;
  }

  /**
   * In the run that writes the launcher's class-data archive: both input formats' classes too, so
   * that the archive serves either whichever command came first (only an optimisation: a failure
   * leaves the archive as it was).
   */
  private static void preloadForArchive() {
    try {
      dev.realign.job.ArchivePreload.run(
          java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
    } catch (java.io.IOException | RuntimeException | LinkageError e) {
      // The archive just holds fewer classes.
    }
  }

  /**
   * Prints the failure in one line ({@link Failures#oneLine}: the message and every cause that adds
   * to it) and returns the exit code: 2 for bad usage or input, 1 for anything else. The stack
   * trace only with {@code REALIGN_DEBUG} set.
   */
  static int fail(Throwable e, PrintStream err) {
    boolean usage = e instanceof IllegalArgumentException;
    err.println("realign: " + (usage ? "error: " : "failed: ") + Failures.oneLine(e));
    if (System.getenv("REALIGN_DEBUG") != null) {
      e.printStackTrace(err);
    }
    return usage ? 2 : 1;
  }

  /** Layers defaults, config file, Spark conf and command line (docs/design.md section 8). */
  static PipelineConfig resolve(CommandLine cl) {
    PipelineConfig.Builder b = PipelineConfig.builder();
    String file = cl.configFile;
    if (file == null && cl.command.equals("run") && cl.rawArgs.isEmpty()) {
      file = demoConfig().toString();
      Console.info("no arguments: running the demo (%s)", file);
    }
    if (file != null) {
      b.file(Path.of(file));
    }
    Map<String, String> spark = new TreeMap<>();
    for (Tuple2<String, String> e : new SparkConf(true).getAll()) {
      spark.put(e._1(), e._2());
    }
    b.sparkConf(spark);
    b.setAll(cl.overrides);
    return b.build();
  }

  static Path demoConfig() {
    String home = System.getProperty("realign.home");
    Path p = Path.of(home != null ? home : ".", "configs", "demo.yaml");
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException(
          "Missing demo config: " + p + " (run from the repository root, or pass --config FILE)");
    }
    return p;
  }
}
