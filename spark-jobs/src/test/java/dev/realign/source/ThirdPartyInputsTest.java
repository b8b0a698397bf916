package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.io.Npy;
import dev.realign.vector.RejectReason;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs from other writers: pyarrow (list and fixed_size_list), DuckDB, .npy in float16 and
 * float64; corrupted pages of them fail naming the file and the row group; the Parquet dimension
 * comes from the type where it fixes it, else from the agreement of the first rows.
 */
class ThirdPartyInputsTest {
  private static final Configuration CONF = new Configuration();
  private static final int ROWS = 300;
  private static final int DIM = 64;
  private static final String[] FIXTURES = {
    "pyarrow-list-snappy.parquet", "pyarrow-fixed-size-list-none.parquet", "duckdb-list.parquet"
  };

  @TempDir Path dir;

  static Path fixture(String name) {
    try {
      return Path.of(
          ThirdPartyInputsTest.class.getResource("/third-party-parquet/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static EmbeddingSet plan(Path file, EmbeddingFormat format) {
    return EmbeddingSetPlanner.plan(
        new EmbeddingSetPlanner.Spec(
            "text", file.toUri().toString(), format, null, Columns.DEFAULT, 1 << 20, 0),
        CONF);
  }

  /** ids, texts, vectors (raw for rejected rows) and reasons of every row. */
  static List<Object[]> read(EmbeddingSet set) {
    List<Object[]> out = new ArrayList<>();
    for (EmbeddingSplit split : set.splits()) {
      RowBatch batch = new RowBatch(set.dim(), 64);
      try (SplitReader r = EmbeddingSetPlanner.open(set, split, false, CONF)) {
        while (r.next(batch)) {
          for (int i = 0; i < batch.size; i++) {
            out.add(
                new Object[] {
                  batch.ids[i],
                  batch.texts[i],
                  batch.rawVector(i),
                  batch.reasons[i],
                  batch.details[i]
                });
          }
        }
      }
    }
    return out;
  }

  @Test
  void pyarrowAndDuckDbFilesReadTheSameVectors() {
    List<Object[]> reference = null;
    for (String name : FIXTURES) {
      EmbeddingSet set = plan(fixture(name), null);
      assertThat(set.dim()).as(name).isEqualTo(DIM);
      assertThat(set.rows()).isEqualTo(ROWS);
      List<Object[]> rows = read(set);
      assertThat(rows).hasSize(ROWS);
      for (int i = 0; i < ROWS; i++) {
        assertThat(rows.get(i)[0]).isEqualTo("r" + i);
        assertThat(rows.get(i)[3]).as(name + " row " + i).isNull();
      }
      if (name.startsWith("pyarrow-list")) {
        assertThat(rows.get(7)[1]).isEqualTo("t7");
      }
      if (reference == null) {
        reference = rows;
      } else {
        for (int i = 0; i < ROWS; i++) {
          assertThat((float[]) rows.get(i)[2])
              .as(name + " row " + i)
              .containsExactly((float[]) reference.get(i)[2]);
        }
      }
    }
  }

  @Test
  void theDimensionComesFromTheTypeWhereItIsFixed() throws Exception {
    for (String name : FIXTURES) {
      try (ParquetFileReader r =
          ParquetFileReader.open(
              HadoopInputFile.fromPath(
                  new org.apache.hadoop.fs.Path(fixture(name).toUri()), CONF))) {
        int d = ParquetDimension.schemaDim(r.getFooter().getFileMetaData(), "embedding", name);
        assertThat(d).as(name).isEqualTo(name.contains("fixed-size") ? DIM : -1);
      }
    }
    Path binary = dir.resolve("fixed.parquet");
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message m { required binary id (STRING); optional fixed_len_byte_array(12) embedding; }");
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(binary.toUri()))
            .withType(schema)
            .withConf(CONF)
            .build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(schema);
      w.write(f.newGroup().append("id", "null-first")); // no vector: nothing to sample from
      Group g = f.newGroup().append("id", "b");
      g.add("embedding", org.apache.parquet.io.api.Binary.fromConstantByteArray(new byte[12]));
      w.write(g);
    }
    assertThat(plan(binary, EmbeddingFormat.PARQUET).dim()).isEqualTo(3);
  }

  private Path lists(String name, int... lengths) throws Exception {
    Path file = dir.resolve(name);
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message m {"
                + " required binary id (STRING);"
                + " optional group embedding (LIST) { repeated group list { optional float element; } } }");
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withType(schema)
            .withConf(CONF)
            .build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(schema);
      for (int i = 0; i < lengths.length; i++) {
        Group g = f.newGroup().append("id", "row" + i);
        Group list = g.addGroup("embedding");
        for (int j = 0; j < lengths[i]; j++) {
          list.addGroup("list").append("element", 1f + j);
        }
        w.write(g);
      }
    }
    return file;
  }

  @Test
  void oneMalformedFirstRowNoLongerDecidesTheDimension() throws Exception {
    Path file = lists("first-bad.parquet", 3, 8, 8, 8, 8, 8);
    EmbeddingSet set = plan(file, EmbeddingFormat.PARQUET);
    assertThat(set.dim()).isEqualTo(8);
    List<Object[]> rows = read(set);
    assertThat(rows.get(0)[3]).isEqualTo(RejectReason.WRONG_DIMENSION);
    assertThat(rows.get(0)[4]).isEqualTo("dimension 3 (must be 8)");
    for (int i = 1; i < rows.size(); i++) {
      assertThat(rows.get(i)[3]).isNull();
    }
  }

  @Test
  void rowsWithoutAMajorityDimensionFailNamingTheRows() throws Exception {
    Path file = lists("split-vote.parquet", 3, 8, 3, 8);
    assertThatThrownBy(() -> plan(file, EmbeddingFormat.PARQUET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "the first 4 vectors of column 'embedding' do not agree on a"
                + " dimension (lengths {3=2, 8=2} by count")
        .hasMessageContaining("split-vote.parquet row 1 (dimension 8)")
        .hasMessageContaining("split-vote.parquet row 3 (dimension 8)");
  }

  @Test
  void corruptedPagesOfPyarrowAndDuckDbFilesFailNamingTheFileAndTheRowGroup() throws Exception {
    for (String name : FIXTURES) {
      Path file = dir.resolve("corrupt-" + name);
      Files.copy(fixture(name), file);
      long[] chunk;
      try (ParquetFileReader r =
          ParquetFileReader.open(
              HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), CONF))) {
        List<ColumnChunkMetaData> cols = r.getRowGroups().get(0).getColumns();
        ColumnChunkMetaData c = cols.get(cols.size() - 1);
        chunk = new long[] {c.getFirstDataPageOffset(), c.getStartingPos() + c.getTotalSize()};
      }
      long at = chunk[0] + 40;
      int n = (int) Math.min(5_000, chunk[1] - at - 8);
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
        f.seek(at);
        f.write(new byte[n]);
      }
      assertThatThrownBy(() -> read(plan(file, EmbeddingFormat.PARQUET)))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(
              "Invalid Parquet file " + file.toUri().toString().replace("file:///", "file:/"))
          .hasMessageContaining("row group 0 (rows 0..299), column 'embedding', page 0 is corrupt");
    }
  }

  @Test
  void levelRunsMustFillTheirSectionExactly() {
    int[] out = new int[20];
    // RLE run of 12 ones, then one bit-packed group of 8 (values 0,1,0,1,...)
    byte[] ok = {24, 1, 3, (byte) 0b1010_1010};
    int end = ColumnPages.hybrid(ByteBuffer.wrap(ok), 0, ok.length, 1, out, 20, "definition");
    assertThat(end).isEqualTo(4);
    assertThat(out).startsWith(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1);
    assertThatThrownBy(
            () -> ColumnPages.hybrid(ByteBuffer.wrap(ok), 0, 2, 1, out, 20, "definition"))
        .isInstanceOf(CorruptPageException.class)
        .hasMessage("definition levels end after 12 of 20 entries");
    byte[] zeros = new byte[8];
    assertThatThrownBy(
            () -> ColumnPages.hybrid(ByteBuffer.wrap(zeros), 0, 8, 1, out, 20, "repetition"))
        .isInstanceOf(CorruptPageException.class)
        .hasMessage("repetition levels: a run of 0 with 20 entries left");
    byte[] tooHigh = {4, 2};
    assertThatThrownBy(
            () -> ColumnPages.hybrid(ByteBuffer.wrap(tooHigh), 0, 2, 1, out, 2, "definition"))
        .isInstanceOf(CorruptPageException.class)
        .hasMessage("definition level 2 (must be in 0..1)");
  }

  @Test
  void npyInFloat16AndFloat64ReadsAsFloats() throws Exception {
    int n = 70;
    int d = 6;
    double[] values = new double[n * d];
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.sin(i * 0.7) * (1 + i % 5);
    }
    values[3] = 1.0 / 3; // not a float: float64 rounds it to nearest, float16 to a half
    for (Npy.Dtype dtype : Npy.Dtype.values()) {
      Path file = dir.resolve(dtype.name().toLowerCase(java.util.Locale.ROOT) + ".npy");
      Npy.write(file, dtype, values, n, d);
      EmbeddingSet set = plan(file, null);
      assertThat(set.dim()).isEqualTo(d);
      List<Object[]> rows = read(set);
      assertThat(rows).hasSize(n);
      for (int i = 0; i < n; i++) {
        float[] row = (float[]) rows.get(i)[2];
        for (int j = 0; j < d; j++) {
          double v = values[i * d + j];
          float want =
              switch (dtype) {
                case FLOAT16 ->
                    dev.realign.vector.Float16.toFloat(
                        dev.realign.vector.Float16.fromFloat((float) v));
                default -> (float) v;
              };
          assertThat(row[j]).as("%s row %d component %d", dtype, i, j).isEqualTo(want);
        }
      }
    }
  }

  @Test
  void npyOfAnotherDtypeFailsNamingTheFileAndTheDtype() throws Exception {
    Path file = dir.resolve("ints.npy");
    Npy.write(file, new float[] {1, 2, 3, 4}, 2, 2);
    byte[] bytes = Files.readAllBytes(file);
    String header = new String(bytes, StandardCharsets.ISO_8859_1).replace("'<f4'", "'<i4'");
    Files.write(file, header.getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> plan(file, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid .npy file "
                + file.toUri().toString().replace("file:///", "file:/")
                + ": dtype '<i4' (must be '<f2', '<f4' or '<f8': little-endian float16, float32 or"
                + " float64)");
  }
}
