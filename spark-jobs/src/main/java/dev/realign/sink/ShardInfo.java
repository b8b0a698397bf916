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

  /**
   * A shard name read from a completion record or a manifest: one plain file name (no separator,
   * not {@code .} or {@code ..}, no scheme, no control character), so that joining it to a
   * directory cannot leave that directory. A record naming {@code ../../../moved.txt} made {@code
   * --mode resume} move a file from outside the output.
   *
   * @param where the file the name was read from, for the error
   */
  public static String requirePlainName(String name, String where) {
    if (!isPlainName(name)) {
      throw new IllegalArgumentException(
          "Invalid shard name '"
              + name
              + "' in "
              + where
              + " (must be a single plain file name: no '/', '\\' or ':', not '.' or '..')");
    }
    return name;
  }

  /**
   * A name of a rejected-rows file, relative to the output directory ({@code
   * rejected/<role>/<shard>}): each {@code /}-separated part a plain file name, see {@link
   * #requirePlainName}.
   */
  public static String requireRelativeName(String name, String where) {
    boolean ok = name != null && !name.isEmpty();
    if (ok) {
      for (String part : name.split("/", -1)) {
        ok &= isPlainName(part);
      }
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "Invalid file name '"
              + name
              + "' in "
              + where
              + " (must be a relative path of plain file names: no '\\' or ':', no '.' or '..',"
              + " not absolute)");
    }
    return name;
  }

  private static boolean isPlainName(String name) {
    if (name == null || name.isEmpty() || name.equals(".") || name.equals("..")) {
      return false;
    }
    if (name.length() > 255) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == '\\' || c == ':' || c < 0x20 || c == 0x7f) {
        return false;
      }
    }
    return true;
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
