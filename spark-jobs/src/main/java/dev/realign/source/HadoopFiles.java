package dev.realign.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** File listing through Hadoop's FileSystem, so local paths, HDFS and object stores all work. */
public final class HadoopFiles {
  private HadoopFiles() {}

  public static FileSystem fs(Path p, Configuration conf) {
    try {
      FileSystem fs = p.getFileSystem(conf);
      // Local output without .crc side files: manifests carry SHA-256 of every shard instead.
      fs.setWriteChecksum(false);
      return fs;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the file system of " + p, e);
    }
  }

  /**
   * What an input path lists to.
   *
   * @param files the data files, sorted
   * @param skipped what a directory held besides them, sorted, each with why it was skipped ({@code
   *     "notes.txt (not a data file of this input)"}, {@code "more/ (a directory: not read
   *     recursively)"}); names starting with '_' or '.' (Spark's {@code _SUCCESS}, checksums) are
   *     counted in {@code hidden} instead
   * @param hidden how many such hidden names were passed over
   */
  public record Listing(List<String> files, List<String> skipped, int hidden) {}

  /**
   * The data files of an input: the file itself, or the files directly inside a directory (names
   * starting with '_' or '.' are skipped, as Spark does), or the matches of a glob; in sorted
   * order.
   *
   * @param accept which file names count as data (others in a directory are skipped)
   */
  public static List<String> listInputs(
      String path, Configuration conf, java.util.function.Predicate<String> accept, String what) {
    return list(path, conf, accept, what).files();
  }

  /** {@link #listInputs}, with what was skipped. */
  public static Listing list(
      String path, Configuration conf, java.util.function.Predicate<String> accept, String what) {
    Path p = new Path(path);
    FileSystem fs = fs(p, conf);
    List<String> out = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    int hidden = 0;
    try {
      FileStatus[] matches = fs.globStatus(p);
      if (matches == null || matches.length == 0) {
        throw new IllegalArgumentException(
            "Missing input path for " + what + ": " + path + " (no such file or directory)");
      }
      for (FileStatus st : matches) {
        if (st.isDirectory()) {
          for (FileStatus child : fs.listStatus(st.getPath())) {
            String name = child.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) {
              hidden++;
            } else if (child.isDirectory()) {
              skipped.add(child.getPath() + "/ (a directory: not read recursively)");
            } else if (!accept.test(name)) {
              skipped.add(child.getPath() + " (not a data file of this input)");
            } else {
              out.add(child.getPath().toString());
            }
          }
        } else {
          out.add(st.getPath().toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list input path " + path, e);
    }
    out.sort(null);
    skipped.sort(null);
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid input path for "
              + what
              + ": "
              + path
              + " holds no data files"
              + (skipped.isEmpty() ? "" : " (skipped: " + String.join(", ", skipped) + ")"));
    }
    return new Listing(List.copyOf(out), List.copyOf(skipped), hidden);
  }

  public static String stem(String file) {
    String name = new Path(file).getName();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  /**
   * The file behind {@code p} when {@code fs} is a local file system (checksummed or raw), else
   * null: for the readers that read local files through the JVM rather than Hadoop's streams.
   */
  public static java.io.File localFile(FileSystem fs, Path p) {
    if (fs instanceof org.apache.hadoop.fs.LocalFileSystem l) {
      return l.pathToFile(p);
    }
    if (fs instanceof org.apache.hadoop.fs.RawLocalFileSystem r) {
      return r.pathToFile(p);
    }
    return null;
  }
}
