package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/** The digest warm-up hashes what it says: 20,000 one-KiB blocks, each tagged with its index. */
class WarmupsTest {
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
