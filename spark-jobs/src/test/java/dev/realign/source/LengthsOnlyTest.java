package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.vector.RejectReason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dimension sampler reads a list column's levels only ({@link ParquetSplitReader#lengthsOnly}):
 * every row must come out with the reason, the detail and the vector length that reading its values
 * gives, whatever the page layout (V1 and V2 pages, dictionary and plain, uncompressed and Snappy,
 * rows across page boundaries) and whatever the row (null list, empty list, null elements).
 */
class LengthsOnlyTest {
  private static final Configuration CONF = new Configuration();

  @TempDir Path dir;

  /** What a row reads as: reason, detail and length of its vector (-1: none). */
  private record Row(RejectReason reason, String detail, int length) {}

  @Test
  void levelsGiveTheReasonsAndLengthsOfAFullRead() throws Exception {
    Random random = new Random(12);
    int file = 0;
    for (WriterVersion version : WriterVersion.values()) {
      for (boolean dictionary : new boolean[] {true, false}) {
        for (CompressionCodecName codec :
            new CompressionCodecName[] {
              CompressionCodecName.UNCOMPRESSED, CompressionCodecName.SNAPPY
            }) {
          Path path = dir.resolve("lists-" + file++ + ".parquet");
          write(path, version, dictionary, codec, random);
          int[] nonZero = new int[2];
          List<Row> full = read(path, false, nonZero, 0);
          List<Row> lengths = read(path, true, nonZero, 1);
          assertThat(full).hasSize(ROWS);
          assertThat(lengths)
              .as("%s, dictionary %s, %s", version, dictionary, codec)
              .isEqualTo(full);
          // The file has every kind of row, so the comparison covers them.
          assertThat(full.stream().map(Row::reason))
              .contains(RejectReason.NULL_VECTOR, RejectReason.WRONG_DIMENSION, null);
          assertThat(full.stream().map(Row::detail))
              .anyMatch(d -> d != null && d.endsWith("null components"))
              .contains("vector is null", "dimension 0 (must be 1)");
          // The values were not read: the raw vectors hold none of them.
          assertThat(nonZero[0]).isPositive();
          assertThat(nonZero[1]).isZero();
        }
      }
    }
  }

  private static final int ROWS = 3_000;

  /**
   * Rows of lengths 0 to 40 (a few of length 1, which a batch of dimension 1 takes whole), some
   * null and some with null elements, in pages of 2 KB (rows cross page boundaries) and row groups
   * of 32 KB; 1,000 distinct values outgrow the 1 KB dictionary, so its pages fall back to plain.
   */
  private static void write(
      Path file,
      WriterVersion version,
      boolean dictionary,
      CompressionCodecName codec,
      Random random)
      throws Exception {
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message m { required binary id (STRING);"
                + " optional group embedding (LIST) {"
                + " repeated group list { optional float element; } } }");
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withType(schema)
            .withConf(CONF)
            .withWriterVersion(version)
            .withDictionaryEncoding(dictionary)
            .withCompressionCodec(codec)
            .withPageSize(2048)
            .withDictionaryPageSize(1024)
            .withRowGroupSize(32L << 10)
            .build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(schema);
      for (int i = 0; i < ROWS; i++) {
        Group g = f.newGroup().append("id", "row" + i);
        int kind = random.nextInt(20);
        if (kind == 0) {
          w.write(g); // a null list
          continue;
        }
        Group list = g.addGroup("embedding");
        int length = kind == 1 ? 0 : kind == 2 ? 1 : random.nextInt(41);
        for (int j = 0; j < length; j++) {
          Group element = list.addGroup("list");
          if (kind != 3 || j % 7 != 2) { // kind 3: some null elements
            element.append("element", random.nextInt(1_000) / 4f);
          }
        }
        w.write(g);
      }
    }
  }

  /** The file's rows; adds the non-zero components of their raw vectors to {@code nonZero[k]}. */
  private static List<Row> read(Path file, boolean lengthsOnly, int[] nonZero, int k) {
    String name = file.toString();
    EmbeddingSplit whole =
        new EmbeddingSplit(
            0, EmbeddingFormat.PARQUET, name, 0, 0, 0, 0, null, HadoopFiles.stem(name));
    List<Row> rows = new ArrayList<>();
    RowBatch batch = new RowBatch(1, 100);
    ParquetSplitReader reader = new ParquetSplitReader(whole, Columns.DEFAULT, true, false, CONF);
    if (lengthsOnly) {
      reader.lengthsOnly();
    }
    try (reader) {
      while (reader.next(batch)) {
        for (int i = 0; i < batch.size; i++) {
          float[] raw = batch.raw[i];
          for (int j = 0; raw != null && j < raw.length; j++) {
            nonZero[k] += raw[j] != 0 ? 1 : 0;
          }
          int length = raw != null ? raw.length : batch.reasons[i] == null ? 1 : -1;
          rows.add(new Row(batch.reasons[i], batch.details[i], length));
        }
      }
    }
    return rows;
  }
}
