package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The digest warm-up hashes what it says: 20,000 one-KiB blocks, each tagged with its index; the
 * row-kernel warm-up walks every pass's kernel and sketches every synthetic row it aligned.
 */
class WarmupsTest {
  @Test
  void rowKernelWarmUpWritesEveryValidRowAndDeletesItsShards(@TempDir java.nio.file.Path tmp)
      throws Exception {
    // Each shard takes the batch 12 times: the aligned one less its 40 zero rows and 40 NaN rows
    // (rejected by the kernel), the copied one whole (copy drops structural rejects only).
    for (Warmups.Rows rows : new Warmups.Rows[] {Warmups.Rows.PASSES, Warmups.Rows.COPY}) {
      assertThat(PassWarmup.run(tmp, rows))
          .as("%s", rows)
          .isEqualTo(rows == Warmups.Rows.PASSES ? 12 * 1_920 + 12 * 2_000 : 12 * 2_000);
      try (var left = java.nio.file.Files.list(tmp)) {
        assertThat(left).as("%s", rows).isEmpty();
      }
    }
  }

  @Test
  void digestWarmUpHashesItsBlocks() throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] block = new byte[1024];
    for (int i = 0; i < 20_000; i++) {
      block[0] = (byte) i;
      md.update(block);
    }
    assertThat(Warmups.sha256()).isEqualTo(md.digest());
  }
}
