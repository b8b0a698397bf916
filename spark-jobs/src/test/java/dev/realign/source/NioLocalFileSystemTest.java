package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link NioLocalFileSystem} leaves every file and directory with the mode Hadoop's own local file
 * system gives it (which runs {@code chmod}), under several umasks, for files, parent directories,
 * explicit permissions and a sticky bit; a missing file fails naming it in both; and it is not
 * installed when switched off or when Hadoop's site file names its own {@code fs.file.impl}.
 */
class NioLocalFileSystemTest {
  @TempDir java.nio.file.Path dir;

  @Test
  void theNineBitsMapToJavaNioPermissions() {
    for (int mode = 0; mode <= 0777; mode++) {
      StringBuilder rwx = new StringBuilder();
      for (int bit = 8; bit >= 0; bit--) {
        rwx.append((mode >> bit & 1) == 0 ? '-' : "rwx".charAt((8 - bit) % 3));
      }
      assertThat(NioLocalFileSystem.posix(new FsPermission((short) mode)))
          .as("mode %o", mode)
          .isEqualTo(PosixFilePermissions.fromString(rwx.toString()));
    }
    assertThat(NioLocalFileSystem.posix(new FsPermission((short) 01777))).isNull();
  }

  @Test
  void nineBitModesAreSetThroughJavaNioAndTheStickyBitIsLeftToHadoop() throws IOException {
    java.nio.file.Path file = Files.createFile(dir.resolve("f"));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThat(NioLocalFileSystem.setWithNio(file.toFile(), new FsPermission((short) 0640)))
        .isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-r-----");
    assertThat(NioLocalFileSystem.setWithNio(file.toFile(), new FsPermission((short) 01777)))
        .as("a sticky bit")
        .isFalse();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .as("left as it was")
        .isEqualTo("rw-r-----");
    try (NioLocalFileSystem fs = new NioLocalFileSystem()) {
      assertThat(fs.getRawFileSystem()).isInstanceOf(NioLocalFileSystem.Raw.class);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"022", "077", "002", "027"})
  void everyEntryGetsTheModeHadoopGivesIt(String umask) throws IOException {
    Configuration conf = new Configuration(false);
    conf.set("fs.permissions.umask-mode", umask);
    Map<String, Integer> hadoop = writeTree(new LocalFileSystem(), conf, "hadoop");
    Map<String, Integer> nio = writeTree(new NioLocalFileSystem(), conf, "nio");
    assertThat(nio).hasSize(9).isEqualTo(hadoop);
    if (umask.equals("022")) {
      // Hadoop's defaults, stated independently: files 0644, directories 0755.
      assertThat(nio)
          .containsEntry("a/part.parquet", 0644)
          .containsEntry("a", 0755)
          .containsEntry("made", 0755)
          .containsEntry("sticky", 01777);
    }
  }

  @Test
  void aMissingFileFailsNamingItInBothFileSystems() throws IOException {
    Configuration conf = new Configuration(false);
    Path missing = new Path(dir.resolve("no-such-dir/no-such-file").toUri());
    for (FileSystem fs : new FileSystem[] {new LocalFileSystem(), new NioLocalFileSystem()}) {
      try (fs) {
        fs.initialize(URI.create("file:///"), conf);
        assertThatThrownBy(() -> fs.setPermission(missing, new FsPermission((short) 0644)))
            .as(fs.getClass().getSimpleName())
            .isInstanceOf(IOException.class)
            .hasMessageContaining("no-such-dir/no-such-file");
      }
    }
  }

  @Test
  void notInstalledWhenSwitchedOffOrWhenTheSiteFileNamesItsOwn() throws IOException {
    ClassLoader none = new java.net.URLClassLoader(new java.net.URL[0], null);
    assertThat(NioLocalFileSystem.wanted(none)).isTrue();
    String before = System.getProperty(NioLocalFileSystem.PROPERTY);
    System.setProperty(NioLocalFileSystem.PROPERTY, "false");
    try {
      assertThat(NioLocalFileSystem.wanted(none)).isFalse();
    } finally {
      if (before == null) {
        System.clearProperty(NioLocalFileSystem.PROPERTY);
      } else {
        System.setProperty(NioLocalFileSystem.PROPERTY, before);
      }
    }
    assertThat(wantedWithSiteFile("fs.trash.interval", "1")).as("a site file without it").isTrue();
    assertThat(wantedWithSiteFile("fs.file.impl", "org.apache.hadoop.fs.LocalFileSystem"))
        .as("a site file with its own fs.file.impl")
        .isFalse();
  }

  /** {@link NioLocalFileSystem#wanted} with a core-site.xml that sets {@code name}. */
  private boolean wantedWithSiteFile(String name, String value) throws IOException {
    java.nio.file.Path site = Files.createDirectories(dir.resolve("site-" + name));
    Files.writeString(
        site.resolve("core-site.xml"),
        "<configuration><property><name>"
            + name
            + "</name><value>"
            + value
            + "</value></property></configuration>");
    try (java.net.URLClassLoader loader =
        new java.net.URLClassLoader(new java.net.URL[] {site.toUri().toURL()}, null)) {
      return NioLocalFileSystem.wanted(loader);
    }
  }

  /** Writes the same tree through {@code fs}; the mode (with the sticky bit) of every entry. */
  private Map<String, Integer> writeTree(FileSystem fs, Configuration conf, String name)
      throws IOException {
    java.nio.file.Path root = dir.resolve(name);
    Files.createDirectories(root);
    try (fs) {
      fs.initialize(URI.create("file:///"), conf);
      fs.setWriteChecksum(false);
      Path r = new Path(root.toUri());
      try (OutputStream out = fs.create(new Path(r, "a/part.parquet"), true)) {
        out.write(1); // its parent directory made on the way
      }
      try (OutputStream out =
          fs.create(
              new Path(r, "b/c/explicit"),
              new FsPermission((short) 0600),
              true,
              4096,
              (short) 1,
              1 << 20,
              null)) {
        out.write(2);
      }
      fs.mkdirs(new Path(r, "made"));
      fs.mkdirs(new Path(r, "restricted"), new FsPermission((short) 0750));
      fs.mkdirs(new Path(r, "sticky"), new FsPermission((short) 01777));
      // A mode java.nio cannot set (the sticky bit): Hadoop's own chmod, in both.
      fs.setPermission(new Path(r, "sticky"), new FsPermission((short) 01777));
      Path changed = new Path(r, "changed");
      fs.create(changed, true).close();
      fs.setPermission(changed, new FsPermission((short) 0640));
      Map<String, Integer> modes = new TreeMap<>();
      try (Stream<java.nio.file.Path> all = Files.walk(root)) {
        for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) all::iterator) {
          if (!p.equals(root)) {
            modes.put(
                root.relativize(p).toString(),
                (Integer) Files.getAttribute(p, "unix:mode") & 07777);
          }
        }
      }
      return modes;
    }
  }
}
