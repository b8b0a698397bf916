package dev.realign.source;

import java.io.Serializable;
import java.util.Objects;

/**
 * One unit of corpus work: a whole file, a byte range of a line file (JSONL, text) or a range of
 * Parquet row groups. A byte range {@code [start, end)} owns every line that <em>starts</em> inside
 * it (a line starts at byte 0 and after every {@code \n}), as Hadoop's line reader does, so a line
 * is read whole by exactly one split however the file is cut. {@code firstNumber} is the 1-based
 * number of the split's first line (or row) in its file, so locations ({@code file:line}) and
 * generated ids do not depend on the cut.
 *
 * <p>A plain class, not a record: Spark ships it to executors and Kryo cannot serialise records.
 */
public final class CorpusSplit implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What {@link #start()} and {@link #end()} count. */
  public enum Kind {
    /** The whole file (gzip cannot be cut; small files are not). */
    WHOLE,
    /** Bytes {@code [start, end)} of an uncompressed line file. */
    BYTES,
    /** Parquet row groups {@code [start, end)} (0-based indices in the footer). */
    ROW_GROUPS
  }

  private final int index;
  private final String path;
  private final String relativePath;
  private final CorpusFormat format;
  private final boolean gzip;
  private final Kind kind;
  private final long start;
  private final long end;
  private final long firstNumber;

  private CorpusSplit(
      int index,
      String path,
      String relativePath,
      CorpusFormat format,
      boolean gzip,
      Kind kind,
      long start,
      long end,
      long firstNumber) {
    this.index = index;
    this.path = Objects.requireNonNull(path, "path");
    this.relativePath = Objects.requireNonNull(relativePath, "relativePath");
    this.format = Objects.requireNonNull(format, "format");
    this.gzip = gzip;
    this.kind = Objects.requireNonNull(kind, "kind");
    if (kind != Kind.WHOLE && !(0 <= start && start < end)) {
      throw new IllegalArgumentException(
          "Invalid split of "
              + relativePath
              + ": "
              + kind
              + " ["
              + start
              + ", "
              + end
              + ") (must be non-empty and start at >= 0)");
    }
    if (firstNumber < 1) {
      throw new IllegalArgumentException(
          "Invalid first line number of " + relativePath + ": " + firstNumber + " (must be >= 1)");
    }
    this.start = start;
    this.end = end;
    this.firstNumber = firstNumber;
  }

  /** A whole file. */
  public static CorpusSplit whole(
      int index, String path, String relativePath, CorpusFormat format, boolean gzip) {
    return new CorpusSplit(index, path, relativePath, format, gzip, Kind.WHOLE, 0, -1, 1);
  }

  /** Bytes {@code [start, end)} of an uncompressed line file; its first line is numbered later. */
  public static CorpusSplit bytes(
      int index, String path, String relativePath, CorpusFormat format, long start, long end) {
    if (format == CorpusFormat.PARQUET) {
      throw new IllegalArgumentException(
          "Invalid byte split of " + relativePath + ": Parquet (must be cut by row groups)");
    }
    return new CorpusSplit(index, path, relativePath, format, false, Kind.BYTES, start, end, 1);
  }

  /** Parquet row groups {@code [first, end)}, whose first row is row {@code firstRow} (1-based). */
  public static CorpusSplit rowGroups(
      int index, String path, String relativePath, int first, int end, long firstRow) {
    return new CorpusSplit(
        index,
        path,
        relativePath,
        CorpusFormat.PARQUET,
        false,
        Kind.ROW_GROUPS,
        first,
        end,
        firstRow);
  }

  /** This split with its first line numbered {@code firstNumber}. */
  public CorpusSplit withFirstNumber(long firstNumber) {
    return new CorpusSplit(index, path, relativePath, format, gzip, kind, start, end, firstNumber);
  }

  /** This split as split {@code index} of the plan. */
  public CorpusSplit withIndex(int index) {
    return new CorpusSplit(index, path, relativePath, format, gzip, kind, start, end, firstNumber);
  }

  /** Position in the plan: split k becomes shard k. */
  public int index() {
    return index;
  }

  /** The file, as a URI or Hadoop path string. */
  public String path() {
    return path;
  }

  /** The file's path under the input root ({@code /}-separated; part of generated ids). */
  public String relativePath() {
    return relativePath;
  }

  public CorpusFormat format() {
    return format;
  }

  public boolean gzip() {
    return gzip;
  }

  public Kind kind() {
    return kind;
  }

  /** First byte or row group (inclusive); 0 for a whole file. */
  public long start() {
    return start;
  }

  /** Last byte or row group (exclusive); -1 for a whole file. */
  public long end() {
    return end;
  }

  /** 1-based number of the first line (or row) of this split in its file. */
  public long firstNumber() {
    return firstNumber;
  }

  /** E.g. {@code a.jsonl bytes [0, 1048576) from line 1}; part of the encode completion record. */
  public String describe() {
    return switch (kind) {
      case WHOLE -> relativePath + " whole";
      case BYTES -> relativePath + " bytes [" + start + ", " + end + ") from line " + firstNumber;
      case ROW_GROUPS ->
          relativePath + " row groups [" + start + ", " + end + ") from row " + firstNumber;
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CorpusSplit s
        && index == s.index
        && gzip == s.gzip
        && start == s.start
        && end == s.end
        && firstNumber == s.firstNumber
        && path.equals(s.path)
        && relativePath.equals(s.relativePath)
        && format == s.format
        && kind == s.kind;
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, path, relativePath, format, gzip, kind, start, end, firstNumber);
  }

  @Override
  public String toString() {
    return "split " + index + ": " + describe();
  }
}
