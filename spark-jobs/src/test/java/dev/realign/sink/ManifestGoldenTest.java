package dev.realign.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code _manifest.json} byte for byte, built from fixed values (not from a pipeline run, so
 * changes to shard bytes do not move it): today's writer must write the golden bytes, and the
 * golden file must read back to the same value. A change is a format change: regenerate with the
 * tagged generator ({@code mvn -pl spark-jobs -am test -Dtest=ManifestGoldenTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Drealign.test.excludedGroups=none
 * -Dgroups=golden-generator}).
 */
class ManifestGoldenTest {
  static final String GOLDEN = "/golden/manifest-v1.json";
  static final String SHA_A = "0123456789abcdef".repeat(4);
  static final String SHA_B = "fedcba9876543210".repeat(4);

  /** Two shards, rejects of both modalities by reason, both figures, an encoder's provenance. */
  static ShardManifest fixture() {
    Map<String, ShardManifest.ModalityCounts> inputs = new LinkedHashMap<>();
    Map<String, Long> textReasons = new LinkedHashMap<>();
    textReasons.put("duplicate_id", 1L);
    textReasons.put("non_finite", 2L);
    inputs.put("text", new ShardManifest.ModalityCounts(1003, 1000, 3, textReasons));
    inputs.put("image", new ShardManifest.ModalityCounts(501, 500, 1, Map.of("zero_norm", 1L)));
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("centroid_gap_before", 0.8512345678901234);
    figures.put("centroid_gap_after", 0.0014647886985300863);
    return new ShardManifest(
        1000,
        512,
        "float32",
        SHA_A,
        3,
        inputs,
        List.of(new ShardInfo("rejected/text/part-00000-of-00002.parquet", 3, 2048, SHA_B)),
        figures,
        List.of(
            new ShardInfo("part-00000-of-00002.parquet", 600, 1_234_567, SHA_A),
            new ShardInfo("part-00001-of-00002.parquet", 400, 823_456, SHA_B)),
        Map.of("variant", "realign", "encoder", "all-MiniLM-L6-v2", "encoder_sha256", SHA_B));
  }

  static String golden() throws IOException {
    try (InputStream in = ManifestGoldenTest.class.getResourceAsStream(GOLDEN)) {
      assertThat(in).as("test resource %s", GOLDEN).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void todaysWriterWritesTheGoldenBytes() throws IOException {
    assertThat(fixture().toJson()).isEqualTo(golden());
  }

  @Test
  void theGoldenFileReadsBackToTheFixtureAndRewritesByteForByte() throws IOException {
    ShardManifest m = ShardManifest.fromJson(golden(), GOLDEN);
    assertThat(m).isEqualTo(fixture());
    assertThat(m.toJson()).isEqualTo(golden());
  }

  @Test
  @Tag("golden-generator")
  void writeGoldenFile() throws IOException {
    Path dir = Path.of("src", "test", "resources", "golden");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("manifest-v1.json"), fixture().toJson());
  }
}
