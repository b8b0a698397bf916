package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The off-heap page buffers a task thread keeps between pages and splits stay within {@link
 * PageStream#KEPT_OFF_HEAP_BYTES}: a file whose float page (stored, and decompressed for Snappy) is
 * larger reads correctly through buffers of its own, and the thread keeps the buffers it had. Files
 * of one row group with one vector page each, written page by page with parquet-mr's file writer.
 */
class OffHeapPageBuffersTest {
  @TempDir Path dir;

  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message m { required binary id (STRING);"
              + " optional group embedding (LIST) { repeated group list { optional float element; } } }");

  private static final int DIM = 1024;

  /** Rows of the big page: 4,200 x 1,024 floats, 17.2 MB, above the 16 MiB kept. */
  private static final int BIG_ROWS = 4_200;

  private static final int SMALL_ROWS = 16;

  @Test
  void aPageLargerThanWhatAThreadKeepsReadsThroughBuffersOfItsOwn() throws Exception {
    assertThat((long) BIG_ROWS * DIM * Float.BYTES).isGreaterThan(PageStream.KEPT_OFF_HEAP_BYTES);
    for (boolean snappy : new boolean[] {false, true}) {
      Path small = write("small-" + snappy + ".parquet", SMALL_ROWS, snappy);
      Path big = write("big-" + snappy + ".parquet", BIG_ROWS, snappy);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread task =
          new Thread(
              () -> {
                try {
                  checkRows(small, SMALL_ROWS);
                  long kept = PageStream.keptOffHeapBytes();
                  assertThat(kept).isPositive().isLessThanOrEqualTo(2L * (1 << 20));
                  checkRows(big, BIG_ROWS);
                  assertThat(PageStream.keptOffHeapBytes())
                      .as("kept after the big page (snappy %s)", snappy)
                      .isEqualTo(kept);
                  checkRows(small, SMALL_ROWS); // and the kept buffers still serve
                } catch (Throwable t) {
                  failure.set(t);
                }
              });
      task.start(); // a thread of its own: no buffers kept from other tests
      task.join();
      if (failure.get() != null) {
        throw new AssertionError(failure.get());
      }
    }
  }

  private static void checkRows(Path file, int rows) {
    List<Object[]> read =
        ThirdPartyInputsTest.read(ThirdPartyInputsTest.plan(file, EmbeddingFormat.PARQUET));
    assertThat(read).hasSize(rows);
    for (int r = 0; r < rows; r++) {
      float[] v = (float[]) read.get(r)[2];
      assertThat(read.get(r)[0]).isEqualTo("r" + r);
      assertThat(v).hasSize(DIM);
      for (int j = 0; j < DIM; j += 97) {
        assertThat(v[j]).isEqualTo(value(r, j));
      }
    }
  }

  private static float value(int row, int j) {
    return row + j / 1024f;
  }

  /** A file of {@code rows} ids and vectors, the vectors in one PLAIN page. */
  private Path write(String name, int rows, boolean snappy) throws Exception {
    Path file = dir.resolve(name);
    ParquetFileWriter w = DamagedParquetTest.startWithIds(file, SCHEMA, rows);
    int entries = rows * DIM;
    // rep levels: a row is an RLE run of one 0, then one of DIM - 1 ones (varint headers)
    java.io.ByteArrayOutputStream rep = new java.io.ByteArrayOutputStream();
    for (int r = 0; r < rows; r++) {
      rep.write(1 << 1);
      rep.write(0);
      rep.write(varint((DIM - 1) << 1));
      rep.write(1);
    }
    ByteBuffer values = ByteBuffer.allocate(4 * entries).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < DIM; j++) {
        values.putFloat(value(r, j));
      }
    }
    byte[] page =
        BytesInput.concat(
                DamagedParquetTest.section(rep.toByteArray()),
                DamagedParquetTest.section(cat(varint(entries << 1), new byte[] {3})),
                BytesInput.from(values.array()))
            .toByteArray();
    byte[] stored = snappy ? org.xerial.snappy.Snappy.compress(page) : page;
    w.startColumn(
        SCHEMA.getColumns().get(1),
        entries,
        snappy ? CompressionCodecName.SNAPPY : CompressionCodecName.UNCOMPRESSED);
    w.writeDataPage(
        entries, page.length, BytesInput.from(stored), Encoding.RLE, Encoding.RLE, Encoding.PLAIN);
    w.endColumn();
    w.endBlock();
    w.end(new HashMap<>());
    return file;
  }

  private static byte[] varint(int v) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    while ((v & ~0x7f) != 0) {
      out.write((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.write(v);
    return out.toByteArray();
  }

  private static byte[] cat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
