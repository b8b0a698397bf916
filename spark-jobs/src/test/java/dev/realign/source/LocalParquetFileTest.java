package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The channel-backed stream of local Parquet files against the file's bytes: random seeks and reads
 * of every size (single bytes, reads inside and across the buffer, reads larger than it, into
 * arrays and buffers) give the bytes and positions a plain array gives, and the end of the file
 * ends reads as {@link java.io.InputStream} and {@link SeekableInputStream} define.
 */
class LocalParquetFileTest {
  @TempDir Path dir;

  private static final int FILE_BYTES = 5 * LocalParquetFile.BUFFER_BYTES + 123;

  private byte[] writeFile(Path file) throws Exception {
    byte[] bytes = new byte[FILE_BYTES];
    new SplittableRandom(7).nextBytes(bytes);
    Files.write(file, bytes);
    return bytes;
  }

  private static InputFile open(Path file) throws Exception {
    return LocalParquetFile.open(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration());
  }

  @Test
  void randomSeeksAndReadsGiveTheFilesBytes() throws Exception {
    Path file = dir.resolve("f.parquet");
    byte[] expected = writeFile(file);
    InputFile in = open(file);
    assertThat(in).isInstanceOf(LocalParquetFile.class);
    assertThat(in.getLength()).isEqualTo(FILE_BYTES);
    SplittableRandom rnd = new SplittableRandom(11);
    try (SeekableInputStream s = in.newStream()) {
      long pos = 0;
      for (int step = 0; step < 4000; step++) {
        int op = rnd.nextInt(6);
        int len =
            rnd.nextBoolean()
                ? rnd.nextInt(40)
                : rnd.nextInt(2 * LocalParquetFile.BUFFER_BYTES + 1);
        long left = FILE_BYTES - pos;
        switch (op) {
          case 0 -> {
            pos = rnd.nextLong(FILE_BYTES + 1);
            s.seek(pos);
          }
          case 1 -> {
            int b = s.read();
            assertThat(b).isEqualTo(pos < FILE_BYTES ? expected[(int) pos] & 0xff : -1);
            pos += b < 0 ? 0 : 1;
          }
          case 2 -> {
            byte[] got = new byte[len + 3];
            int n = s.read(got, 3, len);
            if (len == 0) {
              assertThat(n).isZero();
            } else if (left == 0) {
              assertThat(n).isEqualTo(-1);
            } else {
              assertThat(n).isBetween(1, len);
              assertThat(Arrays.copyOfRange(got, 3, 3 + n))
                  .isEqualTo(Arrays.copyOfRange(expected, (int) pos, (int) pos + n));
              pos += n;
            }
          }
          case 3 -> {
            if (len <= left) {
              byte[] got = new byte[len];
              s.readFully(got);
              assertThat(got).isEqualTo(Arrays.copyOfRange(expected, (int) pos, (int) pos + len));
              pos += len;
            }
          }
          case 4 -> {
            if (len <= left) {
              ByteBuffer got =
                  rnd.nextBoolean() ? ByteBuffer.allocate(len) : ByteBuffer.allocateDirect(len);
              s.readFully(got);
              got.flip();
              byte[] b = new byte[len];
              got.get(b);
              assertThat(b).isEqualTo(Arrays.copyOfRange(expected, (int) pos, (int) pos + len));
              pos += len;
            }
          }
          default -> {
            ByteBuffer got = ByteBuffer.allocate(len);
            int n = s.read(got);
            if (len > 0 && left == 0) {
              assertThat(n).isEqualTo(-1);
            } else {
              assertThat(n).isBetween(len == 0 ? 0 : 1, len);
              assertThat(Arrays.copyOf(got.array(), n))
                  .isEqualTo(Arrays.copyOfRange(expected, (int) pos, (int) pos + n));
              pos += n;
            }
          }
        }
        assertThat(s.getPos()).as("step %s", step).isEqualTo(pos);
      }
    }
  }

  @Test
  void readingPastTheEndFailsAsStreamsDo() throws Exception {
    Path file = dir.resolve("g.parquet");
    byte[] expected = writeFile(file);
    InputFile in = open(file);
    try (SeekableInputStream s = in.newStream()) {
      s.seek(FILE_BYTES - 10);
      byte[] tail = new byte[20];
      assertThatThrownBy(() -> s.readFully(tail)).isInstanceOf(EOFException.class);
      s.seek(FILE_BYTES - 10);
      byte[] ten = new byte[10];
      s.readFully(ten);
      assertThat(ten).isEqualTo(Arrays.copyOfRange(expected, FILE_BYTES - 10, FILE_BYTES));
      assertThat(s.read()).isEqualTo(-1);
      assertThat(s.read(new byte[5], 0, 5)).isEqualTo(-1);
      s.seek(FILE_BYTES + 100);
      assertThat(s.read()).isEqualTo(-1);
      assertThatThrownBy(() -> s.seek(-1)).isInstanceOf(EOFException.class);
    }
  }

  @Test
  void aMissingFileFailsAsHadoopSaysNamingIt() {
    Path missing = dir.resolve("missing.parquet");
    assertThatThrownBy(() -> open(missing))
        .isInstanceOf(java.io.FileNotFoundException.class)
        .hasMessageContaining(missing.toString());
  }
}
