package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The RLE / bit-packed hybrid decoder's matching of one-bit levels (repetition levels of lists),
 * which counts and lists matches a byte at a time, against the levels decoded one by one: random
 * streams of RLE and bit-packed runs (a last group padded past the entries, as DuckDB writes),
 * matched for 0 and for 1, listed and only counted, from heap and from direct buffers (pages of
 * local files are read off-heap; heap slices of a larger array), at offsets inside the buffer.
 */
class LevelRunsTest {
  private static final int STREAMS = 400;

  @Test
  void oneBitMatchesAgreeWithTheLevelsDecodedOneByOne() {
    SplittableRandom rnd = new SplittableRandom(2026);
    for (int s = 0; s < STREAMS; s++) {
      List<Integer> levels = new ArrayList<>();
      byte[] stream = randomStream(rnd, levels);
      int n = levels.size();
      int offset = rnd.nextInt(5);
      for (boolean direct : new boolean[] {false, true}) {
        ByteBuffer b = buffer(stream, offset, direct);
        int[] decoded = new int[n];
        int end = ColumnPages.hybrid(b, offset, offset + stream.length, 1, decoded, n, "rep");
        assertThat(end).isEqualTo(offset + stream.length);
        for (int i = 0; i < n; i++) {
          assertThat(decoded[i]).as("stream %d entry %d", s, i).isEqualTo(levels.get(i));
        }
        for (int value = 0; value <= 1; value++) {
          List<Integer> expected = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            if (levels.get(i) == value) {
              expected.add(i);
            }
          }
          ColumnPages.Matches listed = new ColumnPages.Matches(value, new int[n]);
          ColumnPages.hybrid(b, offset, offset + stream.length, 1, null, n, "rep", listed);
          assertThat(listed.count).isEqualTo(expected.size());
          for (int k = 0; k < listed.count; k++) {
            assertThat(listed.positions[k]).isEqualTo(expected.get(k));
          }
          // An array too short for the list: the count is still exact (it says to grow and walk
          // again), nothing is written past the array.
          ColumnPages.Matches tooShort =
              new ColumnPages.Matches(value, new int[expected.size() / 2]);
          ColumnPages.hybrid(b, offset, offset + stream.length, 1, null, n, "rep", tooShort);
          assertThat(tooShort.count).isEqualTo(expected.size());
          ColumnPages.Matches counted = new ColumnPages.Matches(value, null);
          ColumnPages.hybrid(b, offset, offset + stream.length, 1, null, n, "rep", counted);
          assertThat(counted.count).isEqualTo(expected.size());
        }
      }
    }
  }

  @Test
  void aSectionPastItsBufferIsRefusedNotRead() {
    byte[] stream = {(byte) (8 << 1), 1}; // an RLE run of 8 ones
    for (boolean direct : new boolean[] {false, true}) {
      ByteBuffer b = buffer(stream, 0, direct);
      assertThatThrownBy(() -> ColumnPages.hybrid(b, 0, 3, 1, null, 8, "repetition"))
          .isInstanceOf(CorruptPageException.class)
          .hasMessageContaining("repetition levels at bytes 0..3 of a section of 2");
    }
  }

  /** Runs of random kinds and lengths; the levels they hold are appended to {@code levels}. */
  private static byte[] randomStream(SplittableRandom rnd, List<Integer> levels) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int runs = 1 + rnd.nextInt(12);
    for (int r = 0; r < runs; r++) {
      boolean last = r == runs - 1;
      if (rnd.nextBoolean()) {
        int run = 1 + rnd.nextInt(rnd.nextBoolean() ? 9 : 1500);
        int v = rnd.nextInt(2);
        varint(out, (long) run << 1);
        out.write(v);
        for (int k = 0; k < run; k++) {
          levels.add(v);
        }
      } else {
        int groups = 1 + rnd.nextInt(rnd.nextBoolean() ? 2 : 40);
        // the last run may hold fewer entries than its groups (padding), any other run all of them
        int used = last ? 8 * groups - rnd.nextInt(8) : 8 * groups;
        varint(out, ((long) groups << 1) | 1);
        for (int g = 0; g < groups; g++) {
          int bits = rnd.nextInt(256);
          out.write(bits);
          for (int k = 0; k < 8; k++) {
            if (8 * g + k < used) {
              levels.add((bits >>> k) & 1);
            }
          }
        }
      }
    }
    return out.toByteArray();
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static ByteBuffer buffer(byte[] stream, int offset, boolean direct) {
    ByteBuffer b =
        direct
            ? ByteBuffer.allocateDirect(offset + stream.length)
            : ByteBuffer.wrap(new byte[3 + offset + stream.length], 3, offset + stream.length)
                .slice(); // a slice: its array offset is 3
    b.position(offset);
    b.put(stream);
    return b.clear();
  }
}
