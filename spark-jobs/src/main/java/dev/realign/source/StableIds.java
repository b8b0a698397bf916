package dev.realign.source;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Ids for records that carry none (plain text files, JSONL or Parquet without an id field): {@code
 * <first 16 hex digits of sha256(relative path)>-<n>}, where the relative path is the file's path
 * under the input root with {@code /} separators, UTF-8 encoded, and n is the 1-based line (or row)
 * number. Example: {@code captions/part-1.txt} line 7 gives {@code 3f1c...(16 hex)-7}. The same
 * file under the same root gives the same ids on any machine, wherever the root is mounted;
 * renaming or moving the file changes them.
 */
public final class StableIds {
  private StableIds() {}

  /** The id prefix of one file: 16 lowercase hex digits (64 bits of its path's SHA-256). */
  public static String filePrefix(String relativePath) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest(relativePath.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  public static String lineId(String relativePath, long lineNumber) {
    return filePrefix(relativePath) + "-" + lineNumber;
  }
}
