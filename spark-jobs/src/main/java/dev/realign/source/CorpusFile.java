package dev.realign.source;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One corpus file: where it is, its path relative to the input root ({@code /}-separated; part of
 * generated ids, so it must not depend on where the corpus is mounted), its format and whether it
 * is gzip-compressed.
 */
public record CorpusFile(Path path, String relativePath, CorpusFormat format, boolean gzip) {
  public CorpusFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(relativePath, "relativePath");
    Objects.requireNonNull(format, "format");
  }

  /** A file whose format and compression follow from its name. */
  public static CorpusFile of(Path path, String relativePath) {
    String name = path.getFileName().toString();
    return new CorpusFile(path, relativePath, CorpusFormat.detect(name), CorpusFormat.isGzip(name));
  }
}
