package dev.realign.job;

import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.source.EmbeddingSplit;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import dev.realign.vector.RowValidator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Finds the rows whose id already occurred earlier in input order (files sorted, rows in order):
 * the first valid occurrence is kept, every later valid one is rejected as {@code duplicate_id}.
 * Invalid rows (null, NaN/Inf, zero or wrong-length vectors) do not count as occurrences: they are
 * rejected for their own reason. Two steps, so the common case reads no vectors: the ids alone
 * (with their row positions) find the ids that occur more than once; only the splits holding such
 * rows are then read with their vectors to tell valid occurrences from invalid ones. Shuffles ids
 * and row positions only, never embeddings. Skipped when ids are made up from file and row.
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
    // Every id that occurs twice or more, with the positions of its rows (any validity).
    List<List<Long>> repeated = splits
        .flatMapToPair(split -> idsOf(set, split, conf.value().get()))
        .groupByKey()
        .flatMap(e -> {
          List<Long> positions = new ArrayList<>();
          e._2().forEach(positions::add);
          List<List<Long>> repeat = new ArrayList<>(); // ArrayLists: Kryo serialises them
          if (positions.size() > 1) {
            repeat.add(positions);
          }
          return repeat.iterator();
        })
        .collect();
    if (repeated.isEmpty()) {
      return new long[0];
    }
    TreeSet<Long> candidates = new TreeSet<>();
    repeated.forEach(candidates::addAll);
    Set<Integer> candidateSplits = new TreeSet<>();
    candidates.forEach(p -> candidateSplits.add((int) (p >>> 40)));
    List<EmbeddingSplit> toRead = set.splits().stream()
        .filter(s -> candidateSplits.contains(s.index())).toList();
    ctx.jsc.setJobDescription("realign: validity of rows with repeated ids of " + set.role());
    Set<Long> valid = new HashSet<>(ctx.jsc
        .parallelize(toRead, toRead.size())
        .flatMap(split -> validAmong(set, split, candidates, conf.value().get()))
        .collect());
    List<Long> dups = new ArrayList<>();
    for (List<Long> positions : repeated) {
      List<Long> used = new ArrayList<>(positions.stream().filter(valid::contains).toList());
      used.sort(null);
      if (used.size() > 1) {
        dups.addAll(used.subList(1, used.size()));
      }
    }
    long[] out = dups.stream().mapToLong(Long::longValue).sorted().toArray();
    if (out.length > 0) {
      Console.info("%s: %,d rows repeat an earlier id (rejected as duplicate_id; the first"
          + " valid occurrence is kept)", set.role(), out.length);
    }
    return out;
  }

  /** The non-empty ids of a split with their row positions, read without the vectors. */
  private static Iterator<Tuple2<String, Long>> idsOf(EmbeddingSet set, EmbeddingSplit split,
      Configuration conf) {
    List<Tuple2<String, Long>> out = new ArrayList<>();
    RowBatch batch = SplitSource.newBatch(set);
    try (SplitReader r = EmbeddingSetPlanner.open(set, split, true, conf)) {
      while (r.next(batch)) {
        for (int i = 0; i < batch.size; i++) {
          String id = batch.ids[i];
          if (id != null && !id.isEmpty()) {
            out.add(new Tuple2<>(id, split.position(batch.rowInFile[i] - split.firstRow())));
          }
        }
      }
    }
    return out.iterator();
  }

  /**
   * The positions among {@code candidates} of the split's rows that would be used. Only such a row
   * counts as an occurrence: an invalid row is rejected for its own reason and must not hide a
   * later valid row with the same id.
   */
  private static Iterator<Long> validAmong(EmbeddingSet set, EmbeddingSplit split,
      NavigableSet<Long> candidates, Configuration conf) {
    List<Long> out = new ArrayList<>();
    RowBatch batch = SplitSource.newBatch(set);
    int dim = set.dim();
    try (SplitReader r = EmbeddingSetPlanner.open(set, split, false, conf)) {
      while (r.next(batch)) {
        for (int i = 0; i < batch.size; i++) {
          long position = split.position(batch.rowInFile[i] - split.firstRow());
          if (candidates.contains(position) && batch.reasons[i] == null
              && RowValidator.reasonFor(RowValidator.normOrNegative(batch.flat, i * dim, dim))
                  == null) {
            out.add(position);
          }
        }
      }
    }
    return out.iterator();
  }
}
