package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.config.OutputMode;
import dev.realign.io.Npy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per output directory on local disk: refused overlaps, takeover of a stale lease. */
class OutputLeaseTest {
  static final int D = 16;
  static final long TIMEOUT_MS = 600_000;
  static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.start();
    Npy.write(dir.resolve("texts.npy"), PipelineFixture.randomRows(5, 800, D, 1.0), 800, D);
    Npy.write(dir.resolve("images.npy"), PipelineFixture.randomRows(6, 300, D, -1.0), 300, D);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static FileSystem fs() throws Exception {
    return FileSystem.getLocal(new Configuration());
  }

  static org.apache.hadoop.fs.Path hadoop(Path p) {
    return new org.apache.hadoop.fs.Path(p.toUri());
  }

  static void run(Path out, String... kv) {
    PipelineFixture.run(
        spark,
        PipelineFixture.config(dir.resolve("texts.npy"), dir.resolve("images.npy"), out, kv));
  }

  @Test
  void aSecondRunOnAnOutputBeingWrittenIsRefusedBeforeItWritesAnything() throws Exception {
    Path out = dir.resolve("overlap");
    try (OutputLease first =
        OutputLease.acquire(
            fs(), hadoop(out), "application_A_0001", OutputMode.ERROR, TIMEOUT_MS)) {
      for (String mode : List.of("error", "overwrite", "resume")) {
        assertThatThrownBy(() -> run(out, "output.mode", mode))
            .as(mode)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageStartingWith(
                "Output directory "
                    + out
                    + " is being written by another run: application application_A_0001 on ")
            .hasMessageContaining("last heartbeat 0 s ago")
            .hasMessageContaining("wait for it to finish");
        try (var files = Files.list(out)) {
          assertThat(files.map(p -> p.getFileName().toString())).containsExactly(OutputLease.NAME);
        }
      }
    }
    assertThat(out.resolve(OutputLease.NAME)).as("released").doesNotExist();
    run(out); // once the first run is gone the output is free
    assertThat(out.resolve("aligned/_manifest.json")).exists();
    assertThat(out.resolve(OutputLease.NAME)).doesNotExist();
  }

  /**
   * Two full runs on one output: the first (a forked {@code realign run}) is held in apply by the
   * fault seam, its lease taken and one shard staged; a second run is refused, naming the first's
   * application, and changes no file; released, the first commits normally.
   */
  @Test
  void aSecondFullRunWhileTheFirstIsInApplyIsRefusedAndTheFirstCommits() throws Exception {
    Path out = dir.resolve("two-runs");
    Path release = dir.resolve("release-first-run");
    ForkedCli cli = new ForkedCli(Files.createDirectories(dir.resolve("forked")));
    Process first =
        cli.start(
            "first",
            List.of(
                "-D" + FaultSeam.HOLD_APPLY_SPLIT + "=0",
                "-D" + FaultSeam.HOLD_APPLY_UNTIL + "=" + release),
            ForkedCli.runArgs(dir, out, 2, "--master", "local[2]"));
    try {
      // Split 1's shard is staged while split 0's first attempt is held: the run is mid-apply.
      Path staged = out.resolve("aligned/_staging/part-00001-of-00002.parquet.done.json");
      long end = System.nanoTime() + ForkedCli.RUN_TIMEOUT_SECONDS * 1_000_000_000L;
      while (!Files.exists(staged) && first.isAlive() && System.nanoTime() < end) {
        Thread.sleep(100);
      }
      assertThat(first.isAlive())
          .as("first run alive and held in apply; log:%n%s", tailOf(cli))
          .isTrue();
      assertThat(staged).exists();
      String holder =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(Files.readString(out.resolve(OutputLease.NAME)))
              .path("application_id")
              .asText();
      assertThat(holder).startsWith("local-");
      java.util.Map<String, String> before = files(out);
      assertThatThrownBy(() -> run(out))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(
              "Output directory "
                  + out
                  + " is being written by another run: application "
                  + holder
                  + " on ");
      assertThat(files(out)).as("files after the refused run").isEqualTo(before);
      Files.createFile(release);
      assertThat(
              first.waitFor(ForkedCli.RUN_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS))
          .as("first run finished")
          .isTrue();
      assertThat(first.exitValue()).as("first run's exit code; log:%n%s", tailOf(cli)).isZero();
    } finally {
      if (!Files.exists(release)) {
        Files.createFile(release);
      }
      first.destroyForcibly().waitFor();
    }
    assertThat(out.resolve(OutputLease.NAME)).as("released").doesNotExist();
    assertThat(out.resolve("aligned/_staging")).doesNotExist();
    dev.realign.sink.ShardManifest m = PipelineFixture.manifest(out);
    assertThat(m.shards()).hasSize(2);
    for (dev.realign.sink.ShardInfo shard : m.shards()) {
      assertThat(sha256(out.resolve("aligned").resolve(shard.name())))
          .as(shard.name())
          .isEqualTo(shard.sha256());
    }
  }

  static String tailOf(ForkedCli cli) throws java.io.IOException {
    Path log = cli.log("first");
    return Files.exists(log) ? ForkedCli.tail(Files.readString(log)) : "(no log)";
  }

  /** Relative path -> SHA-256 of every file under {@code root} but the lease (its heartbeat). */
  static java.util.Map<String, String> files(Path root) throws Exception {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    try (var walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        if (!p.getFileName().toString().startsWith(OutputLease.NAME)) {
          out.put(root.relativize(p).toString(), sha256(p));
        }
      }
    }
    return out;
  }

  static String sha256(Path p) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  @Test
  void aLeaseWhoseHeartbeatStoppedIsTakenOverByResumeOnly() throws Exception {
    Path out = Files.createDirectories(dir.resolve("stale"));
    long hourAgo = System.currentTimeMillis() - 3_600_000L;
    Files.writeString(
        out.resolve(OutputLease.NAME),
        "{\"token\":\"t-zombie\",\"application_id\":\"application_Z_0007\",\"host\":\"h1\","
            + "\"started\":\"2026-01-01T00:00:00Z\",\"heartbeat_epoch_ms\":"
            + hourAgo
            + "}",
        StandardCharsets.UTF_8);
    assertThatThrownBy(() -> run(out))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("application application_Z_0007 on h1")
        .hasMessageFindingMatch("last heartbeat 36[0-9][0-9] s ago")
        .hasMessageContaining(
            "its heartbeat stopped more than output.lease_timeout_seconds (120 s) ago: rerun"
                + " with --mode resume to take it over");
    assertThat(out.resolve("aligned")).doesNotExist();
    run(out, "output.mode", "resume");
    assertThat(out.resolve("aligned/_manifest.json")).exists();
    assertThat(out.resolve(OutputLease.NAME)).doesNotExist();
    // A short timeout in the config: a lease 20 s old is stale to it.
    Files.writeString(
        out.resolve(OutputLease.NAME),
        "{\"token\":\"t2\",\"application_id\":\"application_Z_0008\",\"heartbeat_epoch_ms\":"
            + (System.currentTimeMillis() - 20_000)
            + "}",
        StandardCharsets.UTF_8);
    assertThatThrownBy(
            () -> run(out, "output.mode", "resume", "output.lease_timeout_seconds", "60"))
        .hasMessageContaining("application_Z_0008");
    run(out, "output.mode", "resume", "output.lease_timeout_seconds", "10");
    assertThat(out.resolve(OutputLease.NAME)).doesNotExist();
  }

  @Test
  void ofRacingTakersExactlyOneGetsTheLeaseAndItsHeartbeatIsRenewed() throws Exception {
    org.apache.hadoop.fs.Path out = hadoop(dir.resolve("race"));
    int takers = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(takers);
    List<Future<OutputLease>> tries = new ArrayList<>();
    for (int i = 0; i < takers; i++) {
      String app = "application_R_000" + i;
      Callable<OutputLease> take =
          () -> {
            go.await();
            try {
              return OutputLease.acquire(fs(), out, app, OutputMode.RESUME, 5_000);
            } catch (IllegalStateException refused) {
              return null;
            }
          };
      tries.add(pool.submit(take));
    }
    go.countDown();
    List<OutputLease> won = new ArrayList<>();
    for (Future<OutputLease> f : tries) {
      if (f.get() != null) {
        won.add(f.get());
      }
    }
    pool.shutdown();
    assertThat(won).hasSize(1);
    Path lease = dir.resolve("race").resolve(OutputLease.NAME);
    String before = Files.readString(lease);
    // The heartbeat is renewed every fifth of the timeout (1 s here). A renewal rewrites the file
    // in place, so a read may catch it empty or half written (a taker that reads such a lease
    // treats it as held, from its modification time): wait for a whole renewed record.
    long deadline = System.currentTimeMillis() + 10_000;
    String now = Files.readString(lease);
    while ((now.equals(before) || !now.trim().endsWith("}"))
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      now = Files.readString(lease);
    }
    assertThat(now).isNotEqualTo(before).contains("heartbeat_epoch_ms");
    won.get(0).close();
    assertThat(lease).doesNotExist();
  }
}
