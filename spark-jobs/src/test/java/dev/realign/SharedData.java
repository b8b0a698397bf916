package dev.realign;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * COCO-500, the real CLIP embeddings committed as test resources under {@code
 * realign-udf/src/test/resources/modality-gap-2022} (MIT, provenance in the README beside them).
 * The parent pom passes the folder as {@code -Drealign.fixtures.dir}; without it (an IDE run) the
 * folder is found relative to the module. A missing file fails the test, never skips it.
 */
public final class SharedData {
  private static final String FOLDER = "modality-gap-2022";

  private SharedData() {}

  /** The fixture folder. */
  public static Path fixturesDir() {
    String prop = System.getProperty("realign.fixtures.dir");
    if (prop != null && Files.isDirectory(Path.of(prop))) {
      return Path.of(prop).toAbsolutePath().normalize();
    }
    for (Path candidate :
        new Path[] {
          Path.of("src", "test", "resources", FOLDER),
          Path.of("..", "realign-udf", "src", "test", "resources", FOLDER),
          Path.of("realign-udf", "src", "test", "resources", FOLDER)
        }) {
      if (Files.isDirectory(candidate)) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    return Path.of("src", "test", "resources", FOLDER).toAbsolutePath().normalize();
  }

  /** COCO-500 from {@code features_clip.npy}: {@code [0]} images, {@code [1]} texts, 500 x 512. */
  public record Coco(float[] images, float[] texts) {
    public static final int N = 500;
    public static final int D = 512;
  }

  public static Coco coco() {
    float[] all = dev.realign.io.Npy.readFloats(modalityGap("features_clip.npy"));
    int half = Coco.N * Coco.D;
    return new Coco(Arrays.copyOfRange(all, 0, half), Arrays.copyOfRange(all, half, 2 * half));
  }

  /** A file of the COCO-500 fixture folder; fails the test if it is missing. */
  public static Path modalityGap(String name) {
    Path file = fixturesDir().resolve(name);
    if (!Files.isRegularFile(file)) {
      fail(
          "This test needs the COCO-500 fixture "
              + file
              + " (committed under"
              + " realign-udf/src/test/resources/"
              + FOLDER
              + "); set -Drealign.fixtures.dir=PATH if"
              + " the tests run from elsewhere.");
    }
    return file;
  }
}
