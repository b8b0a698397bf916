package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The hash step of the duplicate-id pass: positions of rows whose hash occurs twice or more. */
class DuplicateIdPassTest {
  static List<Long> repeats(long[]... arrays) {
    List<Long> out = new ArrayList<>();
    DuplicateIdPass.positionsOfRepeatedHashes(List.of(arrays)).forEachRemaining(out::add);
    return out;
  }

  @Test
  void repeatsAcrossAndWithinArraysAreFound() {
    // (hash, position) pairs from two splits of one bucket: hash 7 repeats across them, hash -3
    // within the second, hash 11 is unique.
    assertThat(repeats(new long[] {7, 100, 11, 101}, new long[] {-3, 200, 7, 201, -3, 202}))
        .containsExactlyInAnyOrder(100L, 201L, 200L, 202L);
  }

  @Test
  void noRepeatsNoPositions() {
    assertThat(repeats(new long[] {1, 10, 2, 11}, new long[] {3, 20})).isEmpty();
    assertThat(repeats()).isEmpty();
    assertThat(repeats(new long[0])).isEmpty();
  }

  @Test
  void zeroHashCountsLikeAnyOther() {
    // 0 marks an empty slot of the set, so a hash of 0 is kept apart: once is no repeat, twice is.
    assertThat(repeats(new long[] {0, 1, 5, 2})).isEmpty();
    assertThat(repeats(new long[] {0, 1, 5, 2}, new long[] {0, 3})).containsExactly(1L, 3L);
  }

  @Test
  void hashesSharingASlotAreToldApart() {
    // Three pairs make a 16-slot set: 16, 32 and 48 all start at slot 0, 15 and 31 at slot 15
    // (the second wraps to slot 0 and beyond); only 32 and 31 repeat.
    assertThat(repeats(new long[] {16, 1, 32, 2, 48, 3, 32, 4}, new long[] {15, 5, 31, 6, 31, 7}))
        .containsExactly(2L, 4L, 6L, 7L);
  }

  @Test
  void agreesWithSortingTheHashes() {
    // Random arrays (small hash ranges, so many repeats, and full-range ones, with none) against
    // the definition: a hash whose sorted neighbour is equal.
    Random random = new Random(25);
    for (int round = 0; round < 200; round++) {
      int range = round % 2 == 0 ? 1 + random.nextInt(5_000) : 0;
      long[][] arrays = new long[random.nextInt(6)][];
      List<Long> hashes = new ArrayList<>();
      long position = 0;
      for (int k = 0; k < arrays.length; k++) {
        arrays[k] = new long[2 * random.nextInt(2_000)];
        for (int i = 0; i < arrays[k].length; i += 2) {
          long h = range > 0 ? random.nextInt(range) - range / 2 : random.nextLong();
          arrays[k][i] = h;
          arrays[k][i + 1] = position++;
          hashes.add(h);
        }
      }
      long[] sorted = hashes.stream().mapToLong(Long::longValue).sorted().toArray();
      Set<Long> repeated = new HashSet<>();
      for (int i = 1; i < sorted.length; i++) {
        if (sorted[i] == sorted[i - 1]) {
          repeated.add(sorted[i]);
        }
      }
      List<Long> expected = new ArrayList<>();
      for (long[] a : arrays) {
        for (int i = 0; i < a.length; i += 2) {
          if (repeated.contains(a[i])) {
            expected.add(a[i + 1]);
          }
        }
      }
      assertThat(repeats(arrays)).as("round %d", round).containsExactlyElementsOf(expected);
      assertThat(DuplicateIdPass.repeatedHashes(Arrays.asList(arrays), hashes.size()))
          .isEqualTo(repeated);
    }
  }

  @Test
  void aBucketsHashesSpreadOverTheTable() {
    // The shuffle deals hashes to buckets by remainder: with 4,096 buckets, a bucket's hashes share
    // their low 12 bits. Their first slots must still spread (low bits would give 8 slots of
    // 32,768; random slots about 14,700), and the repeats must still be found.
    Random random = new Random(4096);
    int n = 20_000;
    long[] pairs = new long[2 * n];
    Set<Integer> firstSlots = new HashSet<>();
    for (int i = 0; i < n; i++) {
      long h = i % 10 == 9 ? pairs[2 * (i - 1)] : (random.nextLong() << 12) | 7;
      pairs[2 * i] = h;
      pairs[2 * i + 1] = i;
      firstSlots.add(DuplicateIdPass.slot(h, 15));
    }
    assertThat(firstSlots.size()).isGreaterThan(12_000);
    List<Long> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i % 10 == 8 || i % 10 == 9) {
        expected.add((long) i);
      }
    }
    assertThat(repeats(pairs)).containsExactlyElementsOf(expected);
  }

  @Test
  void slotsStayInTheTable() {
    Random random = new Random(30);
    for (int bits = 4; bits <= 30; bits++) {
      for (int k = 0; k < 1_000; k++) {
        assertThat(DuplicateIdPass.slot(random.nextLong(), bits)).isBetween(0, (1 << bits) - 1);
      }
    }
    assertThat(DuplicateIdPass.slot(-1L, 30)).isBetween(0, (1 << 30) - 1);
  }
}
