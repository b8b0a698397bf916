package dev.realign.align;

import java.util.Arrays;

/** Which steps of ReAlign a transform applies (docs/design.md section 1). */
public enum Variant {
  /** Mean shift only: {@code normalize(t - mu_text + mu_image)}. */
  ANCHOR("anchor", false, false),
  /** Mean shift and trace matching: {@code normalize(mu_image + s (t - mu_text))}. */
  ANCHOR_TRACE("anchor-trace", true, false),
  /** Anchor, Trace and Centroid alignment: the paper's method and the default. */
  REALIGN("realign", true, true);

  public static final Variant DEFAULT = REALIGN;

  private final String id;
  private final boolean matchesTrace;
  private final boolean centroid;

  Variant(String id, boolean matchesTrace, boolean centroid) {
    this.id = id;
    this.matchesTrace = matchesTrace;
    this.centroid = centroid;
  }

  /** The name used in configs, on the command line and in {@code realign-transform.json}. */
  public String id() {
    return id;
  }

  public boolean matchesTrace() {
    return matchesTrace;
  }

  public boolean hasCentroidStep() {
    return centroid;
  }

  public static Variant fromId(String id) {
    for (Variant v : values()) {
      if (v.id.equals(id)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "Invalid variant: "
            + id
            + " (must be one of "
            + Arrays.stream(values()).map(Variant::id).toList()
            + ")");
  }

  @Override
  public String toString() {
    return id;
  }
}
