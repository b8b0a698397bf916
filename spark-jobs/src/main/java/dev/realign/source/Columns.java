package dev.realign.source;

import java.io.Serializable;

/** Names of the Parquet columns of an embedding set. */
public record Columns(String id, String vector, String text) implements Serializable {
  public static final Columns DEFAULT = new Columns("id", "embedding", "text");
}
