package dev.realign.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code realign run} on a real multi-process standalone cluster (a Master and 2 Workers of 1 core,
 * each a separate JVM on 127.0.0.1; drivers in client mode in their own JVMs) against a {@code
 * local[1]} run of the same inputs, compared file by file (SHA-256 of every file of the output:
 * transform, sketches, summary, every shard and the manifest):
 *
 * <ol>
 *   <li>a plain cluster run gives the same bytes;
 *   <li>an executor JVM killed by PID (SIGKILL) while apply runs: the job completes, same bytes;
 *   <li>the driver JVM killed by PID while apply runs: no manifest; a rerun with {@code --mode
 *       resume} completes, keeps the staged shards and gives the same bytes;
 *   <li>{@code spark.speculation=true} with one apply task held: a speculative copy wins, same
 *       bytes.
 * </ol>
 *
 * 200,000 text rows (4 .npy files) and 50,000 image rows at d = 256, 8 splits.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StandaloneClusterTest {
  static final int D = 256;
  static final int TEXT_FILES = 4;
  static final int TEXT_ROWS_PER_FILE = 50_000;
  static final int IMAGE_FILES = 2;
  static final int IMAGE_ROWS_PER_FILE = 25_000;
  static final int PARTITIONS = 8;
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

  @TempDir static Path dir;
  static LocalStandaloneCluster cluster;
  static Map<String, String> reference;
  static Process plainRun;
  static long start;

  @BeforeAll
  static void setUp() throws Exception {
    start = System.nanoTime();
    writeInputs();
    cluster = new LocalStandaloneCluster(dir.resolve("cluster"));
    Process local = cluster.driver("driver-local", "local[1]", args(dir.resolve("local")));
    cluster.start(2, Duration.ofSeconds(90));
    log("cluster up at %s", cluster.masterUrl());
    // The plain cluster run of (a) overlaps the end of the local one: it only needs the cluster.
    plainRun =
        cluster.driver("driver-plain", cluster.masterUrl(), args(dir.resolve("cluster-plain")));
    awaitSuccess(local, "driver-local");
    reference = tree(dir.resolve("local"));
    assertThat(reference)
        .containsKeys(
            "realign-transform.json", "aligned/_manifest.json", shard(0), shard(PARTITIONS - 1));
    log("local[1] reference done: %d files", reference.size());
  }

  @AfterAll
  static void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
    log("all processes stopped");
  }

  @Test
  @Order(1)
  void aClusterRunGivesTheBytesOfALocalRun() throws Exception {
    Path out = dir.resolve("cluster-plain");
    awaitSuccess(plainRun, "driver-plain");
    assertThat(tree(out)).isEqualTo(reference);
    log(
        "(a) cluster run == local[1] run: %d files, transform sha256 %s",
        reference.size(), reference.get("realign-transform.json"));
  }

  @Test
  @Order(2)
  void anExecutorKilledDuringApplyChangesNothing() throws Exception {
    Path out = dir.resolve("executor-killed");
    Path staging = out.resolve("aligned/_staging");
    Process driver = cluster.driver("driver-executor-killed", cluster.masterUrl(), args(out));
    awaitCondition(
        () -> done(staging).size() >= 1 || !driver.isAlive(),
        "apply to start",
        "driver-executor-killed");
    assertThat(driver.isAlive()).as("driver alive when apply started").isTrue();
    assertThat(cluster.executors()).hasSize(2);
    // The victim is an executor in the middle of an apply task (its own log says so).
    ProcessHandle[] victim = new ProcessHandle[1];
    awaitCondition(
        () -> {
          for (ProcessHandle e : cluster.executors()) {
            if (!cluster.runningTasks(e).isEmpty()) {
              victim[0] = e;
              return true;
            }
          }
          return !driver.isAlive();
        },
        "an executor running an apply task",
        "driver-executor-killed");
    assertThat(victim[0]).as("an executor running an apply task").isNotNull();
    Set<String> tasks = cluster.runningTasks(victim[0]);
    int doneAtKill = done(staging).size();
    LocalStandaloneCluster.kill(victim[0]);
    log(
        "(b) killed executor pid %d running task(s) TID %s during apply (%d of %d shards"
            + " staged); executors now %s",
        victim[0].pid(),
        tasks,
        doneAtKill,
        PARTITIONS,
        cluster.executors().stream().map(ProcessHandle::pid).toList());
    assertThat(doneAtKill).isLessThan(PARTITIONS);

    awaitSuccess(driver, "driver-executor-killed");
    String driverLog = Files.readString(cluster.log("driver-executor-killed"));
    // The driver saw the executor die mid-job. Whether Spark also logs the running task as an
    // ExecutorLostFailure depends on whether that task had just finished when the kill landed
    // (seen both ways here); either way its work is redone: lost results (the persisted shard
    // records of that executor) are recomputed, and the bytes below must not change.
    assertThat(driverLog).contains("Lost executor");
    driverLog
        .lines()
        .filter(l -> l.contains("Lost executor") || l.contains("Lost task"))
        .forEach(l -> log("    driver: %s", l));
    assertThat(tree(out)).isEqualTo(reference);
    log("(b) output == local[1] run");
  }

  static final long LEASE_TIMEOUT_MS = 5_000;

  @Test
  @Order(3)
  void aDriverKilledDuringApplyResumesToTheSameBytes() throws Exception {
    Path out = dir.resolve("driver-killed");
    Path staging = out.resolve("aligned/_staging");
    Process driver = cluster.driver("driver-killed", cluster.masterUrl(), args(out));
    awaitCondition(
        () -> done(staging).size() >= 2 || !driver.isAlive(), "two staged shards", "driver-killed");
    assertThat(driver.isAlive()).as("driver alive when two shards were staged").isTrue();
    long pid = driver.pid();
    LocalStandaloneCluster.kill(driver.toHandle());
    long killed = System.nanoTime();
    log(
        "(c) killed driver pid %d with %d of %d shards staged",
        pid, done(staging).size(), PARTITIONS);
    // The master removes the application and the workers stop its executors.
    cluster.awaitNoExecutors(Duration.ofSeconds(60));
    assertThat(out.resolve("aligned/_manifest.json")).doesNotExist();
    Map<String, Long> staged = new TreeMap<>();
    for (String name : done(staging)) {
      staged.put(name, Files.getLastModifiedTime(staging.resolve(name)).toMillis());
    }
    log("(c) after the executors stopped: %d shards staged, no manifest", staged.size());
    assertThat(staged.size()).isBetween(2, PARTITIONS - 1);

    // The killed driver's lease (OUTPUT/_realign.lease) stays behind: resume takes it over once
    // its heartbeat is older than output.lease_timeout_seconds (5 s here, 120 s by default).
    long waitMs = LEASE_TIMEOUT_MS + 500 - (System.nanoTime() - killed) / 1_000_000;
    if (waitMs > 0) {
      Thread.sleep(waitMs);
    }
    List<String> resume = new ArrayList<>(args(out));
    resume.addAll(
        List.of(
            "--mode",
            "resume",
            "--set",
            "output.lease_timeout_seconds=" + LEASE_TIMEOUT_MS / 1000));
    Process rerun = cluster.driver("driver-resumed", cluster.masterUrl(), resume);
    awaitSuccess(rerun, "driver-resumed");
    assertThat(tree(out)).isEqualTo(reference);
    // The shards staged before the kill were verified and kept, not rewritten.
    for (Map.Entry<String, Long> e : staged.entrySet()) {
      assertThat(Files.getLastModifiedTime(out.resolve("aligned").resolve(e.getKey())).toMillis())
          .as("mtime of kept shard %s", e.getKey())
          .isEqualTo(e.getValue());
    }
    log("(c) resume == local[1] run; %d staged shards kept unchanged", staged.size());
  }

  /**
   * {@code spark.speculation=true}: the first attempt of apply split 0 is held (the fault seam),
   * Spark starts a speculative copy on the other worker (its own loopback address), the copy wins,
   * the held attempt is interrupted, and the output has the bytes of the local run.
   */
  @Test
  @Order(4)
  void aSpeculativeAttemptWinsAndTheBytesAreTheSame() throws Exception {
    Path out = dir.resolve("speculation");
    long t0 = System.nanoTime();
    Process driver =
        cluster.driver(
            "driver-speculation",
            cluster.masterUrl(),
            args(out),
            List.of(
                "-Dspark.speculation=true",
                "-Dspark.speculation.interval=100ms",
                "-Dspark.speculation.quantile=0.5",
                "-Dspark.speculation.multiplier=1.5",
                "-Dspark.speculation.minTaskRuntime=500ms",
                "-Drealign.testing.hold_apply_split=0",
                "-Drealign.testing.hold_apply_until=" + dir.resolve("never-released")));
    awaitSuccess(driver, "driver-speculation");
    double seconds = (System.nanoTime() - t0) / 1e9;
    // The held attempt waits up to 120 s unless it is interrupted: Spark does that when another
    // attempt of the task succeeded. Its executor says so in its stderr.
    List<String> interrupted = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      try (Stream<Path> files = Files.walk(cluster.workDir(w))) {
        for (Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
          Files.readAllLines(f).stream()
              .filter(l -> l.contains("held first attempt interrupted, split 0"))
              .forEach(l -> interrupted.add(f + ": " + l));
        }
      }
    }
    assertThat(interrupted)
        .as("the held first attempt of split 0 interrupted (a speculative copy won)")
        .isNotEmpty();
    assertThat(seconds).as("run time (s), below the 120 s hold").isLessThan(110);
    assertThat(tree(out)).isEqualTo(reference);
    log("(d) speculation: %s; run %.1f s; output == local[1] run", interrupted.get(0), seconds);
  }

  static List<String> args(Path out) {
    return List.of(
        "--text-embeddings",
        dir.resolve("texts").toString(),
        "--image-embeddings",
        dir.resolve("images").toString(),
        "--output",
        out.toString(),
        "--partitions",
        Integer.toString(PARTITIONS),
        "--set",
        "progress.interval_seconds=2",
        // The gap report holds timings and non-reproducible spectra (docs/design.md section 3): it
        // has tests of its own, and the bytes compared here are the dataset's.
        "--set",
        "report.in_run=false");
  }

  static String shard(int k) {
    return String.format("aligned/part-%05d-of-%05d.parquet", k, PARTITIONS);
  }

  /** Two offset clouds, deterministic: texts around +e_0, images around -e_1. */
  static void writeInputs() throws IOException {
    writeModality(dir.resolve("texts"), "texts", TEXT_FILES, TEXT_ROWS_PER_FILE, 0, 1.0, 11);
    writeModality(dir.resolve("images"), "images", IMAGE_FILES, IMAGE_ROWS_PER_FILE, 1, -1.0, 23);
    log(
        "inputs written: %,d text and %,d image rows at d = %d",
        TEXT_FILES * TEXT_ROWS_PER_FILE, IMAGE_FILES * IMAGE_ROWS_PER_FILE, D);
  }

  private static void writeModality(
      Path folder, String stem, int files, int rows, int axis, double offset, long seed)
      throws IOException {
    Files.createDirectories(folder);
    for (int f = 0; f < files; f++) {
      SplittableRandom r = new SplittableRandom(seed * 1000 + f);
      float[] data = new float[rows * D];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < D; j++) {
          data[i * D + j] = (float) ((j == axis ? offset : 0.0) + r.nextDouble() - 0.5);
        }
      }
      Npy.write(folder.resolve(String.format("%s-%02d.npy", stem, f)), data, rows, D);
    }
  }

  /** Names of the staged shards whose completion record exists. */
  static List<String> done(Path staging) {
    if (!Files.isDirectory(staging)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(staging)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".done.json"))
          .map(n -> n.substring(0, n.length() - ".done.json".length()))
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of(); // the staging folder went away (committed) while listing
    }
  }

  static void awaitCondition(BooleanSupplier condition, String what, String driverLog)
      throws InterruptedException {
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "Timed out waiting for " + what + "; driver log:\n" + cluster.tail(driverLog, 40));
      }
      Thread.sleep(20);
    }
  }

  static void awaitSuccess(Process p, String name) throws InterruptedException {
    if (!p.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError(
          name + " did not finish within " + RUN_TIMEOUT + "; log:\n" + cluster.tail(name, 60));
    }
    assertThat(p.exitValue())
        .as("exit code of %s; log:%n%s", name, cluster.tail(name, 60))
        .isZero();
    log("%s finished", name);
  }

  /** Relative path -> SHA-256 of every file of an output, except hidden ones (.crc, temps). */
  static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        if (!p.getFileName().toString().startsWith(".")) {
          out.put(root.relativize(p).toString(), sha256(p));
        }
      }
    }
    return out;
  }

  static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void log(String format, Object... args) {
    System.out.printf(
        "[cluster-test %6.1f s] %s%n",
        (System.nanoTime() - start) / 1e9, String.format(format, args));
  }
}
