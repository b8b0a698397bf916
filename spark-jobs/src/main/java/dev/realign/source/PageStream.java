package dev.realign.source;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.io.SeekableInputStream;

/**
 * The pages of one column chunk read as a stream from the file: a page header, then that page's
 * bytes into a buffer reused from page to page, so a column chunk of any size costs one page of
 * memory (parquet-mr's {@code readNextRowGroup} holds the whole row group). Page CRCs are verified
 * where the writer stored them. For splits that start inside a row group, whole pages before the
 * split's first row are skipped by their headers: the offset index where the file has one, else
 * {@code num_rows} (V2 pages), {@code num_values} (columns without repetition), or the repetition
 * levels alone (V1 pages of lists).
 *
 * <p>Pages returned by {@link #readPage} share the reused buffer: a page is valid until the next
 * call. The dictionary page has buffers of its own (the dictionary keeps slices of them).
 */
final class PageStream implements PageReader {
  private final SeekableInputStream in;
  private final ColumnChunkMetaData chunk;
  private final int maxRep;
  private final PageDecompressor decompressor;
  private final boolean compressed;

  /** The decompressed body of the current data page, reused from page to page. */
  private byte[] plain = new byte[0];

  /** Of a Snappy page's body, the most read to count its rows when skipping it. */
  static final int SNAPPY_PREFIX_BYTES = 1 << 16;

  /** The decoded front of a skipped Snappy page (its repetition levels). */
  private byte[] levelPrefix = new byte[4096];

  /** {@link #SNAPPY_PREFIX_BYTES}, or less in tests (so that the whole-page path runs too). */
  private int snappyPrefixBytes = SNAPPY_PREFIX_BYTES;

  /** For tests: read at most {@code bytes} of a skipped Snappy page before decompressing it all. */
  PageStream withSnappyPrefixBytes(int bytes) {
    snappyPrefixBytes = bytes;
    return this;
  }

  private final CRC32 crc = new CRC32();
  private byte[] buffer = new byte[1 << 16];

  /**
   * Where the data pages of a float column of a local file are read to (see {@link
   * #readBodiesOffHeap}), reused from page to page; null: they are read into {@link #buffer}.
   */
  private ByteBuffer offHeap;

  /** Each task thread's off-heap page buffer, reused by its splits (a direct buffer is costly). */
  private static final ThreadLocal<ByteBuffer> OFF_HEAP = new ThreadLocal<>();

  /**
   * The largest off-heap buffer a task thread keeps between pages and splits (writers' pages are 1
   * MiB by default): a larger page gets a buffer of its own, freed with it, so that one file of
   * huge pages does not pin their size in every task thread for the executor's life.
   */
  static final int KEPT_OFF_HEAP_BYTES = 16 << 20;

  /** Data pages passed (returned or skipped), and their values (level entries). */
  private int dataPages;

  private long values;

  /** Index of the data page being read or last read, for error messages. */
  private int current = -1;

  /** Set once pages were skipped by the offset index: the chunk then ends by its page count. */
  private int pageCount = -1;

  /** The next data page's header, read ahead (null: none read ahead). */
  private PageHeaderFields pending;

  /** The file offset of the pending page's body, and whether its body is in the buffer. */
  private long pendingBody;

  private boolean pendingLoaded;

  PageStream(
      SeekableInputStream in,
      ColumnChunkMetaData chunk,
      int maxRep,
      PageDecompressor decompressor,
      long fileLength) {
    this.in = in;
    this.chunk = chunk;
    this.maxRep = maxRep;
    this.decompressor = decompressor;
    this.compressed = chunk.getCodec() != CompressionCodecName.UNCOMPRESSED;
    long start = chunk.getStartingPos();
    if (start < 4 || chunk.getTotalSize() < 0 || start + chunk.getTotalSize() > fileLength) {
      throw new CorruptPageException(
          "the footer puts the column chunk at bytes "
              + start
              + ".."
              + (start + chunk.getTotalSize())
              + ", outside the file ("
              + fileLength
              + " bytes; truncated?)");
    }
    try {
      in.seek(chunk.getStartingPos());
    } catch (IOException e) {
      throw new CorruptPageException(
          "cannot seek to the column chunk at byte "
              + chunk.getStartingPos()
              + " ("
              + e.getMessage()
              + ")");
    }
  }

  ColumnChunkMetaData chunk() {
    return chunk;
  }

  /** Index in the column chunk of the data page being read or last read (-1 before any). */
  int pageIndex() {
    return current;
  }

  @Override
  public long getTotalValueCount() {
    return chunk.getValueCount();
  }

  /**
   * The dictionary page when the chunk starts with one, else null (the header read stays pending
   * for {@link #readPage}). Call once, before any data page.
   */
  @Override
  public DictionaryPage readDictionaryPage() {
    PageHeaderFields h = nextHeader();
    if (h == null || h.type != PageHeaderFields.DICTIONARY_PAGE) {
      return null;
    }
    pending = null;
    // compressed_page_size is bounded by the chunk, the chunk by the file (nextHeader)
    byte[] own = new byte[h.compressedSize];
    readFully(own, own.length, "dictionary page");
    checkCrc(h, own, own.length, "dictionary page");
    if (h.numValues < 0) {
      throw new CorruptPageException("dictionary page header says " + h.numValues + " values");
    }
    ByteBuffer body;
    if (compressed) {
      int n = h.uncompressedSize;
      body =
          ByteBuffer.wrap(
                  decompressor.decompress(chunk.getCodec(), own, 0, own.length, n, new byte[0]),
                  0,
                  n)
              .slice();
    } else {
      requireSameSize(h, "dictionary page");
      body = ByteBuffer.wrap(own);
    }
    return new DictionaryPage(
        BytesInput.from(body), h.uncompressedSize, h.numValues, encoding(h.encoding));
  }

  /**
   * Reads the data pages of an uncompressed or Snappy chunk of a local file into a direct buffer,
   * which the channel fills without the JDK's own bounce buffer (Snappy pages decompress into a
   * second one): their values are then copied once, into the batch, as {@code .npy} rows are. A
   * heap buffer costs a second copy of every page (the channel reads a heap array through a
   * temporary direct buffer). For a column of floats: ids and texts stay in heap arrays, which
   * their decoders read fastest.
   */
  void readBodiesOffHeap() {
    if ((!compressed || chunk.getCodec() == CompressionCodecName.SNAPPY)
        && in instanceof LocalParquetFile.ChannelStream) {
      offHeap = OFF_HEAP.get();
      if (offHeap == null) {
        offHeap = ByteBuffer.allocateDirect(1 << 20);
        OFF_HEAP.set(offHeap);
      }
    }
  }

  @Override
  public DataPage readPage() {
    PageHeaderFields h = nextDataHeader();
    if (h == null) {
      return null;
    }
    pending = null;
    dataPages++;
    if (offHeap != null && !pendingLoaded) {
      return dataPage(h, loadOffHeap(h));
    }
    if (!pendingLoaded) {
      loadBody(h);
    }
    pendingLoaded = false;
    int size = h.compressedSize;
    checkCrc(h, buffer, size, "page");
    return dataPage(h, ByteBuffer.wrap(buffer, 0, size).slice());
  }

  /**
   * The data page whose stored bytes (CRC checked) are {@code raw}: in the reused heap buffer, or
   * in the off-heap one ({@link #readBodiesOffHeap}), where compressed pages decompress off-heap
   * too. Valid until the next page.
   */
  private DataPage dataPage(PageHeaderFields h, ByteBuffer raw) {
    int size = raw.remaining();
    if (h.type == PageHeaderFields.DATA_PAGE) {
      checkValueCount(h.numValues);
      values += h.numValues;
      if (!compressed) {
        requireSameSize(h, "page");
      }
      return new DataPageV1(
          BytesInput.from(compressed ? decompress(raw, h.uncompressedSize) : raw),
          h.numValues,
          h.uncompressedSize,
          null,
          encoding(h.repetitionLevelEncoding),
          encoding(h.definitionLevelEncoding),
          encoding(h.encoding));
    }
    countV2(h);
    int rl = h.repetitionLevelsBytes;
    int dl = h.definitionLevelsBytes;
    checkLevelSections(rl, dl, size);
    ByteBuffer data = raw.duplicate().position(rl + dl).slice();
    if (compressed && h.isCompressed) {
      data = decompress(data, h.uncompressedSize - rl - dl);
    } else {
      requireSameSize(h, "page");
    }
    return DataPageV2.uncompressed(
        h.numRows,
        h.numNulls,
        h.numValues,
        BytesInput.from(raw.duplicate().limit(rl).slice()),
        BytesInput.from(raw.duplicate().position(rl).limit(rl + dl).slice()),
        encoding(h.encoding),
        BytesInput.from(data),
        null);
  }

  /** Decompresses stored bytes: a direct buffer's off-heap (Snappy), a heap buffer's on heap. */
  private ByteBuffer decompress(ByteBuffer src, int declared) {
    return src.isDirect()
        ? snappyOffHeap(src, declared)
        : decompress(src.array(), src.arrayOffset() + src.position(), src.remaining(), declared);
  }

  /** Checks a V2 page's counts and counts its values. */
  private void countV2(PageHeaderFields v2) {
    checkValueCount(v2.numValues);
    if (v2.numRows < 0
        || v2.numRows > v2.numValues
        || v2.numNulls < 0
        || v2.numNulls > v2.numValues) {
      throw new CorruptPageException(
          "page header says "
              + v2.numRows
              + " rows and "
              + v2.numNulls
              + " nulls in "
              + v2.numValues
              + " values");
    }
    values += v2.numValues;
  }

  private static void checkLevelSections(int rl, int dl, int size) {
    if (rl < 0 || dl < 0 || (long) rl + dl > size) {
      throw new CorruptPageException(
          "level sections of " + rl + " + " + dl + " bytes in a page" + " of " + size + " bytes");
    }
  }

  /** Decompresses Snappy bytes into this thread's reused direct buffer: valid until the next. */
  private ByteBuffer snappyOffHeap(ByteBuffer src, int declared) {
    ByteBuffer out = keep(PLAIN_OFF_HEAP, decompressor.snappy(src, declared, PLAIN_OFF_HEAP.get()));
    return out.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** {@code b}, kept as this thread's buffer in {@code slot} unless larger than we keep. */
  private static ByteBuffer keep(ThreadLocal<ByteBuffer> slot, ByteBuffer b) {
    if (b.capacity() <= KEPT_OFF_HEAP_BYTES) {
      slot.set(b);
    }
    return b;
  }

  /** Each task thread's buffer of decompressed off-heap pages. */
  private static final ThreadLocal<ByteBuffer> PLAIN_OFF_HEAP = new ThreadLocal<>();

  /** For tests: the bytes of the off-heap buffers the calling thread keeps. */
  static long keptOffHeapBytes() {
    long n = 0;
    for (ThreadLocal<ByteBuffer> slot : List.of(OFF_HEAP, PLAIN_OFF_HEAP)) {
      n += slot.get() == null ? 0 : slot.get().capacity();
    }
    return n;
  }

  /** Reads the pending page's body into the off-heap buffer (grown to fit) and checks its CRC. */
  private ByteBuffer loadOffHeap(PageHeaderFields h) {
    seek(pendingBody);
    int size = h.compressedSize;
    if (offHeap.capacity() < size) {
      // bounded by the chunk, the chunk by the file (nextHeader)
      offHeap = keep(OFF_HEAP, ByteBuffer.allocateDirect(Math.max(size, offHeap.capacity() * 2)));
    }
    ByteBuffer body = offHeap.clear().limit(size).slice();
    try {
      in.readFully(body);
    } catch (IOException e) {
      throw readFailure(e, "page", size);
    }
    body.flip();
    if (h.hasCrc) {
      crc.reset();
      crc.update(body.duplicate());
      checkCrcValue(h, size, "page");
    }
    return body.order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Moves to the data page holding row {@code row} of the row group by the offset index, skipping
   * the pages before it unread.
   *
   * @return the row group's row index of that page's first row (0 when nothing was skipped)
   */
  long seekToPageOf(long row, OffsetIndex index) {
    int page = 0;
    while (page + 1 < index.getPageCount() && index.getFirstRowIndex(page + 1) <= row) {
      page++;
    }
    if (page == 0) {
      return 0;
    }
    try {
      in.seek(index.getOffset(page));
    } catch (IOException e) {
      throw new CorruptPageException(
          "cannot seek to page "
              + page
              + " at byte "
              + index.getOffset(page)
              + " ("
              + e.getMessage()
              + ")");
    }
    pending = null;
    pendingLoaded = false;
    dataPages = page;
    current = page;
    pageCount = index.getPageCount();
    return index.getFirstRowIndex(page);
  }

  /**
   * The number of rows that start in the next data page (entries with repetition level 0), read
   * from its header where the header says it, else from its repetition levels; -1 at the end of the
   * chunk. The page stays next: {@link #skipPage} passes it, {@link #readPage} returns it.
   */
  int peekRowStarts() {
    PageHeaderFields h = nextDataHeader();
    if (h == null) {
      return -1;
    }
    if (h.type == PageHeaderFields.DATA_PAGE_V2) {
      return h.numRows; // V2 pages start at row boundaries
    }
    int n = h.numValues;
    if (maxRep == 0) {
      return n;
    }
    if (h.repetitionLevelEncoding != RLE) {
      return -2; // BIT_PACKED levels (deprecated): the page has to be decoded
    }
    ByteBuffer levels =
        compressed && !pendingLoaded && chunk.getCodec() == CompressionCodecName.SNAPPY
            ? snappyRepetitionLevels(h)
            : null;
    int end;
    if (levels != null) {
      end = levels.limit();
    } else if (compressed) {
      if (!pendingLoaded) {
        loadBody(h);
        pendingLoaded = true;
      }
      levels = decompress(buffer, 0, h.compressedSize, h.uncompressedSize);
      end = levels.limit();
    } else {
      // Only the length-prefixed repetition section is read; the rest is seeked past or re-read.
      byte[] prefix = new byte[4];
      readFully(prefix, 4, "repetition levels");
      int len = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getInt();
      if (len < 0 || len > h.compressedSize - 4) {
        throw new CorruptPageException(
            "repetition levels of " + len + " bytes in a page of " + h.compressedSize + " bytes");
      }
      grow(4 + len);
      System.arraycopy(prefix, 0, buffer, 0, 4);
      readFully(buffer, 4, len, "repetition levels");
      levels = ByteBuffer.wrap(buffer, 0, 4 + len);
      end = 4 + len;
      seek(pendingBody);
    }
    levels.order(ByteOrder.LITTLE_ENDIAN);
    int start = levels.position();
    int len = levels.getInt(start);
    if (len < 0 || len > end - start - 4) {
      throw new CorruptPageException(
          "repetition levels of "
              + len
              + " bytes in a page with "
              + (end - start - 4)
              + " bytes left");
    }
    ColumnPages.Matches starts = new ColumnPages.Matches(0, null);
    ColumnPages.hybrid(levels, start + 4, start + 4 + len, maxRep, null, n, "repetition", starts);
    return starts.count;
  }

  /**
   * The length-prefixed repetition levels at the front of a Snappy V1 page, decoded from the first
   * {@link #SNAPPY_PREFIX_BYTES} of its body ({@link PageDecompressor#snappyPrefix}); null where
   * they reach past those (then the whole page is decompressed, as for other codecs). A reader
   * skipping to its split's first row needs only these of every page before it: the split starting
   * 3/4 into a 1 GB Snappy column chunk had decompressed 750 MB to count rows. The body stays
   * unread, as for an uncompressed page.
   */
  private ByteBuffer snappyRepetitionLevels(PageHeaderFields h) {
    int declared = h.uncompressedSize;
    int size = Math.min(h.compressedSize, snappyPrefixBytes);
    seek(pendingBody);
    grow(size);
    readFully(buffer, size, "repetition levels");
    seek(pendingBody);
    long stated = PageDecompressor.snappyLength(buffer, 0, size);
    if (stated >= 0 && stated != declared) { // -1 (no varint in the bytes read): the whole page
      throw PageDecompressor.snappyLengthMismatch(stated, declared);
    }
    if (declared < 4 || PageDecompressor.snappyPrefix(buffer, 0, size, 4, levelPrefix) < 0) {
      return null;
    }
    int len = ByteBuffer.wrap(levelPrefix, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (len < 0 || len > declared - 4) {
      throw new CorruptPageException(
          "repetition levels of " + len + " bytes in a page of " + declared + " bytes");
    }
    if (4 + len > snappyPrefixBytes) {
      return null;
    }
    if (levelPrefix.length < 4 + len) {
      levelPrefix = new byte[snappyPrefixBytes];
    }
    if (PageDecompressor.snappyPrefix(buffer, 0, size, 4 + len, levelPrefix) < 0) {
      return null;
    }
    return ByteBuffer.wrap(levelPrefix, 0, 4 + len);
  }

  /** Passes the data page {@link #peekRowStarts} looked at, unread. */
  void skipPage() {
    PageHeaderFields h = pending;
    if (h == null) {
      throw new IllegalStateException("no page to skip");
    }
    pending = null;
    pendingLoaded = false;
    dataPages++;
    values += h.numValues;
    seek(pendingBody + h.compressedSize);
  }

  /** The next data page's header, skipping index pages; null at the end of the chunk. */
  private PageHeaderFields nextDataHeader() {
    while (true) {
      PageHeaderFields h = nextHeader();
      if (h == null) {
        return null;
      }
      switch (h.type) {
        case PageHeaderFields.DATA_PAGE, PageHeaderFields.DATA_PAGE_V2 -> {
          return h;
        }
        case PageHeaderFields.DICTIONARY_PAGE ->
            throw new CorruptPageException(
                "a second dictionary page" + " (data page " + dataPages + " expected)");
        default -> { // INDEX_PAGE (PageHeaderFields refuses types it does not know)
          pending = null;
          seek(pendingBody + h.compressedSize);
        }
      }
    }
  }

  /** Reads the next page header (or returns the pending one); null at the end of the chunk. */
  private PageHeaderFields nextHeader() {
    if (pending != null) {
      return pending;
    }
    if (pageCount >= 0 ? dataPages >= pageCount : values >= chunk.getValueCount()) {
      return null;
    }
    current = dataPages;
    PageHeaderFields h;
    try {
      h = PageHeaderFields.read(in);
      pendingBody = in.getPos();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "its page header does not read (" + e.getMessage() + ")", e);
    }
    if (h.compressedSize < 0 || h.uncompressedSize < 0) {
      throw new CorruptPageException(
          "page header says "
              + h.compressedSize
              + " bytes compressed, "
              + h.uncompressedSize
              + " uncompressed");
    }
    long chunkEnd = chunk.getStartingPos() + chunk.getTotalSize();
    if (pendingBody + h.compressedSize > chunkEnd) {
      throw new CorruptPageException(
          "a page of "
              + h.compressedSize
              + " bytes at byte "
              + pendingBody
              + " runs past the column chunk's end at byte "
              + chunkEnd);
    }
    if (!h.hasTypeHeader) {
      throw new CorruptPageException(
          "a " + PageHeaderFields.typeName(h.type) + " header without its type's fields");
    }
    pending = h;
    pendingLoaded = false;
    return h;
  }

  private void loadBody(PageHeaderFields h) {
    seek(pendingBody);
    int size = h.compressedSize;
    grow(size);
    readFully(buffer, size, "page");
  }

  private void grow(int size) {
    if (buffer.length < size) {
      buffer = new byte[Math.max(size, buffer.length + (buffer.length >> 1))];
    }
  }

  private void checkCrc(PageHeaderFields h, byte[] bytes, int size, String what) {
    if (!h.hasCrc) {
      return;
    }
    crc.reset();
    crc.update(bytes, 0, size);
    checkCrcValue(h, size, what);
  }

  /** Compares the CRC of the bytes just given to {@link #crc} with the header's. */
  private void checkCrcValue(PageHeaderFields h, int size, String what) {
    if ((int) crc.getValue() != h.crc) {
      throw new CorruptPageException(
          what
              + " CRC checksum verification failed: the header"
              + " says "
              + Integer.toHexString(h.crc)
              + ", the "
              + size
              + " bytes give "
              + Integer.toHexString((int) crc.getValue()));
    }
  }

  /** Decompresses a data page (or its values) into the reused buffer: valid until the next. */
  private ByteBuffer decompress(byte[] bytes, int offset, int size, int uncompressed) {
    plain = decompressor.decompress(chunk.getCodec(), bytes, offset, size, uncompressed, plain);
    return ByteBuffer.wrap(plain, 0, uncompressed).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** An uncompressed page's two sizes must agree (else the page is not what its header says). */
  private static void requireSameSize(PageHeaderFields h, String what) {
    if (h.uncompressedSize != h.compressedSize) {
      throw new CorruptPageException(
          what
              + " does not decompress to its declared size: "
              + h.compressedSize
              + " bytes stored uncompressed, its header says "
              + h.uncompressedSize);
    }
  }

  /**
   * A page's value count is bounded by what the footer says is left of the column chunk, before
   * anything is sized from it.
   */
  private void checkValueCount(int n) {
    if (n < 0 || (pageCount < 0 && n > chunk.getValueCount() - values)) {
      throw new CorruptPageException(
          "page header says "
              + n
              + " values, the column chunk has "
              + Math.max(0, chunk.getValueCount() - values)
              + " left (footer: "
              + chunk.getValueCount()
              + ")");
    }
  }

  private void readFully(byte[] into, int size, String what) {
    readFully(into, 0, size, what);
  }

  private void readFully(byte[] into, int offset, int size, String what) {
    try {
      in.readFully(into, offset, size);
    } catch (IOException e) {
      throw readFailure(e, what, size);
    }
  }

  /** A read of {@code size} bytes that failed: past the end of the file (corrupt), or I/O. */
  private static RuntimeException readFailure(IOException e, String what, int size) {
    if (e instanceof EOFException) {
      return new CorruptPageException(
          what + " of " + size + " bytes runs past the end of the" + " file (truncated?)");
    }
    return new java.io.UncheckedIOException(
        what + " of " + size + " bytes does not read (" + e.getMessage() + ")", e);
  }

  private void seek(long pos) {
    try {
      if (in.getPos() != pos) {
        in.seek(pos);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "cannot seek to byte " + pos + " (" + e.getMessage() + ")", e);
    }
  }

  /** The {@code Encoding} value of RLE in {@code parquet.thrift}. */
  private static final int RLE = 3;

  /** parquet-mr's encodings by their {@code parquet.thrift} value (null: none). */
  private static final Encoding[] ENCODINGS = new Encoding[16];

  static {
    for (org.apache.parquet.format.Encoding e : org.apache.parquet.format.Encoding.values()) {
      try {
        ENCODINGS[e.getValue()] = Encoding.valueOf(e.name());
      } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException unknown) {
        // a format encoding parquet-mr cannot decode: left null, refused where a page uses it
      }
    }
  }

  private static Encoding encoding(int value) {
    Encoding e = value >= 0 && value < ENCODINGS.length ? ENCODINGS[value] : null;
    if (e == null) {
      throw new CorruptPageException(
          "its page header names encoding " + value + ", not one of Parquet's");
    }
    return e;
  }
}
