package dev.realign.source;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Text corpus file formats. Each may be gzip-compressed ({@code .gz} appended to the extension);
 * Parquet's own column compression is read as is.
 */
public enum CorpusFormat {
  /** One JSON object per line; id and text fields are configurable. */
  JSONL(".jsonl", ".ndjson"),
  /** One text per line (UTF-8); ids are derived from the file and line (see {@link StableIds}). */
  TEXT(".txt", ".text"),
  /** String columns for id (optional) and text. */
  PARQUET(".parquet");

  public static final String GZIP_SUFFIX = ".gz";

  private final List<String> extensions;

  CorpusFormat(String... extensions) {
    this.extensions = List.of(extensions);
  }

  public List<String> extensions() {
    return extensions;
  }

  /** Whether the file name ends in {@code .gz}. */
  public static boolean isGzip(String fileName) {
    return fileName.toLowerCase(Locale.ROOT).endsWith(GZIP_SUFFIX);
  }

  /** The format of a file from its name (case-insensitive, {@code .gz} stripped). */
  public static CorpusFormat detect(String fileName) {
    String name = fileName.toLowerCase(Locale.ROOT);
    if (name.endsWith(GZIP_SUFFIX)) {
      name = name.substring(0, name.length() - GZIP_SUFFIX.length());
    }
    for (CorpusFormat f : values()) {
      for (String ext : f.extensions) {
        if (name.endsWith(ext)) {
          return f;
        }
      }
    }
    throw new IllegalArgumentException(
        "Unknown corpus file type: "
            + fileName
            + " (must end in one of "
            + allExtensions()
            + ", optionally followed by .gz; or set the"
            + " format explicitly)");
  }

  /** Parses a configured format name: jsonl, text or parquet. */
  public static CorpusFormat parse(String name) {
    for (CorpusFormat f : values()) {
      if (f.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "Invalid corpus format: "
            + name
            + " (must be one of "
            + Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT)).toList()
            + ")");
  }

  private static List<String> allExtensions() {
    return Arrays.stream(values()).flatMap(f -> f.extensions.stream()).toList();
  }
}
