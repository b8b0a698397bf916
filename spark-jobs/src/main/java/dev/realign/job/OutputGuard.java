package dev.realign.job;

import dev.realign.sink.OutputLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Applies {@code output.mode} before any work: {@code error} refuses an output directory that
 * already holds a run, {@code overwrite} deletes what a run owns there (and nothing else), and
 * {@code resume} keeps everything so verified shards can be reused.
 *
 * <p>Its checks and actions are not atomic on their own: every job calls it while holding the
 * output's {@link OutputLease} (taken create-only first), so only one run at a time gets here.
 */
public final class OutputGuard {
  private OutputGuard() {}

  /**
   * The same rules for a directory of shards (the {@code encode} command's output): it "holds a
   * run" when it has a manifest, shards, a staging area or rejected rows.
   */
  public static void prepareShardDir(FileSystem fs, Path dir, String mode) {
    requireMode(mode);
    try {
      List<Path> owned = new ArrayList<>();
      if (fs.exists(dir)) {
        for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(dir)) {
          String n = st.getPath().getName();
          if (n.equals("_manifest.json")
              || n.equals("_staging")
              || n.equals("rejected")
              || n.startsWith("part-")) {
            owned.add(st.getPath());
          }
        }
      }
      if (mode.equals("error") && !owned.isEmpty()) {
        throw new IllegalArgumentException(
            "Output directory "
                + dir
                + " already holds shards"
                + " (found "
                + owned.get(0).getName()
                + "); set output.mode (--mode) to overwrite to"
                + " replace them or to resume to continue");
      }
      if (mode.equals("overwrite")) {
        for (Path p : owned) {
          fs.delete(p, true);
        }
      }
      fs.mkdirs(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare output directory " + dir, e);
    }
  }

  /**
   * The same rules for one file a stage writes whole (the {@code fit} command's transform): {@code
   * error} refuses an existing one; {@code overwrite} and {@code resume} let the stage replace it
   * atomically (a fit is deterministic: a resumed fit writes the same bytes).
   */
  public static void prepareFile(FileSystem fs, Path file, String mode) {
    requireMode(mode);
    try {
      if (mode.equals("error") && fs.exists(file)) {
        throw new IllegalArgumentException(
            "Output file "
                + file
                + " already exists; set"
                + " output.mode (--mode) to overwrite to replace it");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check output file " + file, e);
    }
  }

  private static void requireMode(String mode) {
    if (!List.of("error", "overwrite", "resume").contains(mode)) {
      throw new IllegalArgumentException(
          "Invalid value for output.mode: "
              + mode
              + " (must be one of [error, overwrite, resume])");
    }
  }

  public static void prepare(FileSystem fs, OutputLayout layout, String mode) {
    List<String> found = new ArrayList<>();
    try {
      for (String child : OutputLayout.OWNED) {
        if (fs.exists(new Path(layout.rootPath(), child))) {
          found.add(child);
        }
      }
      switch (mode) {
        case "error" -> {
          if (!found.isEmpty()) {
            throw new IllegalArgumentException(
                "Output directory "
                    + layout.root()
                    + " already holds a realign run (found "
                    + String.join(", ", found)
                    + "); set output.mode (--mode) to overwrite to replace it or to resume to"
                    + " continue it");
          }
        }
        case "overwrite" -> {
          for (String child : found) {
            fs.delete(new Path(layout.rootPath(), child), true);
          }
        }
        case "resume" -> {}
        default ->
            throw new IllegalArgumentException(
                "Invalid value for output.mode: "
                    + mode
                    + " (must be one of [error, overwrite, resume])");
      }
      fs.mkdirs(layout.rootPath());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare output directory " + layout.root(), e);
    }
  }
}
