package dev.realign.job;

import dev.realign.report.ReportWarmup;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Gets hot code compiled on the core that starting Spark leaves idle (a session's start keeps about
 * one core busy for seconds), on one daemon thread at minimum priority. Only ever an optimisation:
 * failures are ignored, results are dropped, and no figure or byte depends on it.
 *
 * <ul>
 *   <li>SHA-256, which every shard and sketch is hashed with: the JDK runs its SHA-NI/AVX2 stub only
 *       from compiled code, and a multi-megabyte update is one call, so a cold JVM hashes its first
 *       few hundred megabytes at about half speed. 20,000 small updates (20 MB, about 80 ms) reach
 *       the compile threshold: measured on this project's 2-core machine, 1.7 GB/s from the first
 *       shard instead of 0.74-1.28 GB/s over the first 768 MB.
 *   <li>with {@code report}, the gap report's kernels ({@link ReportWarmup}).
 * </ul>
 */
public final class Warmups {
  private static final int DIGEST_UPDATES = 20_000;

  private Warmups() {}

  /** Starts the warm-ups; {@code report}: also the gap report's (for a run that ends with one). */
  public static void start(boolean report) {
    Thread t = new Thread(() -> run(report), "realign-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  private static void run(boolean report) {
    try {
      // The report's first: it is the longer one, and a run's apply (which hashes) comes seconds
      // after Spark's start anyway.
      if (report) {
        ReportWarmup.run();
      }
      sha256();
    } catch (RuntimeException | LinkageError e) {
      // Only an optimisation: the real work compiles what it needs itself.
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
