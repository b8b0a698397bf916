package dev.realign.udf;

import dev.realign.align.AlignmentKernel;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.TransformJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.deploy.SparkHadoopUtil;

/**
 * Transforms loaded once per JVM (driver or executor) and shared by every task and UDF instance of
 * it, keyed by path and expected sha256. Each load parses {@code realign-transform.json}, which
 * recomputes the transform's sha256 and checks it against the recorded one, and then checks it
 * against the sha256 the driver saw, so a file replaced during a job fails instead of mixing two
 * transforms in one output.
 */
final class TransformCache {
  private static final ConcurrentHashMap<String, ReAlignTransform> LOADED =
      new ConcurrentHashMap<>();

  /** How many times a file was actually read in this JVM (tests check "once per JVM"). */
  static final java.util.concurrent.atomic.AtomicInteger LOADS =
      new java.util.concurrent.atomic.AtomicInteger();

  private TransformCache() {}

  /** The kernel of the transform at {@code path}, loaded at most once per JVM. */
  static AlignmentKernel kernel(String path, String expectedSha256) {
    return transform(path, expectedSha256, null).kernel();
  }

  /**
   * @param expectedSha256 null to accept whatever verified transform the file holds
   * @param conf null: the executor's Hadoop configuration (Spark's, with spark.hadoop.* applied)
   */
  static ReAlignTransform transform(String path, String expectedSha256, Configuration conf) {
    String key = path + "#" + (expectedSha256 == null ? "" : expectedSha256);
    ReAlignTransform t = LOADED.computeIfAbsent(key, k -> load(path, expectedSha256, conf));
    // The tasks ask by (path, sha256): a driver that is also an executor (local mode) reuses this.
    LOADED.putIfAbsent(path + "#" + t.sha256(), t);
    return t;
  }

  private static ReAlignTransform load(String path, String expectedSha256, Configuration conf) {
    Configuration c =
        conf != null
            ? conf
            : SparkEnv.get() != null
                ? SparkHadoopUtil.get().newConfiguration(SparkEnv.get().conf())
                : new Configuration();
    Path p = new Path(path);
    String json;
    try {
      FileSystem fs = p.getFileSystem(c);
      try (InputStream in = fs.open(p)) {
        json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read transform " + path, e);
    }
    ReAlignTransform t;
    try {
      t = TransformJson.fromJson(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " [in " + path + "]", e);
    }
    if (expectedSha256 != null && !expectedSha256.equals(t.sha256())) {
      throw new IllegalStateException(
          "Transform sha256 mismatch in "
              + path
              + ": expected "
              + expectedSha256
              + " (what the driver loaded), actual "
              + t.sha256()
              + " (the file changed while the job ran)");
    }
    LOADS.incrementAndGet();
    return t;
  }
}
