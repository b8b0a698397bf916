package dev.realign.cli;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * {@code -Drealign.startup.log=true}: prints the JVM's uptime at each phase of a command (main
 * entered, config resolved, Spark started, command done, Spark stopped) to stderr, for the start-up
 * table in docs/benchmarks.md. Off by default: reading the uptime loads JMX.
 */
final class StartupLog {
  private static final boolean ON = Boolean.getBoolean("realign.startup.log");

  private StartupLog() {}

  static void mark(String phase) {
    if (ON) {
      System.err.printf(
          Locale.ROOT,
          "[realign] startup: %-16s at %6d ms of JVM uptime%n",
          phase,
          ManagementFactory.getRuntimeMXBean().getUptime());
    }
  }
}
