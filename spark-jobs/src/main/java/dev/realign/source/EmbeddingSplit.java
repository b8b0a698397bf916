package dev.realign.source;

import java.io.Serializable;
import java.util.Objects;

/**
 * One unit of work over an embedding set: a contiguous row range of one file (for Parquet: whole
 * row groups, or a row range inside one big row group). Split {@code k} is task {@code k} and
 * becomes output shard {@code k}. A plain class, not a record: it is RDD data, and Spark's Kryo
 * cannot serialise records.
 */
public final class EmbeddingSplit implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int index;
  private final EmbeddingFormat format;
  private final String file;
  private final long firstRow;
  private final long rows;
  private final long rangeStart;
  private final long rangeEnd;
  private final String metadataFile;
  private final String idPrefix;

  /**
   * @param index position of this split in the whole set (files in sorted order, rows in order)
   * @param file the vector file (a Hadoop path URI)
   * @param firstRow index in {@code file} of the split's first row
   * @param rows rows in the split
   * @param rangeStart for Parquet: start of the byte range of the split's row groups (for a row
   *     range inside a row group: that row group's; the reader selects row groups by {@code
   *     firstRow} and {@code rows}); for .npy: the byte offset of the file's data
   * @param rangeEnd for Parquet: end of that byte range; for .npy: 0
   * @param metadataFile for .npy: the Parquet file with the ids of {@code file}, or null
   * @param idPrefix for ids made up as {@code <idPrefix>-<row index in file>}
   */
  public EmbeddingSplit(
      int index,
      EmbeddingFormat format,
      String file,
      long firstRow,
      long rows,
      long rangeStart,
      long rangeEnd,
      String metadataFile,
      String idPrefix) {
    this.index = index;
    this.format = format;
    this.file = file;
    this.firstRow = firstRow;
    this.rows = rows;
    this.rangeStart = rangeStart;
    this.rangeEnd = rangeEnd;
    this.metadataFile = metadataFile;
    this.idPrefix = idPrefix;
  }

  public int index() {
    return index;
  }

  public EmbeddingFormat format() {
    return format;
  }

  public String file() {
    return file;
  }

  public long firstRow() {
    return firstRow;
  }

  public long rows() {
    return rows;
  }

  public long rangeStart() {
    return rangeStart;
  }

  public long rangeEnd() {
    return rangeEnd;
  }

  public String metadataFile() {
    return metadataFile;
  }

  public String idPrefix() {
    return idPrefix;
  }

  /** Position of a row of this split in the set, as a sortable long: split index, then row. */
  public long position(long rowInSplit) {
    return ((long) index << 40) | rowInSplit;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EmbeddingSplit s
        && index == s.index
        && format == s.format
        && firstRow == s.firstRow
        && rows == s.rows
        && rangeStart == s.rangeStart
        && rangeEnd == s.rangeEnd
        && Objects.equals(file, s.file)
        && Objects.equals(metadataFile, s.metadataFile)
        && Objects.equals(idPrefix, s.idPrefix);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, format, file, firstRow, rows);
  }

  @Override
  public String toString() {
    return "EmbeddingSplit{"
        + index
        + ": "
        + file
        + " rows "
        + firstRow
        + ".."
        + (firstRow + rows)
        + "}";
  }
}
