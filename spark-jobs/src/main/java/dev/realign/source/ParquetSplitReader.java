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
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads the rows of a Parquet split (a range of row groups) in file order, at column level: pages
 * are decoded a page at a time ({@link ColumnPages}) and vector components copied in bulk, with
 * no record assembly. A page that does not add up (levels, values, CRC, decompression) fails the
 * task naming the file, the row group, the column and the page.
 */
final class ParquetSplitReader implements SplitReader {
  private final EmbeddingSplit split;
  private final boolean idsFromColumn;
  private final boolean idsOnly;
  private final ParquetFileReader reader;
  private final List<BlockMetaData> groups;
  private final ColumnDescriptor idColumn;
  private final ColumnDescriptor textColumn;
  private final ColumnDescriptor vectorColumn;
  private final VectorLevels levels;
  private ColumnPages ids;
  private ColumnPages texts;
  private ColumnPages vectors;
  private int group = -1;
  private long groupRows;
  private long groupRead;
  private long groupFirstRow;
  private long row;
  private float[] scratch = new float[1024];
  private String current = "";

  ParquetSplitReader(EmbeddingSplit split, Columns columns, boolean idsFromColumn,
      boolean idsOnly, Configuration conf) {
    this.split = split;
    this.idsFromColumn = idsFromColumn;
    this.idsOnly = idsOnly;
    this.row = split.firstRow();
    this.groupFirstRow = split.firstRow();
    try {
      Path path = new Path(split.file());
      ParquetReadOptions.Builder options = HadoopReadOptions.builder(conf, path)
          .usePageChecksumVerification(true);
      if (split.rangeEnd() > split.rangeStart()) {
        options = options.withRange(split.rangeStart(), split.rangeEnd());
      }
      this.reader = new ParquetFileReader(HadoopInputFile.fromPath(path, conf), options.build());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Invalid Parquet file " + split.file()
          + ": cannot read its footer (" + e.getMessage() + ")", e);
    }
    MessageType file = reader.getFooter().getFileMetaData().getSchema();
    List<Type> fields = new ArrayList<>();
    for (String name : Arrays.asList(columns.id(), idsOnly ? null : columns.vector(),
        columns.text())) {
      if (name != null && file.containsField(name)) {
        fields.add(file.getType(name));
      }
    }
    MessageType projection = new MessageType(file.getName(), fields);
    reader.setRequestedSchema(projection);
    this.groups = reader.getRowGroups();
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
        throw new IllegalArgumentException("Invalid column '" + columns.vector() + "' in "
            + split.file() + ": more than one leaf (must be list<float> or binary)");
      }
    }
    this.idColumn = idsFromColumn ? id : null;
    this.textColumn = text;
    this.vectorColumn = vector;
    this.levels = vector == null ? null : VectorLevels.of(projection, vector);
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
  static ParquetReader<ParquetEmbeddingRecord> open(String file, Columns columns,
      boolean readVector, long rangeStart, long rangeEnd, Configuration conf) {
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
      while (batch.size < batch.capacity) {
        if (groupRead == groupRows && !nextGroup()) {
          break;
        }
        int i = batch.size++;
        batch.rowInFile[i] = row;
        current = textColumn == null ? "" : textColumn.getPath()[0];
        batch.texts[i] = texts == null ? null : stringOf(texts);
        if (idColumn != null) {
          current = idColumn.getPath()[0];
          batch.ids[i] = stringOf(ids);
        } else {
          batch.ids[i] = split.idPrefix() + "-" + row;
        }
        if (!idsOnly) {
          current = vectorColumn.getPath()[0];
          readVector(batch, i);
        }
        if (batch.ids[i] == null || batch.ids[i].isEmpty()) {
          batch.reject(i, RejectReason.NULL_ID, "id is null or empty");
        }
        row++;
        groupRead++;
      }
    } catch (CorruptPageException | org.apache.parquet.io.ParquetDecodingException
        | java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
      throw corrupt(e);
    }
    return batch.size > 0;
  }

  private IllegalArgumentException corrupt(RuntimeException e) {
    ColumnPages c = current.equals(vectorColumn == null ? null : vectorColumn.getPath()[0])
        ? vectors : current.equals(idColumn == null ? null : idColumn.getPath()[0]) ? ids : texts;
    return new IllegalArgumentException("Invalid Parquet file " + split.file() + ": row group "
        + groupOrdinal() + " (rows " + groupFirstRow + ".." + (groupFirstRow + groupRows - 1)
        + ")" + (current.isEmpty() ? "" : ", column '" + current + "'"
            + (c == null ? "" : ", page " + c.pageIndex()))
        + " is corrupt or unreadable: " + e.getMessage() + " (rewrite or remove the file)", e);
  }

  private long groupOrdinal() {
    if (group < 0 || group >= groups.size()) {
      return group;
    }
    int ordinal = groups.get(group).getOrdinal();
    return ordinal >= 0 ? ordinal : group;
  }

  /** Checks the finished row group and opens the next; false after the last. */
  private boolean nextGroup() {
    if (group >= 0) {
      for (ColumnPages c : new ColumnPages[] {ids, texts, vectors}) {
        if (c != null) {
          current = c.column.getPath()[0];
          if (c.pos < c.count || c.ensureEntry()) {
            throw new CorruptPageException("the column has more entries than the row group's "
                + groupRows + " rows");
          }
        }
      }
      groupFirstRow += groupRows;
    }
    PageReadStore store;
    current = "";
    group++;
    if (group < groups.size()) {
      groupRows = groups.get(group).getRowCount();
    }
    try {
      store = reader.readNextRowGroup();
    } catch (IOException e) {
      // Page headers that do not parse, CRCs that do not match: parquet-mr reads them here.
      throw new CorruptPageException("its pages cannot be read (" + e.getMessage()
          + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()) + ")");
    }
    if (store == null) {
      return false;
    }
    groupRows = store.getRowCount();
    groupRead = 0;
    ids = open(store, idColumn);
    texts = open(store, textColumn);
    vectors = idsOnly ? null : open(store, vectorColumn);
    return groupRows > 0 || nextGroup();
  }

  private ColumnPages open(PageReadStore store, ColumnDescriptor c) {
    if (c == null) {
      return null;
    }
    current = c.getPath()[0];
    return new ColumnPages(c, store.getPageReader(c));
  }

  private void requireEntry(ColumnPages c) {
    if (!c.ensureEntry()) {
      throw new CorruptPageException("the column ends after " + groupRead + " of the row group's "
          + groupRows + " rows");
    }
    if (c.rep[c.pos] != 0) {
      throw new CorruptPageException("row " + (groupFirstRow + groupRead) + " starts with"
          + " repetition level " + c.rep[c.pos] + " (must be 0)");
    }
  }

  /** The id or text of the current row: string, int or long; null when undefined. */
  private String stringOf(ColumnPages c) {
    requireEntry(c);
    int d = c.def[c.pos++];
    if (d != c.maxDef) {
      return null;
    }
    return switch (c.column.getPrimitiveType().getPrimitiveTypeName()) {
      case INT32, INT64 -> Long.toString(c.longs[c.valuePos++]);
      default -> c.binaries[c.valuePos++].toStringUsingUTF8();
    };
  }

  private void readVector(RowBatch batch, int i) {
    ColumnPages c = vectors;
    requireEntry(c);
    int len = 0;
    int nullComponents = 0;
    boolean nullVector = false;
    int badBinaryLength = -1;
    if (c.maxRep == 0) { // binary of d x 4 bytes little-endian
      if (c.def[c.pos++] != c.maxDef) {
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
    } else if (fullRowInPage(c, batch, i)) {
      return;
    } else {
      boolean first = true;
      int max = c.maxDef;
      while (true) {
        int p = c.pos;
        int end = c.count;
        int[] rep = c.rep;
        int[] def = c.def;
        float[] values = c.floats;
        int v = c.valuePos;
        while (p < end && (first || rep[p] != 0)) {
          first = false;
          int dl = def[p++];
          if (dl == max) {
            if (len == scratch.length) {
              grow(len + 1);
            }
            scratch[len++] = values[v++];
          } else if (dl >= levels.slot()) {
            nullComponents++;
          } else if (dl < levels.present()) {
            nullVector = true;
          } // else: an empty list
        }
        c.pos = p;
        c.valuePos = v;
        if (p < end || !c.ensureEntry() || c.rep[c.pos] == 0) {
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
      batch.reject(i, RejectReason.WRONG_DIMENSION, "binary of " + badBinaryLength
          + " bytes (must be " + d + " x 4)");
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
   * consumed) otherwise: the entry-by-entry path handles the rest.
   */
  private static boolean fullRowInPage(ColumnPages c, RowBatch batch, int i) {
    int d = batch.dim;
    int p = c.pos;
    int rowEnd = p + d;
    if (rowEnd >= c.count || c.rep[rowEnd] != 0) {
      return false; // longer than d, or the last row of the page (it may continue on the next)
    }
    int[] rep = c.rep;
    int[] def = c.def;
    int max = c.maxDef;
    for (int k = p + 1; k < rowEnd; k++) {
      if (rep[k] == 0) {
        return false; // shorter than d
      }
    }
    for (int k = p; k < rowEnd; k++) {
      if (def[k] != max) {
        return false;
      }
    }
    System.arraycopy(c.floats, c.valuePos, batch.flat, i * d, d);
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
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close Parquet file " + split.file(), e);
    }
  }
}
