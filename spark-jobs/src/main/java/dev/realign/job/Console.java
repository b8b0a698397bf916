package dev.realign.job;

import java.util.Locale;

/** What the user reads: results on stdout, progress on stderr, one prefix. */
public final class Console {
  private Console() {}

  public static void info(String format, Object... args) {
    System.out.println("[realign] " + String.format(Locale.ROOT, format, args));
    System.out.flush();
  }

  public static void progress(String format, Object... args) {
    System.err.println("[realign] " + String.format(Locale.ROOT, format, args));
    System.err.flush();
  }
}
