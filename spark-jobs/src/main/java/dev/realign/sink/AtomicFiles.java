package dev.realign.sink;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Files that appear whole or not at all: written under a hidden temporary name, then renamed. A
 * reader (or a resumed run) never sees half a file under its final name.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Moves a finished temporary file to its final name, replacing what was there. */
  public static void publish(FileSystem fs, Path tmp, Path target) {
    try {
      fs.delete(target, false);
      if (!fs.rename(tmp, target)) {
        throw new IOException("rename " + tmp + " -> " + target + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot publish " + target, e);
    }
  }

  /** Writes {@code bytes} to {@code path} through a temporary file in the same directory. */
  public static void write(FileSystem fs, Path path, byte[] bytes) {
    Path tmp = new Path(path.getParent(), "." + path.getName() + ".tmp");
    try {
      fs.mkdirs(path.getParent());
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + path, e);
    }
    publish(fs, tmp, path);
  }
}
