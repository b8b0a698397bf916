package dev.realign.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * What made a dataset: realign's version and the git commit it was built from (recorded at build
 * time in the resource {@code realign-build.properties}: the Maven build writes it in
 * generate-resources, "unknown" outside a git checkout), and the Spark, Scala and Java versions it
 * runs on. {@code realign --version} prints it; {@code _manifest.json} and {@code report.json}
 * carry it as the top-level object {@code created_by}.
 */
public final class BuildInfo {
  private BuildInfo() {}

  public static final String RESOURCE = "/realign-build.properties";
  public static final String UNKNOWN = "unknown";
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  /** The build's own fields, read once: version, git_commit, git_dirty. */
  private static final Map<String, String> BUILD = read();

  private static Map<String, String> read() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Unreadable build resource " + RESOURCE, e);
    }
    Map<String, String> m = new LinkedHashMap<>();
    m.put("version", clean(p.getProperty("version")));
    String commit = clean(p.getProperty("git_commit"));
    // Outside git the build records "unknown" (or whatever git printed): only a full hash counts.
    m.put("git_commit", COMMIT.matcher(commit).matches() ? commit : UNKNOWN);
    String dirty = clean(p.getProperty("git_dirty"));
    m.put("git_dirty", m.get("git_commit").equals(UNKNOWN) ? UNKNOWN : dirty);
    return Collections.unmodifiableMap(m);
  }

  private static String clean(String s) {
    return s == null || s.isBlank() || s.startsWith("${") ? UNKNOWN : s.strip();
  }

  public static String version() {
    return BUILD.get("version");
  }

  public static String gitCommit() {
    return BUILD.get("git_commit");
  }

  /**
   * The {@code created_by} object: name, version, git_commit, git_dirty ("true" when the build's
   * working tree had uncommitted changes to tracked files), spark, scala, java (the versions this
   * JVM runs: under spark-submit, the cluster's Spark).
   */
  public static Map<String, String> createdBy() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("name", "realign");
    m.putAll(BUILD);
    m.put("spark", sparkVersion());
    m.put("scala", scala.util.Properties.versionNumberString());
    m.put(
        "java",
        System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
    return Collections.unmodifiableMap(m);
  }

  /** What {@code realign --version} prints: three lines. */
  public static String versionText() {
    Map<String, String> c = createdBy();
    String dirty = c.get("git_dirty").equals("true") ? " (uncommitted changes)" : "";
    return "realign "
        + c.get("version")
        + "\n"
        + "git commit "
        + c.get("git_commit")
        + dirty
        + "\n"
        + "Spark "
        + c.get("spark")
        + ", Scala "
        + c.get("scala")
        + ", Java "
        + c.get("java")
        + "\n";
  }

  private static String sparkVersion() {
    try {
      return org.apache.spark.package$.MODULE$.SPARK_VERSION();
    } catch (LinkageError e) {
      return UNKNOWN; // Spark not on the classpath (it is `provided` in the cluster jar)
    }
  }
}
