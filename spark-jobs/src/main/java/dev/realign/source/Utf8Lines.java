package dev.realign.source;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Lines of a byte stream, split on {@code \n} (a trailing {@code \r} is dropped), each decoded
 * strictly as UTF-8: malformed or unmappable bytes are reported per line, never replaced. A UTF-8
 * byte order mark at the start of the file is skipped. A last line without {@code \n} counts; the
 * empty rest after a final {@code \n} does not.
 *
 * <p>A byte range {@code [start, end)} of a file gives the lines that start inside it (see {@link
 * CorpusSplit}): the stream must be positioned at {@code start - 1} (or 0), the bytes up to the
 * first line start at or after {@code start} are skipped, and a line that starts before {@code end}
 * is read whole even when it runs past {@code end}. Since {@code \n} never occurs inside a
 * multi-byte UTF-8 sequence, no character is ever cut.
 */
final class Utf8Lines implements Closeable {
  private final InputStream in;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final byte[] buf = new byte[1 << 16];
  private final long end;
  private int pos;
  private int limit;

  /** File offset of {@code buf[0]}. */
  private long bufStart;

  private boolean eof;
  private byte[] line = new byte[256];
  private int lineLength;
  private long lineNumber;
  private boolean atFileStart;
  private boolean skipToLineStart;

  /** Every line of a whole stream, numbered from 1. */
  Utf8Lines(InputStream in) {
    this(in, 0, Long.MAX_VALUE, 1);
  }

  /**
   * The lines starting in {@code [start, end)}; {@code in} is positioned at {@code max(start - 1,
   * 0)}, and the first line read is numbered {@code firstNumber}.
   */
  Utf8Lines(InputStream in, long start, long end, long firstNumber) {
    this.in = in;
    this.end = end;
    this.lineNumber = firstNumber - 1;
    this.atFileStart = start == 0;
    this.skipToLineStart = start > 0;
    this.bufStart = Math.max(start - 1, 0);
  }

  /** Reads the next line into the buffer; false at the end of the stream or range. */
  boolean next() throws IOException {
    if (skipToLineStart) {
      skipToLineStart = false;
      if (!skipPastNewline()) {
        return false;
      }
    }
    if (bufStart + pos >= end) {
      return false;
    }
    lineLength = 0;
    boolean any = false;
    while (true) {
      if (pos == limit) {
        if (eof || !fill()) {
          eof = true;
          if (!any) {
            return false;
          }
          break;
        }
      }
      any = true;
      int from = pos;
      while (pos < limit && buf[pos] != '\n') {
        pos++;
      }
      append(from, pos - from);
      if (pos < limit) {
        pos++; // the \n
        break;
      }
    }
    if (lineLength > 0 && line[lineLength - 1] == '\r') {
      lineLength--;
    }
    lineNumber++;
    if (atFileStart) {
      atFileStart = false;
      if (lineLength >= 3
          && (line[0] & 0xff) == 0xEF
          && (line[1] & 0xff) == 0xBB
          && (line[2] & 0xff) == 0xBF) {
        System.arraycopy(line, 3, line, 0, lineLength - 3);
        lineLength -= 3;
      }
    }
    return true;
  }

  /** Consumes bytes up to and including the next {@code \n}; false when the stream ends first. */
  private boolean skipPastNewline() throws IOException {
    while (true) {
      if (pos == limit && (eof || !fill())) {
        eof = true;
        return false;
      }
      while (pos < limit) {
        if (buf[pos++] == '\n') {
          return true;
        }
      }
    }
  }

  /** Number of the current line (1-based within its file). */
  long lineNumber() {
    return lineNumber;
  }

  /** The current line decoded; throws when it is not valid UTF-8. */
  String decode() throws CharacterCodingException {
    decoder.reset();
    CharBuffer chars = decoder.decode(ByteBuffer.wrap(line, 0, lineLength));
    return chars.toString();
  }

  private void append(int from, int n) {
    if (lineLength + n > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + n));
    }
    System.arraycopy(buf, from, line, lineLength, n);
    lineLength += n;
  }

  private boolean fill() throws IOException {
    int n = in.read(buf);
    if (n <= 0) {
      return false;
    }
    bufStart += limit;
    pos = 0;
    limit = n;
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
