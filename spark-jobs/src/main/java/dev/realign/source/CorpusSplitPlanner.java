package dev.realign.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * Cuts corpus files into {@link CorpusSplit}s of about {@code splitBytes}, so one big file keeps
 * every core busy. The plan depends only on the files and {@code splitBytes}, never on the cluster,
 * so shard k is always the same rows.
 *
 * <ul>
 *   <li>an uncompressed line file (JSONL, text) larger than {@code splitBytes} becomes {@code
 *       ceil(size / splitBytes)} byte ranges of equal size (to a byte), so equal tasks finish
 *       together; each owns the lines that start in it. Their first line numbers come from a count
 *       of the lines in every range before ({@link LineStarts}; see {@link #numberLines});
 *   <li>a Parquet file larger than {@code splitBytes} is cut between row groups: consecutive row
 *       groups while their compressed size stays within {@code splitBytes} (at least one each); row
 *       numbers come from the footer's row counts;
 *   <li>a {@code .gz} file stays whole (a gzip stream cannot be entered in the middle), as does any
 *       file of at most {@code splitBytes}.
 * </ul>
 */
public final class CorpusSplitPlanner {
  private CorpusSplitPlanner() {}

  /**
   * Cuts {@code files} (whole-file splits, in plan order). Byte ranges come back numbered as if
   * each started at line 1: pass them through {@link #numberLines} with their counts.
   */
  public static List<CorpusSplit> cut(
      List<CorpusSplit> files, long splitBytes, Configuration conf) {
    if (splitBytes < 1) {
      throw new IllegalArgumentException(
          "Invalid split size: " + splitBytes + " bytes (must be >= 1)");
    }
    List<CorpusSplit> out = new ArrayList<>();
    for (CorpusSplit f : files) {
      if (f.kind() != CorpusSplit.Kind.WHOLE) {
        throw new IllegalArgumentException(
            "Invalid input to cut: " + f + " (must be a whole file)");
      }
      if (f.gzip()) {
        out.add(f.withIndex(out.size()));
        continue;
      }
      long size = size(f, conf);
      if (size <= splitBytes) {
        out.add(f.withIndex(out.size()));
      } else if (f.format() == CorpusFormat.PARQUET) {
        cutRowGroups(f, splitBytes, conf, out);
      } else {
        long n = (size + splitBytes - 1) / splitBytes;
        for (long i = 0; i < n; i++) {
          out.add(
              CorpusSplit.bytes(
                  out.size(),
                  f.path(),
                  f.relativePath(),
                  f.format(),
                  boundary(size, n, i),
                  boundary(size, n, i + 1)));
        }
      }
    }
    return out;
  }

  /** Start of range {@code i} of {@code n} equal ranges of {@code size} bytes, without overflow. */
  static long boundary(long size, long n, long i) {
    return size / n * i + Math.min(i, size % n);
  }

  private static void cutRowGroups(
      CorpusSplit f, long splitBytes, Configuration conf, List<CorpusSplit> out) {
    List<BlockMetaData> groups;
    Path p = new Path(f.path());
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(p, conf))) {
      groups = reader.getRowGroups();
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(
          "Cannot read the Parquet footer of corpus file " + f.path() + ": " + e.getMessage(),
          e instanceof IOException io ? io : new IOException(e));
    }
    if (groups.size() <= 1) {
      out.add(f.withIndex(out.size()));
      return;
    }
    long row = 1;
    int first = 0;
    while (first < groups.size()) {
      int end = first;
      long bytes = 0;
      long rows = 0;
      do {
        bytes += groups.get(end).getCompressedSize();
        rows += groups.get(end).getRowCount();
        end++;
      } while (end < groups.size() && bytes + groups.get(end).getCompressedSize() <= splitBytes);
      out.add(CorpusSplit.rowGroups(out.size(), f.path(), f.relativePath(), first, end, row));
      row += rows;
      first = end;
    }
  }

  /**
   * Numbers the byte ranges of {@code cut}: {@code linesPerSplit[k]} is the count of lines that
   * start in split k ({@link #countLines}; any value for other kinds). The first range of a file
   * starts at line 1, each next one after the lines of those before it.
   */
  public static List<CorpusSplit> numberLines(List<CorpusSplit> cut, long[] linesPerSplit) {
    if (linesPerSplit.length != cut.size()) {
      throw new IllegalArgumentException(
          "Invalid line counts: "
              + linesPerSplit.length
              + " (must be one per split, "
              + cut.size()
              + ")");
    }
    List<CorpusSplit> out = new ArrayList<>(cut.size());
    String file = null;
    long next = 1;
    for (int k = 0; k < cut.size(); k++) {
      CorpusSplit s = cut.get(k);
      if (s.kind() != CorpusSplit.Kind.BYTES) {
        out.add(s);
        file = null;
        continue;
      }
      if (s.start() == 0 || !s.path().equals(file)) {
        next = 1;
        file = s.path();
      }
      out.add(s.withFirstNumber(next));
      next += linesPerSplit[k];
    }
    return out;
  }

  /** Whether any split is a byte range, i.e. {@link #numberLines} needs counts. */
  public static boolean needsLineCounts(List<CorpusSplit> cut) {
    return cut.stream().anyMatch(s -> s.kind() == CorpusSplit.Kind.BYTES);
  }

  /** Lines starting in a byte-range split (0 for other kinds); runs where the file is readable. */
  public static long countLines(CorpusSplit s, Configuration conf) {
    if (s.kind() != CorpusSplit.Kind.BYTES) {
      return 0;
    }
    Path p = new Path(s.path());
    try (FSDataInputStream in = p.getFileSystem(conf).open(p)) {
      in.seek(Math.max(s.start() - 1, 0));
      return LineStarts.count(in, s.start(), s.end());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot count the lines of corpus file "
              + s.path()
              + " in bytes ["
              + s.start()
              + ", "
              + s.end()
              + "): "
              + e.getMessage(),
          e);
    }
  }

  private static long size(CorpusSplit f, Configuration conf) {
    Path p = new Path(f.path());
    try {
      FileSystem fs = p.getFileSystem(conf);
      return fs.getFileStatus(p).getLen();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the size of corpus file " + f.path() + ": " + e.getMessage(), e);
    }
  }
}
