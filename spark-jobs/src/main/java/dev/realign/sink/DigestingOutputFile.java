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

  private PositionOutputStream wrap(FSDataOutputStream out) {
    return new PositionOutputStream() {
      @Override
      public long getPos() {
        return bytes;
      }

      @Override
      public void write(int b) throws IOException {
        out.write(b);
        digest.update((byte) b);
        bytes++;
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        digest.update(b, off, len);
        bytes += len;
      }

      @Override
      public void flush() throws IOException {
        out.flush();
      }

      @Override
      public void close() throws IOException {
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
