package dev.realign.sink;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.Util;

/**
 * Writes one output shard at column level: rows of {@code id}, optional {@code text}, and exactly
 * {@code d} values of {@code embedding} (see {@link ShardSchemas#shard}).
 *
 * <p>The pages are encoded here rather than through parquet-mr's record API, which costs about five
 * RecordConsumer calls per float. For a required {@code list<float>} of fixed length d the levels
 * are a fixed pattern (repetition 0 then d - 1 ones per row; definition constantly 1) and the
 * values are the floats' bytes, so a page is a few RLE runs plus one bulk copy. Everything in the
 * file follows from the rows and the {@link ShardFormat}: page and row-group boundaries are byte
 * counts of the rows, the footer has no timestamps, no statistics and no hash-ordered sets, so the
 * bytes are the same on every JVM, partitioning and retry. Each page carries its CRC-32.
 *
 * <p>A row group's column chunks are buffered until the row group ends (the ids' chunk precedes the
 * vectors' in the file). Uncompressed vectors are copied once, from the caller's array into the
 * vector chunk's pooled segments ({@link SegmentedBytes}), and written from there.
 */
public final class ShardWriter implements AutoCloseable {
  /** Target uncompressed bytes of one page (of the largest column). */
  static final int PAGE_BYTES = 1 << 20;

  /** A row group ends after the page that brings its buffered bytes to this size. */
  static final long ROW_GROUP_BYTES = 64L << 20;

  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
  static final String CREATED_BY = "realign ShardWriter 1";

  private final int pageBytes;
  private final long rowGroupBytes;
  private final int dim;
  private final boolean withText;
  private final ShardFormat format;
  private final Path path;
  private final DigestingOutputFile file;
  private final OutputStream out;
  private final ColumnChunkWriter idColumn;
  private final ColumnChunkWriter textColumn;
  private final ColumnChunkWriter vectorColumn;
  private final PageBytes ids = new PageBytes(1 << 16);
  private final PageBytes texts = new PageBytes(1 << 16);
  private final PageBytes textDefinitions = new PageBytes(1 << 10);

  /** A page's values when they are compressed; uncompressed ones go straight to the chunk. */
  private final PageBytes vectors;

  private final boolean plainVectors;
  private long pageVectorBytes;
  private final PageBytes levels = new PageBytes(1 << 12);
  private final PageBytes body;
  private int textRunValue = -1;
  private int textRunLength;
  private int pageRows;
  private long groupRows;
  private long rows;
  private long position;
  private final List<RowGroup> groups = new ArrayList<>();
  private ShardInfo info;
  private boolean closed;

  public ShardWriter(FileSystem fs, Path path, int dim, boolean withText, Configuration conf) {
    this(fs, path, dim, withText, ShardFormat.DEFAULT);
  }

  public ShardWriter(FileSystem fs, Path path, int dim, boolean withText, ShardFormat format) {
    this(fs, path, dim, withText, format, PAGE_BYTES, ROW_GROUP_BYTES);
  }

  /** With other page and row-group sizes: for tests of many pages and row groups. */
  ShardWriter(
      FileSystem fs,
      Path path,
      int dim,
      boolean withText,
      ShardFormat format,
      int pageBytes,
      long rowGroupBytes) {
    this.pageBytes = pageBytes;
    this.rowGroupBytes = rowGroupBytes;
    if (dim <= 0) {
      throw new IllegalArgumentException("Invalid dimension: " + dim + " (must be > 0)");
    }
    this.dim = dim;
    this.withText = withText;
    this.format = format;
    this.path = path;
    this.file = new DigestingOutputFile(fs, path);
    ShardFormat.Codec codec = format.codec();
    this.idColumn = new ColumnChunkWriter(List.of("id"), Type.BYTE_ARRAY, false, codec);
    this.textColumn = new ColumnChunkWriter(List.of("text"), Type.BYTE_ARRAY, true, codec);
    Type element =
        format.dtype() == ShardFormat.Dtype.FLOAT16 ? Type.FIXED_LEN_BYTE_ARRAY : Type.FLOAT;
    this.vectorColumn =
        new ColumnChunkWriter(List.of("embedding", "list", "element"), element, true, codec);
    this.plainVectors = codec == ShardFormat.Codec.UNCOMPRESSED;
    this.vectors = new PageBytes(plainVectors ? 16 : pageBytes + dim * 4);
    this.body = new PageBytes(plainVectors ? 1 << 16 : pageBytes + dim * 8);
    try {
      this.out = file.createPlain();
      out.write(MAGIC);
      position = MAGIC.length;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create Parquet file " + path, e);
    }
  }

  /** Writes one row; the vector is {@code d} floats of {@code values} at {@code offset}. */
  public void write(String id, String text, float[] values, int offset) {
    if (id == null) {
      throw new IllegalArgumentException("Invalid row for " + path + ": null id (must be set)");
    }
    ids.putPlainString(id);
    if (withText) {
      int defined = text == null ? 0 : 1;
      if (defined != textRunValue) {
        endTextRun();
        textRunValue = defined;
      }
      textRunLength++;
      if (text != null) {
        texts.putPlainString(text);
      }
    }
    boolean half = format.dtype() == ShardFormat.Dtype.FLOAT16;
    if (plainVectors) {
      SegmentedBytes chunk = vectorColumn.values();
      if (half) {
        chunk.putHalves(values, offset, dim);
      } else {
        chunk.putFloats(values, offset, dim);
      }
    } else if (half) {
      vectors.putHalves(values, offset, dim);
    } else {
      vectors.putFloats(values, offset, dim);
    }
    pageVectorBytes += (long) dim * format.dtype().bytes();
    pageRows++;
    groupRows++;
    rows++;
    if (pageVectorBytes >= pageBytes || ids.size >= pageBytes || texts.size >= pageBytes) {
      flushPage();
    }
  }

  private void endTextRun() {
    if (textRunLength > 0) {
      textDefinitions.putUnsignedVarInt(textRunLength << 1); // an RLE run header
      textDefinitions.put((byte) textRunValue);
    }
    textRunLength = 0;
  }

  private void flushPage() {
    if (pageRows == 0) {
      return;
    }
    try {
      idColumn.addPage(ids, pageRows);
      if (withText) {
        endTextRun();
        textRunValue = -1;
        body.clear();
        lengthPrefixed(textDefinitions);
        body.put(texts.buf, 0, texts.size);
        textColumn.addPage(body, pageRows);
      }
      levels.clear();
      int at = levels.size;
      levels.putIntLe(0);
      for (int r = 0; r < pageRows; r++) { // repetition: 0 starts a row, then d - 1 ones
        levels.putUnsignedVarInt(1 << 1);
        levels.put((byte) 0);
        if (dim > 1) {
          levels.putUnsignedVarInt((dim - 1) << 1);
          levels.put((byte) 1);
        }
      }
      levels.setIntLe(at, levels.size - at - 4);
      at = levels.size;
      levels.putIntLe(0);
      levels.putUnsignedVarInt((pageRows * dim) << 1); // definition: every element present
      levels.put((byte) 1);
      levels.setIntLe(at, levels.size - at - 4);
      if (plainVectors) {
        vectorColumn.addPlainPage(levels, pageRows * dim);
      } else {
        body.clear();
        body.put(levels.buf, 0, levels.size);
        body.put(vectors.buf, 0, vectors.size);
        vectorColumn.addPage(body, pageRows * dim);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write Parquet file " + path, e);
    }
    ids.clear();
    texts.clear();
    textDefinitions.clear();
    vectors.clear();
    pageVectorBytes = 0;
    pageRows = 0;
    long buffered =
        idColumn.bufferedBytes() + textColumn.bufferedBytes() + vectorColumn.bufferedBytes();
    if (buffered >= rowGroupBytes) {
      flushRowGroup();
    }
  }

  private void lengthPrefixed(PageBytes levels) {
    body.putIntLe(levels.size);
    body.put(levels.buf, 0, levels.size);
  }

  private void flushRowGroup() {
    if (groupRows == 0) {
      return;
    }
    try {
      long start = position;
      List<ColumnChunk> chunks = new ArrayList<>();
      long uncompressed = 0;
      List<ColumnChunkWriter> columns =
          withText ? List.of(idColumn, textColumn, vectorColumn) : List.of(idColumn, vectorColumn);
      for (ColumnChunkWriter c : columns) {
        ColumnChunk chunk = c.flush(out, position);
        position += chunk.getMeta_data().getTotal_compressed_size();
        uncompressed += chunk.getMeta_data().getTotal_uncompressed_size();
        chunks.add(chunk);
      }
      RowGroup g = new RowGroup(chunks, uncompressed, groupRows);
      g.setFile_offset(start);
      g.setTotal_compressed_size(position - start);
      g.setOrdinal((short) groups.size());
      groups.add(g);
      groupRows = 0;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write Parquet file " + path, e);
    }
  }

  /** Writes the last pages and the footer, closes the file and returns its entry. */
  public ShardInfo finish() {
    if (info != null) {
      return info;
    }
    flushPage();
    flushRowGroup();
    FileMetaData md =
        new FileMetaData(1, ShardSchemas.shardElements(withText, format.dtype()), rows, groups);
    md.setCreated_by(CREATED_BY);
    try {
      java.io.ByteArrayOutputStream footer = new java.io.ByteArrayOutputStream();
      Util.writeFileMetaData(md, footer);
      footer.writeTo(out);
      byte[] tail = new byte[8];
      java.nio.ByteBuffer.wrap(tail)
          .order(java.nio.ByteOrder.LITTLE_ENDIAN)
          .putInt(footer.size())
          .put(MAGIC);
      out.write(tail);
      closed = true;
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the footer of Parquet file " + path, e);
    }
    info = new ShardInfo(path.getName(), rows, file.bytes(), file.sha256());
    return info;
  }

  /** Closes the file; without {@link #finish()} it stays incomplete (the caller discards it). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close Parquet file " + path, e);
    } finally {
      idColumn.release();
      textColumn.release();
      vectorColumn.release();
    }
  }
}
