package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The CLI in a forked JVM as {@code ./realign} starts it: this test JVM's classpath and the
 * launchers' JVM options ({@code realign-jvm.options}) through one {@code @argfile}, the launcher's
 * JIT thresholds and log configuration ({@code configs/log4j2.properties}), plus a setup's flags.
 */
final class ForkedCli {
  /** A run that takes longer than this is stuck (one takes 6-24 s on a busy 2-core machine). */
  static final long RUN_TIMEOUT_SECONDS = 180;

  /**
   * The launcher's JIT flags ({@code ./realign}): raised C2 thresholds and the driver code kept
   * with C1, less compiling in a short run ({@link LauncherJitFlagsTest} checks they are its).
   */
  static final List<String> JIT =
      List.of(
          "-XX:Tier4InvocationThreshold=25000",
          "-XX:Tier4MinInvocationThreshold=3000",
          "-XX:Tier4CompileThreshold=75000",
          "-XX:Tier4BackEdgeThreshold=200000",
          "-XX:CompileCommand=quiet",
          "-XX:CompileCommand=MaxNodeLimit,org/apache/xbean/*.*,1",
          "-XX:CompileCommand=MaxNodeLimit,org/apache/hadoop/shaded/com/ctc/*.*,1",
          "-XX:CompileCommand=MaxNodeLimit,org/apache/hadoop/conf/Configuration$Parser.*,1",
          "-XX:CompileCommand=MaxNodeLimit,jdk/internal/org/objectweb/asm/*.*,1",
          "-XX:CompileCommand=MaxNodeLimit,jdk/internal/loader/*.*,1",
          "-XX:CompileCommand=MaxNodeLimit,java/util/jar/*.*,1",
          "-XX:CompileCommand=MaxNodeLimit,sun/util/locale/*.*,1");

  /** The launcher's log configuration. */
  static final Path LOG_CONFIG =
      Path.of("..", "configs", "log4j2.properties").toAbsolutePath().normalize();

  private final Path dir;
  private final Path args;

  ForkedCli(Path dir) throws IOException {
    this.dir = dir;
    List<String> lines = new ArrayList<>();
    lines.add("-cp");
    lines.add(quote(System.getProperty("java.class.path")));
    try (InputStream in = ForkedCli.class.getResourceAsStream("/realign-jvm.options")) {
      assertThat(in).as("resource realign-jvm.options (spark-jobs/target/classes)").isNotNull();
      for (String o : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split("\\s+")) {
        lines.add(quote(o));
      }
    }
    lines.add(quote("-Dlog4j2.configurationFile=" + LOG_CONFIG));
    this.args = dir.resolve("jvm.args");
    Files.write(args, lines);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /**
   * {@code realign run} on {@code dir}'s {@code texts.npy} and {@code images.npy} into {@code out}
   * with {@code partitions} partitions, the report and the progress lines off, then {@code more}.
   */
  static List<String> runArgs(Path dir, Path out, int partitions, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--text-embeddings",
                dir.resolve("texts.npy").toString(),
                "--image-embeddings",
                dir.resolve("images.npy").toString(),
                "--output",
                out.toString(),
                "--partitions",
                Integer.toString(partitions),
                "--set",
                "report.in_run=false",
                "--set",
                "progress.interval_seconds=0"));
    args.addAll(List.of(more));
    return args;
  }

  /**
   * Runs {@code realign <cli...>} with the extra JVM {@code flags}; asserts it exits with 0.
   *
   * @return everything it printed (stdout and stderr)
   */
  String run(String name, List<String> flags, List<String> cli) throws Exception {
    long t0 = System.nanoTime();
    Process p = start(name, flags, cli);
    Path log = log(name);
    boolean done = p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
    }
    System.err.printf(Locale.ROOT, "[forked] %s: %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
    String out = Files.readString(log, StandardCharsets.UTF_8);
    String tail = tail(out);
    assertThat(done)
        .as("run %s finished in %s s; log:%n%s", name, RUN_TIMEOUT_SECONDS, tail)
        .isTrue();
    assertThat(p.exitValue()).as("exit code of %s; log:%n%s", name, tail).isZero();
    return out;
  }

  /** Where the output of run {@code name} goes. */
  Path log(String name) {
    return dir.resolve("run-" + name.replaceAll("[^A-Za-z0-9.=-]", "_") + ".log");
  }

  /** Starts {@code realign <cli...>} with the extra JVM {@code flags}, without waiting for it. */
  Process start(String name, List<String> flags, List<String> cli) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.addAll(JIT);
    cmd.add("@" + args);
    cmd.addAll(flags);
    cmd.add("dev.realign.cli.RealignCommand");
    cmd.addAll(cli);
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log(name).toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("OPT_OUT_TRACKING", "true");
    return pb.start();
  }

  static String tail(String out) {
    List<String> lines = out.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
