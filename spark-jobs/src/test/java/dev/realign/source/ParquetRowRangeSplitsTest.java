package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.vector.RejectReason;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet files whose row groups are bigger than a split are cut into row ranges, and the pages are
 * streamed from the file: however a row group is cut, and whether the reader skips to a split's
 * first row by the offset index or by walking the page headers, the rows, ids, texts, vectors and
 * rejects come out the same as from one split. Corrupt pages in the middle of a chunk fail naming
 * the file, the column and the page.
 */
class ParquetRowRangeSplitsTest {
  private static final Configuration CONF = new Configuration();
  private static final int ROWS = 500;
  private static final int DIM = 16;

  /** Rows written with a problem: null vector, null id, a null component, 3 components short. */
  private static final int NULL_VECTOR = 5;

  private static final int NULL_ID = 77;
  private static final int NULL_COMPONENT = 200;
  private static final int SHORT_ROW = 301;
  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message m {"
              + " optional binary id (STRING); optional binary text (STRING);"
              + " optional group embedding (LIST) { repeated group list { optional float element; } } }");

  @TempDir Path dir;

  /** How a test file is written by parquet-mr (one row group, small pages). */
  record Layout(
      String name,
      WriterVersion version,
      CompressionCodecName codec,
      boolean dictionaryFloats,
      boolean byteStreamSplit) {}

  static final List<Layout> LAYOUTS =
      List.of(
          new Layout(
              "v1-none-dict",
              WriterVersion.PARQUET_1_0,
              CompressionCodecName.UNCOMPRESSED,
              true,
              false),
          new Layout(
              "v1-snappy", WriterVersion.PARQUET_1_0, CompressionCodecName.SNAPPY, false, false),
          new Layout("v2-zstd", WriterVersion.PARQUET_2_0, CompressionCodecName.ZSTD, false, false),
          new Layout(
              "v2-gzip-bss", WriterVersion.PARQUET_2_0, CompressionCodecName.GZIP, false, true),
          new Layout(
              "v1-none-bss",
              WriterVersion.PARQUET_1_0,
              CompressionCodecName.UNCOMPRESSED,
              false,
              true));

  static float component(int row, int j) {
    return (float) Math.sin(row * 0.37 + j * 1.3) * (1 + j % 3);
  }

  /** Texts of irregular lengths, so the text column's pages end at other rows than the vectors'. */
  static String text(int row) {
    return "t" + row + "-" + "x".repeat((row * 37) % 151);
  }

  Path write(Layout l) throws Exception {
    Path file = dir.resolve(l.name() + ".parquet");
    ExampleParquetWriter.Builder b =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withType(SCHEMA)
            .withConf(CONF)
            .withWriterVersion(l.version())
            .withCompressionCodec(l.codec())
            .withPageSize(1024)
            .withMinRowCountForPageSizeCheck(1)
            .withMaxRowCountForPageSizeCheck(1)
            .withDictionaryEncoding(true) // ids dictionary-encoded in every layout
            .withDictionaryEncoding("embedding.list.element", l.dictionaryFloats());
    if (l.byteStreamSplit()) {
      b = b.withByteStreamSplitEncoding("embedding.list.element", true);
    }
    try (ParquetWriter<Group> w = b.build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(SCHEMA);
      for (int i = 0; i < ROWS; i++) {
        Group g = f.newGroup();
        if (i != NULL_ID) {
          g.append("id", "id-" + i);
        }
        g.append("text", text(i));
        if (i != NULL_VECTOR) {
          Group list = g.addGroup("embedding");
          int n = i == SHORT_ROW ? DIM - 3 : DIM;
          for (int j = 0; j < n; j++) {
            Group e = list.addGroup("list");
            if (!(i == NULL_COMPONENT && j == 4)) {
              e.append("element", component(i, j));
            }
          }
        }
        w.write(g);
      }
    }
    return file;
  }

  static EmbeddingSet plan(Path file, int splitRows) {
    return EmbeddingSetPlanner.plan(
        new EmbeddingSetPlanner.Spec(
            "text",
            file.toUri().toString(),
            EmbeddingFormat.PARQUET,
            null,
            Columns.DEFAULT,
            splitRows,
            0),
        CONF);
  }

  /** Every row of every split as text: row in file, id, text, vector (raw), reason, detail. */
  static List<String> read(EmbeddingSet set, boolean offsetIndex) {
    return read(set, offsetIndex, PageStream.SNAPPY_PREFIX_BYTES);
  }

  /** {@link #read(EmbeddingSet, boolean)}, reading at most {@code prefix} of a skipped page. */
  static List<String> read(EmbeddingSet set, boolean offsetIndex, int prefix) {
    List<String> out = new ArrayList<>();
    for (EmbeddingSplit split : set.splits()) {
      RowBatch batch = new RowBatch(set.dim(), 23);
      ParquetSplitReader r =
          new ParquetSplitReader(split, set.columns(), set.idsFromColumn(), false, CONF)
              .withSnappyPrefixBytes(prefix);
      try (r) {
        if (!offsetIndex) {
          r.withoutOffsetIndex();
        }
        long expected = split.firstRow();
        while (r.next(batch)) {
          for (int i = 0; i < batch.size; i++) {
            assertThat(batch.rowInFile[i]).as(split.toString()).isEqualTo(expected++);
            out.add(
                batch.rowInFile[i]
                    + " "
                    + batch.ids[i]
                    + " "
                    + batch.texts[i]
                    + " "
                    + Arrays.toString(batch.rawVector(i))
                    + " "
                    + batch.reasons[i]
                    + " "
                    + batch.details[i]);
          }
        }
        assertThat(expected).as(split.toString()).isEqualTo(split.firstRow() + split.rows());
      }
    }
    return out;
  }

  @Test
  void aBigRowGroupIsCutIntoEqualRowRangesOfAtMostTheSplitSize() throws Exception {
    Path file = write(LAYOUTS.get(0));
    assertThat(plan(file, 1 << 20).splits()).hasSize(1);
    List<EmbeddingSplit> splits = plan(file, 150).splits();
    assertThat(splits).extracting(EmbeddingSplit::firstRow).containsExactly(0L, 125L, 250L, 375L);
    assertThat(splits).extracting(EmbeddingSplit::rows).containsOnly(125L);
    assertThat(splits).extracting(EmbeddingSplit::index).containsExactly(0, 1, 2, 3);
    List<EmbeddingSplit> ones = plan(file, 1).splits();
    assertThat(ones).hasSize(ROWS);
    assertThat(ones.get(ROWS - 1).firstRow()).isEqualTo(ROWS - 1);
  }

  @Test
  void smallRowGroupsAreStillGatheredWhole() throws Exception {
    Path file = dir.resolve("groups.parquet");
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withType(SCHEMA)
            .withConf(CONF)
            .withRowGroupRowCountLimit(100)
            .build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(SCHEMA);
      for (int i = 0; i < ROWS; i++) {
        Group g = f.newGroup().append("id", "id-" + i);
        Group list = g.addGroup("embedding");
        for (int j = 0; j < DIM; j++) {
          list.addGroup("list").append("element", component(i, j));
        }
        w.write(g);
      }
    }
    EmbeddingSet set = plan(file, 150);
    assertThat(set.splits()).extracting(EmbeddingSplit::firstRow).containsExactly(0L, 200L, 400L);
    assertThat(set.splits()).extracting(EmbeddingSplit::rows).containsExactly(200L, 200L, 100L);
    assertThat(read(set, true)).isEqualTo(read(plan(file, 1 << 20), true));
  }

  @Test
  void everyCutOfOneRowGroupReadsTheSameRowsAsOneSplit() throws Exception {
    for (Layout l : LAYOUTS) {
      Path file = write(l);
      List<String> whole = read(plan(file, 1 << 20), true);
      assertThat(whole).as(l.name()).hasSize(ROWS);
      assertThat(whole.get(0))
          .as(l.name())
          .startsWith("0 id-0 " + text(0) + " [" + component(0, 0) + ", ");
      assertThat(whole.get(NULL_VECTOR)).as(l.name()).endsWith(" null NULL_VECTOR vector is null");
      assertThat(whole.get(NULL_ID))
          .as(l.name())
          .startsWith(NULL_ID + " null ")
          .endsWith(" NULL_ID id is null or empty");
      assertThat(whole.get(NULL_COMPONENT)).as(l.name()).endsWith(" NULL_VECTOR 1 null components");
      assertThat(whole.get(SHORT_ROW))
          .as(l.name())
          .endsWith(" WRONG_DIMENSION dimension " + (DIM - 3) + " (must be " + DIM + ")");
      for (int splitRows : new int[] {150, 37, 1}) {
        EmbeddingSet cut = plan(file, splitRows);
        assertThat(cut.splits().size()).as(l.name()).isGreaterThan(1);
        assertThat(read(cut, true))
            .as(l.name() + " by " + splitRows + " rows, offset index")
            .isEqualTo(whole);
        assertThat(read(cut, false))
            .as(l.name() + " by " + splitRows + " rows, page headers")
            .isEqualTo(whole);
      }
    }
  }

  /**
   * A reader walking the page headers to its split's first row counts the rows of the Snappy pages
   * before it from their first bytes: it decompresses about as many pages whole as the first
   * split's reader, not every page before its rows too.
   */
  @Test
  void skippingToASplitDoesNotDecompressTheSnappyPagesBeforeIt() throws Exception {
    Path file = write(LAYOUTS.get(1));
    List<EmbeddingSplit> splits = plan(file, 125).splits();
    assertThat(splits).hasSize(4);
    long[] decompressed = new long[splits.size()];
    for (int k = 0; k < splits.size(); k++) {
      RowBatch batch = new RowBatch(DIM, 64);
      try (ParquetSplitReader r =
          new ParquetSplitReader(splits.get(k), Columns.DEFAULT, true, false, CONF)) {
        r.withoutOffsetIndex();
        long rows = 0;
        while (r.next(batch)) {
          rows += batch.size;
        }
        assertThat(rows).isEqualTo(125);
        decompressed[k] = r.pagesDecompressed();
      }
    }
    // Before, the last split's reader also decompressed the ~3/4 of the pages that it skips.
    assertThat(decompressed[0]).isGreaterThan(15);
    for (int k = 1; k < splits.size(); k++) {
      assertThat(decompressed[k])
          .as("split %d of %s", k, Arrays.toString(decompressed))
          .isLessThanOrEqualTo(decompressed[0] + 8);
    }
  }

  /**
   * Where a Snappy page's repetition levels do not fit the bytes read to count its rows (levels
   * longer than that, or compressed past it), the page is decompressed whole, as before: the same
   * rows however the group is cut, and the whole-page decompressions of the skipped pages again.
   */
  @Test
  void snappyPagesWhoseLevelsPassThePrefixAreDecompressedWhole() throws Exception {
    Path file = write(LAYOUTS.get(1));
    List<String> whole = read(plan(file, 1 << 20), true);
    for (int prefix : new int[] {1, 6, 24, 80}) {
      for (int splitRows : new int[] {150, 37}) {
        assertThat(read(plan(file, splitRows), false, prefix))
            .as("prefix %d, by %d rows", prefix, splitRows)
            .isEqualTo(whole);
      }
    }
    List<EmbeddingSplit> splits = plan(file, 125).splits();
    long[] decompressed = new long[2];
    int k = 0;
    for (EmbeddingSplit split : List.of(splits.get(0), splits.get(3))) {
      try (ParquetSplitReader r =
          new ParquetSplitReader(split, Columns.DEFAULT, true, false, CONF)
              .withSnappyPrefixBytes(1)) {
        r.withoutOffsetIndex();
        RowBatch batch = new RowBatch(DIM, 64);
        while (r.next(batch)) {
          // read it all
        }
        decompressed[k++] = r.pagesDecompressed();
      }
    }
    assertThat(decompressed[1]).isGreaterThan(decompressed[0] + 8);
  }

  /** Pages of the vector column of row group 0, and how many of them start inside a row. */
  static int[] pagesAndPagesStartingInsideRows(Path file) throws Exception {
    try (ParquetFileReader r =
            ParquetFileReader.open(
                HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), CONF));
        SeekableInputStream in =
            HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), CONF)
                .newStream()) {
      List<ColumnChunkMetaData> cols = r.getRowGroups().get(0).getColumns();
      ColumnChunkMetaData chunk = cols.get(cols.size() - 1);
      ColumnDescriptor c =
          r.getFooter()
              .getFileMetaData()
              .getSchema()
              .getColumnDescription(chunk.getPath().toArray());
      PageDecompressor codecs = new PageDecompressor(CONF);
      ColumnPages pages =
          new ColumnPages(
              c,
              new PageStream(
                  in, chunk, c.getMaxRepetitionLevel(), codecs, java.nio.file.Files.size(file)));
      int count = 0;
      int inside = 0;
      while (pages.ensureEntry()) {
        count++;
        inside += pages.repLevels()[0] != 0 ? 1 : 0;
        pages.pos = pages.count;
      }
      codecs.close();
      return new int[] {count, inside};
    }
  }

  /**
   * A file whose V1 pages of the vector column end inside rows, as older Arrow writers cut them
   * (current pyarrow and parquet-mr end pages at rows): pages of the given entry counts in turn,
   * written page by page with parquet-mr's file writer (no offset index), and ids in one page.
   */
  Path writeRowsAcrossPages(String name, int rows, int[] pageEntries) throws Exception {
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message m {"
                + " required binary id (STRING);"
                + " optional group embedding (LIST) { repeated group list { optional float element; } } }");
    Path file = dir.resolve(name);
    ParquetFileWriter w =
        new ParquetFileWriter(CONF, schema, new org.apache.hadoop.fs.Path(file.toUri()));
    w.start();
    w.startBlock(rows);
    DamagedParquetTest.writeIds(w, schema.getColumns().get(0), rows, "id-");
    int entries = rows * DIM;
    w.startColumn(schema.getColumns().get(1), entries, CompressionCodecName.UNCOMPRESSED);
    int at = 0;
    for (int p = 0; at < entries; p++) {
      int n = Math.min(pageEntries[p % pageEntries.length], entries - at);
      BytesInput page =
          BytesInput.concat(
              levels(1, at, n, k -> k % DIM == 0 ? 0 : 1), levels(3, at, n, k -> 3), floats(at, n));
      w.writeDataPage(n, (int) page.size(), page, Encoding.RLE, Encoding.RLE, Encoding.PLAIN);
      at += n;
    }
    w.endColumn();
    w.endBlock();
    w.end(new HashMap<>());
    return file;
  }

  /** A length-prefixed RLE / bit-packed level section for entries {@code [from, from + n)}. */
  private static BytesInput levels(int max, int from, int n, IntUnaryOperator level)
      throws Exception {
    try (RunLengthBitPackingHybridEncoder e =
        new RunLengthBitPackingHybridEncoder(
            32 - Integer.numberOfLeadingZeros(max), 64, 1 << 20, new HeapByteBufferAllocator())) {
      for (int k = from; k < from + n; k++) {
        e.writeInt(level.applyAsInt(k));
      }
      byte[] body = e.toBytes().toByteArray();
      return BytesInput.concat(BytesInput.fromInt(body.length), BytesInput.from(body));
    }
  }

  private static BytesInput floats(int from, int n) {
    ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = from; k < from + n; k++) {
      b.putFloat(component(k / DIM, k % DIM));
    }
    return BytesInput.from(b.array());
  }

  /**
   * As {@link #writeRowsAcrossPages}, with rows that are not d defined entries: every 7th row has
   * its component 5 null (definition level 2), every 11th row is a null vector (one entry, level
   * 0), every 13th an empty list (one entry, level 1).
   */
  Path writeIrregularRowsAcrossPages(String name, int rows, int[] pageEntries) throws Exception {
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message m { optional group embedding (LIST) {"
                + " repeated group list { optional float element; } } }");
    List<int[]> entries = new ArrayList<>(); // {rep, def, row, component}
    for (int i = 0; i < rows; i++) {
      if (i % 11 == 3) {
        entries.add(new int[] {0, 0, i, -1});
      } else if (i % 13 == 4) {
        entries.add(new int[] {0, 1, i, -1});
      } else {
        for (int j = 0; j < DIM; j++) {
          entries.add(new int[] {j == 0 ? 0 : 1, i % 7 == 2 && j == 5 ? 2 : 3, i, j});
        }
      }
    }
    Path file = dir.resolve(name);
    ParquetFileWriter w =
        new ParquetFileWriter(CONF, schema, new org.apache.hadoop.fs.Path(file.toUri()));
    w.start();
    w.startBlock(rows);
    w.startColumn(schema.getColumns().get(0), entries.size(), CompressionCodecName.UNCOMPRESSED);
    int at = 0;
    for (int p = 0; at < entries.size(); p++) {
      int n = Math.min(pageEntries[p % pageEntries.length], entries.size() - at);
      List<int[]> page = entries.subList(at, at + n);
      ByteBuffer values =
          ByteBuffer.allocate(4 * (int) page.stream().filter(e -> e[1] == 3).count())
              .order(ByteOrder.LITTLE_ENDIAN);
      page.stream().filter(e -> e[1] == 3).forEach(e -> values.putFloat(component(e[2], e[3])));
      BytesInput body =
          BytesInput.concat(
              levels(1, 0, n, k -> page.get(k)[0]),
              levels(3, 0, n, k -> page.get(k)[1]),
              BytesInput.from(values.array()));
      w.writeDataPage(n, (int) body.size(), body, Encoding.RLE, Encoding.RLE, Encoding.PLAIN);
      at += n;
    }
    w.endColumn();
    w.endBlock();
    w.end(new HashMap<>());
    return file;
  }

  @Test
  void rowsWithNullsAcrossPageEndsAreReadEntryByEntry() throws Exception {
    // Pages of 16 +- a few entries: rows with a null component, null vectors and empty lists
    // cross page ends, on pages that are all defined and on pages that are not.
    Path file =
        writeIrregularRowsAcrossPages("irregular.parquet", 120, new int[] {13, 17, 16, 3, 29});
    List<String> whole = read(plan(file, 1 << 20), true);
    assertThat(whole).hasSize(120);
    for (int i = 0; i < 120; i++) {
      String row = whole.get(i);
      if (i % 11 == 3) {
        assertThat(row)
            .as("row " + i)
            .isEqualTo(i + " irregular-" + i + " null null NULL_VECTOR vector is null");
      } else if (i % 13 == 4) {
        assertThat(row).as("row " + i).contains(" [] WRONG_DIMENSION dimension 0 (must be 16)");
      } else if (i % 7 == 2) {
        float[] v = new float[DIM - 1];
        for (int j = 0, k = 0; j < DIM; j++) {
          if (j != 5) {
            v[k++] = component(i, j);
          }
        }
        assertThat(row)
            .as("row " + i)
            .contains(" " + Arrays.toString(v) + " NULL_VECTOR 1 null components");
      } else {
        float[] v = new float[DIM];
        for (int j = 0; j < DIM; j++) {
          v[j] = component(i, j);
        }
        assertThat(row).as("row " + i).endsWith(" " + Arrays.toString(v) + " null null");
      }
    }
    for (int splitRows : new int[] {64, 7, 1}) {
      assertThat(read(plan(file, splitRows), false)).as("by " + splitRows).isEqualTo(whole);
    }
  }

  @Test
  void v1PagesThatEndInsideRowsCutTheSame() throws Exception {
    Path file = writeRowsAcrossPages("across.parquet", 200, new int[] {37, 101, 5, 250, 16, 9});
    int[] pages = pagesAndPagesStartingInsideRows(file);
    assertThat(pages[0]).isGreaterThan(40);
    assertThat(pages[1]).isGreaterThan(pages[0] / 2);
    List<String> whole = read(plan(file, 1 << 20), true);
    assertThat(whole).hasSize(200);
    for (int i = 0; i < 200; i++) {
      assertThat(whole.get(i))
          .startsWith(i + " id-" + i + " null [" + component(i, 0) + ", ")
          .endsWith(component(i, DIM - 1) + "] null null");
    }
    for (int splitRows : new int[] {64, 7, 1}) {
      assertThat(read(plan(file, splitRows), false)).as("by " + splitRows).isEqualTo(whole);
    }
  }

  @Test
  void pyarrowFilesWithSmallPagesCutTheSame() throws Exception {
    // V1 pages without an offset index (walked by their repetition levels), and V2 pages with
    // BYTE_STREAM_SPLIT and zstd behind pyarrow's offset index (see third-party-parquet/README.md).
    for (String name :
        new String[] {
          "pyarrow-small-pages-none.parquet", "pyarrow-small-pages-v2-zstd-index.parquet"
        }) {
      Path file = ThirdPartyInputsTest.fixture(name);
      assertThat(pagesAndPagesStartingInsideRows(file)[0]).as(name).isGreaterThan(20);
      List<String> whole = read(plan(file, 1 << 20), true);
      assertThat(whole).as(name).hasSize(300);
      assertThat(whole.get(7)).as(name).startsWith("7 r7 t7 [");
      for (int splitRows : new int[] {64, 7}) {
        EmbeddingSet cut = plan(file, splitRows);
        assertThat(cut.splits().size()).as(name).isGreaterThan(4);
        assertThat(read(cut, true)).as(name + " by " + splitRows).isEqualTo(whole);
        assertThat(read(cut, false)).as(name + " by " + splitRows).isEqualTo(whole);
      }
    }
  }

  /** The vector column's offset index of row group 0 (parquet-mr writes one). */
  static OffsetIndex vectorPages(Path file) throws Exception {
    try (ParquetFileReader r =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), CONF))) {
      List<ColumnChunkMetaData> cols = r.getRowGroups().get(0).getColumns();
      return r.readOffsetIndex(cols.get(cols.size() - 1));
    }
  }

  /** Overwrites bytes as a disk or a copy would: the local file system's .crc sidecar goes too. */
  static void overwrite(Path file, long at, byte[] bytes) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      f.write(bytes);
    }
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
  }

  static String uri(Path file) {
    return file.toUri().toString().replace("file:///", "file:/");
  }

  @Test
  void aCorruptPageHeaderInTheMiddleFailsNamingTheFileTheColumnAndThePage() throws Exception {
    Path file = write(LAYOUTS.get(1));
    OffsetIndex pages = vectorPages(file);
    assertThat(pages.getPageCount()).isGreaterThan(10);
    int mid = pages.getPageCount() / 2; // past the planner's dimension sample
    byte[] garbage = new byte[12];
    Arrays.fill(garbage, (byte) 0xff);
    overwrite(file, pages.getOffset(mid), garbage);
    EmbeddingSet set = plan(file, 1 << 20);
    assertThatThrownBy(() -> read(set, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Invalid Parquet file "
                + uri(file)
                + ": row group 0 (rows 0.."
                + (ROWS - 1)
                + "), column 'embedding', page "
                + mid
                + " is corrupt or unreadable:"
                + " its page header does not parse")
        .hasMessageEndingWith("(rewrite or remove the file)");
    // A split that starts after the bad page skips it by the offset index and reads its rows;
    // the same split walking the page headers meets the bad header and fails the same way.
    EmbeddingSet cut = plan(file, 50);
    EmbeddingSplit last = cut.splits().get(cut.splits().size() - 1);
    EmbeddingSet lastOnly =
        new EmbeddingSet(
            cut.role(),
            cut.path(),
            cut.format(),
            cut.dim(),
            cut.rows(),
            cut.columns(),
            cut.idsFromColumn(),
            cut.hasText(),
            cut.files(),
            List.of(last));
    assertThat(read(lastOnly, true)).hasSize((int) last.rows());
    assertThatThrownBy(() -> read(lastOnly, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "column 'embedding', page "
                + mid
                + " is corrupt or unreadable:"
                + " its page header does not parse");
  }

  @Test
  void aPageWhoseBytesDoNotMatchItsCrcFailsNamingThePage() throws Exception {
    Path file = write(LAYOUTS.get(0));
    OffsetIndex pages = vectorPages(file);
    int mid = pages.getPageCount() / 2;
    long lastByte = pages.getOffset(mid) + pages.getCompressedPageSize(mid) - 1;
    overwrite(file, lastByte, new byte[] {(byte) 0x5a});
    assertThatThrownBy(() -> read(plan(file, 1 << 20), true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "column 'embedding', page "
                + mid
                + " is corrupt or unreadable:"
                + " page CRC checksum verification failed: the header says ");
  }

  @Test
  void aTruncatedFileFailsNamingTheFile() throws Exception {
    Path file = write(LAYOUTS.get(2));
    long size = Files.size(file);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size / 2);
    }
    assertThatThrownBy(() -> plan(file, 1 << 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Invalid Parquet file " + uri(file) + ": cannot read its" + " footer");
  }

  @Test
  void theIdsOnlyReaderCutsTheSameWay() throws Exception {
    Path file = write(LAYOUTS.get(3));
    List<String> whole = ids(plan(file, 1 << 20));
    assertThat(whole).hasSize(ROWS).contains("id-499").doesNotContain("id-" + NULL_ID);
    assertThat(ids(plan(file, 37))).isEqualTo(whole);
  }

  private static List<String> ids(EmbeddingSet set) {
    List<String> out = new ArrayList<>();
    for (EmbeddingSplit split : set.splits()) {
      RowBatch batch = new RowBatch(set.dim(), 50);
      try (SplitReader r = EmbeddingSetPlanner.open(set, split, true, CONF)) {
        while (r.next(batch)) {
          for (int i = 0; i < batch.size; i++) {
            out.add(String.valueOf(batch.ids[i]));
            assertThat(batch.reasons[i]).isIn(null, RejectReason.NULL_ID);
          }
        }
      }
    }
    return out;
  }
}
