package dev.realign.stats;

import dev.realign.vector.RejectReason;

/** Receives the rows of a batch that were not used, with their reason. */
@FunctionalInterface
public interface RejectListener {
  /** Ignores rejects; only for callers that count them another way. */
  RejectListener IGNORE = (row, reason) -> {};

  void rejected(int rowInBatch, RejectReason reason);
}
