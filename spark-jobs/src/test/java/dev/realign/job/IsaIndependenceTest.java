package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.SharedData;
import dev.realign.io.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same bits on every instruction set: the CLI ({@code realign run}) on COCO-500 with 3
 * partitions in forked JVMs under the JVM setups of a mixed fleet (default, AVX2 only, 128-bit
 * vectors, the Vector API off, no AVX), comparing the SHA-256 of the transform, the shards, the
 * sketches and the manifest (without a top-level {@code created_by}). A retried task may land on
 * another CPU type, so a difference here is a correctness bug, not noise.
 *
 * <p>The flags are JVM flags (what HotSpot may compile to), not the OpenBLAS environment: the
 * pipeline has no native code on this path. On a CPU that is not x86 the {@code UseAVX} flags are
 * ignored ({@code -XX:+IgnoreUnrecognizedVMOptions}, in the JVM options every launcher passes), so
 * those runs repeat the default. The report is off ({@code report.in_run=false}): it is not part of
 * the output contract, and it keeps the five runs within about a minute.
 */
class IsaIndependenceTest {
  /** The setups: name and extra JVM options. */
  static final Map<String, List<String>> SETUPS = new LinkedHashMap<>();

  static {
    SETUPS.put("default", List.of());
    SETUPS.put("UseAVX=2", List.of("-XX:UseAVX=2"));
    SETUPS.put("MaxVectorSize=16", List.of("-XX:MaxVectorSize=16"));
    SETUPS.put("realign.vector=false", List.of("-Drealign.vector=false"));
    SETUPS.put("UseAVX=0", List.of("-XX:UseAVX=0"));
  }

  /** A run that takes longer than this is stuck (one takes 6-12 s on a busy 2-core machine). */
  static final long RUN_TIMEOUT_SECONDS = 120;

  static final List<String> JIT =
      List.of(
          "-XX:Tier4InvocationThreshold=25000",
          "-XX:Tier4MinInvocationThreshold=3000",
          "-XX:Tier4CompileThreshold=75000",
          "-XX:Tier4BackEdgeThreshold=200000");

  @TempDir Path dir;

  @Test
  void everyJvmSetupWritesTheSameBytes() throws Exception {
    SharedData.Coco coco = SharedData.coco();
    Npy.write(dir.resolve("texts.npy"), coco.texts(), SharedData.Coco.N, SharedData.Coco.D);
    Npy.write(dir.resolve("images.npy"), coco.images(), SharedData.Coco.N, SharedData.Coco.D);
    Path args = writeJvmArgs();

    Map<String, Map<String, String>> digests = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> setup : SETUPS.entrySet()) {
      Path out = dir.resolve("out-" + digests.size());
      run(setup.getKey(), setup.getValue(), args, out);
      digests.put(setup.getKey(), digests(out));
    }
    Map<String, String> reference = digests.get("default");
    assertThat(reference.keySet())
        .contains(
            "realign-transform.json",
            "aligned/_manifest.json",
            "aligned/part-00000-of-00003.parquet",
            "aligned/part-00002-of-00003.parquet",
            "stats/text.sketch",
            "stats/image.sketch");
    for (Map.Entry<String, Map<String, String>> e : digests.entrySet()) {
      assertThat(e.getValue()).as("SHA-256s under %s", e.getKey()).isEqualTo(reference);
    }
  }

  /** The classpath and the launchers' JVM options, as a java @argfile (one classpath for all). */
  private Path writeJvmArgs() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("-cp");
    lines.add(quote(System.getProperty("java.class.path")));
    try (InputStream in = IsaIndependenceTest.class.getResourceAsStream("/realign-jvm.options")) {
      assertThat(in).as("resource realign-jvm.options (spark-jobs/target/classes)").isNotNull();
      for (String o : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split("\\s+")) {
        lines.add(quote(o));
      }
    }
    Path file = dir.resolve("jvm.args");
    Files.write(file, lines);
    return file;
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private void run(String name, List<String> flags, Path args, Path out) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    // The launcher's JIT thresholds (./realign): less compiling in a short run; the kernels still
    // reach C2 through the pipeline's warm-ups, which is what the setups exercise.
    cmd.addAll(JIT);
    cmd.add("@" + args);
    cmd.addAll(flags);
    cmd.add("dev.realign.cli.RealignCommand");
    cmd.addAll(
        List.of(
            "run",
            "--text-embeddings",
            dir.resolve("texts.npy").toString(),
            "--image-embeddings",
            dir.resolve("images.npy").toString(),
            "--output",
            out.toString(),
            "--partitions",
            "3",
            "--set",
            "report.in_run=false",
            "--set",
            "progress.interval_seconds=0"));
    Path log = dir.resolve("run-" + name.replaceAll("[^A-Za-z0-9.=-]", "_") + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("OPT_OUT_TRACKING", "true");
    long t0 = System.nanoTime();
    Process p = pb.start();
    boolean done = p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
    }
    System.err.printf(
        java.util.Locale.ROOT, "[isa] %s: %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
    String tail = tail(log);
    assertThat(done)
        .as("run under %s finished in %s s; log:%n%s", name, RUN_TIMEOUT_SECONDS, tail)
        .isTrue();
    assertThat(p.exitValue()).as("exit code under %s; log:%n%s", name, tail).isZero();
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /** SHA-256 of the transform, every file in aligned/ and every sketch, by relative path. */
  static Map<String, String> digests(Path out) throws IOException, NoSuchAlgorithmException {
    Map<String, String> d = new TreeMap<>();
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
