package dev.realign.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes numpy {@code .npy} files of little-endian float32 ({@code <f4}) in C order:
 * format versions 1.0 and 2.0 (version 2 only widens the header length). Rows are the first axis;
 * a row is the product of the other axes, so {@code (n, d)} gives n rows of d floats.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** The parsed header of a float32 {@code .npy} file. */
  public record Header(long[] shape, long dataOffset) {
    public long rows() {
      return shape.length == 0 ? 1 : shape[0];
    }

    /** Floats per row: the product of every axis after the first. */
    public long rowLength() {
      long n = 1;
      for (int i = 1; i < shape.length; i++) {
        n *= shape[i];
      }
      return n;
    }

    public long elements() {
      return rows() * rowLength();
    }

    @Override
    public String toString() {
      return "Header{shape=" + Arrays.toString(shape) + ", dataOffset=" + dataOffset + "}";
    }
  }

  /** Reads and checks the header; errors name the file, what was expected and what was found. */
  public static Header readHeader(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return readHeader(ch, file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read .npy file " + file, e);
    }
  }

  static Header readHeader(FileChannel ch, Path file) throws IOException {
    ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, pre, 0, file);
    long headerStart = headerStart(pre.array(), file.toString());
    long headerLen = headerLength(pre.array(), file.toString());
    ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
    readFully(ch, hb, headerStart, file);
    return parseHeader(pre.array(), hb.array(), ch.size(), file.toString());
  }

  /**
   * Bytes of the header dictionary that follow the first 12 bytes of a file; use it to read the
   * header through any stream, then call {@link #parseHeader}.
   */
  public static long headerLength(byte[] first12, String file) {
    checkMagic(first12, file);
    ByteBuffer pre = ByteBuffer.wrap(first12).order(ByteOrder.LITTLE_ENDIAN);
    long len = (first12[6] & 0xff) == 1 ? Short.toUnsignedInt(pre.getShort(8))
        : Integer.toUnsignedLong(pre.getInt(8));
    if (len > 1 << 20) {
      throw new IllegalArgumentException("Invalid .npy file " + file + ": header of " + len
          + " bytes (must be < 1 MiB)");
    }
    return len;
  }

  /** Offset of the header dictionary: 10 for format 1.0, 12 for 2.0 and 3.0. */
  public static long headerStart(byte[] first12, String file) {
    checkMagic(first12, file);
    return (first12[6] & 0xff) == 1 ? 10 : 12;
  }

  private static void checkMagic(byte[] first12, String file) {
    byte[] magic = Arrays.copyOf(first12, 6);
    if (first12.length < 12 || !Arrays.equals(magic, MAGIC)) {
      throw new IllegalArgumentException("Invalid .npy file " + file
          + ": expected the magic \\x93NUMPY, actual " + printable(magic));
    }
    int major = first12[6] & 0xff;
    if (major < 1 || major > 3) {
      throw new IllegalArgumentException("Invalid .npy file " + file
          + ": format version expected 1.0 or 2.0, actual " + major + "." + (first12[7] & 0xff));
    }
  }

  /**
   * Parses and checks a header.
   *
   * @param first12 the first 12 bytes of the file
   * @param dict the header dictionary bytes ({@link #headerLength} of them, from {@link
   *     #headerStart})
   * @param fileSize the file's size, to detect truncated data
   */
  public static Header parseHeader(byte[] first12, byte[] dict, long fileSize, String file) {
    long headerStart = headerStart(first12, file);
    String header = new String(dict, StandardCharsets.ISO_8859_1);
    String descr = find(DESCR, header, "descr", file);
    if (!descr.equals("<f4")) {
      throw new IllegalArgumentException("Invalid .npy file " + file + ": dtype expected '<f4'"
          + " (little-endian float32), actual '" + descr + "'");
    }
    if (find(FORTRAN, header, "fortran_order", file).equals("True")) {
      throw new IllegalArgumentException("Invalid .npy file " + file
          + ": fortran_order expected False (C order), actual True");
    }
    String shapeText = find(SHAPE, header, "shape", file).trim();
    List<Long> dims = new ArrayList<>();
    for (String part : shapeText.split(",")) {
      if (!part.isBlank()) {
        dims.add(Long.parseLong(part.trim()));
      }
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    Header h = new Header(shape, headerStart + dict.length);
    long expectedBytes = h.dataOffset() + 4 * h.elements();
    if (fileSize < expectedBytes) {
      throw new IllegalArgumentException("Invalid .npy file " + file + ": shape "
          + Arrays.toString(shape) + " needs " + expectedBytes + " bytes, actual " + fileSize
          + " (truncated)");
    }
    return h;
  }

  /** Reads a whole file into one array (at most 2^31 - 1 floats). */
  public static float[] readFloats(Path file) {
    Header h = readHeader(file);
    if (h.elements() > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("Invalid .npy file " + file + " for readFloats: "
          + h.elements() + " floats (must be < 2^31; read it by rows)");
    }
    float[] out = new float[(int) h.elements()];
    try (RowReader r = openRows(file)) {
      r.read(0, h.rows(), out, 0);
    }
    return out;
  }

  /** Opens a file for reading row ranges. */
  public static RowReader openRows(Path file) {
    try {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
      try {
        return new RowReader(file, ch, readHeader(ch, file));
      } catch (RuntimeException | IOException e) {
        ch.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read .npy file " + file, e);
    }
  }

  /** Sequential or random access to the rows of one {@code .npy} file. */
  public static final class RowReader implements AutoCloseable {
    private final Path file;
    private final FileChannel ch;
    private final Header header;
    private ByteBuffer buf = ByteBuffer.allocate(0);

    private RowReader(Path file, FileChannel ch, Header header) {
      this.file = file;
      this.ch = ch;
      this.header = header;
    }

    public Header header() {
      return header;
    }

    /** Reads rows {@code [firstRow, firstRow + rows)} into {@code dst} at {@code dstOff}. */
    public void read(long firstRow, long rows, float[] dst, int dstOff) {
      long rowLen = header.rowLength();
      if (firstRow < 0 || rows < 0 || firstRow + rows > header.rows()) {
        throw new IllegalArgumentException("Invalid row range [" + firstRow + ", "
            + (firstRow + rows) + ") of " + file + " (must be within [0, " + header.rows() + "))");
      }
      long floats = rows * rowLen;
      int chunkFloats = (int) Math.min(floats, 1 << 20);
      if (buf.capacity() < chunkFloats * 4) {
        buf = ByteBuffer.allocate(chunkFloats * 4).order(ByteOrder.LITTLE_ENDIAN);
      }
      long pos = header.dataOffset() + firstRow * rowLen * 4;
      int out = dstOff;
      long left = floats;
      try {
        while (left > 0) {
          int n = (int) Math.min(left, chunkFloats);
          buf.clear().limit(n * 4);
          readFully(ch, buf, pos, file);
          buf.asFloatBuffer().get(dst, out, n);
          pos += n * 4L;
          out += n;
          left -= n;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read .npy file " + file, e);
      }
    }

    @Override
    public void close() {
      try {
        ch.close();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot close .npy file " + file, e);
      }
    }
  }

  /** Writes {@code data} with the given shape as a version 1.0 {@code <f4} file. */
  public static void write(Path file, float[] data, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    if (n != data.length) {
      throw new IllegalArgumentException("Invalid shape " + Arrays.toString(shape) + " for "
          + data.length + " floats (the product must equal the length)");
    }
    StringBuilder shapeText = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      shapeText.append(shape[i]).append(shape.length == 1 || i < shape.length - 1 ? "," : "");
      if (i < shape.length - 1) {
        shapeText.append(' ');
      }
    }
    shapeText.append(')');
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";
    int unpadded = 10 + dict.length() + 1;
    int total = (unpadded + 63) / 64 * 64;
    String header = dict + " ".repeat(total - unpadded) + "\n";
    ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    pre.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      pre.flip();
      writeFully(ch, pre);
      writeFully(ch, ByteBuffer.wrap(header.getBytes(StandardCharsets.ISO_8859_1)));
      ByteBuffer body = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
      int i = 0;
      while (i < data.length) {
        body.clear();
        int m = Math.min(data.length - i, body.capacity() / 4);
        body.asFloatBuffer().put(data, i, m);
        body.limit(m * 4);
        writeFully(ch, body);
        i += m;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write .npy file " + file, e);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long pos, Path file)
      throws IOException {
    long p = pos;
    while (b.hasRemaining()) {
      int n = ch.read(b, p);
      if (n < 0) {
        throw new IllegalArgumentException("Invalid .npy file " + file + ": unexpected end of file"
            + " at byte " + p + " (truncated)");
      }
      p += n;
    }
    b.flip();
  }

  private static String find(Pattern p, String header, String key, String file) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException("Invalid .npy file " + file + ": header has no '" + key
          + "' (header: " + header.trim() + ")");
    }
    return m.group(1);
  }

  private static String printable(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(x >= 32 && x < 127 ? String.valueOf((char) x) : String.format("\\x%02x", x));
    }
    return sb.toString();
  }
}
