package dev.realign.sink;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Counts and SHA-256-digests the bytes on their way out, so a shard costs no second read. */
final class DigestingOutputStream extends FilterOutputStream {
  private final MessageDigest digest;
  private long bytes;

  DigestingOutputStream(OutputStream out) {
    super(out);
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    digest.update((byte) b);
    bytes++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    digest.update(b, off, len);
    bytes += len;
  }

  long bytes() {
    return bytes;
  }

  /** The SHA-256 of everything written; call once, after the last write. */
  String sha256() {
    return HexFormat.of().formatHex(digest.digest());
  }
}
