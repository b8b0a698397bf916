package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vector column that ends before its row group does names the row where it ended, not the first
 * row of the batch being read (the reader fills a batch a column at a time): a row group of 4 rows
 * whose vector column holds entries for 3, written page by page with parquet-mr's file writer.
 */
class ParquetRowErrorsTest {
  @TempDir Path dir;

  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message m { required binary id (STRING);"
              + " optional group embedding (LIST) { repeated group list { optional float element; } } }");

  @Test
  void aVectorColumnEndingEarlyNamesTheRowItEndedAt() throws Exception {
    Path file = dir.resolve("short-vectors.parquet");
    int rows = 4;
    int vectorRows = 3;
    int dim = 2;
    ParquetFileWriter w = DamagedParquetTest.startWithIds(file, SCHEMA, rows);
    int entries = vectorRows * dim;
    BytesInput page =
        BytesInput.concat(
            DamagedParquetTest.section(
                new byte[] {3, 0b0010_1010}), // rep: one bit-packed group 0,1,0,1,0,1
            DamagedParquetTest.section(
                new byte[] {(byte) (entries << 1), 3}), // def: an RLE run, all defined
            BytesInput.from(new byte[4 * entries]));
    w.startColumn(SCHEMA.getColumns().get(1), entries, CompressionCodecName.UNCOMPRESSED);
    w.writeDataPage(entries, (int) page.size(), page, Encoding.RLE, Encoding.RLE, Encoding.PLAIN);
    w.endColumn();
    w.endBlock();
    w.end(new HashMap<>());

    // the plan's dimension sample reads the first rows already
    assertThatThrownBy(
            () ->
                ThirdPartyInputsTest.read(ThirdPartyInputsTest.plan(file, EmbeddingFormat.PARQUET)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.getFileName().toString())
        .hasMessageContaining("column 'embedding'")
        .hasMessageContaining("the column ends after 3 of the row group's 4 rows");
  }
}
