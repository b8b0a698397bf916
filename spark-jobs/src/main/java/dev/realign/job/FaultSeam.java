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

  private FaultSeam() {}

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
