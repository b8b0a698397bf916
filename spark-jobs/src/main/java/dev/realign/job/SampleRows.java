package dev.realign.job;

import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSplit;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import dev.realign.vector.RowValidator;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.broadcast.Broadcast;

/**
 * Deterministic samples of valid rows: a row is in the sample when the hash of its id is among the
 * {@code n} smallest. The sample does not depend on partitioning or file order, and the same ids
 * give the same sample in every run. A sample as large as the data is the whole (valid) data.
 *
 * <p>The hash is FNV-1a 64 over the id's UTF-8 bytes, finished with MurmurHash3's fmix64.
 */
final class SampleRows {
  private SampleRows() {}

  /**
   * A sampled row. A plain class (Kryo cannot serialise records). The vector travels as its
   * little-endian float32 bytes: task results carry thousands of sampled rows (14 MB a task at the
   * defaults), and serialisers write a {@code byte[]} in one copy but a {@code float[]} a float at
   * a time, which on a cold JVM took 0.1-0.4 s a task (measured: the stats tasks of a 200k-row
   * run).
   */
  static final class Sampled implements Serializable {
    private static final long serialVersionUID = 2L;
    final long hash;
    final String id;
    private final byte[] bytes;

    Sampled(long hash, String id, float[] flat, int off, int dim) {
      this.hash = hash;
      this.id = id;
      this.bytes = new byte[4 * dim];
      floats(bytes).put(flat, off, dim);
    }

    /** A row from its vector's little-endian float32 bytes (not copied). */
    Sampled(long hash, String id, byte[] littleEndianFloats) {
      this.hash = hash;
      this.id = id;
      this.bytes = littleEndianFloats;
    }

    /** The vector into {@code out} at {@code off}. */
    void copyTo(float[] out, int off) {
      floats(bytes).get(out, off, bytes.length / 4);
    }

    float[] vector() {
      float[] v = new float[bytes.length / 4];
      copyTo(v, 0);
      return v;
    }

    private static java.nio.FloatBuffer floats(byte[] b) {
      return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }
  }

  static long idHash(String id) {
    long h = 0xcbf29ce484222325L;
    int n = id.length();
    int i = 0;
    // ASCII chars are their own UTF-8 bytes: most ids hash without encoding them first (the stats
    // pass hashes every row's id, twice where it looks for duplicates).
    for (char c; i < n && (c = id.charAt(i)) < 0x80; i++) {
      h ^= c;
      h *= 0x100000001b3L;
    }
    if (i < n) {
      for (byte b : id.substring(i).getBytes(StandardCharsets.UTF_8)) {
        h ^= b & 0xff;
        h *= 0x100000001b3L;
      }
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /**
   * The {@code n} valid rows with the smallest id hashes (ties by id), in that order.
   *
   * @param validRows the set's valid-row count (from the stats), to size the pre-filter
   */
  static List<Sampled> sample(
      JobContext ctx, EmbeddingSet set, long[] duplicates, int n, long validRows, String what) {
    // Keep about 1.25 n rows per pass on average, then take the n smallest at the driver; widen
    // the filter and retry in the rare case the first pass kept fewer than n.
    double fraction = fraction(1.25, n, validRows);
    while (true) {
      List<Sampled> kept = pass(ctx, set, duplicates, fraction, what);
      if (kept.size() >= n || fraction >= 1.0) {
        return smallest(kept, n);
      }
      fraction = Math.min(1.0, fraction * 2);
    }
  }

  /** The share of the hash range that holds about {@code factor x n} of {@code rows} rows. */
  static double fraction(double factor, int n, long rows) {
    return Math.min(1.0, factor * n / Math.max(1, rows) + 1e-9);
  }

  /** The unsigned hash threshold of a fraction: rows with {@code hash <= fraction * 2^64}. */
  static long threshold(double fraction) {
    return fraction >= 1.0
        ? -1L
        : new java.math.BigDecimal(fraction)
            .multiply(new java.math.BigDecimal(java.math.BigInteger.ONE.shiftLeft(64)))
            .toBigInteger()
            .longValue();
  }

  private static final Comparator<Sampled> ORDER =
      Comparator.<Sampled>comparingLong(s -> s.hash ^ Long.MIN_VALUE).thenComparing(s -> s.id);

  /** The {@code n} smallest of {@code rows} by (unsigned hash, id), in that order (a new list). */
  static ArrayList<Sampled> smallest(List<Sampled> rows, int n) {
    List<Sampled> sorted = new ArrayList<>(rows);
    sorted.sort(ORDER);
    return new ArrayList<>(sorted.subList(0, Math.min(n, sorted.size())));
  }

  /**
   * The sample drawn as a side product of a pass that reads and validates every row (the stats
   * pass): each task keeps its valid rows under a hash threshold, partial draws merge keeping the
   * {@code n} smallest (exact: the n smallest of a union are among the n smallest of its parts),
   * and the result is the sample of {@link #sample} when at least {@code n} rows fell under the
   * threshold or the threshold is the whole range ({@link #complete}); otherwise the caller falls
   * back to a sampling pass.
   *
   * <p>A draw travels between tasks and the driver in its own byte form ({@link #encode}), never as
   * objects: Java serialisation of its thousands of rows a task made the JDK's serialiser hot
   * enough for C2, which spent about a second of CPU compiling {@code writeObject0} and {@code
   * readSerialData} in every default {@code run} (JFR's compilation events).
   */
  static final class Draw {
    /** The first byte of {@link #encode}'s form. */
    static final byte CODEC_VERSION = 1;

    final int n;
    final long threshold;
    final boolean wholeRange;
    final ArrayList<Sampled> rows;

    /** Keeps rows under the threshold of {@code fraction}; {@code n = 0} keeps nothing. */
    Draw(int n, double fraction) {
      this(n, threshold(fraction), fraction >= 1.0, new ArrayList<>());
    }

    private Draw(int n, long threshold, boolean wholeRange, ArrayList<Sampled> rows) {
      this.n = n;
      this.threshold = threshold;
      this.wholeRange = wholeRange;
      this.rows = rows;
    }

    static Draw none() {
      return new Draw(0, 0L, false, new ArrayList<>());
    }

    /** Offers a row the caller has validated (and that is not a later duplicate). */
    void offer(String id, float[] flat, int off, int dim) {
      if (n > 0) {
        offer(id, idHash(id), flat, off, dim);
      }
    }

    /** {@link #offer}, with the id's {@link #idHash} already computed. */
    void offer(String id, long hash, float[] flat, int off, int dim) {
      if (n > 0 && Long.compareUnsigned(hash, threshold) <= 0) {
        rows.add(new Sampled(hash, id, flat, off, dim));
      }
    }

    /** Whether the draw holds the exact sample of {@link #sample}. */
    boolean complete() {
      return n > 0 && (rows.size() >= n || wholeRange);
    }

    static Draw merge(Draw a, Draw b) {
      if (a.n == 0) {
        return b;
      }
      if (b.n == 0) {
        return a;
      }
      ArrayList<Sampled> all = new ArrayList<>(a.rows.size() + b.rows.size());
      all.addAll(a.rows);
      all.addAll(b.rows);
      int n = Math.max(a.n, b.n);
      return new Draw(n, a.threshold, a.wholeRange, all.size() > n ? smallest(all, n) : all);
    }

    /** The sample, in order; only meaningful when {@link #complete}. */
    List<Sampled> sample() {
      return smallest(rows, n);
    }

    /**
     * The draw as bytes, rows in the order held: version byte, {@code n}, threshold, whole-range
     * flag, row count and dimension, then per row its hash, its id's length in chars and the chars
     * (UTF-16, as the String holds them: lossless for any id, so ties order as the objects do) and
     * its vector's little-endian float32 bytes (other fields big-endian).
     */
    byte[] encode() {
      long size = HEADER;
      int dim = rows.isEmpty() ? 0 : rows.get(0).bytes.length / 4;
      for (Sampled r : rows) {
        size += 8 + 4 + 2L * r.id.length() + 4L * dim;
      }
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(checkSize(size));
      b.put(CODEC_VERSION)
          .putInt(n)
          .putLong(threshold)
          .put((byte) (wholeRange ? 1 : 0))
          .putInt(rows.size())
          .putInt(dim);
      for (Sampled r : rows) {
        b.putLong(r.hash).putInt(r.id.length());
        for (int c = 0; c < r.id.length(); c++) {
          b.putChar(r.id.charAt(c));
        }
        b.put(r.bytes);
      }
      return b.array();
    }

    /** The id of {@code chars} chars at byte {@code at}. */
    private static String id(java.nio.ByteBuffer b, int at, int chars) {
      char[] c = new char[chars];
      for (int i = 0; i < chars; i++) {
        c[i] = b.getChar(at + 2 * i);
      }
      return new String(c);
    }

    private static int checkSize(long bytes) {
      if (bytes > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException(
            "Invalid sample draw: "
                + bytes
                + " bytes (must fit in an"
                + " array; lower report.sample_rows)");
      }
      return (int) bytes;
    }

    /** Bytes before the first row in {@link #encode}'s form. */
    private static final int HEADER = 1 + 4 + 8 + 1 + 4 + 4;

    /** Where the header's fields lie: version at 0, then n, threshold, whole-range, count, dim. */
    private static final int N_AT = 1;

    private static final int THRESHOLD_AT = 5;
    private static final int WHOLE_AT = 13;
    private static final int COUNT_AT = 14;
    private static final int DIM_AT = 18;

    /**
     * {@link #merge} of two draws in {@link #encode}'s form, without making objects of their rows:
     * the rows' bytes are concatenated when they fit in {@code n}, else the {@code n} smallest are
     * copied in order. The result is the bytes of {@code merge(decode(a), decode(b)).encode()}.
     * Merging a task's 14 MB draws as objects (decode both, re-encode) took 30-70 ms a merge on the
     * driver's scheduler thread, and two merges inside every task.
     */
    static byte[] mergeEncoded(byte[] a, byte[] b) {
      java.nio.ByteBuffer ha = header(a);
      java.nio.ByteBuffer hb = header(b);
      int na = ha.getInt(N_AT);
      int nb = hb.getInt(N_AT);
      if (na == 0) {
        return b;
      }
      if (nb == 0) {
        return a;
      }
      int ca = ha.getInt(COUNT_AT);
      int cb = hb.getInt(COUNT_AT);
      int dim = ca > 0 ? ha.getInt(DIM_AT) : hb.getInt(DIM_AT);
      if (ca > 0 && cb > 0 && ha.getInt(DIM_AT) != hb.getInt(DIM_AT)) {
        throw new IllegalArgumentException(
            "Invalid sample draws: dimensions "
                + ha.getInt(DIM_AT)
                + " and "
                + hb.getInt(DIM_AT)
                + " (must be equal)");
      }
      int n = Math.max(na, nb);
      int total = ca + cb;
      if (total <= n) {
        byte[] out = new byte[checkSize((long) a.length + b.length - HEADER)];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, HEADER, out, a.length, b.length - HEADER);
        java.nio.ByteBuffer.wrap(out).putInt(N_AT, n).putInt(COUNT_AT, total).putInt(DIM_AT, dim);
        return out;
      }
      // Row k of the pair: its source, offset and length; then the n smallest by (hash, id).
      byte[][] src = new byte[total][];
      int[] off = new int[total];
      int[] len = new int[total];
      long[] hash = new long[total];
      String[] id = new String[total];
      index(a, ca, dim, 0, src, off, len, hash, id);
      index(b, cb, dim, ca, src, off, len, hash, id);
      Integer[] order = new Integer[total];
      for (int k = 0; k < total; k++) {
        order[k] = k;
      }
      java.util.Arrays.sort(
          order,
          Comparator.<Integer>comparingLong(k -> hash[k] ^ Long.MIN_VALUE)
              .thenComparing(k -> id[k]));
      long size = HEADER;
      for (int k = 0; k < n; k++) {
        size += len[order[k]];
      }
      byte[] out = new byte[checkSize(size)];
      System.arraycopy(a, 0, out, 0, HEADER);
      java.nio.ByteBuffer.wrap(out).putInt(N_AT, n).putInt(COUNT_AT, n).putInt(DIM_AT, dim);
      int at = HEADER;
      for (int k = 0; k < n; k++) {
        int r = order[k];
        System.arraycopy(src[r], off[r], out, at, len[r]);
        at += len[r];
      }
      return out;
    }

    private static java.nio.ByteBuffer header(byte[] bytes) {
      if (bytes.length < HEADER || bytes[0] != CODEC_VERSION) {
        throw new IllegalArgumentException(
            "Invalid sample draw: "
                + (bytes.length < HEADER
                    ? bytes.length + " bytes (must be >= " + HEADER + ")"
                    : "codec version " + bytes[0] + " (must be " + CODEC_VERSION + ")"));
      }
      return java.nio.ByteBuffer.wrap(bytes);
    }

    /** Where each of the {@code count} rows of {@code bytes} lies, from slot {@code first} on. */
    private static void index(
        byte[] bytes,
        int count,
        int dim,
        int first,
        byte[][] src,
        int[] off,
        int[] len,
        long[] hash,
        String[] id) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
      int at = HEADER;
      for (int i = 0; i < count; i++) {
        int k = first + i;
        if (at + 12 > bytes.length || at + 12L + 2L * b.getInt(at + 8) + 4L * dim > bytes.length) {
          throw new IllegalArgumentException(
              "Invalid sample draw: row "
                  + i
                  + " of "
                  + count
                  + " runs past its "
                  + bytes.length
                  + " bytes (must be whole; truncated?)");
        }
        int chars = b.getInt(at + 8);
        src[k] = bytes;
        off[k] = at;
        len[k] = 8 + 4 + 2 * chars + 4 * dim;
        hash[k] = b.getLong(at);
        id[k] = id(b, at + 12, chars);
        at += len[k];
      }
      if (at != bytes.length) {
        throw new IllegalArgumentException(
            "Invalid sample draw: "
                + (bytes.length - at)
                + " bytes after its "
                + count
                + " rows (must end there)");
      }
    }

    /**
     * The draw of {@link #encode}'s bytes, through the same parser as {@link #mergeEncoded} ({@link
     * #header} and {@link #index}).
     */
    static Draw decode(byte[] bytes) {
      java.nio.ByteBuffer h = header(bytes);
      int count = h.getInt(COUNT_AT);
      int dim = h.getInt(DIM_AT);
      byte[][] src = new byte[count][];
      int[] off = new int[count];
      int[] len = new int[count];
      long[] hash = new long[count];
      String[] id = new String[count];
      index(bytes, count, dim, 0, src, off, len, hash, id);
      ArrayList<Sampled> rows = new ArrayList<>(count);
      for (int k = 0; k < count; k++) {
        int end = off[k] + len[k];
        rows.add(
            new Sampled(hash[k], id[k], java.util.Arrays.copyOfRange(bytes, end - 4 * dim, end)));
      }
      return new Draw(h.getInt(N_AT), h.getLong(THRESHOLD_AT), h.get(WHOLE_AT) != 0, rows);
    }
  }

  private static List<Sampled> pass(
      JobContext ctx, EmbeddingSet set, long[] duplicates, double fraction, String what) {
    Broadcast<SerializableHadoopConf> conf = ctx.hadoopConf;
    Broadcast<long[]> dups = ctx.jsc.broadcast(duplicates);
    // Unsigned threshold on the hash: keep rows with hash <= fraction * 2^64.
    long threshold = threshold(fraction);
    int dim = set.dim();
    ctx.jsc.setJobDescription("realign: sample of " + what);
    return ctx.jsc
        .parallelize(set.splits(), set.splits().size())
        .flatMap(
            (EmbeddingSplit split) -> {
              List<Sampled> out = new ArrayList<>();
              RowBatch batch = SplitSource.newBatch(set);
              try (SplitReader r = SplitSource.open(set, split, conf.value().get(), dups.value())) {
                while (r.next(batch)) {
                  for (int i = 0; i < batch.size; i++) {
                    if (batch.reasons[i] != null) {
                      continue;
                    }
                    // The hash first: only the ~1.25 n kept rows pay for the validity check.
                    long h = idHash(batch.ids[i]);
                    if (Long.compareUnsigned(h, threshold) <= 0
                        && RowValidator.normOrNegative(batch.flat, i * dim, dim) >= 0) {
                      out.add(new Sampled(h, batch.ids[i], batch.flat, i * dim, dim));
                    }
                  }
                }
              }
              return out.iterator();
            })
        .collect();
  }

  static float[] flat(List<Sampled> rows, int dim) {
    float[] out = new float[rows.size() * dim];
    for (int i = 0; i < rows.size(); i++) {
      rows.get(i).copyTo(out, i * dim);
    }
    return out;
  }
}
