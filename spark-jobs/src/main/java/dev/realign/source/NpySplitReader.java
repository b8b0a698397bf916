package dev.realign.source;

import dev.realign.vector.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetReader;

/**
 * Reads a row range of a {@code .npy} file (positioned reads through Hadoop's FileSystem), with ids
 * and texts from the paired metadata Parquet file when there is one.
 *
 * <p>A float32 file on the local file system is read through a {@link FileChannel} into a direct
 * buffer and copied once into the batch. Hadoop's local stream costs two more copies of every byte
 * (the JVM's native read buffer, a heap byte array before decoding) and reopens the file, and looks
 * for a checksum file, on every positioned read.
 */
final class NpySplitReader implements SplitReader {
  /** Each task thread's read buffer, reused by its splits (a direct buffer is costly to make). */
  private static final ThreadLocal<ByteBuffer> DIRECT = new ThreadLocal<>();

  /** Bytes per read of a local file: a quarter of a typical L2 cache. */
  static final int PIECE_BYTES = 256 << 10;

  private final EmbeddingSplit split;
  private final long dataOffset;
  private final dev.realign.io.Npy.Dtype dtype;
  private final FSDataInputStream in;
  private final FileChannel local;
  private final ParquetReader<ParquetEmbeddingRecord> metadata;
  private byte[] bytes = new byte[0];
  private long next;

  private final boolean idsOnly;

  NpySplitReader(
      EmbeddingSplit split, long dataOffset, Columns columns, boolean idsOnly, Configuration conf) {
    this.split = split;
    this.idsOnly = idsOnly;
    this.dataOffset = dataOffset;
    this.next = split.firstRow();
    this.dtype = EmbeddingSetPlanner.npyHeader(split.file(), conf).dtype();
    Path p = new Path(split.file());
    try {
      java.io.File file = HadoopFiles.localFile(HadoopFiles.fs(p, conf), p);
      if (file != null && dtype == dev.realign.io.Npy.Dtype.FLOAT32) {
        this.local = FileChannel.open(file.toPath(), StandardOpenOption.READ);
        this.in = null;
      } else {
        this.local = null;
        this.in = HadoopFiles.fs(p, conf).open(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open .npy file " + split.file(), e);
    }
    if (split.metadataFile() != null) {
      this.metadata = ParquetSplitReader.open(split.metadataFile(), columns, false, 0, 0, conf);
      skipMetadata(split.firstRow());
    } else {
      this.metadata = null;
    }
  }

  private void skipMetadata(long rows) {
    try {
      for (long i = 0; i < rows; i++) {
        if (metadata.read() == null) {
          throw new IllegalStateException(
              "Metadata file " + split.metadataFile() + " ended before row " + rows);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read metadata file " + split.metadataFile(), e);
    } catch (LinkageError | org.xerial.snappy.SnappyError e) {
      throw NativeCodecErrors.cannotRead(e, split.metadataFile());
    }
  }

  @Override
  public boolean next(RowBatch batch) {
    batch.clear();
    long end = split.firstRow() + split.rows();
    int n = (int) Math.min(batch.capacity, end - next);
    if (n <= 0) {
      return false;
    }
    int d = batch.dim;
    if (!idsOnly && local != null) {
      readLocal(batch.flat, n, d);
    } else if (!idsOnly) {
      int size = dtype.bytes();
      int byteCount = Math.multiplyExact(n * d, size);
      if (bytes.length < byteCount) {
        bytes = new byte[byteCount];
      }
      try {
        in.readFully(dataOffset + next * d * (long) size, bytes, 0, byteCount);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot read rows " + next + ".." + (next + n) + " of .npy file " + split.file(), e);
      }
      dtype.decode(bytes, 0, batch.flat, 0, n * d);
    }
    for (int i = 0; i < n; i++) {
      long row = next + i;
      batch.rowInFile[i] = row;
      if (metadata != null) {
        ParquetEmbeddingRecord r;
        try {
          r = metadata.read();
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read metadata file " + split.metadataFile(), e);
        } catch (LinkageError | org.xerial.snappy.SnappyError e) {
          throw NativeCodecErrors.cannotRead(e, split.metadataFile());
        }
        if (r == null) {
          throw new IllegalStateException(
              "Metadata file "
                  + split.metadataFile()
                  + " ended at row "
                  + row
                  + " (must have as many rows as "
                  + split.file()
                  + ")");
        }
        batch.ids[i] = r.id;
        batch.texts[i] = r.text;
        if (r.id == null || r.id.isEmpty()) {
          batch.reject(i, RejectReason.NULL_ID, "id is null or empty");
        }
      } else {
        batch.ids[i] = split.idPrefix() + "-" + row;
      }
    }
    batch.size = n;
    next += n;
    return true;
  }

  /**
   * Reads rows {@code [next, next + n)} of a local float32 file into the batch, in pieces of {@link
   * #PIECE_BYTES}: the piece stays in the CPU's cache between the kernel's copy into it and ours
   * out of it.
   */
  private void readLocal(float[] flat, int n, int d) {
    ByteBuffer buf = DIRECT.get();
    if (buf == null) {
      buf = ByteBuffer.allocateDirect(PIECE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      DIRECT.set(buf);
    }
    buf.clear();
    java.nio.FloatBuffer floats = buf.asFloatBuffer();
    long start = dataOffset + next * d * 4L;
    int total = Math.multiplyExact(n, d);
    try {
      for (int done = 0; done < total; ) {
        int m = Math.min(total - done, PIECE_BYTES / 4);
        buf.clear().limit(4 * m);
        long at = start + 4L * done;
        while (buf.hasRemaining()) {
          if (local.read(buf, at + buf.position()) < 0) {
            throw new java.io.EOFException("end of file at byte " + (at + buf.position()));
          }
        }
        floats.clear();
        floats.get(flat, done, m);
        done += m;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read rows " + next + ".." + (next + n) + " of .npy file " + split.file(), e);
    }
  }

  @Override
  public void close() {
    try {
      if (local != null) {
        local.close();
      }
      if (in != null) {
        in.close();
      }
      if (metadata != null) {
        metadata.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close " + split.file(), e);
    }
  }
}
