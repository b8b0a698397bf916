package dev.realign.source;

import java.io.IOException;
import java.io.InputStream;

/**
 * The cheap first pass behind cut line files: how many lines start in a byte range. Line numbers
 * must be global (they are part of {@code file:line} locations and of generated ids), so the first
 * line of a range is numbered 1 + the lines that start in the ranges before it; this counts them at
 * the speed of a byte scan, without decoding.
 *
 * <p>A line starts at byte 0 of a non-empty file and after every {@code \n} that is not the file's
 * last byte. So the starts in {@code [start, end)} (with {@code end <= file length}) are: byte 0
 * when {@code start == 0}, plus one per {@code \n} in bytes {@code [max(start - 1, 0), end - 1)}.
 */
public final class LineStarts {
  private LineStarts() {}

  /**
   * Lines starting in {@code [start, end)} of a file whose stream {@code in} is positioned at
   * {@code max(start - 1, 0)}. Reads at most {@code end - max(start - 1, 0)} bytes; does not close
   * {@code in}.
   *
   * @throws IOException also when the file ends before {@code end - 1} (it changed since the plan)
   */
  public static long count(InputStream in, long start, long end) throws IOException {
    if (!(0 <= start && start < end)) {
      throw new IllegalArgumentException(
          "Invalid byte range: [" + start + ", " + end + ") (must be non-empty and start at >= 0)");
    }
    long from = Math.max(start - 1, 0);
    long left = end - 1 - from;
    long lines = start == 0 ? 1 : 0;
    byte[] buf = new byte[1 << 16];
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException(
            "file ended "
                + left
                + " bytes before byte "
                + (end - 1)
                + " (it changed while being read?)");
      }
      for (int i = 0; i < n; i++) {
        if (buf[i] == '\n') {
          lines++;
        }
      }
      left -= n;
    }
    return lines;
  }
}
