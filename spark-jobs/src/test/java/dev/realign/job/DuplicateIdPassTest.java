package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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
}
