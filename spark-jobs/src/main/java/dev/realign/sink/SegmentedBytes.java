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
 * An append-only byte buffer in fixed-size segments, for a column chunk's buffered row group
 * (64 MiB of vectors). One big growable array costs a copy per doubling, and on G1 every array of
 * half a region (1 MiB on a 4 GiB heap) or more is a humongous allocation, zeroed and faulted in
 * afresh for every shard; segments of {@link #SEGMENT} bytes are neither, and they go back to a
 * pool shared by the JVM's writers, so the next row group or shard reuses warm memory.
 */
final class SegmentedBytes {
  /** Bytes per segment: well under half of G1's smallest region (1 MiB). */
  static final int SEGMENT = 256 << 10;
  /** Idle segments the pool keeps (128 MiB); more are left to the garbage collector. */
  static final int MAX_POOLED = 512;

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
      ByteBuffer.wrap(seg, fill, 4 * n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
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

  /** Writes bytes {@code [from, to)} to {@code out}, at most one segment per call. */
  void writeTo(OutputStream out, long from, long to) throws IOException {
    IOException[] failure = new IOException[1];
    forEachRange(from, to, (seg, off, len) -> {
      if (failure[0] == null) {
        try {
          out.write(seg, off, len);
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
      throw new IllegalArgumentException("Invalid byte range: [" + from + ", " + to
          + ") (must lie within [0, " + size + "))");
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
