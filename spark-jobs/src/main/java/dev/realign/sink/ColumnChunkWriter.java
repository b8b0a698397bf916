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
 */
final class ColumnChunkWriter {
  private final List<String> path;
  private final Type type;
  private final boolean hasLevels;
  private final ShardFormat.Codec codec;
  private final PageBytes chunk = new PageBytes(1 << 20);
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

  /** Bytes buffered for the current row group. */
  long bufferedBytes() {
    return chunk.size;
  }

  /**
   * Adds one page whose uncompressed body (levels, then values) is {@code body}.
   *
   * @param levelEntries the page's {@code num_values}: level entries, nulls included
   */
  void addPage(PageBytes body, int levelEntries) throws IOException {
    byte[] data = body.buf;
    int dataLen = body.size;
    if (codec != ShardFormat.Codec.UNCOMPRESSED) {
      dataLen = codec.compress(body.buf, body.size, compressed);
      data = compressed[0];
    }
    crc.reset();
    crc.update(data, 0, dataLen);
    PageHeader h = new PageHeader(PageType.DATA_PAGE, body.size, dataLen);
    h.setCrc((int) crc.getValue());
    h.setData_page_header(
        new DataPageHeader(levelEntries, Encoding.PLAIN, Encoding.RLE, Encoding.RLE));
    header.reset();
    Util.writePageHeader(h, header);
    chunk.put(header.toByteArray(), 0, header.size());
    chunk.put(data, 0, dataLen);
    values += levelEntries;
    uncompressedBytes += header.size() + body.size;
    compressedBytes += header.size() + dataLen;
  }

  /** Writes the buffered chunk at file offset {@code offset}; returns its footer entry. */
  ColumnChunk flush(OutputStream out, long offset) throws IOException {
    chunk.writeTo(out);
    List<Encoding> encodings = new ArrayList<>();
    encodings.add(Encoding.PLAIN);
    if (hasLevels) {
      encodings.add(Encoding.RLE);
    }
    ColumnMetaData md = new ColumnMetaData(type, encodings, new ArrayList<>(path),
        codec.parquet(), values, uncompressedBytes, compressedBytes, offset);
    ColumnChunk c = new ColumnChunk(offset);
    c.setMeta_data(md);
    chunk.clear();
    values = 0;
    uncompressedBytes = 0;
    compressedBytes = 0;
    return c;
  }

  long uncompressedBytes() {
    return uncompressedBytes;
  }
}
