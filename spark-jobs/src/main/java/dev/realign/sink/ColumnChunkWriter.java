package dev.realign.sink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.Util;

/**
 * Collects the data pages of one column of the current row group (V1 pages, PLAIN values, RLE
 * levels, each page with its CRC-32) and writes them as one column chunk.
 *
 * <p>A page is its header and levels (a small array, known when the page ends) followed by its data
 * in {@link #data}. Uncompressed values are written into {@link #data} as rows arrive ({@link
 * #values()}, then {@link #addPlainPage}), so the 64 MiB of vectors of a row group are copied once
 * on their way in and written from there: no page body and no chunk array in between.
 */
final class ColumnChunkWriter {
  private final List<String> path;
  private final Type type;
  private final boolean hasLevels;
  private final ShardFormat.Codec codec;
  private final SegmentedBytes data = new SegmentedBytes();

  /** Per page: header and levels; the page's data is {@code data[dataEnds[p - 1], dataEnds[p])}. */
  private final List<byte[]> prefixes = new ArrayList<>();

  private long[] dataEnds = new long[64];
  private final ByteArrayOutputStream header = new ByteArrayOutputStream(64);
  private final byte[][] compressed = new byte[1][];
  private final CRC32 crc = new CRC32();
  private long values;
  private long uncompressedBytes;
  private long compressedBytes;

  ColumnChunkWriter(List<String> path, Type type, boolean hasLevels, ShardFormat.Codec codec) {
    this.path = path;
    this.type = type;
    this.hasLevels = hasLevels;
    this.codec = codec;
  }

  /** Bytes of the complete pages of the current row group (headers included). */
  long bufferedBytes() {
    return compressedBytes;
  }

  /**
   * Where an uncompressed page's values go, after {@link #pageDataStart()}; the page is completed
   * by {@link #addPlainPage}.
   */
  SegmentedBytes values() {
    return data;
  }

  /** Where the data of the next page starts in {@link #values()}. */
  long pageDataStart() {
    return prefixes.isEmpty() ? 0 : dataEnds[prefixes.size() - 1];
  }

  /**
   * Adds one page whose uncompressed body (levels, then values) is {@code body}.
   *
   * @param levelEntries the page's {@code num_values}: level entries, nulls included
   */
  void addPage(PageBytes body, int levelEntries) throws IOException {
    byte[] bytes = body.buf;
    int dataLen = body.size;
    if (codec != ShardFormat.Codec.UNCOMPRESSED) {
      dataLen = codec.compress(body.buf, body.size, compressed);
      bytes = compressed[0];
    }
    crc.reset();
    crc.update(bytes, 0, dataLen);
    data.put(bytes, 0, dataLen);
    endPage(header(body.size, dataLen, levelEntries), null, body.size, dataLen, levelEntries);
  }

  /**
   * Ends an uncompressed page: its levels are {@code levels}, its values the bytes written to
   * {@link #values()} since {@link #pageDataStart()}. The bytes in the file are those of {@link
   * #addPage} with the levels and values as one body.
   */
  void addPlainPage(PageBytes levels, int levelEntries) throws IOException {
    if (codec != ShardFormat.Codec.UNCOMPRESSED) {
      throw new IllegalStateException("addPlainPage with codec " + codec);
    }
    long start = pageDataStart();
    long valueBytes = data.size() - start;
    long bodySize = levels.size + valueBytes;
    if (bodySize > Integer.MAX_VALUE) {
      throw new IllegalStateException("Page of " + bodySize + " bytes (must be < 2 GiB)");
    }
    crc.reset();
    crc.update(levels.buf, 0, levels.size);
    data.updateCrc(crc, start, data.size());
    endPage(
        header((int) bodySize, (int) bodySize, levelEntries),
        levels,
        (int) bodySize,
        (int) valueBytes,
        levelEntries);
  }

  /** The page header, with the CRC-32 of the page's stored body as {@link #crc} holds it. */
  private byte[] header(int uncompressedSize, int storedSize, int levelEntries) throws IOException {
    PageHeader h = new PageHeader(PageType.DATA_PAGE, uncompressedSize, storedSize);
    h.setCrc((int) crc.getValue());
    h.setData_page_header(
        new DataPageHeader(levelEntries, Encoding.PLAIN, Encoding.RLE, Encoding.RLE));
    header.reset();
    Util.writePageHeader(h, header);
    return header.toByteArray();
  }

  private void endPage(byte[] head, PageBytes levels, int bodySize, int dataLen, int levelEntries) {
    byte[] prefix = head;
    if (levels != null) {
      prefix = java.util.Arrays.copyOf(head, head.length + levels.size);
      System.arraycopy(levels.buf, 0, prefix, head.length, levels.size);
    }
    int p = prefixes.size();
    if (p == dataEnds.length) {
      dataEnds = java.util.Arrays.copyOf(dataEnds, 2 * p);
    }
    prefixes.add(prefix);
    dataEnds[p] = data.size();
    values += levelEntries;
    uncompressedBytes += head.length + bodySize;
    compressedBytes += prefix.length + dataLen;
  }

  /** Writes the buffered chunk at file offset {@code offset}; returns its footer entry. */
  ColumnChunk flush(OutputStream out, long offset) throws IOException {
    long start = 0;
    for (int p = 0; p < prefixes.size(); p++) {
      out.write(prefixes.get(p));
      data.writeTo(out, start, dataEnds[p]);
      start = dataEnds[p];
    }
    List<Encoding> encodings = new ArrayList<>();
    encodings.add(Encoding.PLAIN);
    if (hasLevels) {
      encodings.add(Encoding.RLE);
    }
    ColumnMetaData md =
        new ColumnMetaData(
            type,
            encodings,
            new ArrayList<>(path),
            codec.parquet(),
            values,
            uncompressedBytes,
            compressedBytes,
            offset);
    ColumnChunk c = new ColumnChunk(offset);
    c.setMeta_data(md);
    release();
    values = 0;
    uncompressedBytes = 0;
    compressedBytes = 0;
    return c;
  }

  /** Drops the buffered pages and returns their memory to the pool. */
  void release() {
    data.clear();
    prefixes.clear();
  }

  long uncompressedBytes() {
    return uncompressedBytes;
  }
}
