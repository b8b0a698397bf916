package dev.realign.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.Util;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shard footers list each column chunk's encodings in ascending order whatever order
 * parquet-hadoop's {@code HashSet} gave in this JVM, so a shard's bytes (and its manifest SHA-256)
 * do not depend on the JVM that wrote it.
 */
class ParquetFootersTest {
  @TempDir Path dir;

  private Path writeShard(int rows, int dim) throws Exception {
    Path file = dir.resolve("part-00000-of-00001.parquet");
    Configuration conf = new Configuration();
    FileSystem fs = FileSystem.getLocal(conf);
    float[] v = new float[dim];
    ShardInfo info;
    try (ShardWriter w =
        new ShardWriter(fs, new org.apache.hadoop.fs.Path(file.toUri()), dim, true, conf)) {
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < dim; j++) {
          v[j] = (float) Math.sin(i * 31 + j);
        }
        w.write("id-" + i, "text " + i, v, 0);
      }
      info = w.finish();
    }
    byte[] bytes = Files.readAllBytes(file);
    assertThat(info.bytes()).isEqualTo(bytes.length);
    assertThat(info.sha256())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    return file;
  }

  private static int footerStart(byte[] file) {
    int length = ByteBuffer.wrap(file, file.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    return file.length - 8 - length;
  }

  private static FileMetaData footer(byte[] file) throws Exception {
    int start = footerStart(file);
    return Util.readFileMetaData(new ByteArrayInputStream(file, start, file.length - 8 - start));
  }

  @Test
  void writtenShardsListEncodingsInAscendingOrder() throws Exception {
    FileMetaData md = footer(Files.readAllBytes(writeShard(3_000, 16)));
    int multi = 0;
    for (ColumnChunk c : md.getRow_groups().get(0).getColumns()) {
      List<Integer> values =
          c.getMeta_data().getEncodings().stream().map(Encoding::getValue).toList();
      assertThat(values).isSorted();
      multi += values.size() > 1 ? 1 : 0;
    }
    assertThat(multi).as("columns with several encodings").isPositive();
  }

  @Test
  void aFooterInAnotherOrderIsRewrittenToTheSameBytes() throws Exception {
    byte[] file = Files.readAllBytes(writeShard(500, 8));
    FileMetaData md = footer(file);
    for (ColumnChunk c : md.getRow_groups().get(0).getColumns()) {
      List<Encoding> e = new ArrayList<>(c.getMeta_data().getEncodings());
      Collections.reverse(e);
      c.getMeta_data().setEncodings(e);
    }
    ByteArrayOutputStream footer = new ByteArrayOutputStream();
    Util.writeFileMetaData(md, footer);
    byte[] shuffled = file.clone();
    System.arraycopy(footer.toByteArray(), 0, shuffled, footerStart(file), footer.size());
    assertThat(shuffled).isNotEqualTo(file);

    assertThat(ParquetFooters.sortEncodings(shuffled, shuffled.length)).isTrue();
    assertThat(shuffled).isEqualTo(file);
    assertThat(ParquetFooters.sortEncodings(shuffled, shuffled.length)).isFalse();
  }

  @Test
  void bytesWithoutACompleteFooterFailInsteadOfFallingBackSilently() {
    byte[] junk = "not a parquet file at all PAR1".getBytes(StandardCharsets.UTF_8);
    byte[] copy = junk.clone();
    assertThatThrownBy(() -> ParquetFooters.sortEncodings(copy, copy.length))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Cannot make the Parquet footer canonical")
        .hasMessageContaining("footer length");
    assertThat(copy).isEqualTo(junk);
    assertThatThrownBy(() -> ParquetFooters.sortEncodings(new byte[4], 4))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("do not end with the magic PAR1");
    byte[] garbled = junk.clone();
    java.nio.ByteBuffer.wrap(garbled, garbled.length - 8, 4)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(10);
    assertThatThrownBy(() -> ParquetFooters.sortEncodings(garbled, garbled.length))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not parse");
  }

  @Test
  void theRejectedWriterGoesThroughTheCanonicalFooter() throws Exception {
    Path file = dir.resolve("rejected.parquet");
    Configuration conf = new Configuration();
    FileSystem fs = FileSystem.getLocal(conf);
    try (RejectedWriter w =
        new RejectedWriter(fs, new org.apache.hadoop.fs.Path(file.toUri()), conf)) {
      w.write("a", "src.npy", 3, "nan", "component 2 is NaN", null, new float[] {1, Float.NaN});
      w.finish();
    }
    byte[] bytes = Files.readAllBytes(file);
    assertThat(ParquetFooters.sortEncodings(bytes, bytes.length)).as("already canonical").isFalse();
  }
}
