package dev.realign.job;

import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.sink.AtomicFiles;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * How aligned shards reach their final names ({@code output.commit}).
 *
 * <ul>
 *   <li>{@link #RENAME}: written under a temporary name in {@code aligned/_staging/}, renamed into
 *       place by the commit. Right where a rename is atomic and cheap (local disks, HDFS).
 *   <li>{@link #DIRECT}: written once, straight under the deterministic final name; the completion
 *       record goes to {@code _staging/}, the manifest last, as the commit point. Right on object
 *       stores, where a rename is a copy plus a delete (S3) and an object appears whole when its
 *       upload completes: a retry or a speculative attempt writes the same bytes to the same key.
 * </ul>
 *
 * {@code auto} chooses by the file system's declared capability, not by its scheme: {@code
 * fs.capability.outputstream.abortable} (S3A declares it) says that a file becomes visible when its
 * stream is closed, all at once, as on an object store. Stores whose connector does not declare it
 * (the GCS connector) can be set to {@code direct} by hand.
 */
enum CommitPlan {
  RENAME,
  DIRECT;

  static CommitPlan of(FileSystem fs, Path dir, PipelineConfig config) {
    String v = config.get(ConfigKeys.OUTPUT_COMMIT);
    return switch (v) {
      case "rename" -> RENAME;
      case "direct" -> DIRECT;
      default -> declared(fs, dir);
    };
  }

  /** The plan {@code auto} picks for {@code dir}. */
  static CommitPlan declared(FileSystem fs, Path dir) {
    return AtomicFiles.visibleWholeOnClose(fs, dir) ? DIRECT : RENAME;
  }
}
