package dev.realign.config;

import java.util.Arrays;
import java.util.Locale;

/**
 * The two sides of an alignment. Each has its own input keys; everything else (columns, split size)
 * is shared. An enum so that a misspelt role fails instead of reading as the other side.
 */
public enum Modality {
  TEXT(ConfigKeys.TEXT_EMBEDDINGS, ConfigKeys.TEXT_FORMAT, ConfigKeys.TEXT_METADATA),
  IMAGE(ConfigKeys.IMAGE_EMBEDDINGS, ConfigKeys.IMAGE_FORMAT, ConfigKeys.IMAGE_METADATA);

  private final String pathKey;
  private final String formatKey;
  private final String metadataKey;

  Modality(String pathKey, String formatKey, String metadataKey) {
    this.pathKey = pathKey;
    this.formatKey = formatKey;
    this.metadataKey = metadataKey;
  }

  /** The name in paths ({@code stats/text.sketch}), manifests and messages. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** {@code input.<id>.path}. */
  public String pathKey() {
    return pathKey;
  }

  /** {@code input.<id>.format}. */
  public String formatKey() {
    return formatKey;
  }

  /** {@code input.<id>.metadata}. */
  public String metadataKey() {
    return metadataKey;
  }

  /** Parses {@code text} or {@code image} (case-insensitive). */
  public static Modality fromString(String text) {
    for (Modality m : values()) {
      if (m.id().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "Invalid modality: "
            + text
            + " (must be one of "
            + Arrays.stream(values()).map(Modality::id).toList()
            + ")");
  }

  @Override
  public String toString() {
    return id();
  }
}
