package dev.realign.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A seeded byte mutator for the {@code *FuzzTest} classes: bit flips, random and boundary bytes,
 * boundary integers (both byte orders), truncation, insertion, deletion and copied chunks, plus,
 * for text, numbers and strings replaced by hostile ones. The same seed gives the same mutations,
 * so a finding is replayed from the seed the failure prints.
 */
public final class Mutator {
  /** The budget: mutations per target ({@code -Drealign.fuzz.iterations=N}). */
  public static final String ITERATIONS = "realign.fuzz.iterations";

  private static final byte[] BYTES = {
    0, 1, -1, 0x7f, (byte) 0x80, '-', '0', '9', ',', '.', '"', '/', ' ', '}', ']', 'e', '\n', '\\'
  };
  private static final long[] INTS = {
    0,
    1,
    -1,
    2,
    127,
    255,
    65535,
    Integer.MAX_VALUE,
    Integer.MIN_VALUE,
    1L << 31,
    1L << 46,
    Long.MAX_VALUE,
    Long.MIN_VALUE
  };
  private static final String[] NUMBERS = {
    "0",
    "-1",
    "-5",
    "1e999",
    "-0",
    "9223372036854775808",
    "10000000000000",
    "2147483648",
    "1.5",
    "NaN",
    "1e-400",
    "70368744177664"
  };
  private static final String[] STRINGS = {
    "",
    "../../../moved.txt",
    "/nonexistent-realign-fuzz/victim.txt",
    "a/b",
    "..",
    "file:/x",
    "\\u0000",
    "x"
  };
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
  private static final Pattern STRING = Pattern.compile("\"[^\"\\\\]*\"");

  private Mutator() {}

  /** The budget from {@link #ITERATIONS}, else {@code fallback}. */
  public static int iterations(int fallback) {
    return Integer.getInteger(ITERATIONS, fallback);
  }

  /** One to four mutations of {@code clean} (never returns the same array). */
  public static byte[] mutate(byte[] clean, Random rnd, boolean text) {
    byte[] b = clean.clone();
    int ops = 1 + rnd.nextInt(4);
    for (int k = 0; k < ops; k++) {
      b = once(b, rnd, text);
    }
    return b;
  }

  private static byte[] once(byte[] b, Random rnd, boolean text) {
    int n = b.length;
    if (n == 0) {
      return new byte[] {BYTES[rnd.nextInt(BYTES.length)]};
    }
    int at = rnd.nextInt(n);
    switch (rnd.nextInt(text ? 11 : 9)) {
      case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
      case 1 -> b[at] = (byte) rnd.nextInt(256);
      case 2 -> b[at] = BYTES[rnd.nextInt(BYTES.length)];
      case 3 -> {
        int width = rnd.nextBoolean() ? 4 : 8;
        if (n >= width) {
          int p = rnd.nextInt(n - width + 1);
          ByteBuffer bb =
              ByteBuffer.wrap(b)
                  .order(rnd.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
          long v = INTS[rnd.nextInt(INTS.length)];
          if (width == 4) {
            bb.putInt(p, (int) v);
          } else {
            bb.putLong(p, v);
          }
        }
      }
      case 4 -> {
        return Arrays.copyOf(b, at);
      }
      case 5 -> {
        byte[] ins = new byte[1 + rnd.nextInt(8)];
        rnd.nextBytes(ins);
        return splice(b, at, 0, ins);
      }
      case 6 -> {
        return splice(b, at, Math.min(n - at, 1 + rnd.nextInt(8)), new byte[0]);
      }
      case 7 -> {
        int from = rnd.nextInt(n);
        int len = Math.min(Math.min(n - from, n - at), 1 + rnd.nextInt(16));
        System.arraycopy(b.clone(), from, b, at, len);
      }
      case 8 -> b[at] = (byte) (b[at] + (rnd.nextBoolean() ? 1 : -1));
      case 9 -> {
        return replaceToken(b, rnd, NUMBER, NUMBERS);
      }
      default -> {
        return replaceToken(b, rnd, STRING, STRINGS);
      }
    }
    return b;
  }

  private static byte[] replaceToken(byte[] b, Random rnd, Pattern p, String[] choices) {
    String s = new String(b, StandardCharsets.ISO_8859_1);
    Matcher m = p.matcher(s);
    int count = 0;
    while (m.find()) {
      count++;
    }
    if (count == 0) {
      return b;
    }
    int pick = rnd.nextInt(count);
    m.reset();
    for (int i = 0; i <= pick; i++) {
      m.find();
    }
    String with = choices[rnd.nextInt(choices.length)];
    if (p == STRING) {
      with = "\"" + with + "\"";
    }
    return (s.substring(0, m.start()) + with + s.substring(m.end()))
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
    byte[] out = new byte[b.length - remove + insert.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
    return out;
  }

  /** The longest one execution may take before it counts as a hang. */
  public static final java.time.Duration HANG = java.time.Duration.ofSeconds(20);

  /**
   * Runs one execution on a watched thread: a hang fails the test (whatever the budget) instead of
   * the whole run; exceptions and errors come out as thrown.
   */
  public static <T> T watched(
      org.junit.jupiter.api.function.ThrowingSupplier<T> execution, long seed, int iteration) {
    return org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        HANG, execution, () -> "seed " + seed + " iteration " + iteration + ": a hang");
  }

  /** Every message in the cause chain, for checking that an error names its file. */
  public static String messages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c.getMessage()).append(" | ");
    }
    return sb.toString();
  }

  /**
   * Fails unless {@code t} is an ordinary exception (never an Error such as OutOfMemoryError or
   * StackOverflowError) whose messages name {@code file}.
   */
  public static void requireCleanError(Throwable t, String file, long seed, int iteration) {
    if (t instanceof Error || !messages(t).contains(file)) {
      AssertionError e =
          new AssertionError(
              "seed "
                  + seed
                  + " iteration "
                  + iteration
                  + ": expected an error naming "
                  + file
                  + ", got "
                  + t);
      e.initCause(t);
      throw e;
    }
  }
}
