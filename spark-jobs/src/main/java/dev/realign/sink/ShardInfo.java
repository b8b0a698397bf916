package dev.realign.sink;

import java.io.Serializable;
import java.util.Objects;

/**
 * A written shard file: its name relative to its directory, rows, size and SHA-256. A plain class:
 * it returns from tasks, and Spark's Kryo cannot serialise records.
 */
public final class ShardInfo implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final long rows;
  private final long bytes;
  private final String sha256;

  public ShardInfo(String name, long rows, long bytes, String sha256) {
    this.name = name;
    this.rows = rows;
    this.bytes = bytes;
    this.sha256 = sha256;
  }

  public String name() {
    return name;
  }

  public long rows() {
    return rows;
  }

  public long bytes() {
    return bytes;
  }

  public String sha256() {
    return sha256;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShardInfo s
        && name.equals(s.name)
        && rows == s.rows
        && bytes == s.bytes
        && sha256.equals(s.sha256);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, rows, bytes, sha256);
  }

  @Override
  public String toString() {
    return name + " (" + rows + " rows, " + bytes + " bytes, sha256 " + sha256 + ")";
  }
}
