package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.SharedData;
import dev.realign.io.Npy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same bits on every instruction set: the CLI ({@code realign run}) on COCO-500 with 3
 * partitions in forked JVMs under the JVM setups of a mixed fleet (default, AVX2 only, 128-bit
 * vectors, the Vector API off, no AVX; and Hadoop's own local file system instead of
 * NioLocalFileSystem), comparing the SHA-256 of the transform, the shards, the sketches and the
 * manifest (without a top-level {@code created_by}) and the permissions of every output file and
 * directory. A retried task may land on another CPU type, so a difference here is a correctness
 * bug, not noise.
 *
 * <p>The flags are JVM flags (what HotSpot may compile to), not the OpenBLAS environment: the
 * pipeline has no native code on this path. On a CPU that is not x86 the {@code UseAVX} flags are
 * ignored ({@code -XX:+IgnoreUnrecognizedVMOptions}, in the JVM options every launcher passes), so
 * those runs repeat the default. The report is off ({@code report.in_run=false}): it is not part of
 * the output contract, and it keeps the six runs within about a minute. Every run has Hadoop's
 * umask at 027 ({@link #UMASK}), not the process's 022, so that the modes compared are the ones the
 * file system set (0640 files, 0750 directories), not what the OS gave a new file.
 */
class IsaIndependenceTest {
  /** The setups: name and extra JVM options. */
  static final Map<String, List<String>> SETUPS = new LinkedHashMap<>();

  private static final String VECTOR = "-Drealign.vector=true";
  private static final String STARTUP_LOG = "-Drealign.startup.log=true";

  /** Hadoop's umask for every run (a Spark setting: the CLI's Hadoop configuration has it). */
  static final String UMASK = "-Dspark.hadoop.fs.permissions.umask-mode=027";

  static {
    // The CLI takes the scalar loops on an input this small (InputPlans.large): the default run is
    // the scalar one, and the others ask for the Vector API kernels.
    SETUPS.put("default", List.of(STARTUP_LOG, UMASK));
    SETUPS.put("realign.vector=true", List.of(VECTOR, STARTUP_LOG, UMASK));
    SETUPS.put("UseAVX=2", List.of("-XX:UseAVX=2", VECTOR, UMASK));
    SETUPS.put("MaxVectorSize=16", List.of("-XX:MaxVectorSize=16", VECTOR, UMASK));
    SETUPS.put("UseAVX=0", List.of("-XX:UseAVX=0", VECTOR, UMASK));
    // Hadoop's own local file system (a forked chmod for each file and directory) against the
    // default's NioLocalFileSystem: the same bytes and the same modes.
    SETUPS.put(
        "realign.nio_local_fs=false", List.of("-Drealign.nio_local_fs=false", STARTUP_LOG, UMASK));
  }

  @TempDir Path dir;

  @Test
  void everyJvmSetupWritesTheSameBytes() throws Exception {
    SharedData.Coco coco = SharedData.coco();
    Npy.write(dir.resolve("texts.npy"), coco.texts(), SharedData.Coco.N, SharedData.Coco.D);
    Npy.write(dir.resolve("images.npy"), coco.images(), SharedData.Coco.N, SharedData.Coco.D);
    ForkedCli cli = new ForkedCli(dir);

    Map<String, Map<String, String>> digests = new LinkedHashMap<>();
    Map<String, String> printed = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> setup : SETUPS.entrySet()) {
      Path out = dir.resolve("out-" + digests.size());
      String log = cli.run(setup.getKey(), setup.getValue(), ForkedCli.runArgs(dir, out, 3));
      digests.put(setup.getKey(), digests(out));
      printed.put(setup.getKey(), log);
    }
    // The choice took effect (the property was set before the kernels loaded), and the forced run
    // ran the Vector API kernels wherever this JVM (the same flags) has them.
    String metrics = dev.realign.vector.VectorSupport.METRICS ? "on" : "off";
    assertThat(printed.get("default"))
        .contains("startup: vector kernels off (rows), " + metrics + " (metrics)");
    assertThat(printed.get("realign.vector=true"))
        .contains(
            "startup: vector kernels "
                + (dev.realign.vector.VectorSupport.ENABLED ? "on" : "off")
                + " (rows), "
                + metrics
                + " (metrics)");
    assertThat(printed.get("default"))
        .contains("startup: local file system dev.realign.source.NioLocalFileSystem");
    assertThat(printed.get("realign.nio_local_fs=false"))
        .contains("startup: local file system org.apache.hadoop.fs.LocalFileSystem");
    Map<String, String> reference = digests.get("default");
    assertThat(reference.keySet())
        .contains(
            "realign-transform.json",
            "aligned/_manifest.json",
            "aligned/part-00000-of-00003.parquet",
            "aligned/part-00002-of-00003.parquet",
            "stats/text.sketch",
            "stats/image.sketch");
    // The modes as Hadoop's umask 027 makes them, stated here, for every file and directory.
    for (String line : reference.get("modes").split("\n")) {
      String rel = line.substring(0, line.lastIndexOf(' '));
      boolean directory = Files.isDirectory(dir.resolve("out-0").resolve(rel));
      assertThat(line.substring(line.lastIndexOf(' ') + 1))
          .as("mode of %s", rel.isEmpty() ? "the output directory" : rel)
          .isEqualTo(directory ? "rwxr-x---" : "rw-r-----");
    }
    for (Map.Entry<String, Map<String, String>> e : digests.entrySet()) {
      assertThat(e.getValue()).as("SHA-256s under %s", e.getKey()).isEqualTo(reference);
    }
  }

  /**
   * SHA-256 of the transform, every file in aligned/ and every sketch, by relative path, and under
   * "modes" the permissions of every file and directory of the output.
   */
  static Map<String, String> digests(Path out) throws IOException, NoSuchAlgorithmException {
    Map<String, String> d = new TreeMap<>();
    StringBuilder modes = new StringBuilder();
    try (java.util.stream.Stream<Path> all = Files.walk(out)) {
      for (Path p : (Iterable<Path>) all.sorted()::iterator) {
        modes
            .append(out.relativize(p))
            .append(' ')
            .append(
                java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(p)))
            .append('\n');
      }
    }
    d.put("modes", modes.toString());
    for (Map.Entry<String, Path> f : GoldenOutputs.files(out).entrySet()) {
      String rel = f.getKey();
      boolean wanted =
          rel.equals("realign-transform.json")
              || rel.startsWith("aligned/")
              || rel.endsWith(".sketch");
      if (!wanted) {
        continue;
      }
      byte[] bytes =
          rel.equals("aligned/_manifest.json")
              ? GoldenOutputs.withoutCreatedBy(Files.readAllBytes(f.getValue()))
                  .toString()
                  .getBytes(StandardCharsets.UTF_8)
              : Files.readAllBytes(f.getValue());
      d.put(rel, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    }
    return d;
  }
}
