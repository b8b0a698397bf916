package dev.realign.report;

import static dev.realign.Checks.checkArgument;
import static dev.realign.Checks.checkDimension;

import dev.realign.align.ReAlignTransform;
import dev.realign.align.Variant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a gap report reads: raw text and image rows (flat row-major, {@code n x dimension}; rows
 * need not be normalised), the fitted transforms to compare, an optional paired validation set (row
 * i of each is one pair) and the options. The float arrays are not copied: do not change them while
 * a report is computed.
 *
 * <p>Rows should come in an order where a prefix is a fair subset (the job's samples are in id-hash
 * order): the k-NN queries and the histogram pairs are taken from the front.
 *
 * @param validationTexts null, or raw validation texts (then {@code validationImages} too)
 * @param fullData null, or exact sketches of all rows (then the centroid gap and trace ratio are
 *     full-data figures)
 */
public record ReportInputs(
    float[] texts,
    float[] images,
    int dimension,
    Map<Variant, ReAlignTransform> transforms,
    float[] validationTexts,
    float[] validationImages,
    ReportOptions options,
    FullDataSketches fullData,
    Map<String, Long> validationPairing) {
  public ReportInputs(
      float[] texts,
      float[] images,
      int dimension,
      Map<Variant, ReAlignTransform> transforms,
      float[] validationTexts,
      float[] validationImages,
      ReportOptions options,
      FullDataSketches fullData) {
    this(
        texts,
        images,
        dimension,
        transforms,
        validationTexts,
        validationImages,
        options,
        fullData,
        Map.of());
  }

  public ReportInputs(
      float[] texts,
      float[] images,
      int dimension,
      Map<Variant, ReAlignTransform> transforms,
      float[] validationTexts,
      float[] validationImages,
      ReportOptions options) {
    this(texts, images, dimension, transforms, validationTexts, validationImages, options, null);
  }

  public ReportInputs {
    Objects.requireNonNull(texts, "texts");
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(options, "options");
    checkDimension(dimension);
    checkRows(texts, dimension, "text sample");
    checkRows(images, dimension, "image sample");
    EnumMap<Variant, ReAlignTransform> ordered = new EnumMap<>(Variant.class);
    for (Map.Entry<Variant, ReAlignTransform> e : transforms.entrySet()) {
      ReAlignTransform t = Objects.requireNonNull(e.getValue(), "transform of " + e.getKey());
      checkArgument(
          t.variant() == e.getKey(),
          "Invalid transform for %s: its variant is %s (must" + " match its key)",
          e.getKey(),
          t.variant());
      checkArgument(
          t.dimension() == dimension,
          "Invalid transform for %s: dimension %s (must be" + " %s, the embeddings')",
          e.getKey(),
          t.dimension(),
          dimension);
      ordered.put(e.getKey(), t);
    }
    transforms = Collections.unmodifiableMap(ordered);
    checkArgument(
        (validationTexts == null) == (validationImages == null),
        "Invalid validation" + " set: %s (must give both texts and images, or neither)",
        validationTexts == null ? "images without texts" : "texts without images");
    validationPairing = Map.copyOf(validationPairing);
    if (fullData != null) {
      checkArgument(
          fullData.text().dimension() == dimension,
          "Invalid full-data sketches:" + " dimension %s (must be %s, the samples')",
          fullData.text().dimension(),
          dimension);
    }
    if (validationTexts != null) {
      checkRows(validationTexts, dimension, "validation texts");
      checkRows(validationImages, dimension, "validation images");
      checkArgument(
          validationTexts.length == validationImages.length,
          "Invalid validation set: %s"
              + " texts and %s images (must be equal: row i of each is one pair)",
          validationTexts.length / dimension,
          validationImages.length / dimension);
    }
  }

  /** Inputs without a validation set, with the default options. */
  public static ReportInputs of(
      float[] texts, float[] images, int dimension, Map<Variant, ReAlignTransform> transforms) {
    return new ReportInputs(
        texts, images, dimension, transforms, null, null, ReportOptions.defaults());
  }

  public ReportInputs withValidation(float[] pairedTexts, float[] pairedImages) {
    return new ReportInputs(
        texts, images, dimension, transforms, pairedTexts, pairedImages, options, fullData);
  }

  /** With a validation set and the counts of its pairing (unmatched, duplicated, capped ...). */
  public ReportInputs withValidation(
      float[] pairedTexts, float[] pairedImages, Map<String, Long> pairing) {
    return new ReportInputs(
        texts,
        images,
        dimension,
        transforms,
        pairedTexts,
        pairedImages,
        options,
        fullData,
        pairing);
  }

  public ReportInputs withOptions(ReportOptions o) {
    return new ReportInputs(
        texts,
        images,
        dimension,
        transforms,
        validationTexts,
        validationImages,
        o,
        fullData,
        validationPairing);
  }

  public ReportInputs withFullData(FullDataSketches sketches) {
    return new ReportInputs(
        texts,
        images,
        dimension,
        transforms,
        validationTexts,
        validationImages,
        options,
        sketches,
        validationPairing);
  }

  public boolean hasValidation() {
    return validationTexts != null;
  }

  private static void checkRows(float[] rows, int d, String what) {
    Objects.requireNonNull(rows, what);
    checkArgument(
        rows.length % d == 0,
        "Invalid %s: %s floats (must be a multiple of the dimension" + " %s)",
        what,
        rows.length,
        d);
    checkArgument(
        rows.length / d >= 2, "Invalid %s: %s rows (must be >= 2)", what, rows.length / d);
  }
}
