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
 * byte order mark at the start of the stream is skipped. A last line without {@code \n} counts; the
 * empty rest after a final {@code \n} does not.
 */
final class Utf8Lines implements Closeable {
  private final InputStream in;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int limit;
  private boolean eof;
  private byte[] line = new byte[256];
  private int lineLength;
  private long lineNumber;
  private boolean first = true;

  Utf8Lines(InputStream in) {
    this.in = in;
  }

  /** Reads the next line into the buffer; false at the end of the stream. */
  boolean next() throws IOException {
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
      int start = pos;
      while (pos < limit && buf[pos] != '\n') {
        pos++;
      }
      append(start, pos - start);
      if (pos < limit) {
        pos++; // the \n
        break;
      }
    }
    if (lineLength > 0 && line[lineLength - 1] == '\r') {
      lineLength--;
    }
    lineNumber++;
    if (first) {
      first = false;
      if (lineLength >= 3 && (line[0] & 0xff) == 0xEF && (line[1] & 0xff) == 0xBB
          && (line[2] & 0xff) == 0xBF) {
        System.arraycopy(line, 3, line, 0, lineLength - 3);
        lineLength -= 3;
      }
    }
    return true;
  }

  /** 1-based number of the current line. */
  long lineNumber() {
    return lineNumber;
  }

  /** The current line decoded; throws when it is not valid UTF-8. */
  String decode() throws CharacterCodingException {
    decoder.reset();
    CharBuffer chars = decoder.decode(ByteBuffer.wrap(line, 0, lineLength));
    return chars.toString();
  }

  private void append(int start, int n) {
    if (lineLength + n > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + n));
    }
    System.arraycopy(buf, start, line, lineLength, n);
    lineLength += n;
  }

  private boolean fill() throws IOException {
    int n = in.read(buf);
    if (n <= 0) {
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
