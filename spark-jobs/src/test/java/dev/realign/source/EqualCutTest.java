package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A .npy file is cut into the fewest equal row ranges of at most {@code input.split_rows} rows, as
 * a big Parquet row group is: no short last split to leave a core idle.
 */
class EqualCutTest {
  @Test
  void oneBigFileBecomesEqualSplits() {
    assertThat(EmbeddingSetPlanner.equalCut(200_000, 65_536))
        .containsExactly(50_000, 50_000, 50_000, 50_000);
    assertThat(EmbeddingSetPlanner.equalCut(7, 3)).containsExactly(2, 2, 3);
    assertThat(EmbeddingSetPlanner.equalCut(9, 3)).containsExactly(3, 3, 3);
    assertThat(EmbeddingSetPlanner.equalCut(3, 3)).containsExactly(3);
    assertThat(EmbeddingSetPlanner.equalCut(1, 65_536)).containsExactly(1);
  }

  @Test
  void everyCutCoversItsRowsInRangesOfAtMostPerThatDifferByAtMostOne() {
    for (long rows = 1; rows <= 300; rows++) {
      for (long per = 1; per <= 40; per++) {
        long[] cut = EmbeddingSetPlanner.equalCut(rows, per);
        assertThat(cut.length).as("%s / %s", rows, per).isEqualTo((rows + per - 1) / per);
        assertThat(Arrays.stream(cut).sum()).isEqualTo(rows);
        long min = Arrays.stream(cut).min().orElseThrow();
        long max = Arrays.stream(cut).max().orElseThrow();
        assertThat(max).isLessThanOrEqualTo(per);
        assertThat(max - min).isLessThanOrEqualTo(1);
      }
    }
  }
}
