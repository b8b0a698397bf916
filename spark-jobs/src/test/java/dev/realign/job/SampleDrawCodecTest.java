package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The byte form a sample draw travels in between tasks and the driver. */
class SampleDrawCodecTest {
  private static final int D = 3;

  private static SampleRows.Draw draw(int n, double fraction, int rows) {
    SampleRows.Draw d = new SampleRows.Draw(n, fraction);
    float[] flat = new float[rows * D];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = i == 4 ? Float.MIN_VALUE : i == 5 ? -0.0f : (i - 3.5f) / 7;
    }
    for (int i = 0; i < rows; i++) {
      d.offer(i == 1 ? "é-" + i : "row-" + i, flat, i * D, D);
    }
    return d;
  }

  private static int[] bits(float[] v) {
    int[] b = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Float.floatToRawIntBits(v[i]);
    }
    return b;
  }

  @Test
  void roundTripIsByteForByteAndKeepsEveryRow() {
    SampleRows.Draw a = draw(5, 1.0, 8);
    byte[] bytes = a.encode();
    SampleRows.Draw b = SampleRows.Draw.decode(bytes);
    assertThat(b.encode()).isEqualTo(bytes);
    assertThat(b.n).isEqualTo(5);
    assertThat(b.threshold).isEqualTo(a.threshold);
    assertThat(b.wholeRange).isTrue();
    assertThat(b.rows).hasSize(8);
    for (int i = 0; i < 8; i++) {
      assertThat(b.rows.get(i).id).isEqualTo(a.rows.get(i).id);
      assertThat(b.rows.get(i).hash).isEqualTo(a.rows.get(i).hash);
      // Bits, not values: -0.0 and the smallest subnormal survive.
      assertThat(bits(b.rows.get(i).vector())).containsExactly(bits(a.rows.get(i).vector()));
    }
    assertThat(b.sample())
        .extracting(r -> r.id)
        .containsExactlyElementsOf(a.sample().stream().map(r -> r.id).toList());
    // n = 0 (no sample asked for) and a partial threshold.
    SampleRows.Draw none = SampleRows.Draw.decode(SampleRows.Draw.none().encode());
    assertThat(none.n).isZero();
    assertThat(none.complete()).isFalse();
    SampleRows.Draw part = draw(3, 0.25, 40);
    SampleRows.Draw back = SampleRows.Draw.decode(part.encode());
    assertThat(back.wholeRange).isFalse();
    assertThat(back.threshold).isEqualTo(part.threshold);
    assertThat(back.rows).hasSameSizeAs(part.rows);
  }

  /**
   * The id hash, pinned (FNV-1a 64 over the id's UTF-8 bytes, then fmix64; the values were computed
   * from that definition outside Java): ASCII ids, which hash without being encoded, and ids with
   * other characters after an ASCII prefix, which are encoded from the first of them. A lone
   * surrogate hashes as the "?" that UTF-8 encoding makes of it, as before.
   */
  @Test
  void idHashGolden() {
    java.util.Map<String, String> golden = new java.util.LinkedHashMap<>();
    golden.put("a", "82a2a958a9bece5b");
    golden.put("", "efd01f60ba992926");
    golden.put("199999", "9c884ac89f5dc1ca");
    golden.put("text-000-12345", "ef62661e8853fc7f");
    golden.put("caf\u00e9", "f50b1f8e2c0682e6");
    golden.put("\u00fc", "9a8fa3aaaa09fd21");
    golden.put("id-\u65e5\u672c", "92b8a2eeee57af67");
    golden.put("x\ud83d\ude00y", "d9d04907c0b70cd6");
    golden.forEach(
        (id, hash) ->
            assertThat(String.format("%016x", SampleRows.idHash(id))).as(id).isEqualTo(hash));
    // Lone surrogates, as the first non-ASCII char, at the end, and before ASCII: each is "?".
    assertThat(SampleRows.idHash("ab\ud800c")).isEqualTo(SampleRows.idHash("ab?c"));
    assertThat(SampleRows.idHash("a\udc00b")).isEqualTo(SampleRows.idHash("a?b"));
    assertThat(SampleRows.idHash("ab\ud800")).isEqualTo(SampleRows.idHash("ab?"));
    assertThat(SampleRows.idHash("\ud83dxy\u00e9")).isEqualTo(SampleRows.idHash("?xy\u00e9"));
  }

  /** The layout, pinned: one row of dimension 3 with the id "a". */
  @Test
  void goldenBytes() {
    SampleRows.Draw d = new SampleRows.Draw(2, 1.0);
    d.offer("a", new float[] {1.0f, -2.5f, 0.0f}, 0, 3);
    String hash = String.format("%016x", SampleRows.idHash("a"));
    assertThat(HexFormat.of().formatHex(d.encode()))
        .isEqualTo(
            "01" // codec version
                + "00000002" // n
                + "ffffffffffffffff" // threshold: the whole hash range
                + "01" // whole range
                + "00000001"
                + "00000003" // rows, dimension
                + hash
                + "00000001"
                + "0061" // hash, id length in chars, "a" (UTF-16)
                + "0000803f"
                + "000020c0"
                + "00000000"); // 1.0, -2.5, 0.0 little-endian
  }

  /**
   * Merging in byte form gives the bytes of the object merge, whether the rows fit in n
   * (concatenated) or not (the n smallest by hash, then id), hash ties included.
   */
  @Test
  void mergeInByteFormIsTheObjectMerge() {
    java.util.Random rnd = new java.util.Random(11);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rnd.nextInt(12);
      SampleRows.Draw a = randomDraw(rnd, n, rnd.nextInt(10));
      SampleRows.Draw b =
          randomDraw(rnd, rnd.nextBoolean() ? n : 1 + rnd.nextInt(12), rnd.nextInt(10));
      byte[] expected = SampleRows.Draw.merge(a, b).encode();
      assertThat(SampleRows.Draw.mergeEncoded(a.encode(), b.encode()))
          .as("trial %d", trial)
          .isEqualTo(expected);
    }
    SampleRows.Draw some = randomDraw(rnd, 4, 3);
    byte[] none = SampleRows.Draw.none().encode();
    assertThat(SampleRows.Draw.mergeEncoded(none, some.encode())).isEqualTo(some.encode());
    assertThat(SampleRows.Draw.mergeEncoded(some.encode(), none)).isEqualTo(some.encode());
    SampleRows.Draw wide = new SampleRows.Draw(4, 1.0);
    wide.offer("w", new float[D + 1], 0, D + 1);
    assertThatThrownBy(() -> SampleRows.Draw.mergeEncoded(some.encode(), wide.encode()))
        .hasMessage("Invalid sample draws: dimensions 3 and 4 (must be equal)");
  }

  /** Rows with hashes from a small range (ties happen), some ids non-ASCII. */
  private static SampleRows.Draw randomDraw(java.util.Random rnd, int n, int rows) {
    SampleRows.Draw d = new SampleRows.Draw(n, 1.0);
    for (int i = 0; i < rows; i++) {
      byte[] v = new byte[4 * D];
      rnd.nextBytes(v);
      long hash = rnd.nextInt(8) - 4L; // negative: the top of the unsigned range
      // Non-ASCII, and a lone surrogate: "\uD800" and "?" must stay apart (UTF-8 would make both
      // "?", and their order in a tie would change).
      String id =
          (rnd.nextInt(3) == 0 ? "\uD800" : rnd.nextBoolean() ? "é" : "?") + rnd.nextInt(1000);
      d.rows.add(new SampleRows.Sampled(hash, id, v));
    }
    return d;
  }

  @Test
  void badBytesAreRefused() {
    byte[] bytes = draw(2, 1.0, 2).encode();
    byte[] version = bytes.clone();
    version[0] = 9;
    assertThatThrownBy(() -> SampleRows.Draw.decode(version))
        .hasMessage("Invalid sample draw: codec version 9 (must be 1)");
    byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 3);
    assertThatThrownBy(() -> SampleRows.Draw.decode(longer))
        .hasMessage("Invalid sample draw: 3 bytes after its 2 rows (must end there)");
    byte[] shorter = java.util.Arrays.copyOf(bytes, bytes.length - 1);
    assertThatThrownBy(() -> SampleRows.Draw.decode(shorter))
        .hasMessage(
            "Invalid sample draw: row 1 of 2 runs past its "
                + shorter.length
                + " bytes (must be whole; truncated?)");
    // The same parser reads both: merging refuses the same bytes with the same messages.
    assertThatThrownBy(() -> SampleRows.Draw.mergeEncoded(shorter, shorter))
        .hasMessageStartingWith("Invalid sample draw: row 1 of 2 runs past");
    assertThatThrownBy(() -> SampleRows.Draw.mergeEncoded(version, bytes))
        .hasMessage("Invalid sample draw: codec version 9 (must be 1)");
    assertThatThrownBy(() -> SampleRows.Draw.decode(new byte[] {1, 0}))
        .hasMessage("Invalid sample draw: 2 bytes (must be >= 22)");
  }
}
