package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The golden outputs committed under {@code deploy/reader/tests/fixtures/}: COCO-500 aligned by
 * realign as Parquet and Arrow, float32 and float16 (shards, manifest, transform, sketches), plus
 * the core's aligned rows. The reader's pytest reads them with no Java build; {@link
 * ArrowOutputTest} checks that realign still writes them byte for byte and regenerates them (its
 * test tagged {@code golden-generator}).
 */
final class GoldenOutputs {
  static final Path DIR =
      Path.of("..", "deploy", "reader", "tests", "fixtures").toAbsolutePath().normalize();

  static final String[] OUTPUTS = {
    "parquet-float32", "parquet-float16", "arrow-float32", "arrow-float16"
  };

  static final String EXPECTED = "expected-float32.npy";

  /** Files that depend on where the run was (absolute input paths), so are not golden. */
  static final Set<String> NOT_GOLDEN = Set.of("stats/inputs.json");

  /** A top-level field of manifests that holds the build version (issue 26), not the output. */
  static final String CREATED_BY = "created_by";

  private static final ObjectMapper JSON = new ObjectMapper();

  private GoldenOutputs() {}

  /** The golden files of an output: relative path ({@code /}-separated) to file, sorted. */
  static Map<String, Path> files(Path root) throws IOException {
    Map<String, Path> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        String rel = root.relativize(p).toString().replace('\\', '/');
        if (!NOT_GOLDEN.contains(rel) && !rel.endsWith(".crc")) {
          out.put(rel, p);
        }
      }
    }
    return out;
  }

  /** Asserts that {@code got} holds the same files as {@code want}, with the same bytes. */
  static void assertSameOutput(Path want, Path got) throws IOException {
    Map<String, Path> w = files(want);
    Map<String, Path> g = files(got);
    assertThat(g.keySet()).as("files of %s", got).containsExactlyElementsOf(w.keySet());
    for (String rel : w.keySet()) {
      assertSameFile(w.get(rel), g.get(rel));
    }
  }

  /**
   * Byte for byte; a JSON file where either side has a top-level {@code created_by} is compared as
   * JSON without it (the build version is not part of the output's contract).
   */
  static void assertSameFile(Path want, Path got) throws IOException {
    byte[] w = Files.readAllBytes(want);
    byte[] g = Files.readAllBytes(got);
    if (want.getFileName().toString().endsWith(".json") && (hasCreatedBy(w) || hasCreatedBy(g))) {
      assertThat(withoutCreatedBy(g))
          .as("%s against the golden %s (without %s)", got, want, CREATED_BY)
          .isEqualTo(withoutCreatedBy(w));
      return;
    }
    assertThat(g)
        .as(
            "%s against the golden %s (a changed writer changes every published checksum; if"
                + " intended, regenerate: mvn -B -ntp -pl spark-jobs -am -DskipClusterJar"
                + " -Dtest=ArrowOutputTest -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Drealign.test.excludedGroups=none -Dgroups=golden-generator test)",
            got, want)
        .isEqualTo(w);
  }

  private static boolean hasCreatedBy(byte[] json) throws IOException {
    JsonNode n = JSON.readTree(json);
    return n != null && n.isObject() && n.has(CREATED_BY);
  }

  /** The JSON without its top-level {@code created_by}. */
  static JsonNode withoutCreatedBy(byte[] json) throws IOException {
    JsonNode n = JSON.readTree(json);
    if (n instanceof ObjectNode o) {
      o.remove(CREATED_BY);
    }
    return n;
  }

  /** Replaces the golden copy of {@code output} by the golden files of {@code from}. */
  static void write(Path from, String output) throws IOException {
    Path to = DIR.resolve(output);
    ArrowOutputTest.deleteTree(to);
    for (Map.Entry<String, Path> f : files(from).entrySet()) {
      Path dst = to.resolve(f.getKey());
      Files.createDirectories(dst.getParent());
      Files.copy(f.getValue(), dst);
    }
  }
}
