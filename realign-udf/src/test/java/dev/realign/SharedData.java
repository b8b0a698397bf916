package dev.realign;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real embeddings in {@code ../shared/data}. Tests that need them fail (never skip) with a clear
 * message when they are absent: CI always has them beside the clone.
 */
public final class SharedData {
  private SharedData() {}

  public static Path sharedDir() {
    String prop = System.getProperty("realign.shared.dir");
    Path dir = prop != null ? Path.of(prop) : Path.of("..", "shared");
    if (!Files.isDirectory(dir)) {
      Path up = Path.of("..", "..", "shared");
      if (Files.isDirectory(up)) {
        dir = up;
      }
    }
    return dir.toAbsolutePath().normalize();
  }

  /** COCO-500 from {@code features_clip.npy}: {@code [0]} images, {@code [1]} texts, 500 x 512. */
  public record Coco(float[] images, float[] texts) {
    public static final int N = 500;
    public static final int D = 512;
  }

  public static Coco coco() {
    float[] all = dev.realign.io.Npy.readFloats(modalityGap("features_clip.npy"));
    int half = Coco.N * Coco.D;
    return new Coco(java.util.Arrays.copyOfRange(all, 0, half),
        java.util.Arrays.copyOfRange(all, half, 2 * half));
  }

  /** A file under {@code shared/data/modality-gap-2022}; fails the test if it is missing. */
  public static Path modalityGap(String name) {
    Path file = sharedDir().resolve("data").resolve("modality-gap-2022").resolve(name);
    if (!Files.isRegularFile(file)) {
      fail("This test needs the real CLIP embeddings of ../shared/data/modality-gap-2022 (the shared"
          + " folder beside the repository clone), but " + file + " is missing. Run the tests from"
          + " a clone that has ../shared beside it, or set -Drealign.shared.dir=PATH.");
    }
    return file;
  }
}
