package dev.realign.job;

/**
 * Fault injection for tests, read from JVM system properties on the driver and never from the job
 * config: a user cannot switch it on by a config file or {@code --set}, and {@code realign config}
 * does not list it. Tests set the property around one job and clear it after.
 */
final class FaultSeam {
  /** The apply task of this split fails after writing its shard. */
  static final String FAIL_APPLY_SPLIT = "realign.testing.fail_apply_split";

  /** The encode task of this split fails after writing its shard. */
  static final String FAIL_ENCODE_SPLIT = "realign.testing.fail_encode_split";

  /**
   * The first attempt of the apply task of this split waits, before it writes anything, until the
   * file {@link #HOLD_APPLY_UNTIL} names exists (at most {@link #HOLD_LIMIT_MS}): a run paused in
   * the middle of apply, holding its lease.
   */
  static final String HOLD_APPLY_SPLIT = "realign.testing.hold_apply_split";

  /** The file whose existence releases {@link #HOLD_APPLY_SPLIT}. */
  static final String HOLD_APPLY_UNTIL = "realign.testing.hold_apply_until";

  /** What a held attempt prints to stderr when it is interrupted, followed by its split. */
  static final String HELD_INTERRUPTED =
      "realign test seam: held first attempt interrupted, split ";

  /** The longest a held task waits. */
  static final long HOLD_LIMIT_MS = 120_000;

  private FaultSeam() {}

  /** The hold of {@link #HOLD_APPLY_SPLIT}: null when unset. Read on the driver. */
  static String[] hold() {
    int split = split(HOLD_APPLY_SPLIT);
    String until = System.getProperty(HOLD_APPLY_UNTIL);
    if (split < 0) {
      return null;
    }
    if (until == null || until.isBlank()) {
      throw new IllegalArgumentException(
          "Invalid system property "
              + HOLD_APPLY_UNTIL
              + ": unset (must name a file when "
              + HOLD_APPLY_SPLIT
              + " is set)");
    }
    return new String[] {Integer.toString(split), until};
  }

  /** In a task: waits as {@code hold} says when this is its split's first attempt. */
  static void await(String[] hold, int split) {
    org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
    if (hold == null
        || Integer.parseInt(hold[0]) != split
        || (task != null && task.attemptNumber() > 0)) {
      return;
    }
    java.nio.file.Path release = java.nio.file.Path.of(hold[1]);
    long end = System.currentTimeMillis() + HOLD_LIMIT_MS;
    try {
      while (!java.nio.file.Files.exists(release) && System.currentTimeMillis() < end) {
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      // Spark interrupts a losing attempt when another attempt of its task succeeded: the line
      // lets a test see in the executor's log that a speculative copy won.
      System.err.println(HELD_INTERRUPTED + split);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while held (" + HOLD_APPLY_SPLIT + ")", e);
    }
  }

  /** The split index a property names, or -1 when it is unset. */
  static int split(String property) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      return -1;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Invalid system property " + property + ": " + v + " (must be a split index)", e);
    }
  }

  static IllegalStateException injected(String shard, String property, int split) {
    return new IllegalStateException(
        "Injected failure after writing shard " + shard + " (" + property + " = " + split + ")");
  }
}
