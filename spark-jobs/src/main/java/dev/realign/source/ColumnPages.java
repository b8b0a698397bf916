package dev.realign.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * The pages of one column of one row group ({@link PageStream}), decoded a page at a time into
 * level arrays and typed values, with the checks a careful reader makes: every level section
 * decodes to exactly the page's {@code num_values} entries within its declared length, levels stay
 * within their maxima, and the values fill the rest of the page exactly (one value per defined
 * entry). Dictionary pages are decoded here (PLAIN entries filling the page exactly), and so are
 * dictionary indices: each in range, exactly one per defined entry, ending where the page ends
 * (parquet-mr's hybrid decoder reads a zero run header as an endless repeat). Before arrays are
 * grown for a page, its level (or index) runs are walked to check that its bytes really hold the
 * entries its header claims. The page stream verifies the page CRCs where the writer stored them. A
 * mismatch throws {@link CorruptPageException}.
 */
final class ColumnPages {
  final ColumnDescriptor column;
  private final PageStream pages;

  /** Entries of the dictionary page (-1: none), decoded by type. */
  private int dictSize = -1;

  private float[] dictFloats;
  private long[] dictLongs;
  private Binary[] dictBinaries;

  /**
   * Of a BINARY dictionary: where each entry's length prefix is in {@link #dictData}. Its entries
   * become {@code Binary} objects when a page first uses them: pyarrow's id dictionary holds about
   * 100,000 entries, and each split that reads any of them made all of them, though a split uses
   * its own rows' share (JFR allocation samples of a 200k-row Parquet run: 50 MB of such entries
   * before, 26 MB after).
   */
  private int[] dictOffsets;

  private ByteBuffer dictData;

  /** The dictionary page's entries until they are decoded (null: decoded, or no dictionary). */
  private ByteBuffer dictBytes;

  private int[] indices = new int[0];

  /**
   * The most level entries one page may hold (rep, def and row-start arrays take 12 bytes each): 64
   * Mi, over 3,000 times what current writers put in a page (20,000 rows).
   */
  static final int MAX_PAGE_ENTRIES = 1 << 26;

  /** Whether an integer column is unsigned (uint32 / uint64): its ids print unsigned. */
  final boolean unsigned;

  final int maxRep;
  final int maxDef;
  private final boolean float16;

  /**
   * Every half's float value (256 KiB), for float16 pages: made when a float16 page is first read
   * (a class of its own), not when this class loads, which is early in every run on Parquet input
   * (the planner's dimension sample), and mostly for float32 columns.
   */
  private static final class Halves {
    static final float[] VALUES = new float[1 << 16];

    static {
      for (int h = 0; h < VALUES.length; h++) {
        VALUES[h] = dev.realign.vector.Float16.toFloat((short) h);
      }
    }
  }

  /**
   * The current page's repetition and definition levels, decoded from their runs only when a reader
   * asks ({@link #repLevels()}, {@link #defLevels()}): the common row (d defined entries inside one
   * page) needs only the row starts and the defined count, which the runs give without a store a
   * level (at d = 1,280, two int arrays of 256 Mi entries written and never read per pass over
   * 200,000 rows).
   */
  private int[] rep = new int[0];

  private int[] def = new int[0];

  /**
   * Whether {@link #rep} and {@link #def} hold the current page's levels. They are stored only when
   * a reader asks ({@link #storeLevels}): pyarrow's vector pages hold 262,144 entries, and two int
   * arrays of that size, made by every split of every pass, were 1 MiB objects (G1 humongous
   * regions of 2 MiB each, fresh pages for the process) that a page with every entry defined never
   * reads.
   */
  private boolean levelsStored;

  /**
   * The most entries a page was checked to hold ({@link #preflightV1}) before arrays of that many
   * entries could be made for it.
   */
  private int preflighted;

  /**
   * A level section of the current page, {@code bytes[start, end)}; {@code bytes} null when it
   * needs no decoding later (no section, or one decoded into its array at once).
   */
  private record Section(ByteBuffer bytes, int start, int end) {
    /** This section when it still has to be decoded into its array, else null. */
    Section pending() {
      return bytes == null ? null : this;
    }
  }

  private Section repPending;
  private Section defPending;

  /** Level entries of the current page, and the next one to read. */
  int count;

  int pos;

  /**
   * Values of the current page: one per entry whose definition level is {@link #maxDef}; read them
   * with {@link #copyFloats} and {@link #floatAt}. PLAIN float32 pages are not copied here: their
   * values are read from the page's bytes ({@link #plainFloats}), one copy fewer per value.
   */
  private float[] floats = new float[0];

  /** The current page's PLAIN float32 values, a view of its bytes (null: in {@link #floats}). */
  private java.nio.FloatBuffer plainFloats;

  long[] longs = new long[0];
  Binary[] binaries = new Binary[0];
  int valuePos;

  /**
   * For lists: the entries of the current page that start a row (repetition level 0), counted from
   * the level runs, and the first of them not before {@link #pos} (see {@link ParquetSplitReader}'s
   * full-row check); whether every entry of the page is defined.
   */
  int[] starts = new int[0];

  int startCount;
  int startCursor;
  boolean allDefined;
  private final Matches rowStarts = new Matches(0, starts);
  private final Matches definedEntries;

  /**
   * Whether only the pages' levels are decoded, not their values (nor the dictionary's entries; its
   * page is still read and checked): for the dimension sampler, which needs the lengths of a list
   * column's first vectors, not their values. The first page of a pyarrow file's vector column
   * holds 262,144 dictionary indices, and decoding them (and the dictionary) was most of the 60-90
   * ms that planning a 200k-row file spent on its 64-row sample early in a run.
   */
  boolean levelsOnly;

  ColumnPages(ColumnDescriptor column, PageStream pages) {
    this.column = column;
    this.pages = pages;
    this.maxRep = column.getMaxRepetitionLevel();
    this.maxDef = column.getMaxDefinitionLevel();
    this.definedEntries = new Matches(maxDef, null);
    PrimitiveType t = column.getPrimitiveType();
    this.float16 =
        t.getPrimitiveTypeName() == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
            && t.getLogicalTypeAnnotation()
                instanceof LogicalTypeAnnotation.Float16LogicalTypeAnnotation;
    this.unsigned =
        t.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
            && !i.isSigned();
    if (floatValues()) {
      pages.readBodiesOffHeap();
    }
    DictionaryPage dp = pages.readDictionaryPage();
    if (dp != null) {
      dictionary(dp);
    }
  }

  /** An id value as text: unsigned columns (uint32, uint64) print unsigned. */
  String integerText(long v) {
    if (!unsigned) {
      return Long.toString(v);
    }
    return column.getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.INT32
        ? Integer.toUnsignedString((int) v)
        : Long.toUnsignedString(v);
  }

  /**
   * Checks the dictionary page (PLAIN, its size as its header says) and keeps its bytes: its
   * entries are decoded when a page first needs them ({@link #decodeDictionary}). A writer falls
   * back from dictionary to PLAIN pages when the dictionary outgrows its page (pyarrow at 1 MiB),
   * so of the splits of a big row group only the first reads dictionary-encoded pages: the others
   * would decode a dictionary of 100,000 ids or 262,144 floats on every open, and drop it unused.
   */
  private void dictionary(DictionaryPage dp) {
    Encoding enc = dp.getEncoding();
    if (enc != Encoding.PLAIN && enc != Encoding.PLAIN_DICTIONARY) {
      throw new CorruptPageException("dictionary page in encoding " + enc + " (must be PLAIN)");
    }
    ByteBuffer b = bytes(dp.getBytes(), "dictionary page").slice().order(ByteOrder.LITTLE_ENDIAN);
    int n = dp.getDictionarySize();
    PrimitiveTypeName type = column.getPrimitiveType().getPrimitiveTypeName();
    int size =
        switch (type) {
          case FLOAT, INT32 -> 4;
          case INT64 -> 8;
          case FIXED_LEN_BYTE_ARRAY -> column.getPrimitiveType().getTypeLength();
          case BINARY -> 0;
          default ->
              throw new CorruptPageException("a dictionary of " + type + " values (not read)");
        };
    long need = size > 0 ? (long) n * size : 4L * n;
    if (n < 0 || (size > 0 ? need != b.remaining() : need > b.remaining())) {
      throw new CorruptPageException(
          "dictionary page holds "
              + b.remaining()
              + " bytes, its header says "
              + n
              + " entries"
              + (size > 0 ? " of " + size + " bytes" : ""));
    }
    dictBytes = b;
    dictSize = n;
  }

  /** Decodes the entries of the dictionary page kept by {@link #dictionary}. */
  private void decodeDictionary() {
    ByteBuffer b = dictBytes;
    dictBytes = null;
    int n = dictSize;
    PrimitiveTypeName type = column.getPrimitiveType().getPrimitiveTypeName();
    if (floatValues()) {
      dictFloats = float16 ? halves(b, n) : floats(b, n);
    } else if (type == PrimitiveTypeName.INT32 || type == PrimitiveTypeName.INT64) {
      dictLongs = new long[n];
      for (int i = 0; i < n; i++) {
        dictLongs[i] = type == PrimitiveTypeName.INT32 ? b.getInt(4 * i) : b.getLong(8 * i);
      }
    } else if (type == PrimitiveTypeName.BINARY) {
      dictBinaries = new Binary[n];
      dictOffsets = new int[n];
      dictData = b;
      int end = byteArrays(b, n, null, dictOffsets, "dictionary page");
      if (end != b.limit()) {
        throw new CorruptPageException(
            (b.limit() - end) + " bytes left after the dictionary page's " + n + " entries");
      }
    } else {
      int size = column.getPrimitiveType().getTypeLength();
      dictBinaries = new Binary[n];
      for (int i = 0; i < n; i++) {
        dictBinaries[i] = Binary.fromConstantByteBuffer(b, i * size, size);
      }
    }
  }

  /**
   * {@code n} little-endian floats. Methods of their own, as each dictionary loop: a dictionary of
   * 262,144 floats is decoded by the first split of each pass, and the JIT compiles its loop alone.
   */
  private static float[] floats(ByteBuffer b, int n) {
    float[] out = new float[n];
    b.slice(0, 4 * n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  private static float[] halves(ByteBuffer b, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = Halves.VALUES[b.getShort(2 * i) & 0xffff];
    }
    return out;
  }

  /** Whether the column's values are floats (FLOAT, or FLOAT16 halves widened exactly). */
  boolean floatValues() {
    return float16 || column.getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.FLOAT;
  }

  int pageIndex() {
    return pages.pageIndex();
  }

  ColumnChunkMetaData chunk() {
    return pages.chunk();
  }

  /** Makes the next entry available; false at the end of the column chunk. */
  boolean ensureEntry() {
    while (pos == count) {
      DataPage page = pages.readPage();
      if (page == null) {
        return false;
      }
      if (page instanceof DataPageV1 v1) {
        loadV1(v1);
      } else {
        loadV2((DataPageV2) page);
      }
    }
    return true;
  }

  /**
   * Positions the column at the first entry of row {@code row} of the row group: whole pages before
   * it are passed by their headers (or the offset index, when given) without decoding their values;
   * the page holding the row is decoded and walked to the row's first entry.
   */
  void skipRows(long row, OffsetIndex index) {
    if (row <= 0) {
      return;
    }
    long started = index == null ? 0 : pages.seekToPageOf(row, index);
    while (pos == count) {
      int starts = pages.peekRowStarts();
      if (starts == -1) {
        throw new CorruptPageException(
            "the column ends before row " + row + " of the row" + " group (" + started + " rows)");
      }
      if (starts < 0 || started + starts > row) {
        break; // the row starts in this page (or its levels need the full decoder)
      }
      pages.skipPage();
      started += starts;
    }
    while (true) {
      if (!ensureEntry()) {
        throw new CorruptPageException(
            "the column ends before row " + row + " of the row" + " group (" + started + " rows)");
      }
      if (pos == 0 && allDefined) {
        // A page with no undefined entry, from its start: its row starts (counted from the level
        // runs) say where the row starts, and its value is the entry's; no level is decoded.
        if (row - started < startCount) { // startCount: count where every entry starts a row
          int k = (int) (row - started);
          pos = maxRep == 0 ? k : starts[k];
          valuePos = pos;
          startCursor = maxRep == 0 ? 0 : k;
          return;
        }
        started += startCount;
        pos = count;
        valuePos = count;
        continue;
      }
      storeLevels();
      if (rep[pos] == 0) {
        if (started == row) {
          return;
        }
        started++;
      }
      if (def[pos++] == maxDef) {
        valuePos++;
      }
    }
  }

  private void loadV1(DataPageV1 page) {
    int n = page.getValueCount();
    ByteBuffer body = bytes(page.getBytes(), "page body");
    if (body.remaining() != page.getUncompressedSize()) {
      throw new CorruptPageException(
          "page decompresses to "
              + body.remaining()
              + " bytes, its header says "
              + page.getUncompressedSize());
    }
    if (n > preflighted) {
      preflightV1(page, body, n);
      preflighted = n;
    }
    newPage(n);
    Section r = levelsV1(body, body.position(), page.getRlEncoding(), maxRep, true, n, rowStarts);
    Section d = levelsV1(body, r.end(), page.getDlEncoding(), maxDef, false, n, definedEntries);
    repPending = r.pending();
    defPending = d.pending();
    body.position(d.end());
    int defined = counted(n);
    if (!levelsOnly) {
      values(page.getValueEncoding(), body.slice().order(ByteOrder.LITTLE_ENDIAN), defined, n);
    }
  }

  /** Sets the counts of the page just decoded; returns its number of defined entries. */
  private int counted(int n) {
    startCount = maxRep == 0 ? n : rowStarts.count;
    startCursor = 0;
    int defined = maxDef == 0 ? n : definedEntries.count;
    allDefined = defined == n;
    return defined;
  }

  /**
   * Copies {@code n} float values of the current page, from value {@code from}, into {@code to}.
   */
  void copyFloats(int from, float[] to, int at, int n) {
    if (plainFloats != null) {
      plainFloats.get(from, to, at, n);
    } else {
      System.arraycopy(floats, from, to, at, n);
    }
  }

  /**
   * How many rows from {@link #pos} (a row start), at most {@code max}, are whole rows of this page
   * with exactly {@code d} entries each, all defined, none of them the page's last row (which may
   * go on in the next page); their values are the next {@code d} x that many. Moves {@link
   * #startCursor} to the last of them.
   */
  int fullRows(int d, int max) {
    if (!allDefined) {
      return 0;
    }
    int k = startCursor; // starts[k] == pos: the caller checked pos is a row start
    int rows = 0;
    int next = pos + d;
    while (rows < max && k + 1 < startCount && starts[k + 1] == next) {
      k++;
      rows++;
      next += d;
    }
    startCursor = k;
    return rows;
  }

  /** Float value {@code i} of the current page. */
  float floatAt(int i) {
    return plainFloats != null ? plainFloats.get(i) : floats[i];
  }

  /** The current page's repetition levels (decoded now if they were not yet). */
  int[] repLevels() {
    storeLevels();
    return rep;
  }

  /** The current page's definition levels (decoded now if they were not yet). */
  int[] defLevels() {
    storeLevels();
    return def;
  }

  /**
   * Whether the entry at {@link #pos} starts a row (repetition level 0), from the row starts
   * counted from the level runs: no level is decoded. Moves {@link #startCursor} to the first start
   * not before {@link #pos}.
   */
  boolean atRowStart() {
    if (maxRep == 0) {
      return true;
    }
    int k = startCursor;
    while (k < startCount && starts[k] < pos) {
      k++;
    }
    startCursor = k;
    return k < startCount && starts[k] == pos;
  }

  /**
   * The first entry after {@link #pos} that starts a row, or {@link #count} when none in this page
   * (for lists; from the row starts counted from the level runs). Moves {@link #startCursor} to it.
   */
  int nextRowStart() {
    int k = startCursor;
    while (k < startCount && starts[k] <= pos) {
      k++;
    }
    startCursor = k;
    return k < startCount ? starts[k] : count;
  }

  /**
   * Stores the current page's levels in {@link #rep} and {@link #def}: the sections walked but not
   * stored are decoded (already checked: they decode again), and a column without repetition or
   * definition levels gets zeros. The page's entries were checked against its bytes first.
   */
  private void storeLevels() {
    if (levelsStored) {
      return;
    }
    levelsStored = true;
    levelCapacity(count);
    if (maxRep == 0) { // no section to decode: every entry starts a row
      java.util.Arrays.fill(rep, 0, count, 0);
    }
    if (maxDef == 0) {
      java.util.Arrays.fill(def, 0, count, 0);
    }
    if (repPending != null) {
      Section r = repPending;
      repPending = null;
      hybrid(r.bytes(), r.start(), r.end(), maxRep, rep, count, "repetition", null);
    }
    if (defPending != null) {
      Section d = defPending;
      defPending = null;
      hybrid(d.bytes(), d.start(), d.end(), maxDef, def, count, "definition", null);
    }
  }

  private void loadV2(DataPageV2 page) {
    int n = page.getValueCount();
    if (n > preflighted) {
      checkEntries(n);
      if (maxRep > 0) {
        ByteBuffer r = bytes(page.getRepetitionLevels(), "repetition levels");
        hybrid(r, r.position(), r.limit(), maxRep, null, n, "repetition", null);
      }
      if (maxDef > 0) {
        ByteBuffer d = bytes(page.getDefinitionLevels(), "definition levels");
        hybrid(d, d.position(), d.limit(), maxDef, null, n, "definition", null);
      }
      if (maxRep == 0 && maxDef == 0) {
        ByteBuffer data = bytes(page.getData(), "values");
        checkValueBytes(page.getDataEncoding(), data.slice().order(ByteOrder.LITTLE_ENDIAN), n);
      }
      preflighted = n;
    }
    newPage(n);
    if (maxRep > 0) {
      ByteBuffer r = bytes(page.getRepetitionLevels(), "repetition levels");
      int end = rowStartRuns(r, r.position(), r.limit(), n);
      requireEnd(end, r.limit(), "repetition");
      repPending = new Section(r, r.position(), r.limit());
    }
    if (maxDef > 0) {
      ByteBuffer d = bytes(page.getDefinitionLevels(), "definition levels");
      int end = hybrid(d, d.position(), d.limit(), maxDef, null, n, "definition", definedEntries);
      requireEnd(end, d.limit(), "definition");
      defPending = new Section(d, d.position(), d.limit());
    }
    int defined = counted(n);
    if (n - defined != page.getNullCount()) {
      throw new CorruptPageException(
          "page has "
              + (n - defined)
              + " undefined entries, its"
              + " header says "
              + page.getNullCount()
              + " nulls");
    }
    if (!levelsOnly) {
      ByteBuffer data = bytes(page.getData(), "values");
      values(page.getDataEncoding(), data.slice().order(ByteOrder.LITTLE_ENDIAN), defined, n);
    }
  }

  private static ByteBuffer bytes(org.apache.parquet.bytes.BytesInput in, String what) {
    try {
      return in.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new CorruptPageException(what + " do not decompress (" + e.getMessage() + ")");
    }
  }

  private static void checkEntries(int n) {
    if (n < 0 || n > MAX_PAGE_ENTRIES) {
      throw new CorruptPageException(
          "page header says " + n + " values (must be in 0.." + MAX_PAGE_ENTRIES + ")");
    }
  }

  /**
   * Before the arrays grow to a V1 page's {@code num_values}: its level sections must hold that
   * many entries (walked, not stored), or, with no levels, its values that many values.
   */
  private void preflightV1(DataPageV1 page, ByteBuffer body, int n) {
    checkEntries(n);
    int at = body.position();
    at = preflightLevels(body, at, page.getRlEncoding(), maxRep, n, "repetition");
    at = preflightLevels(body, at, page.getDlEncoding(), maxDef, n, "definition");
    if (maxRep == 0 && maxDef == 0) {
      ByteBuffer data = body.duplicate().position(at).slice().order(ByteOrder.LITTLE_ENDIAN);
      checkValueBytes(page.getValueEncoding(), data, n);
    }
  }

  private static int preflightLevels(
      ByteBuffer body, int at, Encoding enc, int max, int n, String what) {
    if (max == 0) {
      return at;
    }
    if (enc != Encoding.RLE) { // BIT_PACKED: n levels of the level width, no length prefix
      long bits = (long) n * (32 - Integer.numberOfLeadingZeros(max));
      if (bits > 8L * (body.limit() - at)) {
        throw new CorruptPageException(
            what + " levels: " + n + " entries in " + (body.limit() - at) + " bytes");
      }
      return at;
    }
    int len = rleLevelsLength(body, at, what);
    int start = at + 4;
    hybrid(body, start, start + len, max, null, n, what, null);
    return start + len;
  }

  /** The values section of a page without levels must hold {@code n} values. */
  private void checkValueBytes(Encoding enc, ByteBuffer data, int n) {
    int size = fixedSize(enc);
    if (size > 0 && (long) n * size != data.remaining()) {
      throw new CorruptPageException(
          "values take "
              + data.remaining()
              + " bytes, the header says "
              + n
              + " values of "
              + size);
    }
    if (enc == Encoding.PLAIN
        && column.getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BINARY
        && 4L * n > data.remaining()) {
      throw new CorruptPageException(
          "values take " + data.remaining() + " bytes, too few for " + n + " byte arrays");
    }
    if (enc.usesDictionary() && data.remaining() > 0) {
      indexRuns(data, null, n);
    }
  }

  /** Bytes per value of an encoding that stores fixed-size values (PLAIN, BYTE_STREAM_SPLIT). */
  private int fixedSize(Encoding enc) {
    if (enc != Encoding.PLAIN && enc != Encoding.BYTE_STREAM_SPLIT) {
      return -1;
    }
    return switch (column.getPrimitiveType().getPrimitiveTypeName()) {
      case FLOAT, INT32 -> 4;
      case INT64, DOUBLE -> 8;
      case FIXED_LEN_BYTE_ARRAY -> column.getPrimitiveType().getTypeLength();
      default -> -1;
    };
  }

  /**
   * Decodes {@code n} dictionary indices (bit width byte, then RLE / bit-packed runs) into {@code
   * out} (null: checked only); they must be in the dictionary and end exactly with the page.
   */
  private void indexRuns(ByteBuffer data, int[] out, int n) {
    if (data.remaining() < 1) {
      throw new CorruptPageException(n + " dictionary indices in an empty page");
    }
    int width = data.get(0) & 0xff;
    if (width > 32) {
      throw new CorruptPageException("dictionary indices of bit width " + width + " (max 32)");
    }
    int max = dictSize < 0 ? Integer.MAX_VALUE : dictSize - 1;
    int end =
        runs(
            data,
            1,
            data.limit(),
            width,
            max,
            out,
            n,
            "dictionary indices",
            "dictionary index",
            null);
    if (end != data.limit()) {
      throw new CorruptPageException(
          "dictionary indices end at byte " + end + " of a page that ends at " + data.limit());
    }
  }

  /** A page of {@code n} entries begins: its levels are walked next, stored only on demand. */
  private void newPage(int n) {
    checkEntries(n);
    levelsStored = false;
    repPending = null;
    defPending = null;
    count = n;
    pos = 0;
    valuePos = 0;
  }

  /**
   * {@link #rep} and {@link #def} hold at least {@code n} entries. {@code n} is the current page's
   * entry count, never above {@link #preflighted}: at most the entries of a page of this chunk that
   * was checked against its bytes, so a forged count cannot make a larger array than a real page.
   */
  private void levelCapacity(int n) {
    if (rep.length < n) {
      rep = new int[n];
      def = new int[n];
    }
  }

  /**
   * Walks a list page's repetition levels {@code b[start, end)} ({@code n} entries), listing its
   * row starts in {@link #starts}; when they did not all fit, the array grows to their number and
   * the section is walked again (a page with more rows than any before it). A page of d-entry
   * vectors has n / d row starts, so an array of n (1 MiB at pyarrow's 262,144 entries) would be
   * mostly unused.
   */
  private int rowStartRuns(ByteBuffer b, int start, int end, int n) {
    int at = hybrid(b, start, end, maxRep, null, n, "repetition", rowStarts);
    if (rowStarts.count > starts.length) {
      rowStartCapacity(rowStarts.count, n);
      at = hybrid(b, start, end, maxRep, null, n, "repetition", rowStarts);
    }
    return at;
  }

  /** {@link #starts} holds at least {@code needed} entries (at most {@code n}, the page's). */
  private void rowStartCapacity(int needed, int n) {
    if (starts.length < needed) {
      starts = new int[Math.min(n, Math.max(needed, 2 * starts.length))];
      rowStarts.positions = starts;
    }
  }

  /**
   * Walks (and checks) a V1 page's level section at {@code at}: RLE sections are left for {@link
   * #storeLevels} (their {@link Section#pending}); BIT_PACKED ones are decoded into {@link #rep} or
   * {@link #def} at once. The section's {@code end} is where the next one starts.
   */
  private Section levelsV1(
      ByteBuffer body, int at, Encoding enc, int max, boolean repetition, int n, Matches matches) {
    if (max == 0) {
      return new Section(null, at, at);
    }
    String what = repetition ? "repetition" : "definition";
    if (enc != Encoding.RLE) {
      // BIT_PACKED (deprecated, never seen from current writers): parquet-mr decodes it, into the
      // level arrays at once (the page's entries were checked against its bytes first).
      levelCapacity(n);
      if (repetition) {
        rowStartCapacity(n, n);
      }
      int[] out = repetition ? rep : def;
      ValuesReader r =
          enc.getValuesReader(
              column,
              what.equals("repetition")
                  ? ValuesType.REPETITION_LEVEL
                  : ValuesType.DEFINITION_LEVEL);
      try {
        ByteBufferInputStream in = ByteBufferInputStream.wrap(body.duplicate().position(at));
        r.initFromPage(n, in);
        matches.count = 0;
        for (int i = 0; i < n; i++) {
          out[i] = checkLevel(r.readInteger(), max, what);
          if (out[i] == matches.value) {
            if (matches.positions != null) {
              matches.positions[matches.count] = i;
            }
            matches.count++;
          }
        }
        return new Section(null, at, at + (int) in.position());
      } catch (IOException | RuntimeException e) {
        throw new CorruptPageException(what + " levels do not decode (" + e + ")");
      }
    }
    int len = rleLevelsLength(body, at, what);
    int start = at + 4;
    int end =
        repetition
            ? rowStartRuns(body, start, start + len, n)
            : hybrid(body, start, start + len, max, null, n, what, matches);
    requireEnd(end, start + len, what);
    return new Section(body, start, start + len);
  }

  private static void requireEnd(int end, int declared, String what) {
    if (end != declared) {
      throw new CorruptPageException(
          what + " levels end at byte " + end + " of a section that" + " ends at " + declared);
    }
  }

  private static void checkValue(int v, int max, String item) {
    if (v < 0 || v > max) {
      throw valueFailure(v, max, item);
    }
  }

  private static CorruptPageException valueFailure(int v, int max, String item) {
    return new CorruptPageException(item + " " + v + " (must be in 0.." + max + ")");
  }

  private static int checkLevel(int v, int max, String what) {
    if (v < 0 || v > max) {
      throw new CorruptPageException(what + " level " + v + " (must be in 0.." + max + ")");
    }
    return v;
  }

  /**
   * Decodes exactly {@code n} levels of the RLE / bit-packed hybrid in {@code b[start, end)};
   * returns where the last run ended.
   */
  static int hybrid(ByteBuffer b, int start, int end, int max, int[] out, int n, String what) {
    return hybrid(b, start, end, max, out, n, what, null);
  }

  /**
   * The entries of a level section equal to one value, counted run by run (a run of 1,279 ones
   * costs one step, not 1,279), and where {@code positions} is given, listed as far as it holds
   * them: a {@code count} above its length means the list is incomplete (grow it, walk again).
   */
  static final class Matches {
    final int value;
    int[] positions;
    int count;

    Matches(int value, int[] positions) {
      this.value = value;
      this.positions = positions;
    }
  }

  /**
   * As {@link #hybrid(ByteBuffer, int, int, int, int[], int, String)}; {@code out} may be null
   * (levels not kept), and {@code matches}, where given, counts (and lists) the entries equal to
   * its value.
   */
  static int hybrid(
      ByteBuffer b, int start, int end, int max, int[] out, int n, String what, Matches matches) {
    int width = 32 - Integer.numberOfLeadingZeros(max);
    return runs(b, start, end, width, max, out, n, what + " levels", what + " level", matches);
  }

  /**
   * The RLE / bit-packed hybrid of values {@code width} bits wide, each at most {@code max}:
   * exactly {@code n} of them decoded from {@code b[start, end)} into {@code out} (may be null);
   * returns where the last run ended. {@code stream} and {@code item} name them in errors.
   */
  static int runs(
      ByteBuffer b,
      int start,
      int end,
      int width,
      int max,
      int[] out,
      int n,
      String stream,
      String item,
      Matches matches) {
    // Decoded from a byte array: the buffer's own, or a copy of the section (pages read into
    // direct buffers). A ByteBuffer's get checks its bounds (and a direct one its memory session)
    // on every byte; runs of list levels come one or two a row.
    if (start < 0 || end < start || end > b.limit()) {
      throw new CorruptPageException(
          stream + " at bytes " + start + ".." + end + " of a section of " + b.limit());
    }
    if (b.hasArray()) {
      int base = b.arrayOffset();
      return runs(b.array(), base + start, base + end, width, max, out, n, stream, item, matches)
          - base;
    }
    byte[] copy = new byte[end - start];
    b.get(start, copy);
    return runs(copy, 0, end - start, width, max, out, n, stream, item, matches) + start;
  }

  /**
   * As {@link #runs(ByteBuffer, int, int, int, int, int[], int, String, String, Matches)}. Kept
   * small for the JIT, which compiles it early and more than once (levels, dictionary indices, and
   * page skips each profile it their way): failures are built in {@link #runFailure}, a run's
   * effects are {@link #repeat} and {@link #unpack}.
   */
  private static int runs(
      byte[] b,
      int start,
      int end,
      int width,
      int max,
      int[] out,
      int n,
      String stream,
      String item,
      Matches matches) {
    if (width == 1 && max >= 1 && out == null && matches != null && matches.value <= 1) {
      return oneBitMatches(b, start, end, max, n, stream, item, matches);
    }
    if (matches != null) {
      matches.count = 0;
    }
    int byteWidth = (width + 7) / 8;
    int at = start;
    int i = 0;
    while (i < n) {
      long read = runHeader(b, at, end, stream, i, n);
      at += (int) (read & 7);
      long header = read >>> 3;
      long count = header >>> 1;
      if ((header & 1) == 0) { // RLE run
        if (count == 0 || count > n - i || end - at < byteWidth) {
          throw runFailure(stream, 1, i, n, count, end - at);
        }
        int v = 0;
        for (int k = 0; k < byteWidth; k++) {
          v |= (b[at++] & 0xff) << (8 * k);
        }
        checkValue(v, max, item);
        repeat(v, (int) count, out, i, matches);
        i += (int) count;
      } else { // bit-packed groups of 8
        long bytes = count * width;
        if (count == 0 || bytes > end - at) {
          throw runFailure(stream, 2, i, n, count, end - at);
        }
        int take = (int) Math.min(count * 8, n - i);
        // The last run may be padded past n (DuckDB pads with whole groups): padding is ignored.
        unpack(b, at, width, max, out, i, take, item, matches);
        i += take;
        at += (int) bytes;
      }
    }
    return at;
  }

  /**
   * The run header (a varint of at most 5 bytes: 35 bits) at {@code b[at]}, for {@link #runs} and
   * {@link #oneBitMatches}: the header shifted left by 3, or-ed with the bytes it took. Fails when
   * the section ends first ({@code i} of {@code n} entries decoded).
   */
  private static long runHeader(byte[] b, int at, int end, String stream, int i, int n) {
    long header = 0;
    int shift = 0;
    int p = at;
    int x;
    do {
      if (p >= end || shift > 28) {
        throw runFailure(stream, shift == 0 ? -1 : 0, i, n, 0, end - p);
      }
      x = b[p++] & 0xff;
      header |= (long) (x & 0x7f) << shift;
      shift += 7;
    } while ((x & 0x80) != 0);
    return header << 3 | (p - at);
  }

  /**
   * The failure of {@link #runs}: {@code kind} -1, the entries end early; 0, a run header runs past
   * the section; 1, a bad RLE run ({@code count} long); 2, bad bit-packed groups ({@code count}).
   */
  private static CorruptPageException runFailure(
      String stream, int kind, int i, int n, long count, int left) {
    return new CorruptPageException(
        switch (kind) {
          case -1 -> stream + " end after " + i + " of " + n + " entries";
          case 0 -> stream + ": a run header runs past its section";
          case 1 ->
              count == 0 || count > n - i
                  ? stream + ": a run of " + count + " with " + (n - i) + " entries left"
                  : stream + ": a run value runs past its section";
          default -> stream + ": " + count + " bit-packed groups in " + left + " bytes";
        });
  }

  /** An RLE run's effects: {@code run} copies of {@code v} from entry {@code i}. */
  private static void repeat(int v, int run, int[] out, int i, Matches matches) {
    if (out != null) {
      java.util.Arrays.fill(out, i, i + run, v);
    }
    if (matches != null && v == matches.value) {
      int[] positions = matches.positions;
      if (positions != null && matches.count + run <= positions.length) {
        for (int k = 0; k < run; k++) {
          positions[matches.count + k] = i + k;
        }
      }
      matches.count += run;
    }
  }

  /**
   * {@code take} values of a bit-packed run starting at byte {@code at}, into {@code out[i ..]}
   * (may be null) and {@code matches} (may be null). A method of its own: it runs once per run (for
   * list levels, about once a row), so the JIT compiles it as a method rather than compiling loop
   * entries of {@link #runs} again and again.
   */
  private static void unpack(
      byte[] b,
      int at,
      int width,
      int max,
      int[] out,
      int i,
      int take,
      String item,
      Matches matches) {
    long mask = (1L << width) - 1;
    long acc = 0; // bits not yet used, least significant first
    int bits = 0;
    int q = at;
    for (int k = 0; k < take; k++) {
      while (bits < width) {
        acc |= (long) (b[q++] & 0xff) << bits;
        bits += 8;
      }
      int v = (int) (acc & mask);
      acc >>>= width;
      bits -= width;
      checkValue(v, max, item);
      if (out != null) {
        out[i + k] = v;
      }
      if (matches != null && v == matches.value) {
        if (matches.positions != null && matches.count < matches.positions.length) {
          matches.positions[matches.count] = i + k;
        }
        matches.count++;
      }
    }
  }

  /**
   * {@link #runs} of one-bit values (every value valid) that are only matched, not stored: the
   * repetition levels of lists, walked for every page read and every page skipped. A method of its
   * own, small and always called the same way, for the JIT: the general decoder serves dictionary
   * indices and decodes too, and was compiled five times a run. A row of d entries is one
   * bit-packed group (its start and the entries after it) and an RLE run of ones; the groups are
   * matched a byte (8 values) at a time.
   */
  private static int oneBitMatches(
      byte[] b, int start, int end, int max, int n, String stream, String item, Matches matches) {
    int flip = matches.value == 0 ? 0xff : 0; // the matched values as set bits
    int[] positions = matches.positions;
    int room = positions == null ? 0 : positions.length; // listed while they fit (Matches)
    int count = 0;
    int at = start;
    int i = 0;
    while (i < n) {
      long read = runHeader(b, at, end, stream, i, n);
      at += (int) (read & 7);
      long header = read >>> 3;
      long runs = header >>> 1;
      if ((header & 1) == 0) { // RLE run: one byte holds its value
        if (runs == 0 || runs > n - i || at >= end) {
          throw runFailure(stream, 1, i, n, runs, end - at);
        }
        int v = b[at++] & 0xff;
        checkValue(v, max, item);
        if (v == matches.value) {
          if (count + runs <= room) {
            for (int k = 0; k < runs; k++) {
              positions[count + k] = i + k;
            }
          }
          count += (int) runs;
        }
        i += (int) runs;
      } else { // bit-packed groups of 8, a byte each
        if (runs == 0 || runs > end - at) {
          throw runFailure(stream, 2, i, n, runs, end - at);
        }
        int take = (int) Math.min(runs * 8, n - i);
        int bytes = (take + 7) >>> 3; // padding past n is ignored (DuckDB pads whole groups)
        for (int g = 0; g < bytes; g++) {
          int bits = (b[at + g] ^ flip) & 0xff;
          int k = 8 * g;
          if (take - k < 8) {
            bits &= (1 << (take - k)) - 1; // the last values end inside this byte
          }
          int matched = Integer.bitCount(bits);
          if (count + matched > room) {
            count += matched;
          } else {
            while (bits != 0) {
              positions[count++] = i + k + Integer.numberOfTrailingZeros(bits);
              bits &= bits - 1;
            }
          }
        }
        i += take;
        at += (int) runs;
      }
    }
    matches.count = count;
    return at;
  }

  private void values(Encoding enc, ByteBuffer data, int defined, int n) {
    PrimitiveTypeName type = column.getPrimitiveType().getPrimitiveTypeName();
    int size = fixedSize(enc);
    if (size > 0) {
      if ((long) defined * size != data.remaining()) {
        throw new CorruptPageException(
            "values take "
                + data.remaining()
                + " bytes, the levels"
                + " say "
                + defined
                + " values of "
                + size
                + " bytes");
      }
    }
    plainFloats = null;
    if (enc.usesDictionary()) {
      dictionaryValues(data, defined);
      return;
    }
    try {
      if (floatValues() && enc == Encoding.PLAIN && !float16) {
        // The page's bytes stay valid until the next page is read (PageStream), and every value
        // is copied out before that.
        plainFloats = data.asFloatBuffer();
      } else if (floatValues()) {
        if (floats.length < defined) {
          floats = new float[Math.max(defined, 2 * floats.length)];
        }
        if (enc == Encoding.PLAIN) {
          for (int i = 0; i < defined; i++) {
            floats[i] = Halves.VALUES[data.getShort(2 * i) & 0xffff];
          }
        } else {
          ValuesReader r = reader(enc, data, defined);
          for (int i = 0; i < defined; i++) {
            floats[i] = float16 ? halfOf(r.readBytes()) : r.readFloat();
          }
        }
      } else if (type == PrimitiveTypeName.INT32 || type == PrimitiveTypeName.INT64) {
        if (longs.length < defined) {
          longs = new long[Math.max(defined, 2 * longs.length)];
        }
        ByteBufferInputStream in = ByteBufferInputStream.wrap(data);
        if (enc == Encoding.DELTA_BINARY_PACKED) {
          deltaHeader(data, 0, defined, "DELTA_BINARY_PACKED values");
        }
        ValuesReader r = enc.getValuesReader(column, ValuesType.VALUES);
        r.initFromPage(defined, in);
        if (enc == Encoding.DELTA_BINARY_PACKED && in.position() != data.limit()) {
          throw new CorruptPageException(
              "DELTA_BINARY_PACKED values end at byte "
                  + in.position()
                  + " of a page that ends at "
                  + data.limit());
        }
        for (int i = 0; i < defined; i++) {
          longs[i] = type == PrimitiveTypeName.INT32 ? r.readInteger() : r.readLong();
        }
      } else {
        if (binaries.length < defined) {
          binaries = new Binary[Math.max(defined, 2 * binaries.length)];
        }
        if (enc == Encoding.PLAIN && type == PrimitiveTypeName.BINARY) {
          plainBinaries(data, defined);
        } else if (enc == Encoding.DELTA_LENGTH_BYTE_ARRAY || enc == Encoding.DELTA_BYTE_ARRAY) {
          deltaBinaries(enc, data, defined);
        } else {
          ValuesReader r = reader(enc, data, defined);
          for (int i = 0; i < defined; i++) {
            binaries[i] = r.readBytes();
          }
        }
      }
    } catch (CorruptPageException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new CorruptPageException(defined + " " + enc + " values do not decode (" + e + ")");
    }
  }

  /** Values by dictionary index: the indices checked as they are decoded, then looked up. */
  private void dictionaryValues(ByteBuffer data, int defined) {
    if (dictSize < 0) {
      throw new CorruptPageException("dictionary-encoded values without a dictionary page");
    }
    if (indices.length < defined) {
      indices = new int[Math.max(defined, 2 * indices.length)];
    }
    if (defined > 0 || data.remaining() > 0) {
      indexRuns(data, indices, defined);
    }
    if (dictBytes != null) {
      decodeDictionary();
    }
    int[] idx = indices;
    if (floatValues()) {
      if (floats.length < defined) {
        floats = new float[Math.max(defined, 2 * floats.length)];
      }
      float[] dict = dictFloats;
      for (int i = 0; i < defined; i++) {
        floats[i] = dict[idx[i]];
      }
    } else if (dictLongs != null) {
      if (longs.length < defined) {
        longs = new long[Math.max(defined, 2 * longs.length)];
      }
      for (int i = 0; i < defined; i++) {
        longs[i] = dictLongs[idx[i]];
      }
    } else {
      if (binaries.length < defined) {
        binaries = new Binary[Math.max(defined, 2 * binaries.length)];
      }
      Binary[] dict = dictBinaries;
      for (int i = 0; i < defined; i++) {
        int k = idx[i];
        Binary v = dict[k];
        if (v == null) { // a BINARY dictionary's entry this column has not used yet
          int at = dictOffsets[k];
          v = dict[k] = Binary.fromConstantByteBuffer(dictData, at + 4, dictData.getInt(at));
        }
        binaries[i] = v;
      }
    }
  }

  /** The most bytes the values of one DELTA_BYTE_ARRAY page may expand to (prefixes repeat). */
  static final long MAX_PAGE_VALUE_BYTES = 1L << 28;

  /**
   * DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY, decoded here so that every length is checked:
   * lengths (and prefix lengths) DELTA_BINARY_PACKED, each suffix within the page, each prefix
   * within the previous value of the page, and the bytes ending exactly where the page ends.
   */
  private void deltaBinaries(Encoding enc, ByteBuffer data, int defined) throws IOException {
    ByteBufferInputStream in = ByteBufferInputStream.wrap(data);
    ValuesReader prefixes = null;
    if (enc == Encoding.DELTA_BYTE_ARRAY) {
      deltaHeader(data, 0, defined, enc + " prefix lengths");
      prefixes = new org.apache.parquet.column.values.delta.DeltaBinaryPackingValuesReader();
      prefixes.initFromPage(defined, in);
    }
    deltaHeader(data, (int) in.position(), defined, enc + " lengths");
    ValuesReader lengths =
        new org.apache.parquet.column.values.delta.DeltaBinaryPackingValuesReader();
    lengths.initFromPage(defined, in);
    int at = (int) in.position();
    int end = data.limit();
    long total = 0;
    byte[] previous = new byte[0];
    for (int i = 0; i < defined; i++) {
      int p = prefixes == null ? 0 : prefixes.readInteger();
      int n = lengths.readInteger();
      if (p < 0 || p > previous.length) {
        throw new CorruptPageException(
            enc
                + " value "
                + i
                + ": a prefix of "
                + p
                + " bytes of a "
                + previous.length
                + "-byte value");
      }
      if (n < 0 || n > end - at) {
        throw new CorruptPageException(
            enc + " value " + i + " of " + n + " bytes with " + (end - at) + " bytes left");
      }
      total += p + n;
      if (total > MAX_PAGE_VALUE_BYTES) {
        throw new CorruptPageException(
            enc + " values expand past " + MAX_PAGE_VALUE_BYTES + " bytes in one page");
      }
      if (prefixes == null) {
        binaries[i] = Binary.fromConstantByteBuffer(data, at, n);
      } else {
        byte[] v = new byte[p + n];
        System.arraycopy(previous, 0, v, 0, p);
        data.get(at, v, p, n);
        binaries[i] = Binary.fromConstantByteArray(v);
        previous = v;
      }
      at += n;
    }
    if (at != end) {
      throw new CorruptPageException(
          enc + " values end at byte " + at + " of a page that ends at " + end);
    }
  }

  /** The largest DELTA_BINARY_PACKED block accepted (writers use 128 values). */
  static final long MAX_DELTA_BLOCK = 1 << 16;

  /**
   * Checks a DELTA_BINARY_PACKED header before parquet-mr sizes its buffer from it: a block of at
   * most {@link #MAX_DELTA_BLOCK} values and a value count equal to the page's.
   */
  private static void deltaHeader(ByteBuffer data, int at, int expected, String what) {
    long[] v = new long[3]; // block size, miniblocks per block, value count
    int q = at;
    for (int k = 0; k < 3; k++) {
      int shift = 0;
      while (true) {
        if (q >= data.limit() || shift > 28) {
          throw new CorruptPageException(what + ": the header runs past the page");
        }
        int b = data.get(q++) & 0xff;
        v[k] |= (long) (b & 0x7f) << shift;
        shift += 7;
        if ((b & 0x80) == 0) {
          break;
        }
      }
    }
    if (v[0] > MAX_DELTA_BLOCK || v[1] == 0 || v[1] > v[0] || v[2] != expected) {
      throw new CorruptPageException(
          what
              + ": a header of "
              + v[2]
              + " values in blocks of "
              + v[0]
              + " ("
              + v[1]
              + " miniblocks; must be "
              + expected
              + " values, blocks of at most "
              + MAX_DELTA_BLOCK
              + ")");
    }
  }

  private void plainBinaries(ByteBuffer data, int defined) {
    int at = byteArrays(data, defined, binaries, null, "values");
    if (at != data.limit()) {
      throw new CorruptPageException(
          (data.limit() - at) + " bytes left after the page's " + defined + " byte arrays");
    }
  }

  /**
   * Reads {@code n} length-prefixed byte arrays from the start of {@code data} into {@code out}, or
   * (with {@code out} null) their length prefixes' positions into {@code offsets}; returns the end.
   */
  private static int byteArrays(ByteBuffer data, int n, Binary[] out, int[] offsets, String what) {
    int at = 0;
    int end = data.limit();
    for (int i = 0; i < n; i++) {
      if (end - at < 4) {
        throw new CorruptPageException(what + " end after " + i + " of " + n + " byte arrays");
      }
      int len = data.getInt(at);
      if (len < 0 || len > end - at - 4) {
        throw new CorruptPageException(
            what
                + ": byte array "
                + i
                + " of "
                + len
                + " bytes with "
                + (end - at - 4)
                + " bytes left in the page");
      }
      if (out != null) {
        out[i] = Binary.fromConstantByteBuffer(data, at + 4, len);
      } else {
        offsets[i] = at;
      }
      at += 4 + len;
    }
    return at;
  }

  private static float halfOf(Binary b) {
    ByteBuffer x = b.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    return dev.realign.vector.Float16.toFloat(x.getShort(x.position()));
  }

  private ValuesReader reader(Encoding enc, ByteBuffer data, int defined) throws IOException {
    ValuesReader r = enc.getValuesReader(column, ValuesType.VALUES);
    r.initFromPage(defined, ByteBufferInputStream.wrap(data));
    return r;
  }

  /**
   * The byte length of the RLE levels at {@code at} (their 4-byte prefix), checked against what the
   * page has left.
   */
  private static int rleLevelsLength(ByteBuffer body, int at, String what) {
    if (body.limit() - at < 4) {
      throw new CorruptPageException(
          what + " levels: no length prefix (page of " + body.limit() + " bytes)");
    }
    int len = body.getInt(at);
    int left = body.limit() - at - 4;
    if (len < 0 || len > left) {
      throw new CorruptPageException(
          what + " levels of " + len + " bytes in a page with " + left + " bytes left");
    }
    return len;
  }
}
