package dev.realign.job;

import dev.realign.report.ReportInputs;
import dev.realign.report.ReportOptions;
import dev.realign.report.ReportWarmup;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Gets hot code compiled on the core that starting Spark leaves idle (Spark's start keeps about one
 * core busy for seconds), on one daemon thread at minimum priority, in this order. Only ever an
 * optimisation: failures are ignored, results are dropped, and no figure or byte depends on it.
 *
 * <ul>
 *   <li>for the commands that read embedding rows, the per-row code of the stats, centroid, apply
 *       and copy passes ({@link PassWarmup}): the kernels are Vector API code, which runs as slow
 *       generic Java until C2 has compiled it, so the first tasks of a pass ran at about half speed
 *       on a cold JVM. Measured on 200,000 x 1280 rows in 4 splits, local[2]: without it the apply
 *       stage's first two tasks used 0.84-1.15 s of CPU for 256 MB each and the next two 0.47 s;
 *       with it, 0.51-0.60 s and 0.47 s.
 *   <li>for a run that ends with a gap report, the report's kernels ({@link ReportWarmup}), with
 *       that report's options, in rounds until they stop getting faster (or Spark has started).
 *   <li>SHA-256, which every shard and sketch is hashed with: the JDK runs its SHA-NI/AVX2 stub
 *       only from compiled code, and a multi-megabyte update is one call, so a cold JVM hashes its
 *       first few hundred megabytes at about half speed. 20,000 small updates (20 MB, about 80 ms)
 *       reach the compile threshold: measured on this project's 2-core machine, 1.7 GB/s from the
 *       first shard instead of 0.74-1.28 GB/s over the first 768 MB.
 * </ul>
 *
 * <p>{@code -Drealign.warmup.log=true} prints the row-kernel warm-up's rounds and the report
 * warm-up's time (and its report's phases) to stderr. They run only on inputs big enough to gain
 * from them ({@link #start}); {@code -Drealign.warmup=false} turns every warm-up off, {@code
 * -Drealign.warmup=true} on whatever the size.
 */
public final class Warmups {
  private static final int DIGEST_UPDATES = 20_000;

  private Warmups() {}

  /** Which passes' per-row code a command runs, so which to warm up. */
  public enum Rows {
    /** None (encode, report). */
    NONE,
    /** The copy pass's: read rows and write them unchanged. */
    COPY,
    /** The stats, centroid and apply passes' (and copy's write). */
    PASSES
  }

  /**
   * Embedding bytes (rows x dim x 4, both modalities) below which the report's warm-up does not
   * run. Where the warm-ups were measured together (the passes', SHA-256 and no report; local[2],
   * report off, d = 1280, alternated) they cost more than they saved at 10,000 rows a modality (98
   * MB: 3.97-5.06 s with them, 3.80-4.59 s without) and saved at 50,000 (490 MB: 4.37-5.04 s
   * against 4.83-5.74 s); the report's warm-up takes the bound between, not measured on its own.
   */
  static final long REPORT_MIN_EMBEDDING_BYTES = 256L << 20;

  /**
   * Starts the warm-ups; {@code report}: null, or the options of the gap report the command ends
   * with (its warm-up runs with them); {@code inputs}: what the command reads (the passes' and
   * SHA-256's warm-ups run only for {@linkplain InputPlans#large large} inputs, the report's from
   * {@link #REPORT_MIN_EMBEDDING_BYTES}); {@code localMaster}: whether the tasks run in this JVM
   * (else only the report's warm-up, which runs on the driver, is of use). None with {@code
   * -Drealign.warmup=false} (for measuring what they save), all of them whatever the size with
   * {@code -Drealign.warmup=true}.
   */
  public static void start(
      Rows rows, ReportOptions report, InputPlans inputs, boolean localMaster) {
    String mode = System.getProperty("realign.warmup", "auto");
    if (mode.equals("false")) {
      return;
    }
    boolean always = mode.equals("true");
    boolean passes = localMaster && (always || inputs.large());
    long bytes = inputs.embeddingBytes();
    ReportOptions reportWarmup =
        always || bytes < 0 || bytes >= REPORT_MIN_EMBEDDING_BYTES ? report : null;
    if (!passes && reportWarmup == null) {
      return;
    }
    Rows passRows = passes ? rows : Rows.NONE;
    Thread t = new Thread(() -> run(passRows, reportWarmup, passes), "realign-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  private static void run(Rows rows, ReportOptions report, boolean hashing) {
    try {
      // The passes' code first: the stats pass is the first thing a job runs. (Measured on a
      // 200k-row run, 6 runs each: the report's warm-up first made the stats pass slower and the
      // run 0.6 s longer on average, and the report no faster.)
      if (rows != Rows.NONE) {
        PassWarmup.run(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")), rows);
      }
      if (report != null) {
        reportRounds(report);
      }
      if (hashing) {
        sha256();
      }
    } catch (IOException | RuntimeException | LinkageError e) {
      // Only an optimisation: the real work compiles what it needs itself.
    }
  }

  /**
   * Rounds of the report warm-up: until a round is no faster than 4/5 of the one before, at least
   * {@link #REPORT_MIN_ROUNDS} and at most {@link #REPORT_MAX_ROUNDS}. One round was not enough
   * with the launcher's raised C2 thresholds: in a 200k-row run, -XX:+PrintCompilation showed the
   * scorer's tile loop, the neighbour searches, the 2-D view and the derived scores reaching C2
   * during the real report, and the compiler threads took 0.31-0.37 s of CPU inside it (0.16-0.21 s
   * with the rounds). Measured on 2 cores with the launcher's flags: rounds of 1,100, 250, 180, 160
   * and 140 ms; the first report after them (10,000 rows a modality of the 200k demo, d = 1280)
   * used 1.29 s of CPU, against 2.15 s after one round and 1.1 s fully warm.
   */
  private static final int REPORT_MIN_ROUNDS = 2;

  private static final int REPORT_MAX_ROUNDS = 6;

  /**
   * Set once Spark has started: the report warm-up then runs no further round, which would compete
   * with the job's first tasks for the cores (on this project's 2-core machine its rounds end about
   * half a second before Spark is ready).
   */
  private static volatile boolean sparkStarted;

  /** Tells the warm-ups that Spark has started (the job's tasks are about to run). */
  public static void sparkStarted() {
    sparkStarted = true;
  }

  private static void reportRounds(ReportOptions options) {
    ReportInputs in = ReportWarmup.inputs(options);
    long previous = Long.MAX_VALUE;
    for (int round = 0; round < REPORT_MAX_ROUNDS; round++) {
      long t0 = System.nanoTime();
      dev.realign.report.GapReport r = ReportWarmup.run(in);
      long took = System.nanoTime() - t0;
      if (Boolean.getBoolean("realign.warmup.log")) {
        System.err.printf(
            java.util.Locale.ROOT,
            "[realign] report warm-up round %d: %.0f ms %s%n",
            round,
            took / 1e6,
            r.timingsMillis());
      }
      if (round + 1 >= REPORT_MIN_ROUNDS && took > previous * 4 / 5) {
        return; // no longer getting faster: compiled
      }
      if (sparkStarted) {
        return;
      }
      previous = took;
    }
  }

  static byte[] sha256() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] block = new byte[1024];
      for (int i = 0; i < DIGEST_UPDATES; i++) {
        block[0] = (byte) i;
        md.update(block, 0, block.length);
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
