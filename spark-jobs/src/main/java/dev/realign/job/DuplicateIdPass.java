package dev.realign.job;

import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.source.EmbeddingSplit;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import dev.realign.vector.RowValidator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Finds the rows whose id already occurred earlier in input order (files sorted, rows in order):
 * the first valid occurrence is kept, every later valid one is rejected as {@code duplicate_id}.
 * Invalid rows (null, NaN/Inf, zero or wrong-length vectors) do not count as occurrences: they are
 * rejected for their own reason. Reads the vectors to tell, but shuffles ids and row positions
 * only, never embeddings. Skipped when ids are made up from file and row.
 */
final class DuplicateIdPass {
  private DuplicateIdPass() {}

  /** Sorted positions ({@link EmbeddingSplit#position}) of rows to reject as duplicates. */
  static long[] find(JobContext ctx, EmbeddingSet set) {
    if (!set.idsFromColumn()) {
      return new long[0];
    }
    var conf = ctx.hadoopConf;
    JavaRDD<EmbeddingSplit> splits = ctx.jsc.parallelize(set.splits(), set.splits().size());
    ctx.jsc.setJobDescription("realign: duplicate ids of " + set.role());
    List<Long> dups = splits
        .flatMapToPair(split -> idsOf(set, split, conf.value().get()))
        .groupByKey()
        .flatMap(e -> {
          List<Long> positions = new ArrayList<>();
          e._2().forEach(positions::add);
          if (positions.size() < 2) {
            return java.util.Collections.<Long>emptyIterator();
          }
          positions.sort(null);
          return positions.subList(1, positions.size()).iterator();
        })
        .collect();
    long[] out = dups.stream().mapToLong(Long::longValue).sorted().toArray();
    if (out.length > 0) {
      Console.info("%s: %,d rows repeat an earlier id (rejected as duplicate_id; the first"
          + " valid occurrence is kept)", set.role(), out.length);
    }
    return out;
  }

  private static Iterator<Tuple2<String, Long>> idsOf(EmbeddingSet set, EmbeddingSplit split,
      Configuration conf) {
    List<Tuple2<String, Long>> out = new ArrayList<>();
    RowBatch batch = SplitSource.newBatch(set);
    int dim = set.dim();
    try (SplitReader r = EmbeddingSetPlanner.open(set, split, false, conf)) {
      while (r.next(batch)) {
        for (int i = 0; i < batch.size; i++) {
          String id = batch.ids[i];
          // Only a row that would be used counts as an occurrence: an invalid row is rejected
          // for its own reason and must not hide a later valid row with the same id.
          if (id != null && !id.isEmpty() && batch.reasons[i] == null
              && RowValidator.reasonFor(RowValidator.normOrNegative(batch.flat, i * dim, dim))
                  == null) {
            out.add(new Tuple2<>(id, split.position(batch.rowInFile[i] - split.firstRow())));
          }
        }
      }
    }
    return out.iterator();
  }
}
