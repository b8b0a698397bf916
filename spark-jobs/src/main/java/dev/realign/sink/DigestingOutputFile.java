package dev.realign.sink;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * A Parquet {@link OutputFile} that computes the SHA-256 and size of the bytes as they are written,
 * so a shard's manifest entry costs no second read.
 *
 * <p>It also makes the footer deterministic across JVMs: parquet-hadoop collects each column
 * chunk's encodings in a {@code HashSet<Encoding>}, whose order follows the identity hash codes of
 * the enum constants and so changes from one JVM to the next (seen on a standalone cluster: the
 * same rows written by an executor and by a local driver differed in two bytes of the footer). The
 * stream holds the last {@link #HOLD_BACK} bytes back; on close, if the whole footer is among them,
 * it rewrites each {@code encodings} list in ascending order (same elements, same length, same
 * offsets) before the bytes reach the file and the digest. When it cannot (see {@link
 * ParquetFooters#sortEncodings}) the file fails to close, naming it: never a silent fallback to
 * JVM-dependent bytes. {@link ShardWriter}'s footers are canonical by construction and skip this
 * ({@link #createPlain()}).
 */
final class DigestingOutputFile implements OutputFile {
  private final FileSystem fs;
  private final Path path;
  private final MessageDigest digest;
  private long bytes;

  DigestingOutputFile(FileSystem fs, Path path) {
    this.fs = fs;
    this.path = path;
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  String sha256() {
    return HexFormat.of().formatHex(digest.digest());
  }

  long bytes() {
    return bytes;
  }

  @Override
  public PositionOutputStream create(long blockSizeHint) throws IOException {
    return wrap(fs.create(path, false));
  }

  @Override
  public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
    return wrap(fs.create(path, true));
  }

  /**
   * A plain stream over a new file (replacing any) that digests and counts what passes through, for
   * writers whose footer is canonical by construction ({@link ShardWriter}): no hold-back.
   */
  java.io.OutputStream createPlain() throws IOException {
    FSDataOutputStream out = fs.create(path, true);
    return new java.io.OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        digest.update(b, off, len);
        bytes += len;
      }

      @Override
      public void close() throws IOException {
        out.close();
      }
    };
  }

  /** Bytes held back for the footer: far more than the footer of a shard of any sane size. */
  static final int HOLD_BACK = 1 << 20;

  private PositionOutputStream wrap(FSDataOutputStream out) {
    return new PositionOutputStream() {
      private final byte[] tail = new byte[2 * HOLD_BACK];
      private final byte[] one = new byte[1];
      private int held;

      @Override
      public long getPos() {
        return bytes;
      }

      @Override
      public void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        bytes += len;
        if (len > HOLD_BACK) {
          emit(tail, 0, held);
          held = 0;
          emit(b, off, len - HOLD_BACK);
          off += len - HOLD_BACK;
          len = HOLD_BACK;
        }
        if (held + len > tail.length) {
          int drop = held + len - HOLD_BACK;
          emit(tail, 0, drop);
          System.arraycopy(tail, drop, tail, 0, held - drop);
          held -= drop;
        }
        System.arraycopy(b, off, tail, held, len);
        held += len;
      }

      private void emit(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        digest.update(b, off, len);
      }

      @Override
      public void flush() throws IOException {
        out.flush();
      }

      @Override
      public void close() throws IOException {
        try {
          ParquetFooters.sortEncodings(tail, held);
        } catch (IllegalStateException e) {
          out.close();
          throw new IOException(e.getMessage() + " in " + path, e);
        }
        emit(tail, 0, held);
        held = 0;
        out.close();
      }
    };
  }

  @Override
  public boolean supportsBlockSize() {
    return false;
  }

  @Override
  public long defaultBlockSize() {
    return 0;
  }

  @Override
  public String getPath() {
    return path.toString();
  }
}
