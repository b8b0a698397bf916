package dev.realign.source;

import dev.realign.vector.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads the rows of a Parquet split (whole row groups, or a row range inside one) in file order, at
 * column level: each column's pages are streamed from the file a page at a time ({@link
 * PageStream}, {@link ColumnPages}) and vector components copied in bulk, with no record assembly
 * and never a whole column chunk in memory. A split that starts inside a row group skips each
 * column's pages up to its first row separately (the columns' pages need not line up). A page that
 * does not add up (levels, values, CRC, decompression) fails the task naming the file, the row
 * group, the column and the page.
 */
final class ParquetSplitReader implements SplitReader {
  private final EmbeddingSplit split;
  private final boolean idsFromColumn;
  private final boolean idsOnly;
  private final ParquetFileReader reader;
  private final PageDecompressor codecs;
  private final long fileLength;
  private final List<SeekableInputStream> streams = new ArrayList<>();

  /** The row groups holding the split's rows, and the file row index of each one's first row. */
  private final List<BlockMetaData> groups = new ArrayList<>();

  private final List<Long> groupStarts = new ArrayList<>();
  private final List<Integer> groupOrdinals = new ArrayList<>();

  /** File row index after the split's last row. */
  private final long endRow;

  private final ColumnDescriptor idColumn;
  private final ColumnDescriptor textColumn;
  private final ColumnDescriptor vectorColumn;
  private final SeekableInputStream idStream;
  private final SeekableInputStream textStream;
  private final SeekableInputStream vectorStream;
  private final VectorLevels levels;
  private ColumnPages ids;
  private ColumnPages texts;
  private ColumnPages vectors;
  private int group = -1;
  private long groupRows;

  /** Rows of the current row group passed (read, or skipped before the split's first row). */
  private long groupRead;

  /**
   * Of the batch's rows being read a column at a time, the one the current column is at (its offset
   * from the first): for error messages, which name the row.
   */
  private int batchRow;

  private long groupFirstRow;
  private long row;
  private float[] scratch = new float[1024];
  private String current = "";

  /** Vectors' lengths only ({@link #lengthsOnly}). */
  private boolean lengthsOnly;

  /** False only in tests: skip to a split's first row by the page headers alone. */
  private boolean useOffsetIndex = true;

  /** Of a skipped Snappy page, the most read to count its rows (less only in tests). */
  private int snappyPrefixBytes = PageStream.SNAPPY_PREFIX_BYTES;

  ParquetSplitReader(
      EmbeddingSplit split,
      Columns columns,
      boolean idsFromColumn,
      boolean idsOnly,
      Configuration conf) {
    this.split = split;
    this.idsFromColumn = idsFromColumn;
    this.idsOnly = idsOnly;
    this.row = split.firstRow();
    // rows == 0: the whole file (the dimension sampler reads from the start until it has enough)
    this.endRow = split.rows() > 0 ? split.firstRow() + split.rows() : Long.MAX_VALUE;
    org.apache.parquet.io.InputFile input;
    long length;
    try {
      input = LocalParquetFile.open(new Path(split.file()), conf);
      length = input.getLength();
    } catch (IOException | RuntimeException e) {
      throw EmbeddingSetPlanner.footerFailure(split.file(), e);
    }
    this.reader = EmbeddingSetPlanner.openFooter(input, split.file(), conf);
    this.codecs = new PageDecompressor(conf);
    this.fileLength = length;
    long start = 0;
    List<BlockMetaData> blocks = reader.getFooter().getBlocks();
    for (int k = 0; k < blocks.size(); k++) {
      BlockMetaData b = blocks.get(k);
      long end = start + b.getRowCount();
      if (end > split.firstRow() && start < endRow && b.getRowCount() > 0) {
        groups.add(b);
        groupStarts.add(start);
        groupOrdinals.add(k);
      }
      start = end;
    }
    MessageType file = reader.getFooter().getFileMetaData().getSchema();
    List<Type> fields = new ArrayList<>();
    for (String name :
        Arrays.asList(columns.id(), idsOnly ? null : columns.vector(), columns.text())) {
      if (name != null && file.containsField(name)) {
        fields.add(file.getType(name));
      }
    }
    MessageType projection = new MessageType(file.getName(), fields);
    ColumnDescriptor id = null;
    ColumnDescriptor text = null;
    ColumnDescriptor vector = null;
    for (ColumnDescriptor c : projection.getColumns()) {
      String top = c.getPath()[0];
      if (top.equals(columns.id())) {
        id = c;
      } else if (top.equals(columns.text())) {
        text = c;
      } else if (vector == null) {
        vector = c;
      } else {
        close();
        throw new IllegalArgumentException(
            "Invalid column '"
                + columns.vector()
                + "' in "
                + split.file()
                + ": more than one leaf (must be list<float> or binary)");
      }
    }
    this.idColumn = idsFromColumn ? id : null;
    this.textColumn = text;
    this.vectorColumn = idsOnly ? null : vector;
    this.levels = vector == null ? null : VectorLevels.of(projection, vector);
    // One stream per column: the columns' chunks lie apart in the file and are read side by side.
    this.idStream = stream(input, idColumn);
    this.textStream = stream(input, textColumn);
    this.vectorStream = stream(input, vectorColumn);
  }

  private SeekableInputStream stream(org.apache.parquet.io.InputFile input, ColumnDescriptor c) {
    if (c == null) {
      return null;
    }
    try {
      SeekableInputStream s = input.newStream();
      streams.add(s);
      return s;
    } catch (IOException e) {
      close();
      throw new java.io.UncheckedIOException("Cannot open Parquet file " + split.file(), e);
    }
  }

  /** Definition-level thresholds of a vector column (see {@link #readVector}). */
  record VectorLevels(int present, int slot) {
    static VectorLevels of(MessageType schema, ColumnDescriptor c) {
      String[] path = c.getPath();
      for (int k = 0; k < path.length; k++) {
        String[] prefix = Arrays.copyOf(path, k + 1);
        if (schema.getType(prefix).isRepetition(Type.Repetition.REPEATED)) {
          int present = k == 0 ? 0 : schema.getMaxDefinitionLevel(path[0]);
          return new VectorLevels(present, schema.getMaxDefinitionLevel(prefix));
        }
      }
      return new VectorLevels(c.getMaxDefinitionLevel(), c.getMaxDefinitionLevel());
    }
  }

  /** The metadata reader of .npy inputs (ids and texts only), record by record. */
  static ParquetReader<ParquetEmbeddingRecord> open(
      String file,
      Columns columns,
      boolean readVector,
      long rangeStart,
      long rangeEnd,
      Configuration conf) {
    try {
      HadoopInputFile in = HadoopInputFile.fromPath(new Path(file), conf);
      EmbeddingReadSupport support = new EmbeddingReadSupport(columns, readVector);
      ParquetReader.Builder<ParquetEmbeddingRecord> b =
          new ParquetReader.Builder<ParquetEmbeddingRecord>(in) {
            @Override
            protected ReadSupport<ParquetEmbeddingRecord> getReadSupport() {
              return support;
            }
          }.withConf(conf);
      if (rangeEnd > rangeStart) {
        b = b.withFileRange(rangeStart, rangeEnd);
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read Parquet file " + file, e);
    }
  }

  @Override
  public boolean next(RowBatch batch) {
    batch.clear();
    try {
      while (batch.size < batch.capacity && row < endRow) {
        if (groupRead == groupRows && !nextGroup()) {
          break;
        }
        // The batch's rows of this row group, a column at a time: vectors first (a row's first
        // reject reason is kept, and a vector's comes before its id's, as row by row).
        int first = batch.size;
        int n =
            (int) Math.min(batch.capacity - first, Math.min(endRow - row, groupRows - groupRead));
        if (!idsOnly) {
          current = vectorColumn.getPath()[0];
          readVectors(batch, first, n);
        }
        for (int i = first; i < first + n; i++) {
          batchRow = i - first;
          batch.rowInFile[i] = row + (i - first);
          current = textColumn == null ? "" : textColumn.getPath()[0];
          batch.texts[i] = texts == null ? null : stringOf(texts);
          if (idColumn != null) {
            current = idColumn.getPath()[0];
            batch.ids[i] = idOf(ids);
          } else {
            batch.ids[i] = split.idPrefix() + "-" + (row + (i - first));
          }
          if (invalidId) {
            invalidId = false;
            batch.reject(i, RejectReason.NULL_ID, "id is not valid UTF-8");
          } else if (batch.ids[i] == null || batch.ids[i].isEmpty()) {
            batch.reject(i, RejectReason.NULL_ID, "id is null or empty");
          }
        }
        batchRow = 0;
        batch.size += n;
        row += n;
        groupRead += n;
        if (groupRead == groupRows) {
          finishGroup();
        }
      }
    } catch (CorruptPageException
        | org.apache.parquet.io.ParquetDecodingException
        | java.nio.BufferUnderflowException
        | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException(
          "Invalid Parquet file "
              + split.file()
              + ": "
              + where()
              + " is corrupt or unreadable: "
              + e.getMessage()
              + " (rewrite or remove the file)",
          e);
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException(
          "Cannot read Parquet file " + split.file() + ": " + where() + ": " + e.getMessage(),
          e.getCause());
    } catch (dev.realign.sink.CodecUnavailableException e) {
      throw NativeCodecErrors.cannotRead(e, split.file());
    }
    return batch.size > 0;
  }

  /** The row group, column and page being read, for error messages. */
  private String where() {
    ColumnPages c =
        current.equals(vectorColumn == null ? null : vectorColumn.getPath()[0])
            ? vectors
            : current.equals(idColumn == null ? null : idColumn.getPath()[0]) ? ids : texts;
    return "row group "
        + groupOrdinal()
        + " (rows "
        + groupFirstRow
        + ".."
        + (groupFirstRow + groupRows - 1)
        + ")"
        + (current.isEmpty()
            ? ""
            : ", column '"
                + current
                + "'"
                + (c != null
                    ? ", page " + c.pageIndex()
                    : opening != null ? ", page " + Math.max(0, opening.pageIndex()) : ""));
  }

  private long groupOrdinal() {
    return group < 0 || group >= groups.size() ? group : groupOrdinals.get(group);
  }

  /** Checks that every column of the finished row group ends with its last row. */
  private void finishGroup() {
    for (ColumnPages c : new ColumnPages[] {ids, texts, vectors}) {
      if (c != null) {
        current = c.column.getPath()[0];
        if (c.pos < c.count || c.ensureEntry()) {
          throw new CorruptPageException(
              "the column has more entries than the row group's " + groupRows + " rows");
        }
      }
    }
    current = "";
  }

  /**
   * Opens the next row group of the split, each column positioned at the split's next row; false
   * after the last.
   */
  private boolean nextGroup() {
    current = "";
    group++;
    if (group >= groups.size()) {
      return false;
    }
    BlockMetaData block = groups.get(group);
    groupFirstRow = groupStarts.get(group);
    groupRows = block.getRowCount();
    groupRead = row - groupFirstRow; // > 0 only when the split starts inside this row group
    ids = null; // a failure below must not name a page of the previous row group
    opening = null;
    texts = null;
    vectors = null;
    ids = open(block, idColumn, idStream);
    texts = open(block, textColumn, textStream);
    vectors = open(block, vectorColumn, vectorStream);
    if (lengthsOnly && vectors != null && vectors.maxRep > 0) {
      vectors.levelsOnly = true;
    }
    if (groupRead > 0) {
      for (ColumnPages c : new ColumnPages[] {ids, texts, vectors}) {
        if (c != null) {
          current = c.column.getPath()[0];
          c.skipRows(groupRead, offsetIndex(c.chunk()));
        }
      }
      current = "";
    }
    return true;
  }

  private ColumnPages open(BlockMetaData block, ColumnDescriptor c, SeekableInputStream in) {
    if (c == null) {
      return null;
    }
    current = c.getPath()[0];
    ColumnPath path = ColumnPath.get(c.getPath());
    ColumnChunkMetaData chunk = null;
    for (ColumnChunkMetaData m : block.getColumns()) {
      if (m.getPath().equals(path)) {
        chunk = m;
      }
    }
    if (chunk == null) {
      throw new CorruptPageException("the row group has no chunk of column " + path);
    }
    PageStream stream =
        new PageStream(in, chunk, c.getMaxRepetitionLevel(), codecs, fileLength)
            .withSnappyPrefixBytes(snappyPrefixBytes);
    opening = stream; // a failing dictionary page (or first header) is named by its page index
    ColumnPages pages = new ColumnPages(c, stream);
    opening = null;
    return pages;
  }

  /**
   * For the dimension sampler: a list vector column's values are not decoded ({@link
   * ColumnPages#levelsOnly}), so the rows come out with the reasons and lengths the values would
   * give but not the values (the raw vectors' contents and the batch's floats are meaningless). A
   * binary vector column, whose lengths are its values', is read whole.
   */
  ParquetSplitReader lengthsOnly() {
    lengthsOnly = true;
    return this;
  }

  /** For tests: the most of a skipped Snappy page read to count its rows. */
  ParquetSplitReader withSnappyPrefixBytes(int bytes) {
    snappyPrefixBytes = bytes;
    return this;
  }

  /** For tests: the pages this reader has decompressed whole. */
  long pagesDecompressed() {
    return codecs.pagesDecompressed();
  }

  /** For tests: ignore the files' offset indexes (the header walk must find the same rows). */
  ParquetSplitReader withoutOffsetIndex() {
    useOffsetIndex = false;
    return this;
  }

  /** The chunk's offset index (page locations and first rows), or null where it has none. */
  private OffsetIndex offsetIndex(ColumnChunkMetaData chunk) {
    if (!useOffsetIndex || chunk.getOffsetIndexReference() == null) {
      return null;
    }
    try {
      return reader.readOffsetIndex(chunk);
    } catch (IOException | RuntimeException e) {
      return null; // the index is an optimisation: walking the page headers gives the same rows
    }
  }

  private void requireEntry(ColumnPages c) {
    if (!c.ensureEntry()) {
      throw new CorruptPageException(
          "the column ends after "
              + (groupRead + batchRow)
              + " of the row group's "
              + groupRows
              + " rows");
    }
    if (!c.atRowStart()) {
      throw new CorruptPageException(
          "row "
              + (groupFirstRow + groupRead + batchRow)
              + " starts with"
              + " repetition level "
              + c.repLevels()[c.pos]
              + " (must be 0)");
    }
  }

  /**
   * The id of the current row: as {@link #stringOf}, but a string id that is not valid UTF-8 gives
   * null and sets {@link #invalidId} (the row is rejected, not read with replacement characters:
   * two damaged ids must not become one).
   */
  private String idOf(ColumnPages c) {
    if (c.column.getPrimitiveType().getPrimitiveTypeName()
        != org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY) {
      return stringOf(c);
    }
    requireEntry(c);
    if (c.defLevels()[c.pos++] != c.maxDef) {
      return null;
    }
    ByteBuffer b = c.binaries[c.valuePos++].toByteBuffer();
    if (b.hasArray()) { // ASCII (most ids) decodes the same byte for byte, without the decoder
      byte[] a = b.array();
      int from = b.arrayOffset() + b.position();
      int to = from + b.remaining();
      int i = from;
      while (i < to && a[i] >= 0) {
        i++;
      }
      if (i == to) {
        return new String(a, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
      }
    }
    try {
      return utf8.reset().decode(b).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      invalidId = true;
      return null;
    }
  }

  private final java.nio.charset.CharsetDecoder utf8 =
      java.nio.charset.StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);

  private boolean invalidId;

  /** The page stream of a column being opened (its dictionary page read), for error messages. */
  private PageStream opening;

  /** The id or text of the current row: string, int or long; null when undefined. */
  private String stringOf(ColumnPages c) {
    requireEntry(c);
    int d = c.defLevels()[c.pos++];
    if (d != c.maxDef) {
      return null;
    }
    return switch (c.column.getPrimitiveType().getPrimitiveTypeName()) {
      case INT32, INT64 -> c.integerText(c.longs[c.valuePos++]);
      default -> c.binaries[c.valuePos++].toStringUsingUTF8();
    };
  }

  /**
   * The vectors of rows {@code first .. first + n} of the batch: runs of whole rows inside the
   * current page (d entries each, all defined) are copied in one step ({@link
   * ColumnPages#fullRows}), the rest row by row.
   */
  private void readVectors(RowBatch batch, int first, int n) {
    int d = batch.dim;
    int i = first;
    int end = first + n;
    while (i < end) {
      batchRow = i - first;
      ColumnPages c = vectors;
      requireEntry(c);
      int rows = c.maxRep == 0 || c.levelsOnly ? 0 : c.fullRows(d, end - i);
      if (rows > 0) {
        c.copyFloats(c.valuePos, batch.flat, i * d, rows * d);
        c.valuePos += rows * d;
        c.pos += rows * d;
        i += rows;
      } else {
        readVector(batch, i++);
      }
    }
  }

  /** The vector of row {@code i}, entry by entry ({@link #requireEntry} checked by the caller). */
  private void readVector(RowBatch batch, int i) {
    ColumnPages c = vectors;
    int len = 0;
    int nullComponents = 0;
    boolean nullVector = false;
    int badBinaryLength = -1;
    if (c.maxRep == 0) { // binary of d x 4 bytes little-endian
      if (c.defLevels()[c.pos++] != c.maxDef) {
        nullVector = true;
      } else {
        ByteBuffer b = c.binaries[c.valuePos++].toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int bytes = b.remaining();
        if (bytes % 4 != 0) {
          badBinaryLength = bytes;
        }
        len = bytes / 4;
        grow(len);
        b.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(scratch, 0, len);
      }
    } else if (!c.levelsOnly && fullRowInPage(c, batch, i)) {
      return;
    } else {
      // The row's entries, a page at a time: each page's part ends at its next row start (from
      // the level runs); the definition levels are read only where a page has undefined entries.
      int max = c.maxDef;
      while (true) {
        int p = c.pos;
        int end = c.nextRowStart();
        int v = c.valuePos;
        if (c.allDefined) {
          grow(len + end - p);
          if (!c.levelsOnly) {
            c.copyFloats(v, scratch, len, end - p);
          }
          len += end - p;
          v += end - p;
        } else {
          int[] def = c.defLevels();
          for (; p < end; p++) {
            int dl = def[p];
            if (dl == max) {
              if (len == scratch.length) {
                grow(len + 1);
              }
              scratch[len++] = c.levelsOnly ? 0f : c.floatAt(v++);
            } else if (dl >= levels.slot()) {
              nullComponents++;
            } else if (dl < levels.present()) {
              nullVector = true;
            } // else: an empty list
          }
        }
        c.pos = end;
        c.valuePos = v;
        if (end < c.count || !c.ensureEntry() || c.atRowStart()) {
          break;
        }
      }
    }
    int d = batch.dim;
    if (nullVector) {
      batch.reject(i, RejectReason.NULL_VECTOR, "vector is null");
    } else if (nullComponents > 0) {
      batch.raw[i] = Arrays.copyOf(scratch, len);
      batch.reject(i, RejectReason.NULL_VECTOR, nullComponents + " null components");
    } else if (badBinaryLength >= 0) {
      batch.raw[i] = Arrays.copyOf(scratch, len);
      batch.reject(
          i,
          RejectReason.WRONG_DIMENSION,
          "binary of " + badBinaryLength + " bytes (must be " + d + " x 4)");
    } else if (len != d) {
      batch.raw[i] = Arrays.copyOf(scratch, len);
      batch.reject(i, RejectReason.WRONG_DIMENSION, "dimension " + len + " (must be " + d + ")");
    } else {
      System.arraycopy(scratch, 0, batch.flat, i * d, d);
    }
  }

  /**
   * The common case in one step: the row lies inside the current page (and is not its last), has
   * exactly d entries and all are defined; its values go straight into the batch. False (nothing
   * consumed) otherwise: the entry-by-entry path handles the rest. The page's row starts, counted
   * from its level runs, answer the length question without a pass over the levels.
   */
  private static boolean fullRowInPage(ColumnPages c, RowBatch batch, int i) {
    int d = batch.dim;
    int p = c.pos;
    int rowEnd = p + d;
    if (c.nextRowStart() != rowEnd || rowEnd == c.count) {
      return false; // not d entries, or the last row of the page (it may continue on the next)
    }
    if (!c.allDefined) {
      int[] def = c.defLevels();
      int max = c.maxDef;
      for (int q = p; q < rowEnd; q++) {
        if (def[q] != max) {
          return false;
        }
      }
    }
    c.copyFloats(c.valuePos, batch.flat, i * d, d);
    c.valuePos += d;
    c.pos = rowEnd;
    return true;
  }

  private void grow(int n) {
    if (scratch.length < n) {
      scratch = Arrays.copyOf(scratch, Math.max(n, 2 * scratch.length));
    }
  }

  @Override
  public void close() {
    IOException failed = null;
    for (java.io.Closeable c : streams) {
      try {
        c.close();
      } catch (IOException e) {
        failed = e;
      }
    }
    streams.clear();
    if (codecs != null) {
      codecs.close();
    }
    try {
      reader.close();
    } catch (IOException e) {
      failed = e;
    }
    if (failed != null) {
      throw new UncheckedIOException("Cannot close Parquet file " + split.file(), failed);
    }
  }
}
