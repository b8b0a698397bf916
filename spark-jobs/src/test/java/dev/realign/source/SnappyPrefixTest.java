package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link PageDecompressor#snappyPrefix} against snappy-java's whole decompression: every prefix of
 * streams with literals, short and long copies and overlapping runs (level-like bytes, then floats)
 * is the first bytes of the whole; a cut stream gives -1 or the right prefix, never other bytes;
 * elements no Snappy stream has fail.
 */
class SnappyPrefixTest {
  private static final int STREAMS = 200;

  /** A page-like body: a length-prefixed run-length section, then random or repeated floats. */
  private static byte[] page(SplittableRandom rnd) {
    int levels = rnd.nextInt(0, 3000);
    int values = rnd.nextInt(0, 20_000);
    byte[] b = new byte[4 + levels + values];
    b[0] = (byte) levels;
    b[1] = (byte) (levels >>> 8);
    int run = 1 + rnd.nextInt(40);
    for (int i = 0; i < levels; i++) {
      b[4 + i] = (byte) ((i / run) % 3 == 0 ? 0x02 : 0xff); // runs: copies, overlapping ones too
    }
    boolean repeated = rnd.nextBoolean();
    for (int i = 0; i < values; i++) {
      b[4 + levels + i] = (byte) (repeated ? i % 7 : rnd.nextInt(256));
    }
    return b;
  }

  @Test
  void everyPrefixIsTheStartOfTheWholeAndCutStreamsNeverGiveOtherBytes() throws Exception {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int s = 0; s < STREAMS; s++) {
      byte[] whole = page(rnd);
      byte[] compressed = org.xerial.snappy.Snappy.compress(whole);
      assertThat(PageDecompressor.snappyLength(compressed, 0, compressed.length))
          .isEqualTo(whole.length);
      int[] wants = {0, 1, 4, rnd.nextInt(whole.length + 1), whole.length};
      for (int want : wants) {
        byte[] out = new byte[want];
        assertThat(PageDecompressor.snappyPrefix(compressed, 0, compressed.length, want, out))
            .as("stream %d, %d bytes", s, want)
            .isEqualTo(want);
        assertThat(out).isEqualTo(Arrays.copyOf(whole, want));
        // The same stream cut anywhere (at an offset in a bigger array): -1, or the same bytes.
        int cut = rnd.nextInt(compressed.length + 1);
        byte[] shifted = new byte[cut + 9];
        System.arraycopy(compressed, 0, shifted, 9, cut);
        byte[] partial = new byte[want];
        int r = PageDecompressor.snappyPrefix(shifted, 9, cut, want, partial);
        if (r >= 0) {
          assertThat(r).isEqualTo(want);
          assertThat(partial).isEqualTo(Arrays.copyOf(whole, want));
        } else {
          assertThat(r).isEqualTo(-1);
        }
      }
    }
  }

  @Test
  void elementsNoSnappyStreamHasFail() {
    byte[] out = new byte[64];
    // A 1-byte-offset copy at output byte 0: nothing to copy from.
    assertThatThrownBy(
            () -> PageDecompressor.snappyPrefix(new byte[] {10, 0x01, 0x01}, 0, 3, 4, out))
        .isInstanceOf(CorruptPageException.class)
        .hasMessageContaining("SNAPPY copy from offset 1 at output byte 0");
    // A literal of 2 bytes, then a 2-byte-offset copy from 3 bytes back.
    assertThatThrownBy(
            () ->
                PageDecompressor.snappyPrefix(
                    new byte[] {10, 0x04, 'a', 'b', 0x0a, 0x03, 0x00}, 0, 7, 8, out))
        .isInstanceOf(CorruptPageException.class)
        .hasMessageContaining("SNAPPY copy from offset 3 at output byte 2");
    // A copy from offset 0.
    assertThatThrownBy(
            () ->
                PageDecompressor.snappyPrefix(
                    new byte[] {10, 0x04, 'a', 'b', 0x0a, 0x00, 0x00}, 0, 7, 8, out))
        .isInstanceOf(CorruptPageException.class)
        .hasMessageContaining("SNAPPY copy from offset 0");
    // A literal whose 4-byte length is 2^32: more than any page.
    assertThatThrownBy(
            () ->
                PageDecompressor.snappyPrefix(
                    new byte[] {10, (byte) 0xfc, -1, -1, -1, -1, 'a'}, 0, 7, 8, out))
        .isInstanceOf(CorruptPageException.class)
        .hasMessageContaining("SNAPPY literal of 4294967296 bytes");
    // A length that is not a varint.
    assertThatThrownBy(
            () -> PageDecompressor.snappyPrefix(new byte[] {-1, -1, -1, -1, -1, 0}, 0, 6, 1, out))
        .isInstanceOf(CorruptPageException.class)
        .hasMessageContaining("not a varint");
    // Ending inside an element's length bytes or its literal bytes: -1, though the bytes past len
    // would complete the element (a read past len would return 4).
    assertThat(
            PageDecompressor.snappyPrefix(
                new byte[] {10, (byte) 0xf0, 3, 'a', 'b', 'c', 'd'}, 0, 2, 4, out))
        .isEqualTo(-1);
    assertThat(
            PageDecompressor.snappyPrefix(new byte[] {10, 0x0c, 'a', 'b', 'c', 'd'}, 0, 4, 4, out))
        .isEqualTo(-1);
    // A copy whose offset bytes lie past len.
    assertThat(
            PageDecompressor.snappyPrefix(
                new byte[] {10, 0x00, 'a', 0x0e, 0x01, 0x00}, 0, 4, 3, new byte[3]))
        .isEqualTo(-1);
    assertThatThrownBy(
            () -> PageDecompressor.snappyPrefix(new byte[] {1, 0, 'a'}, 0, 3, 65, new byte[64]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid want: 65");
  }

  /**
   * Elements snappy-java's compressor does not write for small inputs, built by hand and checked
   * against its decompressor first: literals with 1, 2, 3 and 4 length bytes, copies with 1-, 2-
   * and 4-byte offsets, and a copy overlapping its own output.
   */
  @Test
  void everyElementKindDecodesAsSnappyJavaDoes() throws Exception {
    java.io.ByteArrayOutputStream s = new java.io.ByteArrayOutputStream();
    byte[] literal = new byte[300];
    for (int i = 0; i < literal.length; i++) {
      literal[i] = (byte) (i * 7 + 1);
    }
    int total = 0;
    // literals of 70, 80, 90 and 60 bytes, with 1, 2, 3 and 4 length bytes (tags 60..63)
    int[][] literals = {{60, 70}, {61, 80}, {62, 90}, {63, 60}};
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    int from = 0;
    for (int[] l : literals) {
      body.write(l[0] << 2);
      int extra = l[0] - 59;
      for (int k = 0; k < extra; k++) {
        body.write(((l[1] - 1) >>> (8 * k)) & 0xff);
      }
      body.write(literal, from, l[1]);
      from += l[1];
      total += l[1];
    }
    // a 1-byte-offset copy of 7 bytes from 100 back: tag 01, length - 4 = 3 in bits 2-4
    body.write(0x01 | (3 << 2) | ((100 >>> 8) << 5));
    body.write(100 & 0xff);
    total += 7;
    // a 2-byte-offset copy of 20 bytes from 250 back, a 4-byte-offset one of 64 from 299 back
    body.write(0x02 | (19 << 2));
    body.write(250 & 0xff);
    body.write(250 >>> 8);
    total += 20;
    body.write(0x03 | (63 << 2));
    for (int k = 0; k < 4; k++) {
      body.write((299 >>> (8 * k)) & 0xff);
    }
    total += 64;
    // an overlapping copy: 30 bytes from 1 back (the last byte, repeated)
    body.write(0x02 | (29 << 2));
    body.write(1);
    body.write(0);
    total += 30;
    for (int v = total; ; v >>>= 7) { // the stated length, a varint
      if (v < 0x80) {
        s.write(v);
        break;
      }
      s.write((v & 0x7f) | 0x80);
    }
    s.write(body.toByteArray());
    byte[] stream = s.toByteArray();
    byte[] whole = org.xerial.snappy.Snappy.uncompress(stream);
    assertThat(whole).hasSize(total);
    for (int want = 0; want <= total; want += 1) {
      byte[] out = new byte[want];
      assertThat(PageDecompressor.snappyPrefix(stream, 0, stream.length, want, out))
          .isEqualTo(want);
      assertThat(out).as("first %d bytes", want).isEqualTo(Arrays.copyOf(whole, want));
    }
  }
}
