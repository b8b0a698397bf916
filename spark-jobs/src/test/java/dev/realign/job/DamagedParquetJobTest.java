package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.io.Npy;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
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
    Path out = dir.resolve("damaged-out");
    assertThatThrownBy(
            () ->
                PipelineFixture.run(
                    spark, PipelineFixture.config(damaged, dir.resolve("images.npy"), out)))
        .hasMessageContaining("Invalid Parquet file")
        .hasMessageContaining("damaged.parquet")
        .hasMessageContaining("row group 0 (rows 0..399), column 'embedding', page ");
    assertThat(out.resolve("aligned/_manifest.json")).doesNotExist();
  }
}
