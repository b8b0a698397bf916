package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive run's preload plans and reads a small input of each format (16 rows of .npy and 16 of
 * Parquet, through the planner and the split readers the passes use) and leaves nothing behind.
 */
class ArchivePreloadTest {
  @TempDir Path tmp;

  @Test
  void readsBothFormatsAndDeletesItsFiles() throws Exception {
    assertThat(ArchivePreload.run(tmp)).isEqualTo(32);
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void onlyTheLaunchersArchiveRunAsksForIt() {
    assertThat(ArchivePreload.requested()).isFalse();
  }
}
