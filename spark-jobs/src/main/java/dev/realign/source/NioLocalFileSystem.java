package dev.realign.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system ({@code file:}), with permissions set through {@code java.nio} instead
 * of a forked {@code chmod}.
 *
 * <p>Without Hadoop's native library (not on Maven Central, so never on realign's class path),
 * {@code RawLocalFileSystem} sets the permission of every file it creates and every directory it
 * makes by running {@code chmod} in a child process: 12-14 ms a file here (measured: 20 creates
 * through Hadoop against 0.2-0.4 ms through {@code java.nio}), 15 of them in a 500-row {@code run}
 * (the shards, manifests, sketches, the transform, the output directories). This class sets the
 * same mode bits ({@code 0666} or {@code 0777} under {@code fs.permissions.umask-mode}, as Hadoop
 * computes them) with {@link Files#setPosixFilePermissions}; a mode java.nio cannot express (the
 * sticky bit), or a java.nio provider without POSIX permissions (Windows), goes to Hadoop's own
 * code.
 *
 * <p>{@link #installForThisProcess()} makes it the {@code file:} implementation of every Hadoop
 * {@link Configuration} the process creates; the CLI does so for a local master when realign's
 * classes are on the JVM's class path (the {@code ./realign} launcher), not under {@code
 * spark-submit}, whose executors load application classes through their own class loaders.
 */
public final class NioLocalFileSystem extends LocalFileSystem {
  /** A Hadoop configuration resource (in this jar) naming this class for {@code fs.file.impl}. */
  static final String RESOURCE = "realign-nio-local-fs.xml";

  /** {@code -Drealign.nio_local_fs=false} keeps Hadoop's own local file system. */
  public static final String PROPERTY = "realign.nio_local_fs";

  public NioLocalFileSystem() {
    super(new Raw());
  }

  /**
   * Adds {@link #RESOURCE} to the default resources of every Hadoop configuration, unless {@code
   * -Drealign.nio_local_fs=false} or a {@code core-site.xml} on the class path names its own {@code
   * fs.file.impl} (a configuration's own {@code fs.file.impl}, e.g. {@code
   * spark.hadoop.fs.file.impl}, wins over a default resource anyway). Call it before the process
   * first opens a {@code file:} path: Hadoop caches one file system per scheme and user, whichever
   * configuration asked first.
   *
   * @return whether it was installed
   */
  public static boolean installForThisProcess() {
    ClassLoader loader = NioLocalFileSystem.class.getClassLoader();
    if (loader.getResource(RESOURCE) == null || !wanted(loader)) {
      return false; // (Hadoop would skip a missing default resource silently)
    }
    Configuration.addDefaultResource(RESOURCE);
    return true;
  }

  /**
   * Whether to install: not with {@code -Drealign.nio_local_fs=false}, nor when the {@code
   * core-site.xml} that {@code loader} finds (Hadoop's site file) names an {@code fs.file.impl}.
   */
  static boolean wanted(ClassLoader loader) {
    if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
      return false;
    }
    if (loader.getResource("core-site.xml") == null) {
      return true;
    }
    Configuration site = new Configuration(false);
    site.setClassLoader(loader);
    site.addResource("core-site.xml");
    return site.get("fs.file.impl") == null;
  }

  /** The nine permission bits as java.nio's set, or null when the mode has more (sticky bit). */
  static Set<PosixFilePermission> posix(FsPermission permission) {
    int mode = permission.toShort();
    if ((mode & ~0777) != 0) {
      return null;
    }
    PosixFilePermission[] bits =
        PosixFilePermission.values(); // OWNER_READ (0400) ... OTHERS_EXECUTE
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (0400 >> i)) != 0) {
        out.add(bits[i]);
      }
    }
    return out;
  }

  /**
   * Sets {@code permission} on {@code file} through java.nio; false when it cannot (a sticky bit,
   * or a java.nio provider without POSIX permissions), for the caller to use Hadoop's way.
   */
  static boolean setWithNio(java.io.File file, FsPermission permission) throws IOException {
    Set<PosixFilePermission> perms = posix(permission);
    if (perms == null) {
      return false;
    }
    try {
      Files.setPosixFilePermissions(file.toPath(), perms);
      return true;
    } catch (UnsupportedOperationException e) {
      return false;
    }
  }

  /** The raw file system under the checksum layer: only {@link #setPermission} differs. */
  static final class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      if (!setWithNio(pathToFile(p), permission)) {
        super.setPermission(p, permission);
      }
    }
  }
}
