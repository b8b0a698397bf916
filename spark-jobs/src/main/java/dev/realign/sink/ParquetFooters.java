package dev.realign.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;

/** The footer of a Parquet file in canonical form (see {@link DigestingOutputFile}). */
final class ParquetFooters {
  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

  private ParquetFooters() {}

  /**
   * If {@code buf[0..n)} ends with a complete plain (unencrypted) footer, sorts every column
   * chunk's {@code encodings} list in place. Leaves the bytes alone when the footer is not all there, does
   * not parse, does not re-serialise to the same bytes, or would change length.
   *
   * @return whether the footer was rewritten
   */
  static boolean sortEncodings(byte[] buf, int n) {
    if (n < 12 || !Arrays.equals(buf, n - 4, n, MAGIC, 0, 4)) {
      return false;
    }
    int length = ByteBuffer.wrap(buf, n - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int start = n - 8 - length;
    if (length <= 0 || start < 0) {
      return false;
    }
    try {
      FileMetaData md = Util.readFileMetaData(new ByteArrayInputStream(buf, start, length));
      if (!Arrays.equals(serialise(md), 0, length, buf, start, start + length)) {
        return false; // not a round trip: keep the writer's bytes
      }
      boolean changed = false;
      for (RowGroup g : md.getRow_groups()) {
        for (ColumnChunk c : g.getColumns()) {
          List<Encoding> e = c.isSetMeta_data() ? c.getMeta_data().getEncodings() : null;
          if (e != null && e.size() > 1) {
            List<Encoding> sorted = e.stream().sorted(Comparator.comparingInt(Encoding::getValue))
                .toList();
            if (!sorted.equals(e)) {
              c.getMeta_data().setEncodings(new java.util.ArrayList<>(sorted));
              changed = true;
            }
          }
        }
      }
      if (!changed) {
        return false;
      }
      byte[] canonical = serialise(md);
      if (canonical.length != length) {
        return false;
      }
      System.arraycopy(canonical, 0, buf, start, length);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static byte[] serialise(FileMetaData md) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Util.writeFileMetaData(md, out);
    return out.toByteArray();
  }
}
