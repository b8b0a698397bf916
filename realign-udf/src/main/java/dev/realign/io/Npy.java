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
 * Reads and writes numpy {@code .npy} files in C order: format versions 1.0 and 2.0 (version 2 only
 * widens the header length). Reads little-endian float16 ({@code <f2}, what clip-retrieval, LAION
 * and the paper's embed.py write), float32 ({@code <f4}) and float64 ({@code <f8}) into floats
 * (float16 exactly, float64 rounded to nearest); writes float32. Rows are the first axis; a row is
 * the product of the other axes, so {@code (n, d)} gives n rows of d values.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** The element types read, each with its numpy {@code descr} and its size in bytes. */
  public enum Dtype {
    FLOAT16("<f2", 2),
    FLOAT32("<f4", 4),
    FLOAT64("<f8", 8);

    private final String descr;
    private final int bytes;

    Dtype(String descr, int bytes) {
      this.descr = descr;
      this.bytes = bytes;
    }

    public String descr() {
      return descr;
    }

    /** Bytes per element. */
    public int bytes() {
      return bytes;
    }

    static Dtype ofDescr(String descr, String file) {
      for (Dtype t : values()) {
        if (t.descr.equals(descr)) {
          return t;
        }
      }
      throw new IllegalArgumentException(
          "Invalid .npy file "
              + file
              + ": dtype '"
              + descr
              + "' (must be '<f2', '<f4' or '<f8': little-endian float16, float32 or float64)");
    }

    /**
     * Decodes {@code n} little-endian elements of {@code src} from byte {@code off} into {@code
     * dst[to..]}: float16 exactly, float64 rounded to the nearest float.
     */
    public void decode(byte[] src, int off, float[] dst, int to, int n) {
      ByteBuffer b = ByteBuffer.wrap(src, off, n * bytes).order(ByteOrder.LITTLE_ENDIAN);
      switch (this) {
        case FLOAT32 -> b.asFloatBuffer().get(dst, to, n);
        case FLOAT64 -> {
          for (int i = 0; i < n; i++) {
            dst[to + i] = (float) b.getDouble(off + 8 * i);
          }
        }
        case FLOAT16 -> {
          for (int i = 0; i < n; i++) {
            dst[to + i] = dev.realign.vector.Float16.toFloat(b.getShort(off + 2 * i));
          }
        }
        default -> throw new IllegalStateException("unreachable: " + this);
      }
    }
  }

  /** The parsed header of a {@code .npy} file. */
  public record Header(long[] shape, long dataOffset, Dtype dtype) {
    public Header(long[] shape, long dataOffset) {
      this(shape, dataOffset, Dtype.FLOAT32);
    }

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
    long len =
        (first12[6] & 0xff) == 1
            ? Short.toUnsignedInt(pre.getShort(8))
            : Integer.toUnsignedLong(pre.getInt(8));
    if (len > 1 << 20) {
      throw new IllegalArgumentException(
          "Invalid .npy file " + file + ": header of " + len + " bytes (must be < 1 MiB)");
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
      throw new IllegalArgumentException(
          "Invalid .npy file "
              + file
              + ": expected the magic \\x93NUMPY, actual "
              + printable(magic));
    }
    int major = first12[6] & 0xff;
    if (major < 1 || major > 3) {
      throw new IllegalArgumentException(
          "Invalid .npy file "
              + file
              + ": format version expected 1.0 or 2.0, actual "
              + major
              + "."
              + (first12[7] & 0xff));
    }
  }

  /**
   * Parses and checks a header.
   *
   * @param first12 the first 12 bytes of the file
   * @param dict the header dictionary bytes ({@link #headerLength} of them, from {@link
   *     #headerStart})
   * @param fileSize the file's size: the data must fill the file exactly (numpy writes no more)
   */
  public static Header parseHeader(byte[] first12, byte[] dict, long fileSize, String file) {
    long headerStart = headerStart(first12, file);
    String header = new String(dict, StandardCharsets.ISO_8859_1);
    Dtype dtype = Dtype.ofDescr(find(DESCR, header, "descr", file), file);
    if (find(FORTRAN, header, "fortran_order", file).equals("True")) {
      throw new IllegalArgumentException(
          "Invalid .npy file " + file + ": fortran_order expected False (C order), actual True");
    }
    String shapeText = find(SHAPE, header, "shape", file).trim();
    List<Long> dims = new ArrayList<>();
    for (String part : shapeText.split(",", -1)) {
      if (!part.isBlank()) {
        dims.add(dimension(part.trim(), dims.size(), shapeText, file));
      }
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    Header h = new Header(shape, headerStart + dict.length, dtype);
    // Every size is checked against the bytes really there before anyone plans or allocates: a
    // 128-byte file that claims (70368744177664, 65536) rows overflows a long and planned 2^30
    // splits.
    long expectedBytes;
    try {
      long elements = 1;
      for (long s : shape) {
        elements = Math.multiplyExact(elements, s);
      }
      expectedBytes = Math.addExact(h.dataOffset(), Math.multiplyExact(elements, dtype.bytes()));
    } catch (ArithmeticException e) {
      expectedBytes = Long.MAX_VALUE;
    }
    if (fileSize != expectedBytes) {
      throw new IllegalArgumentException(
          "Invalid .npy file "
              + file
              + ": shape "
              + Arrays.toString(shape)
              + " needs "
              + (expectedBytes == Long.MAX_VALUE ? "more than 2^63" : String.valueOf(expectedBytes))
              + " bytes, actual "
              + fileSize
              + (fileSize < expectedBytes
                  ? " (truncated)"
                  : " (trailing bytes: the header and the data disagree)"));
    }
    return h;
  }

  /** One axis of a shape: a decimal {@code >= 0}; axes after the first must be {@code > 0}. */
  private static long dimension(String text, int axis, String shapeText, String file) {
    long d;
    try {
      d = Long.parseLong(text);
    } catch (NumberFormatException e) {
      d = -1;
    }
    if (d < 0 || (axis > 0 && d == 0)) {
      throw new IllegalArgumentException(
          "Invalid .npy file "
              + file
              + ": shape ("
              + shapeText
              + ") axis "
              + axis
              + " is '"
              + text
              + "' (must be an integer "
              + (axis == 0 ? ">= 0" : "> 0")
              + ")");
    }
    return d;
  }

  /** Reads a whole file into one array (at most 2^31 - 1 floats). */
  public static float[] readFloats(Path file) {
    Header h = readHeader(file);
    if (h.elements() > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "Invalid .npy file "
              + file
              + " for readFloats: "
              + h.elements()
              + " floats (must be < 2^31; read it by rows)");
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
    private final int size;

    private RowReader(Path file, FileChannel ch, Header header) {
      this.file = file;
      this.ch = ch;
      this.header = header;
      this.size = header.dtype().bytes();
    }

    public Header header() {
      return header;
    }

    /** Reads rows {@code [firstRow, firstRow + rows)} into {@code dst} at {@code dstOff}. */
    public void read(long firstRow, long rows, float[] dst, int dstOff) {
      long rowLen = header.rowLength();
      if (firstRow < 0 || rows < 0 || firstRow + rows > header.rows()) {
        throw new IllegalArgumentException(
            "Invalid row range ["
                + firstRow
                + ", "
                + (firstRow + rows)
                + ") of "
                + file
                + " (must be within [0, "
                + header.rows()
                + "))");
      }
      long floats = rows * rowLen;
      int chunkFloats = (int) Math.min(floats, 1 << 20);
      if (buf.capacity() < chunkFloats * size) {
        buf = ByteBuffer.allocate(chunkFloats * size).order(ByteOrder.LITTLE_ENDIAN);
      }
      long pos = header.dataOffset() + firstRow * rowLen * size;
      int out = dstOff;
      long left = floats;
      try {
        while (left > 0) {
          int n = (int) Math.min(left, chunkFloats);
          buf.clear().limit(n * size);
          readFully(ch, buf, pos, file);
          header.dtype().decode(buf.array(), 0, dst, out, n);
          pos += (long) n * size;
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
    write(
        file,
        Dtype.FLOAT32,
        data.length,
        shape,
        (body, i, m) -> body.asFloatBuffer().put(data, i, m)); // raw bits, NaN payloads too
  }

  /** Fills {@code body} with elements {@code [i, i + m)} (at most 1 MiB / 8 of them). */
  private interface BodyFill {
    void fill(ByteBuffer body, int i, int m);
  }

  /**
   * Writes {@code data} with the given shape as a version 1.0 file of {@code dtype}: float64
   * exactly, float32 rounded to nearest, float16 rounded to float32 and then to half (ties to
   * even).
   */
  public static void write(Path file, Dtype dtype, double[] data, long... shape) {
    write(
        file,
        dtype,
        data.length,
        shape,
        (body, i, m) -> {
          for (int j = 0; j < m; j++) {
            double v = data[i + j];
            switch (dtype) {
              case FLOAT64 -> body.putDouble(v);
              case FLOAT32 -> body.putFloat((float) v);
              default -> body.putShort(dev.realign.vector.Float16.fromFloat((float) v));
            }
          }
          body.flip();
        });
  }

  private static void write(Path file, Dtype dtype, int length, long[] shape, BodyFill fill) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    if (n != length) {
      throw new IllegalArgumentException(
          "Invalid shape "
              + Arrays.toString(shape)
              + " for "
              + length
              + " floats (the product must equal the length)");
    }
    StringBuilder shapeText = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      shapeText.append(shape[i]).append(shape.length == 1 || i < shape.length - 1 ? "," : "");
      if (i < shape.length - 1) {
        shapeText.append(' ');
      }
    }
    shapeText.append(')');
    String dict =
        "{'descr': '" + dtype.descr() + "', 'fortran_order': False, 'shape': " + shapeText + ", }";
    int unpadded = 10 + dict.length() + 1;
    int total = (unpadded + 63) / 64 * 64;
    String header = dict + " ".repeat(total - unpadded) + "\n";
    ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    pre.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      pre.flip();
      writeFully(ch, pre);
      writeFully(ch, ByteBuffer.wrap(header.getBytes(StandardCharsets.ISO_8859_1)));
      ByteBuffer body = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
      int i = 0;
      while (i < length) {
        body.clear();
        int m = Math.min(length - i, body.capacity() / 8);
        fill.fill(body, i, m);
        if (body.position() == 0 && body.limit() == body.capacity()) {
          body.limit(m * dtype.bytes()); // filled through a view: the position did not move
        }
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
        throw new IllegalArgumentException(
            "Invalid .npy file "
                + file
                + ": unexpected end of file"
                + " at byte "
                + p
                + " (truncated)");
      }
      p += n;
    }
    b.flip();
  }

  private static String find(Pattern p, String header, String key, String file) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException(
          "Invalid .npy file "
              + file
              + ": header has no '"
              + key
              + "' (header: "
              + header.trim()
              + ")");
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
