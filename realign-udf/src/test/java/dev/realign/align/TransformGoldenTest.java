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
 * {@code realign-transform.json} of format versions 1 (no encoder settings) and 2 (with them), byte
 * for byte: today's writer must produce the golden bytes, and each golden file must read back to a
 * transform whose canonical SHA-256 is the golden one. The Python reader's tests check the same
 * files' hashes (deploy/reader/tests/test_transform.py). A change to either is a format change:
 * bump the version and regenerate with the tagged generator below ({@code mvn -pl realign-udf test
 * -Dtest=TransformGoldenTest -Drealign.test.excludedGroups=none -Dgroups=golden-generator}).
 */
class TransformGoldenTest {
  static final String GOLDEN_JSON = "/golden/realign-transform-v1.json";
  static final String GOLDEN_SHA256 = "/golden/realign-transform-v1.sha256";
  static final String GOLDEN_JSON_V2 = "/golden/realign-transform-v2.json";
  static final String GOLDEN_SHA256_V2 = "/golden/realign-transform-v2.sha256";
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

  /** The same fit with the encoder's settings recorded: format version 2. */
  static ReAlignTransform fixtureV2() {
    Random rnd = new Random(20260207);
    FitOptions options =
        FitOptions.defaults()
            .withRefinementIterations(1)
            .withEncoder(
                new EncoderIdentity("clip-vit-b-16", "ab".repeat(32))
                    .withSettings(
                        new EncoderIdentity.Settings("output:text_embeds", 77, "float16")));
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
  void theVersion2GoldenFileReadsBackToItsSha256AndRewritesByteForByte() throws IOException {
    String golden = resource(GOLDEN_JSON_V2);
    String sha = resource(GOLDEN_SHA256_V2).trim();
    ReAlignTransform t = TransformJson.fromJson(golden);
    assertThat(t.sha256()).isEqualTo(sha).isEqualTo(fixtureV2().sha256());
    assertThat(TransformJson.toJson(fixtureV2())).isEqualTo(golden);
    assertThat(TransformJson.toJson(t)).isEqualTo(golden);
    assertThat(golden).contains("\"format_version\" : 2").contains("\"context_length\" : 77");
    assertThat(t.encoder().settings().outputDtype()).isEqualTo("float16");
  }

  @Test
  @Tag("golden-generator")
  void writeGoldenFiles() throws IOException {
    Path dir = Path.of("src", "test", "resources", "golden");
    Files.createDirectories(dir);
    ReAlignTransform t = fixture();
    Files.writeString(dir.resolve("realign-transform-v1.json"), TransformJson.toJson(t));
    Files.writeString(dir.resolve("realign-transform-v1.sha256"), t.sha256() + "\n");
    ReAlignTransform t2 = fixtureV2();
    Files.writeString(dir.resolve("realign-transform-v2.json"), TransformJson.toJson(t2));
    Files.writeString(dir.resolve("realign-transform-v2.sha256"), t2.sha256() + "\n");
  }
}
