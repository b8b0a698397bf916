package dev.realign.sink;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.hadoop.fs.CommonPathCapabilities;
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

  /**
   * Whether a file written to {@code path} appears whole when its stream closes (S3A declares
   * {@code fs.capability.outputstream.abortable}): then writing in place is as safe as a rename.
   */
  public static boolean visibleWholeOnClose(FileSystem fs, Path path) {
    try {
      return fs.hasPathCapability(path, CommonPathCapabilities.ABORTABLE_STREAM);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Writes {@code bytes} to {@code path} through a temporary file in the same directory, named
   * uniquely per call: two writers (a zombie attempt and its retry) never share a temporary file,
   * and a temporary file left by a killed writer is never renamed by another.
   */
  public static void write(FileSystem fs, Path path, byte[] bytes) {
    if (visibleWholeOnClose(fs, path)) {
      // An object store: one PUT appears whole or not at all; a rename would be a copy.
      try (OutputStream out = fs.create(path, true)) {
        out.write(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write " + path, e);
      }
      return;
    }
    Path tmp = new Path(path.getParent(), "." + path.getName() + ".tmp-" + UUID.randomUUID());
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
