package dev.realign.align;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.RowFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code realign-transform.json} of format version 1, byte for byte: today's writer must produce
 * the golden bytes, and the golden file must read back to a transform whose canonical SHA-256 is
 * the golden one. A change to either is a format change: bump the version and regenerate with the
 * tagged generator below ({@code mvn -pl realign-udf test -Dtest=TransformGoldenTest
 * -Drealign.test.excludedGroups=none -Dgroups=golden-generator}).
 */
class TransformGoldenTest {
  static final String GOLDEN_JSON = "/golden/realign-transform-v1.json";
  static final String GOLDEN_SHA256 = "/golden/realign-transform-v1.sha256";
  static final int D = 8;

  /**
   * A realign fit with one refinement (two centroid passes) and a named encoder, from fixed
   * pseudo-random rows: java.util.Random's Gaussians use StrictMath, so every JVM gets them.
   */
  static ReAlignTransform fixture() {
    Random rnd = new Random(20260207);
    FitOptions options =
        FitOptions.defaults()
            .withRefinementIterations(1)
            .withEncoder(new EncoderIdentity("clip-vit-b-16", "ab".repeat(32)));
    return ReAlignFitter.fitInMemory(
        options,
        RowFixtures.randomRowsAround(rnd, 40, D, 0.5),
        RowFixtures.randomRowsAround(rnd, 30, D, -0.4),
        D);
  }

  static String resource(String name) throws IOException {
    try (InputStream in = TransformGoldenTest.class.getResourceAsStream(name)) {
      assertThat(in).as("test resource %s", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void todaysWriterWritesTheGoldenBytes() throws IOException {
    assertThat(TransformJson.toJson(fixture())).isEqualTo(resource(GOLDEN_JSON));
  }

  @Test
  void theGoldenFileReadsBackToItsSha256AndRewritesByteForByte() throws IOException {
    String golden = resource(GOLDEN_JSON);
    String sha = resource(GOLDEN_SHA256).trim();
    assertThat(sha).hasSize(64);
    ReAlignTransform t = TransformJson.fromJson(golden);
    assertThat(t.sha256()).isEqualTo(sha).isEqualTo(fixture().sha256());
    assertThat(golden).contains("\"sha256\" : \"" + sha + "\"");
    assertThat(TransformJson.toJson(t)).isEqualTo(golden);
    assertThat(t.muHat()).hasNumberOfRows(2);
  }

  @Test
  @Tag("golden-generator")
  void writeGoldenFiles() throws IOException {
    Path dir = Path.of("src", "test", "resources", "golden");
    Files.createDirectories(dir);
    ReAlignTransform t = fixture();
    Files.writeString(dir.resolve("realign-transform-v1.json"), TransformJson.toJson(t));
    Files.writeString(dir.resolve("realign-transform-v1.sha256"), t.sha256() + "\n");
  }
}
