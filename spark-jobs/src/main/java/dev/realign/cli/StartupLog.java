package dev.realign.cli;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * {@code -Drealign.startup.log=true}: prints the JVM's uptime at each phase of a command (main
 * entered, config resolved, inputs planned, Spark started, command done, Spark stopped), whether
 * the Vector API kernels ran and which local file system wrote the output, to stderr, for the
 * start-up table in docs/benchmarks.md. Off by default: reading the uptime loads JMX.
 */
final class StartupLog {
  private static final boolean ON = Boolean.getBoolean("realign.startup.log");

  private StartupLog() {}

  /**
   * Prints which kernels the command ran ({@code VectorSupport.ENABLED} for the passes' rows,
   * {@code METRICS} for the report's samples), read after the command so that it shows the choice
   * the kernels actually made.
   */
  static void kernels() {
    if (ON) {
      System.err.printf(
          Locale.ROOT,
          "[realign] startup: vector kernels %s (rows), %s (metrics)%n",
          dev.realign.vector.VectorSupport.ENABLED ? "on" : "off",
          dev.realign.vector.VectorSupport.METRICS ? "on" : "off");
    }
  }

  /**
   * Prints the class of the process's cached {@code file:} file system (the one its local files
   * went through; looking it up makes one if none was), which shows whether {@code
   * NioLocalFileSystem} took effect.
   */
  static void localFileSystem() {
    if (ON) {
      String name;
      try {
        name =
            org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration())
                .getClass()
                .getName();
      } catch (java.io.IOException e) {
        name = "unavailable (" + e.getMessage() + ")";
      }
      System.err.printf(Locale.ROOT, "[realign] startup: local file system %s%n", name);
    }
  }

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
