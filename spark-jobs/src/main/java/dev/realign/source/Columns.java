package dev.realign.source;

import java.io.Serializable;
import java.util.Objects;

/**
 * Names of the Parquet columns of an embedding set. A plain class, not a record: Spark's Kryo
 * cannot serialise records, and this travels to executors.
 */
public final class Columns implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final Columns DEFAULT = new Columns("id", "embedding", "text");

  private final String id;
  private final String vector;
  private final String text;

  public Columns(String id, String vector, String text) {
    this.id = id;
    this.vector = vector;
    this.text = text;
  }

  public String id() {
    return id;
  }

  public String vector() {
    return vector;
  }

  public String text() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Columns c
        && Objects.equals(id, c.id)
        && Objects.equals(vector, c.vector)
        && Objects.equals(text, c.text);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, vector, text);
  }
}
