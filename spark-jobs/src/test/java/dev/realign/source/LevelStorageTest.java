package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.vector.RejectReason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A page's levels are stored only when a reader asks for them, and its row starts in an array grown
 * to their number: pages whose level arrays must grow between pages, a page with undefined entries
 * after an all-defined one, a page with more row starts than the array held, and a deprecated
 * BIT_PACKED page (decoded into the arrays at once) read the same whole and cut into splits of 1, 2
 * and 3 rows (which start inside pages, by the skip path).
 */
class LevelStorageTest {
  @TempDir Path dir;

  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message m { required binary id (STRING);"
              + " optional group embedding (LIST) { repeated group list { optional float element; } } }");

  /** The rows: vector (raw for rejected rows) and reason, null when accepted. */
  private static final Object[][] EXPECTED = {
    {new float[] {1, 2}, null},
    {new float[] {3, 4}, null},
    {new float[] {8}, RejectReason.NULL_VECTOR},
    {new float[] {9}, RejectReason.WRONG_DIMENSION},
    {new float[] {10}, RejectReason.WRONG_DIMENSION},
    {new float[] {11}, RejectReason.WRONG_DIMENSION},
    {new float[] {20, 21}, null},
    {new float[] {22}, RejectReason.NULL_VECTOR},
    {new float[] {23, 24}, null},
    {new float[] {25, 26}, null},
  };

  @Test
  void levelsStoredOnDemandReadTheSameRowsHoweverSplit() throws Exception {
    Path file = dir.resolve("levels.parquet");
    int rows = EXPECTED.length;
    ParquetFileWriter w = DamagedParquetTest.startWithIds(file, SCHEMA, rows);
    w.startColumn(SCHEMA.getColumns().get(1), 4 + 5 + 8, CompressionCodecName.UNCOMPRESSED);
    // Page A, rows 0-1: 4 entries, all defined (2 row starts: the start array grows to 2).
    BytesInput a =
        BytesInput.concat(
            DamagedParquetTest.section(new byte[] {3, 0b1010}), // rep: 0,1,0,1 bit-packed
            DamagedParquetTest.section(new byte[] {4 << 1, 3}), // def: an RLE run of 4 x 3
            floats(1, 2, 3, 4));
    w.writeDataPage(4, (int) a.size(), a, Encoding.RLE, Encoding.RLE, Encoding.PLAIN);
    // Page C, rows 2-5: 5 entries, the first undefined (a null component), 4 row starts.
    BytesInput c =
        BytesInput.concat(
            DamagedParquetTest.section(new byte[] {3, 0b0000_0010}), // rep: 0,1,0,0,0
            DamagedParquetTest.section(new byte[] {3, (byte) 0xFE, 0x03}), // def: 2,3,3,3,3
            floats(8, 9, 10, 11));
    w.writeDataPage(5, (int) c.size(), c, Encoding.RLE, Encoding.RLE, Encoding.PLAIN);
    // Page B, rows 6-9: 8 entries with BIT_PACKED levels (most significant bit first, no length
    // prefix), row 7's second component null.
    BytesInput b =
        BytesInput.concat(
            BytesInput.from(new byte[] {0x55}), // rep: 0,1,0,1,0,1,0,1
            BytesInput.from(new byte[] {(byte) 0xFE, (byte) 0xFF}), // def: 3,3,3,2,3,3,3,3
            floats(20, 21, 22, 23, 24, 25, 26));
    w.writeDataPage(8, (int) b.size(), b, Encoding.BIT_PACKED, Encoding.BIT_PACKED, Encoding.PLAIN);
    w.endColumn();
    w.endBlock();
    w.end(new HashMap<>());

    for (int splitRows : new int[] {1 << 20, 1, 2, 3}) {
      EmbeddingSet set = ParquetRowRangeSplitsTest.plan(file, splitRows);
      assertThat(set.dim()).isEqualTo(2);
      List<Object[]> read = ThirdPartyInputsTest.read(set);
      assertThat(read).as("rows, split every %d", splitRows).hasSize(rows);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < rows; i++) {
        ids.add((String) read.get(i)[0]);
        assertThat((float[]) read.get(i)[2])
            .as("row %d, split every %d", i, splitRows)
            .containsExactly((float[]) EXPECTED[i][0]);
        assertThat(read.get(i)[3])
            .as("reason of row %d, split every %d", i, splitRows)
            .isEqualTo(EXPECTED[i][1]);
      }
      assertThat(ids).containsExactly("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9");
      assertThat((String) read.get(2)[4]).isEqualTo("1 null components");
      assertThat((String) read.get(3)[4]).isEqualTo("dimension 1 (must be 2)");
    }
  }

  private static BytesInput floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      b.putFloat(x);
    }
    return BytesInput.from(b.array());
  }
}
