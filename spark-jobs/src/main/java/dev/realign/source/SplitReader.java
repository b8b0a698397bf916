package dev.realign.source;

/** Reads the rows of one split in order, a batch at a time. */
public interface SplitReader extends AutoCloseable {
  /**
   * Clears {@code batch} and fills it with the next rows.
   *
   * @return false when the split has no more rows (the batch is then empty)
   */
  boolean next(RowBatch batch);

  @Override
  void close();
}
