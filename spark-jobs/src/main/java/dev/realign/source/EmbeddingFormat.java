package dev.realign.source;

import java.util.Locale;

/** On-disk forms of an embedding set. */
public enum EmbeddingFormat {
  NPY,
  PARQUET;

  /** The format of a file by its extension, or null when the extension says nothing. */
  public static EmbeddingFormat ofFileName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".npy")) {
      return NPY;
    }
    if (n.endsWith(".parquet") || n.endsWith(".parq")) {
      return PARQUET;
    }
    return null;
  }

  /** {@code auto}, {@code npy} or {@code parquet} (a config value). */
  public static EmbeddingFormat fromConfig(String value) {
    return switch (value) {
      case "auto" -> null;
      case "npy" -> NPY;
      case "parquet" -> PARQUET;
      default ->
          throw new IllegalArgumentException(
              "Invalid embedding format: " + value + " (must be one of [auto, npy, parquet])");
    };
  }
}
