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
   * Sorts every column chunk's {@code encodings} list of the plain (unencrypted) footer that ends
   * {@code buf[0..n)}, in place. It never falls back silently: a buffer that does not end with a
   * whole footer, a footer that does not parse or does not re-serialise to its own bytes, or a
   * sorted footer of another length fails, saying which, since the file's bytes would otherwise
   * depend on the JVM that wrote them.
   *
   * @return whether the footer was rewritten (false: it was canonical already)
   * @throws IllegalStateException when the footer cannot be made canonical
   */
  static boolean sortEncodings(byte[] buf, int n) {
    if (n < 12 || !Arrays.equals(buf, n - 4, n, MAGIC, 0, 4)) {
      throw new IllegalStateException(
          "Cannot make the Parquet footer canonical: the last "
              + n
              + " bytes do not end with the magic PAR1 (not a whole footer)");
    }
    int length = ByteBuffer.wrap(buf, n - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int start = n - 8 - length;
    if (length <= 0 || start < 0) {
      throw new IllegalStateException(
          "Cannot make the Parquet footer canonical: footer length "
              + length
              + " (must be in 1.."
              + (n - 8)
              + ", the bytes held back)");
    }
    FileMetaData md;
    try {
      md = Util.readFileMetaData(new ByteArrayInputStream(buf, start, length));
      if (!Arrays.equals(serialise(md), 0, length, buf, start, start + length)) {
        throw new IllegalStateException(
            "Cannot make the Parquet footer canonical: it does not"
                + " re-serialise to its own "
                + length
                + " bytes");
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalStateException ise && ise.getMessage().startsWith("Cannot make")) {
        throw ise;
      }
      throw new IllegalStateException(
          "Cannot make the Parquet footer canonical: it does not" + " parse (" + e + ")", e);
    }
    boolean changed = false;
    for (RowGroup g : md.getRow_groups()) {
      for (ColumnChunk c : g.getColumns()) {
        List<Encoding> e = c.isSetMeta_data() ? c.getMeta_data().getEncodings() : null;
        if (e != null && e.size() > 1) {
          List<Encoding> sorted =
              e.stream().sorted(Comparator.comparingInt(Encoding::getValue)).toList();
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
    byte[] canonical;
    try {
      canonical = serialise(md);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot make the Parquet footer canonical: " + e, e);
    }
    if (canonical.length != length) {
      throw new IllegalStateException(
          "Cannot make the Parquet footer canonical: sorted it has "
              + canonical.length
              + " bytes, the original "
              + length);
    }
    System.arraycopy(canonical, 0, buf, start, length);
    return true;
  }

  private static byte[] serialise(FileMetaData md) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Util.writeFileMetaData(md, out);
    return out.toByteArray();
  }
}
