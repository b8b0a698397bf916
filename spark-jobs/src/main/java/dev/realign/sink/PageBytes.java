package dev.realign.sink;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable little-endian byte buffer for page bodies and column chunks. */
final class PageBytes {
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle SHORT_LE =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

  byte[] buf;
  int size;

  PageBytes(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  void clear() {
    size = 0;
  }

  private void ensure(int extra) {
    int need = size + extra;
    if (need < 0) {
      throw new IllegalStateException("Page buffer over 2 GiB");
    }
    if (need > buf.length) {
      buf =
          Arrays.copyOf(
              buf, Math.max(need, (int) Math.min(Integer.MAX_VALUE - 8, 2L * buf.length)));
    }
  }

  void put(byte b) {
    ensure(1);
    buf[size++] = b;
  }

  void put(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  void putIntLe(int v) {
    ensure(4);
    INT_LE.set(buf, size, v);
    size += 4;
  }

  /** Overwrites 4 bytes at {@code at} (a length prefix written before its section). */
  void setIntLe(int at, int v) {
    INT_LE.set(buf, at, v);
  }

  void putUnsignedVarInt(int v) {
    ensure(5);
    while ((v & ~0x7f) != 0) {
      buf[size++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  /** PLAIN BYTE_ARRAY: 4-byte little-endian length, then the UTF-8 bytes. */
  void putPlainString(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    putIntLe(b.length);
    put(b, 0, b.length);
  }

  /** PLAIN FLOAT: the raw bits (NaN payloads too), 4 bytes little-endian each. */
  void putFloats(float[] v, int off, int len) {
    ensure(4 * len);
    ByteBuffer.wrap(buf, size, 4 * len)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .put(v, off, len);
    size += 4 * len;
  }

  /** FLOAT16: each float rounded to the nearest half (ties to even), 2 bytes little-endian. */
  void putHalves(float[] v, int off, int len) {
    ensure(2 * len);
    for (int j = 0; j < len; j++) {
      SHORT_LE.set(buf, size + 2 * j, dev.realign.vector.Float16.fromFloat(v[off + j]));
    }
    size += 2 * len;
  }

  void writeTo(OutputStream out) throws IOException {
    out.write(buf, 0, size);
  }
}
