package dev.realign.report;

import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.Variant;
import dev.realign.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * COCO-500 (real CLIP ViT-B/16 embeddings) from {@code ../shared/data/modality-gap-2022}, as the
 * realign-udf tests locate it ({@code -Drealign.shared.dir} or {@code ../shared}); fails with a
 * clear message when absent.
 */
final class CocoData {
  static final int N = 500;
  static final int D = 512;

  final float[] images;
  final float[] texts;

  private CocoData(float[] images, float[] texts) {
    this.images = images;
    this.texts = texts;
  }

  static Path file(String name) {
    String prop = System.getProperty("realign.shared.dir");
    Path dir = prop != null ? Path.of(prop) : Path.of("..", "shared");
    if (!Files.isDirectory(dir) && Files.isDirectory(Path.of("..", "..", "shared"))) {
      dir = Path.of("..", "..", "shared");
    }
    Path f = dir.resolve("data").resolve("modality-gap-2022").resolve(name).toAbsolutePath()
        .normalize();
    if (!Files.isRegularFile(f)) {
      throw new IllegalStateException("COCO-500 needs ../shared/data/modality-gap-2022 beside the"
          + " repository (or -Drealign.shared.dir=PATH), but " + f + " is missing");
    }
    return f;
  }

  static CocoData load() {
    float[] all = Npy.readFloats(file("features_clip.npy"));
    return new CocoData(Arrays.copyOfRange(all, 0, N * D), Arrays.copyOfRange(all, N * D,
        2 * N * D));
  }

  Map<Variant, ReAlignTransform> fitAll() {
    Map<Variant, ReAlignTransform> m = new EnumMap<>(Variant.class);
    for (Variant v : Variant.values()) {
      m.put(v, ReAlignFitter.fitInMemory(FitOptions.of(v), texts, images, D));
    }
    return m;
  }

  /** The report inputs of the COCO demo: all 500 of each, the same 500 pairs as validation. */
  ReportInputs inputs() {
    return ReportInputs.of(texts, images, D, fitAll()).withValidation(texts, images);
  }
}
