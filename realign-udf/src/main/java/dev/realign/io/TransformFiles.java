package dev.realign.io;

import dev.realign.align.ReAlignTransform;
import dev.realign.align.TransformJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code realign-transform.json} on a local file system (the jobs and the Spark face use Hadoop
 * paths). Lives in {@code io}, not beside {@link TransformJson}: the math packages touch no files.
 */
public final class TransformFiles {
  private TransformFiles() {}

  public static void write(ReAlignTransform t, Path file) {
    try {
      Files.writeString(file, TransformJson.toJson(t), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write transform " + file, e);
    }
  }

  /** Reads and verifies (sha256) a transform; errors name the file. */
  public static ReAlignTransform read(Path file) {
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read transform " + file, e);
    }
    try {
      return TransformJson.fromJson(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " [in " + file + "]", e);
    }
  }
}
