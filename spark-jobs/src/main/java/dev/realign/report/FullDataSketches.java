package dev.realign.report;

import static dev.realign.Checks.checkArgument;

import dev.realign.align.Variant;
import dev.realign.stats.MomentSnapshot;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Exact sketches of every row, for the report's full-data figures (centroid gap and trace ratio):
 * the raw texts and the images (the stats pass), and the aligned texts of each variant whose output
 * was sketched while it was written (the apply pass: the float32 rows as written, not
 * renormalised).
 */
public record FullDataSketches(
    MomentSnapshot text, MomentSnapshot image, Map<Variant, MomentSnapshot> aligned) {
  public FullDataSketches {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(image, "image");
    checkArgument(
        text.dimension() == image.dimension() && text.count() > 0 && image.count() > 0,
        "Invalid full-data sketches: %s texts of dimension %s and %s images"
            + " of dimension %s (must be non-empty, same dimension)",
        text.count(),
        text.dimension(),
        image.count(),
        image.dimension());
    EnumMap<Variant, MomentSnapshot> m = new EnumMap<>(Variant.class);
    for (Map.Entry<Variant, MomentSnapshot> e : aligned.entrySet()) {
      MomentSnapshot s = e.getValue();
      checkArgument(
          s.dimension() == text.dimension() && s.count() > 0,
          "Invalid sketch of the"
              + " %s texts: %s rows of dimension %s (must be non-empty, dimension %s)",
          e.getKey(),
          s.count(),
          s.dimension(),
          text.dimension());
      m.put(e.getKey(), s);
    }
    aligned = Collections.unmodifiableMap(m);
  }
}
