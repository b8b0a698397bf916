package dev.realign.source;

import java.io.Serializable;

/**
 * One unit of work over an embedding set: a contiguous row range of one file. Split {@code k} is
 * task {@code k} and becomes output shard {@code k}.
 *
 * @param index position of this split in the whole set (files in sorted order, rows in order)
 * @param file the vector file (a Hadoop path URI)
 * @param firstRow index in {@code file} of the split's first row
 * @param rows rows in the split
 * @param rangeStart for Parquet: start of the byte range selecting the split's row groups; for
 *     .npy: the byte offset of the file's data
 * @param rangeEnd for Parquet: end of that byte range; for .npy: 0
 * @param metadataFile for .npy: the Parquet file with the ids of {@code file}, or null
 * @param idPrefix for ids made up as {@code <idPrefix>-<row index in file>}
 */
public record EmbeddingSplit(
    int index,
    EmbeddingFormat format,
    String file,
    long firstRow,
    long rows,
    long rangeStart,
    long rangeEnd,
    String metadataFile,
    String idPrefix) implements Serializable {

  /** Position of a row of this split in the set, as a sortable long: split index, then row. */
  public long position(long rowInSplit) {
    return ((long) index << 40) | rowInSplit;
  }
}
