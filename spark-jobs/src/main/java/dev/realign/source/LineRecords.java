package dev.realign.source;

import dev.realign.vector.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.util.NoSuchElementException;

/**
 * The records of a line format (JSONL or TEXT) over {@link Utf8Lines}: TEXT gives one text per line
 * with id {@link StableIds#lineId}; JSONL goes through {@link JsonLineParser}. A line that is not
 * valid UTF-8 is {@link RejectReason#UNREADABLE_TEXT} with its {@code file:line}.
 */
final class LineRecords implements CorpusReader.Records {
  private final String rel;
  private final CorpusFormat format;
  private final Utf8Lines lines;
  private final JsonLineParser json;
  private CorpusRecord next;
  private boolean done;

  LineRecords(String rel, CorpusFormat format, Utf8Lines lines, JsonLineParser json) {
    this.rel = rel;
    this.format = format;
    this.lines = lines;
    this.json = json;
  }

  @Override
  public boolean hasNext() {
    if (next == null && !done) {
      try {
        if (lines.next()) {
          next = record();
        } else {
          done = true;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot read corpus file "
                + rel
                + " after line "
                + lines.lineNumber()
                + ": "
                + e.getMessage(),
            e);
      }
    }
    return next != null;
  }

  private CorpusRecord record() {
    long n = lines.lineNumber();
    String loc = CorpusRecord.location(rel, n);
    String line;
    try {
      line = lines.decode();
    } catch (CharacterCodingException e) {
      String id = format == CorpusFormat.TEXT ? StableIds.lineId(rel, n) : null;
      return CorpusRecord.rejected(
          id, loc, RejectReason.UNREADABLE_TEXT, "invalid UTF-8 at " + loc);
    }
    if (format == CorpusFormat.TEXT) {
      return CorpusRecord.ofText(StableIds.lineId(rel, n), line, loc);
    }
    return json.parse(rel, n, line);
  }

  @Override
  public CorpusRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    CorpusRecord r = next;
    next = null;
    return r;
  }

  @Override
  public void close() {
    try {
      lines.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close corpus file " + rel, e);
    }
  }
}
