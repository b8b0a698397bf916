package dev.realign.sink;

/**
 * Writes one shard of aligned rows ({@code id}, optional {@code text}, exactly {@code d} floats of
 * {@code embedding}) in some file format; {@link ShardOutput#open} picks the implementation.
 */
public interface EmbeddingShardWriter extends AutoCloseable {
  /** Writes one row; the vector is {@code d} floats of {@code values} at {@code offset}. */
  void write(String id, String text, float[] values, int offset);

  /** Closes the file and returns its name, rows, bytes and SHA-256 (of the bytes written). */
  ShardInfo finish();

  @Override
  void close();
}
