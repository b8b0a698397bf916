package dev.realign.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.cli.RealignCommand;
import dev.realign.sink.ShardInfo;
import dev.realign.sink.ShardManifest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code realign --version} and the {@code created_by} object of manifests and reports. */
class BuildInfoTest {
  static final String SHA = "0123456789abcdef".repeat(4);

  @Test
  void createdByNamesTheBuildAndTheRuntime() {
    Map<String, String> c = BuildInfo.createdBy();
    assertThat(c.keySet())
        .containsExactly("name", "version", "git_commit", "git_dirty", "spark", "scala", "java");
    assertThat(c.get("name")).isEqualTo("realign");
    // The Maven build writes realign-build.properties (generate-resources): never unknown here.
    assertThat(c.get("version")).isNotEqualTo(BuildInfo.UNKNOWN).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(c.get("git_commit")).matches("[0-9a-f]{40}|unknown");
    assertThat(c.get("git_dirty")).isIn("true", "false", "unknown");
    assertThat(c.get("spark")).startsWith("4.");
    assertThat(c.get("scala")).startsWith("2.13");
    assertThat(c.get("java")).startsWith(System.getProperty("java.version"));
  }

  @Test
  void versionPrintsThreeLinesAndExitsZero() {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = RealignCommand.run(new String[] {"--version"});
    } finally {
      System.setOut(stdout);
    }
    String printed = captured.toString(StandardCharsets.UTF_8);
    assertThat(rc).isZero();
    assertThat(printed).isEqualTo(BuildInfo.versionText());
    assertThat(printed.split("\n")).hasSize(3);
    assertThat(printed)
        .startsWith("realign " + BuildInfo.version() + "\n")
        .contains("git commit " + BuildInfo.gitCommit())
        .contains("Spark 4.")
        .contains(", Scala 2.13")
        .contains(", Java " + System.getProperty("java.version"));
  }

  @Test
  void theManifestCarriesCreatedByAndReadsItBack() {
    ShardManifest m =
        new ShardManifest(
                10,
                4,
                "float32",
                SHA,
                0,
                Map.of(),
                List.of(),
                Map.of(),
                List.of(new ShardInfo("part-00000-of-00001.parquet", 10, 100, SHA)),
                Map.of())
            .withCreatedBy(BuildInfo.createdBy());
    String json = m.toJson();
    assertThat(json).contains("\"created_by\" : {").contains("\"git_commit\" : ");
    assertThat(json.indexOf("\"created_by\"")).isLessThan(json.indexOf("\"rows\""));
    ShardManifest back = ShardManifest.fromJson(json, "test");
    assertThat(back).isEqualTo(m);
    assertThat(back.toJson()).isEqualTo(json);
  }

  @Test
  void aManifestWithoutCreatedByHasNoSuchField() {
    ShardManifest m =
        new ShardManifest(
            1, 4, "float32", SHA, 0, Map.of(), List.of(), Map.of(), List.of(), Map.of());
    assertThat(m.toJson()).doesNotContain("created_by");
    assertThat(ShardManifest.fromJson(m.toJson(), "test").createdBy()).isEmpty();
  }
}
