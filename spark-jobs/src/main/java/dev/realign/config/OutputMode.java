package dev.realign.config;

import java.util.Arrays;
import java.util.Locale;

/** {@code output.mode}: what a job does when its output directory already holds a run. */
public enum OutputMode {
  /** Refuse to start (the default): nothing is overwritten by accident. */
  ERROR,
  /** Delete what a run owns there (and nothing else), then start afresh. */
  OVERWRITE,
  /** Keep everything; verified shards of an earlier attempt are reused. */
  RESUME;

  /** The name in configs and on the command line. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code error}, {@code overwrite} or {@code resume} (case-insensitive). */
  public static OutputMode fromString(String text) {
    for (OutputMode m : values()) {
      if (m.id().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "Invalid output mode: "
            + text
            + " (must be one of "
            + Arrays.stream(values()).map(OutputMode::id).toList()
            + ")");
  }

  @Override
  public String toString() {
    return id();
  }
}
