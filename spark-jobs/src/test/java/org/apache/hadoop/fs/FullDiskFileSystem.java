package org.apache.hadoop.fs;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * A local file system under the scheme {@code fulldisk:} whose disk fills up: a file whose name
 * contains {@link #FULL_NAME} fails after {@link #CAPACITY} bytes with Hadoop's {@link FSError}
 * ("No space left on device"), as {@link RawLocalFileSystem} reports a full disk. In Hadoop's
 * package only because FSError's constructor is package-private. Register with {@code
 * fs.fulldisk.impl} and {@code fs.fulldisk.impl.disable.cache=true}.
 */
public class FullDiskFileSystem extends RawLocalFileSystem {
  public static final String FULL_NAME = "part-00001-of-";
  public static final long CAPACITY = 4096;
  private static final URI NAME = URI.create("fulldisk:///");

  @Override
  public URI getUri() {
    return NAME;
  }

  @Override
  public String getScheme() {
    return "fulldisk";
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return limit(f, super.create(f, overwrite, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    FSDataOutputStream out =
        super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
    return limit(f, out);
  }

  private static FSDataOutputStream limit(Path f, FSDataOutputStream out) throws IOException {
    if (!f.getName().contains(FULL_NAME)) {
      return out;
    }
    return new FSDataOutputStream(new Full(out), null);
  }

  private static final class Full extends OutputStream {
    private final OutputStream out;
    private long written;

    Full(OutputStream out) {
      this.out = out;
    }

    private void take(long n) {
      written += n;
      if (written > CAPACITY) {
        throw new FSError(new IOException("No space left on device"));
      }
    }

    @Override
    public void write(int b) throws IOException {
      take(1);
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      take(len);
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
