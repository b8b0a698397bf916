package dev.realign.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and writing {@code .npy} files of little-endian float32. */
class NpyTest {
  @TempDir Path dir;

  static float[] data(int n) {
    Random rnd = new Random(n);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = Float.intBitsToFloat(rnd.nextInt());
    }
    if (n > 3) {
      out[0] = Float.NaN;
      out[1] = -0f;
      out[2] = Float.NEGATIVE_INFINITY;
      out[3] = Float.MIN_VALUE;
    }
    return out;
  }

  static int[] bits(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }

  @Test
  void roundTripsOfSeveralShapes() {
    long[][] shapes = {{7, 5}, {2, 7, 5}, {0, 5}, {13}, {1, 512}, {3, 1, 1}};
    for (long[] shape : shapes) {
      long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      float[] values = data((int) n);
      Path file = dir.resolve("shape" + Arrays.toString(shape).replaceAll("\\W", "_") + ".npy");
      Npy.write(file, values, shape);
      Npy.Header h = Npy.readHeader(file);
      assertThat(h.shape()).as(Arrays.toString(shape)).containsExactly(shape);
      assertThat(h.rows()).isEqualTo(shape[0]);
      assertThat(h.elements()).isEqualTo(n);
      assertThat(h.dataOffset() % 64).as("header padded to 64 bytes").isZero();
      assertThat(bits(Npy.readFloats(file))).isEqualTo(bits(values));
    }
  }

  @Test
  void theHeaderIsWhatNumpyWrites() throws Exception {
    Path file = dir.resolve("a.npy");
    Npy.write(file, new float[6], 2, 3);
    byte[] bytes = Files.readAllBytes(file);
    assertThat(Arrays.copyOf(bytes, 8)).containsExactly(0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0);
    String header = new String(bytes, 10, 118, StandardCharsets.ISO_8859_1);
    assertThat(header)
        .startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")
        .endsWith("\n");
    assertThat(bytes).hasSize(128 + 24);
    Npy.write(file, new float[4], 4);
    assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
        .contains("'shape': (4,)");
  }

  @Test
  void rowReaderReadsARowRange() {
    int n = 50;
    int d = 6;
    float[] values = data(n * d);
    Path file = dir.resolve("rows.npy");
    Npy.write(file, values, n, d);
    try (Npy.RowReader r = Npy.openRows(file)) {
      assertThat(r.header().rowLength()).isEqualTo(d);
      float[] dst = new float[2 + 10 * d];
      r.read(17, 10, dst, 2);
      assertThat(bits(Arrays.copyOfRange(dst, 2, dst.length)))
          .isEqualTo(bits(Arrays.copyOfRange(values, 17 * d, 27 * d)));
      float[] last = new float[d];
      r.read(n - 1, 1, last, 0);
      assertThat(bits(last)).isEqualTo(bits(Arrays.copyOfRange(values, (n - 1) * d, n * d)));
      r.read(n, 0, last, 0);
      assertThatThrownBy(() -> r.read(45, 6, new float[6 * d], 0))
          .hasMessage("Invalid row range [45, 51) of " + file + " (must be within [0, 50))");
      assertThatThrownBy(() -> r.read(-1, 1, last, 0)).hasMessageContaining("[-1, 0)");
    }
    // 3-d: a row is one (d1 x d2) slab.
    Path cube = dir.resolve("cube.npy");
    Npy.write(cube, values, 2, 25, 6);
    try (Npy.RowReader r = Npy.openRows(cube)) {
      float[] second = new float[150];
      r.read(1, 1, second, 0);
      assertThat(bits(second)).isEqualTo(bits(Arrays.copyOfRange(values, 150, 300)));
    }
  }

  @Test
  void writeRefusesAShapeThatDoesNotMatchTheData() {
    assertThatThrownBy(() -> Npy.write(dir.resolve("x.npy"), new float[5], 2, 3))
        .hasMessageContaining("[2, 3]")
        .hasMessageContaining("5 floats");
  }

  // ---------------------------------------------------------------- header errors

  /** A version 1.0 file with the given header dictionary and body, padded like numpy. */
  static byte[] npy(byte[] magic, String dict, int bodyBytes) {
    int unpadded = 10 + dict.length() + 1;
    int total = (unpadded + 63) / 64 * 64;
    String header = dict + " ".repeat(total - unpadded) + "\n";
    ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    pre.put(magic).put((byte) 1).put((byte) 0).putShort((short) header.length());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(pre.array());
    out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(new byte[bodyBytes]);
    return out.toByteArray();
  }

  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  Path file(String name, byte[] bytes) throws Exception {
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return f;
  }

  @Test
  void aWrongMagicFailsNamingTheFile() throws Exception {
    Path f =
        file(
            "magic.npy",
            npy(
                new byte[] {'P', 'K', 3, 4, 0, 0},
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
                16));
    assertThatThrownBy(() -> Npy.readHeader(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid .npy file "
                + f
                + ": expected the magic \\x93NUMPY, actual"
                + " PK\\x03\\x04\\x00\\x00");
  }

  @Test
  void aBigEndianOrIntegerDtypeFails() throws Exception {
    Path big =
        file(
            "bigendian.npy",
            npy(MAGIC, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", 16));
    assertThatThrownBy(() -> Npy.readHeader(big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid .npy file "
                + big
                + ": dtype '>f4' (must be '<f2', '<f4' or '<f8':"
                + " little-endian float16, float32 or float64)");
    Path ints =
        file(
            "i4.npy",
            npy(MAGIC, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", 16));
    assertThatThrownBy(() -> Npy.readFloats(ints))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dtype '<i4' (must be");
  }

  @Test
  void fortranOrderFails() throws Exception {
    Path f =
        file(
            "fortran.npy",
            npy(MAGIC, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16));
    assertThatThrownBy(() -> Npy.openRows(f))
        .hasMessage(
            "Invalid .npy file "
                + f
                + ": fortran_order expected False (C order), actual"
                + " True");
  }

  @Test
  void truncatedDataFails() throws Exception {
    Path f =
        file(
            "short.npy",
            npy(MAGIC, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 47));
    assertThatThrownBy(() -> Npy.readFloats(f))
        .hasMessage(
            "Invalid .npy file "
                + f
                + ": shape [3, 4] needs 176 bytes, actual 175"
                + " (truncated)");
    // A file cut inside its header.
    byte[] whole = npy(MAGIC, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 48);
    Path cut = file("cut.npy", Arrays.copyOf(whole, 40));
    assertThatThrownBy(() -> Npy.readHeader(cut))
        .hasMessageContaining(cut.toString())
        .hasMessageContaining("unexpected end of file")
        .hasMessageContaining("truncated");
    Path tiny = file("tiny.npy", Arrays.copyOf(whole, 5));
    assertThatThrownBy(() -> Npy.readHeader(tiny))
        .hasMessageContaining(tiny.toString())
        .hasMessageContaining("truncated");
  }

  @Test
  void anUnknownVersionOrAMissingKeyFails() throws Exception {
    byte[] v9 = npy(MAGIC, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4);
    v9[6] = 9;
    Path f = file("v9.npy", v9);
    assertThatThrownBy(() -> Npy.readHeader(f))
        .hasMessage("Invalid .npy file " + f + ": format version expected 1.0 or 2.0, actual 9.0");
    Path noShape = file("noshape.npy", npy(MAGIC, "{'descr': '<f4', 'fortran_order': False, }", 4));
    assertThatThrownBy(() -> Npy.readHeader(noShape))
        .hasMessageContaining(noShape.toString())
        .hasMessageContaining("no 'shape'");
  }

  @Test
  void aMissingFileNamesIt() {
    Path f = dir.resolve("nope.npy");
    assertThatThrownBy(() -> Npy.readHeader(f)).hasMessageContaining(f.toString());
  }

  @Test
  void float16AndFloat64FilesReadAsFloats() {
    double[] values = {1.0 / 3, -2.5, 65504, 1e-8, 0, -0.0, 1e300};
    for (Npy.Dtype dtype : Npy.Dtype.values()) {
      Path file = dir.resolve(dtype + ".npy");
      Npy.write(file, dtype, values, 7, 1);
      Npy.Header h = Npy.readHeader(file);
      assertThat(h.dtype()).isEqualTo(dtype);
      float[] back = Npy.readFloats(file);
      for (int i = 0; i < values.length; i++) {
        float want =
            dtype == Npy.Dtype.FLOAT16
                ? dev.realign.vector.Float16.toFloat(
                    dev.realign.vector.Float16.fromFloat((float) values[i]))
                : (float) values[i];
        assertThat(Float.floatToRawIntBits(back[i]))
            .as("%s value %d", dtype, i)
            .isEqualTo(Float.floatToRawIntBits(want));
      }
    }
  }

  @Test
  void anotherDtypeFailsNamingTheFileAndTheDtype() throws Exception {
    Path file = dir.resolve("f8be.npy");
    Npy.write(file, Npy.Dtype.FLOAT64, new double[] {1, 2}, 2);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(
        file,
        new String(bytes, StandardCharsets.ISO_8859_1)
            .replace("'<f8'", "'>f8'")
            .getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> Npy.readHeader(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid .npy file "
                + file
                + ": dtype '>f8' (must be '<f2', '<f4' or '<f8':"
                + " little-endian float16, float32 or float64)");
  }

  // ---------------------------------------------------------------- crafted headers (issue 22)

  @Test
  void aShapeWhoseSizeOverflowsFailsNamingTheFileBeforeAnyAllocation() throws Exception {
    // 128 bytes that claim 2^46 x 2^16 floats: rows x rowLength overflows a long, and bytes x
    // elements did too; this passed the truncation check and planned 2^30 splits.
    Path f =
        file(
            "huge.npy",
            npy(
                MAGIC,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (70368744177664, 65536), }",
                0));
    assertThat(Files.size(f)).isEqualTo(128);
    assertThatThrownBy(() -> Npy.readHeader(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid .npy file "
                + f
                + ": shape [70368744177664, 65536] needs more than 2^63 bytes, actual 128"
                + " (truncated)");
    // Big, but no overflow: still bounded by the file's real size.
    Path big =
        file(
            "big.npy",
            npy(
                MAGIC,
                "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 512), }",
                0));
    assertThatThrownBy(() -> Npy.readFloats(big))
        .hasMessage(
            "Invalid .npy file "
                + big
                + ": shape [1000000000, 512] needs 4096000000128 bytes, actual 128 (truncated)");
  }

  @Test
  void aNegativeZeroOrNonNumericAxisFailsNamingTheFile() throws Exception {
    // (-5, 4) was accepted: the planner counted -5 rows, and the file was neither read nor refused.
    Path negative =
        file(
            "b.npy", npy(MAGIC, "{'descr': '<f4', 'fortran_order': False, 'shape': (-5, 4), }", 0));
    assertThatThrownBy(() -> Npy.readHeader(negative))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid .npy file "
                + negative
                + ": shape (-5, 4) axis 0 is '-5' (must be an integer >= 0)");
    Path negativeRow =
        file(
            "c.npy", npy(MAGIC, "{'descr': '<f4', 'fortran_order': False, 'shape': (5, -4), }", 0));
    assertThatThrownBy(() -> Npy.readHeader(negativeRow))
        .hasMessage(
            "Invalid .npy file "
                + negativeRow
                + ": shape (5, -4) axis 1 is '-4' (must be an integer > 0)");
    // (2^40, 0) holds no bytes at all, yet claims 2^40 rows.
    Path emptyRows =
        file(
            "d.npy",
            npy(
                MAGIC,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 0), }",
                0));
    assertThatThrownBy(() -> Npy.readHeader(emptyRows))
        .hasMessageContaining(emptyRows.toString())
        .hasMessageContaining("axis 1 is '0' (must be an integer > 0)");
    Path text =
        file(
            "e.npy", npy(MAGIC, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", 32));
    assertThatThrownBy(() -> Npy.readHeader(text))
        .hasMessageContaining(text.toString())
        .hasMessageContaining("axis 1 is 'x'");
    // Zero rows of a real width is what numpy writes for an empty array: accepted.
    Path empty =
        file("f.npy", npy(MAGIC, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }", 0));
    assertThat(Npy.readHeader(empty).rows()).isZero();
  }

  @Test
  void dataBeyondWhatTheHeaderDescribesFails() throws Exception {
    // numpy writes exactly the data; more bytes mean the header and data disagree (a header whose
    // shape lost a digit would otherwise read as a shorter, different array without error).
    Path f =
        file(
            "long.npy",
            npy(MAGIC, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 49));
    assertThatThrownBy(() -> Npy.readHeader(f))
        .hasMessage(
            "Invalid .npy file "
                + f
                + ": shape [3, 4] needs 176 bytes, actual 177"
                + " (trailing bytes: the header and the data disagree)");
  }
}
