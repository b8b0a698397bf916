package dev.realign.source;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A Parquet file on the local file system read through {@link FileChannel}s, and any other file
 * through Hadoop ({@link #open}).
 *
 * <p>Why: Hadoop's local streams end in {@code FileInputStream.read(byte[])}, whose native code
 * allocates a buffer the size of each read above 8 KiB and frees it after, so every page (about 1
 * MiB from pyarrow) was read into freshly mapped memory: a 200k x 1280 run spent about 1 s more
 * system CPU on Parquet input than on the same rows as .npy (read through a channel, as here).
 * parquet-mr's {@code LocalInputFile} reads through {@code RandomAccessFile}, with the same cost.
 */
final class LocalParquetFile implements InputFile {
  /** Bytes of the buffer behind small reads (page headers are read a few bytes at a time). */
  static final int BUFFER_BYTES = 1 << 16;

  /**
   * Bytes of the first fill after a seek out of the buffer: a page header and a little more. A
   * split that starts 150,000 rows into a pyarrow file seeks past 750 pages by their headers, and a
   * full buffer at each read 48 MB to use 40 KB of it.
   */
  static final int SEEK_FILL_BYTES = 4 << 10;

  private final java.nio.file.Path file;
  private final long length;

  private LocalParquetFile(java.io.File file) {
    this.file = file.toPath();
    this.length = file.length();
  }

  /** The file at {@code p}: read through channels when it is local, else through Hadoop. */
  static InputFile open(Path p, Configuration conf) throws IOException {
    java.io.File local = HadoopFiles.localFile(HadoopFiles.fs(p, conf), p);
    if (local != null && local.isFile()) {
      return new LocalParquetFile(local);
    }
    return HadoopInputFile.fromPath(p, conf);
  }

  @Override
  public long getLength() {
    return length;
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    return new ChannelStream(FileChannel.open(file, StandardOpenOption.READ));
  }

  @Override
  public String toString() {
    return file.toString();
  }

  /**
   * A seekable stream over a channel: small reads come from a buffer of {@link #BUFFER_BYTES},
   * reads of a buffer's size or more go straight to the channel (positional reads, so the stream
   * keeps its own position).
   */
  static final class ChannelStream extends SeekableInputStream {
    private final FileChannel channel;

    /** Holds the file's bytes from {@link #bufferStart}; its position is the stream's. */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).limit(0);

    private long bufferStart;

    /** Whether the next fill follows a seek out of the buffer (and reads less). */
    private boolean seeked;

    ChannelStream(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public long getPos() {
      return bufferStart + buffer.position();
    }

    @Override
    public void seek(long pos) throws IOException {
      if (pos < 0) {
        throw new EOFException("Invalid position: " + pos + " (must be >= 0)");
      }
      if (pos >= bufferStart && pos <= bufferStart + buffer.limit()) {
        buffer.position((int) (pos - bufferStart));
      } else {
        bufferStart = pos;
        buffer.limit(0);
        seeked = true;
      }
    }

    /** Refills the buffer from the current position; false at the end of the file. */
    private boolean fill() throws IOException {
      long pos = getPos();
      buffer.clear().limit(seeked ? SEEK_FILL_BYTES : BUFFER_BYTES);
      seeked = false;
      int n = channel.read(buffer, pos);
      buffer.flip();
      bufferStart = pos;
      return n > 0;
    }

    @Override
    public int read() throws IOException {
      if (!buffer.hasRemaining() && !fill()) {
        return -1;
      }
      return buffer.get() & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len > 0 && len < BUFFER_BYTES) { // Thrift reads page headers a few bytes at a time
        if (!buffer.hasRemaining() && !fill()) {
          return -1;
        }
        int n = Math.min(len, buffer.remaining());
        buffer.get(b, off, n);
        return n;
      }
      return read(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      int len = dst.remaining();
      if (len == 0) {
        return 0;
      }
      if (buffer.hasRemaining()) {
        int n = Math.min(len, buffer.remaining());
        ByteBuffer part = buffer.duplicate();
        part.limit(part.position() + n);
        dst.put(part);
        buffer.position(buffer.position() + n);
        return n;
      }
      if (len >= BUFFER_BYTES) {
        long pos = getPos();
        int n = channel.read(dst, pos);
        if (n > 0) {
          bufferStart = pos + n;
          buffer.limit(0);
        }
        return n;
      }
      return fill() ? read(dst) : -1;
    }

    @Override
    public void readFully(byte[] bytes) throws IOException {
      readFully(ByteBuffer.wrap(bytes));
    }

    @Override
    public void readFully(byte[] bytes, int start, int len) throws IOException {
      readFully(ByteBuffer.wrap(bytes, start, len));
    }

    @Override
    public void readFully(ByteBuffer dst) throws IOException {
      while (dst.hasRemaining()) {
        if (read(dst) < 0) {
          throw new EOFException(
              "Reached the end of the file with " + dst.remaining() + " bytes left to read");
        }
      }
    }

    @Override
    public long skip(long n) throws IOException {
      if (n <= 0) {
        return 0;
      }
      seek(getPos() + n);
      return n;
    }

    @Override
    public int available() {
      return buffer.remaining();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
