package dev.realign.sink;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * An append-only byte buffer in fixed-size segments, for a column chunk's buffered row group (64
 * MiB of vectors). One big growable array costs a copy per doubling and was allocated afresh,
 * zeroed and faulted in, for every shard. Segments go back to a pool shared by the JVM's writers,
 * so the next row group or shard reuses warm memory. They are large on purpose: G1 allocates an
 * array of half a region or more as a humongous object, which a young collection never copies (256
 * KiB segments were copied between survivor spaces, up to 64 MiB a writer, until promoted).
 */
final class SegmentedBytes {
  /**
   * Bytes per segment: 4 MiB less room for the array header, so a segment fills whole regions (two
   * of 2 MiB, G1's size for a 4 GiB heap; four of 1 MiB) and is humongous up to 4 MiB regions (8
   * GiB heaps and below). A multiple of 4: float data starting a segment never straddles two.
   */
  static final int SEGMENT = (4 << 20) - 64;

  /** Bytes per write to the output stream: the JVM copies a write through a native buffer. */
  static final int WRITE_BYTES = 256 << 10;

  /** Idle segments the pool keeps (128 MiB); more are left to the garbage collector. */
  static final int MAX_POOLED = 32;

  private static final ConcurrentLinkedQueue<byte[]> POOL = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger POOLED = new AtomicInteger();

  private final List<byte[]> segments = new ArrayList<>();

  /** Bytes used in the last segment. */
  private int fill = SEGMENT;

  private long size;

  long size() {
    return size;
  }

  private static byte[] take() {
    byte[] s = POOL.poll();
    if (s == null) {
      return new byte[SEGMENT];
    }
    POOLED.decrementAndGet();
    return s;
  }

  private static void give(byte[] s) {
    if (POOLED.incrementAndGet() <= MAX_POOLED) {
      POOL.offer(s);
    } else {
      POOLED.decrementAndGet();
    }
  }

  /** The last segment, after adding a new one when it is full. */
  private byte[] tail() {
    if (fill == SEGMENT) {
      segments.add(take());
      fill = 0;
    }
    return segments.get(segments.size() - 1);
  }

  void put(byte[] b, int off, int len) {
    while (len > 0) {
      byte[] seg = tail();
      int n = Math.min(len, SEGMENT - fill);
      System.arraycopy(b, off, seg, fill, n);
      fill += n;
      size += n;
      off += n;
      len -= n;
    }
  }

  /** PLAIN FLOAT: the raw bits (NaN payloads too), 4 bytes little-endian each. */
  void putFloats(float[] v, int off, int len) {
    while (len > 0) {
      byte[] seg = tail();
      int n = Math.min(len, (SEGMENT - fill) >> 2);
      if (n == 0) { // fewer than 4 bytes left in the segment: this float straddles two
        int bits = Float.floatToRawIntBits(v[off]);
        for (int k = 0; k < 4; k++) {
          tail()[fill++] = (byte) (bits >>> (8 * k));
          size++;
        }
        off++;
        len--;
        continue;
      }
      ByteBuffer.wrap(seg, fill, 4 * n)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer()
          .put(v, off, n);
      fill += 4 * n;
      size += 4L * n;
      off += n;
      len -= n;
    }
  }

  /** FLOAT16: each float rounded to the nearest half (ties to even), 2 bytes little-endian. */
  void putHalves(float[] v, int off, int len) {
    for (int j = 0; j < len; j++) {
      short h = dev.realign.vector.Float16.fromFloat(v[off + j]);
      tail()[fill++] = (byte) h;
      tail()[fill++] = (byte) (h >>> 8);
      size += 2;
    }
  }

  /** Adds bytes {@code [from, to)} to {@code crc}. */
  void updateCrc(CRC32 crc, long from, long to) {
    forEachRange(from, to, crc::update);
  }

  /** Writes bytes {@code [from, to)} to {@code out}, at most {@link #WRITE_BYTES} per call. */
  void writeTo(OutputStream out, long from, long to) throws IOException {
    IOException[] failure = new IOException[1];
    forEachRange(
        from,
        to,
        (seg, off, len) -> {
          for (int at = off; at < off + len && failure[0] == null; at += WRITE_BYTES) {
            try {
              out.write(seg, at, Math.min(WRITE_BYTES, off + len - at));
            } catch (IOException e) {
              failure[0] = e;
            }
          }
        });
    if (failure[0] != null) {
      throw failure[0];
    }
  }

  private interface Range {
    void accept(byte[] seg, int off, int len);
  }

  private void forEachRange(long from, long to, Range r) {
    if (from < 0 || to > size || from > to) {
      throw new IllegalArgumentException(
          "Invalid byte range: [" + from + ", " + to + ") (must lie within [0, " + size + "))");
    }
    long at = from;
    while (at < to) {
      int s = (int) (at / SEGMENT);
      int off = (int) (at % SEGMENT);
      int len = (int) Math.min(to - at, SEGMENT - off);
      r.accept(segments.get(s), off, len);
      at += len;
    }
  }

  /** Empties the buffer and returns its segments to the pool. */
  void clear() {
    for (byte[] s : segments) {
      give(s);
    }
    segments.clear();
    fill = SEGMENT;
    size = 0;
  }
}
