package dev.realign.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster on 127.0.0.1 made of separate JVMs started from the Maven test
 * classpath: one Master, N Workers (1 core, 1 GB each) and drivers in client mode. Executors start
 * because {@code SPARK_HOME} points at a folder whose {@code jars/} links the runtime jars of the
 * test classpath and {@code SPARK_SCALA_VERSION=2.13} is set (docs/design.md section 7).
 *
 * <p>The application code travels like it does with spark-submit: packed into one jar (our classes
 * and realign-udf, or the shaded cluster jar when {@code -Drealign.cluster.jar=PATH} names one),
 * put on the driver's classpath and shipped to the executors with {@code spark.jars}. Neither
 * {@code jars/} nor the executors' classpath hold any realign class otherwise.
 *
 * <p>Every process started here is stopped by PID, with its descendants (the executors are children
 * of the workers), by {@link #close()} and by a shutdown hook if the test JVM dies first.
 */
final class LocalStandaloneCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Master and workers: small heaps, C1 only and the serial collector, so that these mostly idle
   * daemons do not take CPU from the drivers and executors on a 2-core machine.
   */
  private static final List<String> DAEMON_JVM =
      List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  final Path root;
  final Path sparkHome;
  final Path appJar;
  final List<String> jvmOptions;
  private final Path logs;
  private final Path log4j;
  private final List<Process> processes = new CopyOnWriteArrayList<>();
  private final List<Process> workers = new ArrayList<>();
  private final List<Process> daemons = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::stopAll, "stop-local-cluster");
  private int masterPort;
  private int masterWebPort;

  LocalStandaloneCluster(Path root) throws IOException {
    this.root = root;
    this.logs = Files.createDirectories(root.resolve("logs"));
    this.jvmOptions = jvmOptions();
    this.sparkHome = fakeSparkHome(root.resolve("spark-home"));
    String given = System.getProperty("realign.cluster.jar", "");
    this.appJar = given.isBlank() ? packAppJar(root.resolve("realign-app.jar")) : Path.of(given);
    this.log4j = resourcePath("log4j2-test.properties");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  Path log(String name) {
    return logs.resolve(name + ".log");
  }

  /**
   * Starts the Master and the Workers and waits until all of them registered. The free ports are
   * only free when picked (other builds share the machine), so the master may not move to another
   * port ({@code spark.port.maxRetries=0}) and a failed start is retried once with new ports.
   */
  void start(int workerCount, Duration timeout) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        startOnce(workerCount, timeout);
        return;
      } catch (IllegalStateException e) {
        for (Process p : daemons) {
          kill(p.toHandle());
        }
        daemons.clear();
        workers.clear();
        if (attempt == 2) {
          throw e;
        }
      }
    }
  }

  private void startOnce(int workerCount, Duration timeout) throws Exception {
    masterPort = freePort();
    masterWebPort = freePort();
    List<String> masterJvm = new ArrayList<>(DAEMON_JVM);
    masterJvm.add("-Dspark.port.maxRetries=0");
    daemons.add(
        startJava(
            "master",
            masterJvm,
            "org.apache.spark.deploy.master.Master",
            List.of(
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(masterPort),
                "--webui-port",
                Integer.toString(masterWebPort))));
    for (int i = 0; i < workerCount; i++) {
      Path work = Files.createDirectories(root.resolve("worker-" + i));
      String host = workerHost(i);
      Process w =
          startJava(
              "worker-" + i,
              host,
              DAEMON_JVM,
              "org.apache.spark.deploy.worker.Worker",
              List.of(
                  masterUrl(),
                  "--cores",
                  "1",
                  "--memory",
                  "1g",
                  "--host",
                  host,
                  "--webui-port",
                  Integer.toString(freePort()),
                  "--work-dir",
                  work.toString()));
      workers.add(w);
      daemons.add(w);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    int alive = -1;
    while (System.nanoTime() < deadline) {
      for (Process p : daemons) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              "A cluster process exited early (" + p.pid() + "); logs in " + logs);
        }
      }
      alive = aliveWorkers();
      if (alive == workerCount) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        "Only "
            + alive
            + " of "
            + workerCount
            + " workers registered within "
            + timeout
            + "; logs in "
            + logs);
  }

  /**
   * Worker i's host: 127.0.0.(i+1), an address of the loopback interface of its own. Spark never
   * starts a speculative copy of a task on a host that runs an attempt of it already, so with every
   * worker on one address a cluster on one machine could not speculate.
   */
  static String workerHost(int i) {
    return "127.0.0." + (i + 1);
  }

  /** The worker folders, where each executor writes its stdout and stderr. */
  Path workDir(int i) {
    return root.resolve("worker-" + i);
  }

  private int aliveWorkers() {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              new URL("http://127.0.0.1:" + masterWebPort + "/json/").openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(1000);
      try (InputStream in = c.getInputStream()) {
        JsonNode n = JSON.readTree(in);
        return n.path("aliveworkers").asInt(-1);
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * Starts {@code realign ARGS} as a driver JVM in client mode against {@code master}: the app jar
   * on its classpath; for a cluster master also on {@code spark.jars} with the executor options
   * spark-submit.sh sets.
   */
  Process driver(String name, String master, List<String> args) throws IOException {
    return driver(name, master, args, List.of());
  }

  /** {@link #driver(String, String, List)} with more JVM flags (Spark settings as -D). */
  Process driver(String name, String master, List<String> args, List<String> flags)
      throws IOException {
    List<String> jvm = new ArrayList<>(List.of("-Xmx1g", "-XX:+UseSerialGC"));
    if (master.startsWith("spark://")) {
      jvm.addAll(
          List.of(
              "-Dspark.jars=" + appJar,
              "-Dspark.executor.memory=1g",
              "-Dspark.executor.extraJavaOptions=-XX:+UseSerialGC " + String.join(" ", jvmOptions),
              "-Dspark.executorEnv.OPT_OUT_TRACKING=true",
              "-Dspark.ui.enabled=false",
              "-Dspark.driver.host=127.0.0.1",
              "-Dspark.driver.bindAddress=127.0.0.1"));
    }
    jvm.addAll(flags);
    List<String> all = new ArrayList<>(List.of("run", "--master", master));
    all.addAll(args);
    return startJava(name, jvm, "dev.realign.cli.RealignCommand", all);
  }

  /** The executor JVMs now running under the workers (CoarseGrainedExecutorBackend). */
  List<ProcessHandle> executors() {
    List<ProcessHandle> out = new ArrayList<>();
    for (Process w : workers) {
      w.toHandle()
          .descendants()
          .filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
          .forEach(out::add);
    }
    return out;
  }

  /**
   * The task ids an executor has started and not finished, from its own log (a worker writes it to
   * {@code WORK_DIR/APP_ID/EXECUTOR_ID/stderr}; executors log at INFO with Spark's defaults).
   */
  Set<String> runningTasks(ProcessHandle executor) {
    List<String> cmd = Arrays.asList(executor.info().arguments().orElse(new String[0]));
    int app = cmd.indexOf("--app-id");
    int id = cmd.indexOf("--executor-id");
    Set<String> running = new HashSet<>();
    if (app < 0 || id < 0) {
      return running;
    }
    Pattern started = Pattern.compile("Running task .*\\(TID (\\d+)\\)");
    Pattern finished = Pattern.compile("Finished task .*\\(TID (\\d+)\\)");
    for (int w = 0; w < workers.size(); w++) {
      Path log =
          root.resolve("worker-" + w)
              .resolve(cmd.get(app + 1))
              .resolve(cmd.get(id + 1))
              .resolve("stderr");
      if (!Files.isRegularFile(log)) {
        continue;
      }
      try {
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
          Matcher m = started.matcher(line);
          if (m.find()) {
            running.add(m.group(1));
          }
          m = finished.matcher(line);
          if (m.find()) {
            running.remove(m.group(1));
          }
        }
      } catch (IOException e) {
        // Being written: the caller polls again.
      }
    }
    return running;
  }

  void awaitNoExecutors(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!executors().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Executors still running after "
                + timeout
                + ": "
                + executors().stream().map(ProcessHandle::pid).toList());
      }
      Thread.sleep(200);
    }
  }

  private Process startJava(String name, List<String> extraJvm, String mainClass, List<String> args)
      throws IOException {
    return startJava(name, "127.0.0.1", extraJvm, mainClass, args);
  }

  private Process startJava(
      String name, String host, List<String> extraJvm, String mainClass, List<String> args)
      throws IOException {
    // Master and workers: Spark's jars only; drivers also get the application jar.
    boolean app = mainClass.startsWith("dev.realign.");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(extraJvm);
    cmd.addAll(jvmOptions);
    cmd.add("-Dlog4j2.configurationFile=" + log4j);
    cmd.add("-cp");
    String sparkJars = sparkHome.resolve("jars") + File.separator + "*";
    cmd.add(app ? appJar + File.pathSeparator + sparkJars : sparkJars);
    cmd.add(mainClass);
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log(name).toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("HADOOP_"));
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", host);
    env.put("OPT_OUT_TRACKING", "true");
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  /** Stops one process and everything under it, by PID (SIGKILL), and waits for them. */
  static void kill(ProcessHandle p) {
    List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
    tree.add(p);
    for (ProcessHandle h : tree) {
      h.destroyForcibly();
    }
    for (ProcessHandle h : tree) {
      try {
        h.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // Reported by the caller's checks; keep stopping the others.
      }
    }
  }

  private void stopAll() {
    // Drivers first (started last), then workers with their executors, then the master.
    List<Process> reversed = new ArrayList<>(processes);
    java.util.Collections.reverse(reversed);
    for (Process p : reversed) {
      kill(p.toHandle());
    }
  }

  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down and runs the hook itself.
    }
  }

  String tail(String name, int lines) {
    try {
      List<String> all = Files.readAllLines(log(name), StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The JVM options of the parent pom (filtered into realign-jvm.options). */
  static List<String> jvmOptions() throws IOException {
    String text = Files.readString(resourcePath("realign-jvm.options")).trim();
    return Arrays.stream(text.split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }

  private static Path resourcePath(String name) {
    URL url = LocalStandaloneCluster.class.getClassLoader().getResource(name);
    if (url == null) {
      throw new IllegalStateException("Missing resource " + name + " on the test classpath");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Entries of the test classpath (surefire's, not its booter jar). */
  static List<Path> classPath() {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(cp.split(File.pathSeparator))
        .filter(s -> !s.isBlank())
        .map(Path::of)
        .toList();
  }

  private static boolean isRealignModule(Path p) {
    String n = p.getFileName().toString();
    return n.startsWith("realign-udf") || n.startsWith("spark-jobs");
  }

  /** {@code home/jars/} linking every third-party jar of the test classpath. */
  static Path fakeSparkHome(Path home) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    Set<String> names = new HashSet<>();
    for (Path p : classPath()) {
      String n = p.getFileName().toString();
      if (!Files.isRegularFile(p)
          || !n.endsWith(".jar")
          || isRealignModule(p)
          || n.contains("surefire")) {
        continue;
      }
      String link = names.add(n) ? n : names.size() + "-" + n;
      names.add(link);
      Files.createSymbolicLink(jars.resolve(link), p.toAbsolutePath());
    }
    return home;
  }

  /**
   * Packs the application as spark-submit would ship it: spark-jobs' classes and realign-udf (its
   * classes directory or jar), nothing else (the rest of the main scope is provided by Spark).
   */
  static Path packAppJar(Path jar) throws IOException {
    Set<String> seen = new HashSet<>();
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (Path p : classPath()) {
        String n = p.getFileName().toString();
        if (Files.isDirectory(p) && !n.equals("test-classes")) {
          try (Stream<Path> files = Files.walk(p)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
              add(
                  out,
                  seen,
                  p.relativize(f).toString().replace(File.separatorChar, '/'),
                  Files.readAllBytes(f));
            }
          }
        } else if (Files.isRegularFile(p) && n.endsWith(".jar") && isRealignModule(p)) {
          try (java.util.jar.JarFile in = new java.util.jar.JarFile(p.toFile())) {
            for (JarEntry e : java.util.Collections.list(in.entries())) {
              if (!e.isDirectory() && !e.getName().startsWith("META-INF/")) {
                try (InputStream s = in.getInputStream(e)) {
                  add(out, seen, e.getName(), s.readAllBytes());
                }
              }
            }
          }
        }
      }
    }
    if (!seen.contains("dev/realign/cli/RealignCommand.class")
        || !seen.contains("dev/realign/align/ReAlignTransform.class")) {
      throw new IllegalStateException(
          "The app jar " + jar + " lacks realign's classes; test class" + " path: " + classPath());
    }
    return jar;
  }

  private static void add(JarOutputStream out, Set<String> seen, String name, byte[] bytes)
      throws IOException {
    if (seen.add(name)) {
      out.putNextEntry(new JarEntry(name));
      out.write(bytes);
      out.closeEntry();
    }
  }

  static void deleteQuietly(Path p) {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
