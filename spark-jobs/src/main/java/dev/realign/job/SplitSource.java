package dev.realign.job;

import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.source.EmbeddingSplit;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import dev.realign.vector.RejectReason;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;

/**
 * The rows of a split as every pass sees them: read, with the later occurrences of duplicate ids
 * marked. Every pass (stats, centroid, apply) goes through here, so they agree on which rows count.
 */
final class SplitSource {
  /** Rows per batch: a few MB of floats at d = 1280. */
  static final int BATCH_ROWS = 1024;

  private SplitSource() {}

  static SplitReader open(
      EmbeddingSet set, EmbeddingSplit split, Configuration conf, long[] duplicatePositions) {
    SplitReader reader = EmbeddingSetPlanner.open(set, split, false, conf);
    if (duplicatePositions.length == 0) {
      return reader;
    }
    return new SplitReader() {
      @Override
      public boolean next(RowBatch batch) {
        boolean more = reader.next(batch);
        for (int i = 0; i < batch.size; i++) {
          long pos = split.position(batch.rowInFile[i] - split.firstRow());
          if (Arrays.binarySearch(duplicatePositions, pos) >= 0) {
            batch.reject(
                i,
                RejectReason.DUPLICATE_ID,
                "id "
                    + batch.ids[i]
                    + " already occurs earlier in the input (the first valid occurrence is kept)");
          }
        }
        return more;
      }

      @Override
      public void close() {
        reader.close();
      }
    };
  }

  static RowBatch newBatch(EmbeddingSet set) {
    return new RowBatch(set.dim(), BATCH_ROWS);
  }
}
