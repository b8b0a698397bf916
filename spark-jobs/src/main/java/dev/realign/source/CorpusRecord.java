package dev.realign.source;

import dev.realign.vector.RejectReason;
import java.util.Objects;

/**
 * One record of a corpus file: a text with its id, or a reject. {@code location} is {@code
 * <relative path>:<n>} with n the 1-based line (JSONL, text) or row (Parquet) number, so every
 * reject can be found in its file.
 */
public record CorpusRecord(
    String id, String text, String location, RejectReason reject, String detail) {
  public CorpusRecord {
    Objects.requireNonNull(location, "location");
    if (reject == null) {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(text, "text");
    }
  }

  public static CorpusRecord ok(String id, String text, String location) {
    return new CorpusRecord(id, text, location, null, null);
  }

  /** A reject; {@code id} is kept when it was readable, else null. */
  public static CorpusRecord rejected(
      String id, String location, RejectReason reason, String detail) {
    return new CorpusRecord(id, null, location, Objects.requireNonNull(reason, "reason"), detail);
  }

  /** A text record, or an {@link RejectReason#EMPTY_TEXT} reject when the text is null or blank. */
  public static CorpusRecord ofText(String id, String text, String location) {
    if (text == null || text.isBlank()) {
      return rejected(id, location, RejectReason.EMPTY_TEXT, "empty text at " + location);
    }
    return ok(id, text, location);
  }

  /** {@code <relative path>:<n>}. */
  public static String location(String relativePath, long n) {
    return relativePath + ":" + n;
  }

  public boolean isRejected() {
    return reject != null;
  }
}
