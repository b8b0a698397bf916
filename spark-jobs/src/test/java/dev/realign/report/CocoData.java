package dev.realign.report;

import dev.realign.SharedData;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.Variant;
import dev.realign.io.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * COCO-500 (real CLIP ViT-B/16 embeddings), the committed test fixture located by {@link
 * SharedData}; fails with a clear message when absent.
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
    return SharedData.modalityGap(name);
  }

  static CocoData load() {
    float[] all = Npy.readFloats(file("features_clip.npy"));
    return new CocoData(
        Arrays.copyOfRange(all, 0, N * D), Arrays.copyOfRange(all, N * D, 2 * N * D));
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
