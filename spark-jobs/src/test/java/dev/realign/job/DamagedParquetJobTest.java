package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.io.Npy;
import dev.realign.source.Columns;
import dev.realign.source.EmbeddingFormat;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import java.io.ByteArrayInputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged dictionary-encoded Parquet input (issue 22, case 1: zeroed bytes inside the vector
 * column's pages, no codec, no CRC) fails the whole run naming the file, the row group, the column
 * and the page, and leaves no manifest; the undamaged copy runs.
 */
class DamagedParquetJobTest {
  static final int ROWS = 400;
  static final int D = 8;
  static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.start();
    Npy.write(dir.resolve("images.npy"), PipelineFixture.randomRows(6, 300, D, -1.0), 300, D);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static Path texts(String name) throws Exception {
    return texts(name, true);
  }

  /** {@code crc}: whether the pages carry CRCs (parquet-mr's default; pyarrow's is without). */
  static Path texts(String name, boolean crc) throws Exception {
    Path file = dir.resolve(name);
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message m { required binary id (STRING); optional group embedding (LIST) {"
                + " repeated group list { optional float element; } } }");
    Random random = new Random(22);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withType(schema)
            .withConf(new Configuration())
            .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
            .withDictionaryEncoding(true)
            .withPageWriteChecksumEnabled(crc)
            .build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(schema);
      for (int i = 0; i < ROWS; i++) {
        Group g = f.newGroup().append("id", "t" + i);
        Group list = g.addGroup("embedding");
        for (int j = 0; j < D; j++) {
          list.addGroup("list").append("element", 0.5f + (random.nextInt(16) - 8) / 4f);
        }
        w.write(g);
      }
    }
    return file;
  }

  @Test
  void aDamagedDictionaryPageFailsTheRunNamingThePageAndLeavesNoManifest() throws Exception {
    Path clean = texts("clean.parquet");
    PipelineFixture.run(
        spark, PipelineFixture.config(clean, dir.resolve("images.npy"), dir.resolve("clean-out")));
    assertThat(dir.resolve("clean-out/aligned/_manifest.json")).exists();

    Path damaged = texts("damaged.parquet");
    long at;
    long n;
    try (ParquetFileReader r =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(damaged.toUri()), new Configuration()))) {
      ColumnChunkMetaData c = r.getRowGroups().get(0).getColumns().get(1);
      // inside the data page, past its header and levels: the dictionary indices
      at = c.getFirstDataPageOffset() + c.getTotalSize() / 2;
      n = Math.min(200, c.getStartingPos() + c.getTotalSize() - at - 1);
    }
    try (RandomAccessFile f = new RandomAccessFile(damaged.toFile(), "rw")) {
      f.seek(at);
      f.write(new byte[(int) n]);
    }
    runFailsNaming(damaged, "row group 0 (rows 0..399), column 'embedding', page ");
  }

  /**
   * Damage in the first page's values alone (its dictionary indices' bit width set to 33; levels
   * intact; no CRC, as pyarrow writes by default): the plan reads only the levels of the vectors it
   * samples for the dimension, so it plans, and the run's first pass fails naming the page, with no
   * manifest.
   */
  @Test
  void damagedValuesInTheFirstPagePlanAndFailTheRun() throws Exception {
    Path damaged = texts("damaged-values.parquet", false); // a CRC would catch it at plan time
    long pageStart;
    try (ParquetFileReader r =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(damaged.toUri()), new Configuration()))) {
      pageStart = r.getRowGroups().get(0).getColumns().get(1).getFirstDataPageOffset();
    }
    byte[] bytes = Files.readAllBytes(damaged);
    ByteArrayInputStream in =
        new ByteArrayInputStream(bytes, (int) pageStart, bytes.length - (int) pageStart);
    PageHeader header = Util.readPageHeader(in);
    assertThat(header.getData_page_header().getEncoding())
        .isEqualTo(org.apache.parquet.format.Encoding.PLAIN_DICTIONARY);
    // The V1 body: repetition levels, definition levels (each a 4-byte length, then the runs),
    // then the values: the indices' bit width byte, then their runs.
    int body = bytes.length - in.available();
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int defAt = body + 4 + b.getInt(body);
    int width = defAt + 4 + b.getInt(defAt);
    assertThat(bytes[width]).isBetween((byte) 1, (byte) 32);
    bytes[width] = 33;
    Files.write(damaged, bytes);

    EmbeddingSet set =
        EmbeddingSetPlanner.plan(
            new EmbeddingSetPlanner.Spec(
                "text",
                damaged.toString(),
                EmbeddingFormat.PARQUET,
                null,
                Columns.DEFAULT,
                1_000,
                0),
            new Configuration());
    assertThat(set.dim()).isEqualTo(D);
    runFailsNaming(
        damaged,
        "row group 0 (rows 0..399), column 'embedding', page 0",
        "dictionary indices of bit width 33");
  }

  /**
   * A run on {@code damaged} fails naming it as an invalid Parquet file, with {@code parts} in the
   * message, and leaves no manifest.
   */
  private static void runFailsNaming(Path damaged, String... parts) {
    Path out = dir.resolve(damaged.getFileName() + "-out");
    var thrown =
        assertThatThrownBy(
                () ->
                    PipelineFixture.run(
                        spark, PipelineFixture.config(damaged, dir.resolve("images.npy"), out)))
            .hasMessageContaining("Invalid Parquet file")
            .hasMessageContaining(damaged.getFileName().toString());
    for (String part : parts) {
      thrown.hasMessageContaining(part);
    }
    assertThat(out.resolve("aligned/_manifest.json")).doesNotExist();
  }
}
