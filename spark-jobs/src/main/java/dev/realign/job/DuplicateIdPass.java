package dev.realign.job;

import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.source.EmbeddingSplit;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import dev.realign.vector.RowValidator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import scala.Tuple2;

/**
 * Finds the rows whose id already occurred earlier in input order (files sorted, rows in order):
 * the first valid occurrence is kept, every later valid one is rejected as {@code duplicate_id}.
 * Invalid rows (null, NaN/Inf, zero or wrong-length vectors) do not count as occurrences: they are
 * rejected for their own reason. Two steps, so the common case reads no vectors and shuffles no
 * strings: (1) the ids alone are read and their 64-bit hashes (with row positions) are collected
 * ({@link #driverRowsLimit}) or shuffled as primitive arrays, one per split and hash bucket, to
 * find the hashes that occur twice or more; (2) only the splits holding such rows are read again,
 * with their vectors, and the valid rows among them are grouped by their exact id (so two ids that
 * merely share a hash are told apart). Never shuffles embeddings. Skipped when ids are made up from
 * file and row.
 */
final class DuplicateIdPass {
  /**
   * Sets of up to this many rows have step (1) done on the driver: each split's (hash, position)
   * pairs (16 bytes a row: 64 MB at the limit) are collected and the repeated hashes found there,
   * in one stage instead of a shuffle's map and reduce stages and shuffle files. Larger sets
   * shuffle, so no driver holds more than this. The result is the same either way: rows with equal
   * hashes meet in one bucket or in the driver's one array. Not final: a test forces the shuffle.
   */
  static long driverRowsLimit = 4_000_000L;

  private DuplicateIdPass() {}

  /** Sorted positions ({@link EmbeddingSplit#position}) of rows to reject as duplicates. */
  static long[] find(JobContext ctx, EmbeddingSet set) {
    if (!set.idsFromColumn()) {
      return new long[0];
    }
    var conf = ctx.hadoopConf;
    int buckets = Math.max(1, set.splits().size());
    ctx.jsc.setJobDescription("realign: duplicate ids of " + set.role());
    // Positions of the rows whose id hash occurs twice or more (any validity).
    List<Long> candidates = new ArrayList<>();
    if (set.rows() <= driverRowsLimit) {
      List<long[]> pairs =
          ctx.jsc
              .parallelize(set.splits(), set.splits().size())
              .flatMap(split -> hashesOf(set, split, 1, conf.value().get()))
              .map(Tuple2::_2)
              .collect();
      positionsOfRepeatedHashes(pairs).forEachRemaining(candidates::add);
    } else {
      candidates.addAll(
          ctx.jsc
              .parallelize(set.splits(), set.splits().size())
              .flatMapToPair(split -> hashesOf(set, split, buckets, conf.value().get()))
              .groupByKey(buckets)
              .flatMap(e -> positionsOfRepeatedHashes(e._2()))
              .collect());
    }
    return exact(ctx, set, candidates);
  }

  /**
   * Whether the stats pass may collect the set's id hashes for the driver ({@link
   * StatsPass#runFindingDuplicates}): ids from a column, and no more rows than {@link
   * #driverRowsLimit}.
   */
  static boolean collectable(EmbeddingSet set) {
    return set.idsFromColumn() && set.rows() <= driverRowsLimit;
  }

  /** {@link #find} from (hash, position) pairs the stats pass collected: step (1) done here. */
  static long[] fromHashes(JobContext ctx, EmbeddingSet set, long[] pairs) {
    List<Long> candidates = new ArrayList<>();
    positionsOfRepeatedHashes(List.of(pairs)).forEachRemaining(candidates::add);
    return exact(ctx, set, candidates);
  }

  /** Step (2): the rows among {@code candidates} (positions) that repeat an earlier valid id. */
  private static long[] exact(JobContext ctx, EmbeddingSet set, List<Long> candidates) {
    if (candidates.isEmpty()) {
      return new long[0];
    }
    var conf = ctx.hadoopConf;
    TreeSet<Long> candidateSet = new TreeSet<>(candidates);
    Set<Integer> candidateSplits = new TreeSet<>();
    candidateSet.forEach(p -> candidateSplits.add((int) (p >>> 40)));
    List<EmbeddingSplit> toRead =
        set.splits().stream().filter(s -> candidateSplits.contains(s.index())).toList();
    ctx.jsc.setJobDescription("realign: rows with repeated ids of " + set.role());
    long[] out =
        ctx
            .jsc
            .parallelize(toRead, toRead.size())
            .flatMapToPair(split -> validAmong(set, split, candidateSet, conf.value().get()))
            .groupByKey()
            .flatMap(
                e -> {
                  List<Long> used = new ArrayList<>(); // ArrayLists: Kryo serialises them
                  e._2().forEach(used::add);
                  used.sort(null);
                  return used.subList(Math.min(1, used.size()), used.size()).iterator();
                })
            .collect()
            .stream()
            .mapToLong(Long::longValue)
            .sorted()
            .toArray();
    if (out.length > 0) {
      Console.info(
          "%s: %,d rows repeat an earlier id (rejected as duplicate_id; the first"
              + " valid occurrence is kept)",
          set.role(), out.length);
    }
    return out;
  }

  /**
   * The split's non-empty ids as (hash, position) pairs, read without the vectors, dealt into
   * {@code buckets} flat arrays by hash: one shuffle record per bucket, not one per row.
   */
  private static Iterator<Tuple2<Integer, long[]>> hashesOf(
      EmbeddingSet set, EmbeddingSplit split, int buckets, Configuration conf) {
    HashPairs[] byBucket = new HashPairs[buckets];
    for (int b = 0; b < buckets; b++) {
      byBucket[b] = new HashPairs();
    }
    RowBatch batch = SplitSource.newBatch(set);
    try (SplitReader r = EmbeddingSetPlanner.open(set, split, true, conf)) {
      while (r.next(batch)) {
        for (int i = 0; i < batch.size; i++) {
          String id = batch.ids[i];
          if (id != null && !id.isEmpty()) {
            long hash = SampleRows.idHash(id);
            byBucket[(int) Long.remainderUnsigned(hash, buckets)].add(
                hash, split.position(batch.rowInFile[i] - split.firstRow()));
          }
        }
      }
    }
    List<Tuple2<Integer, long[]>> out = new ArrayList<>();
    for (int b = 0; b < buckets; b++) {
      if (byBucket[b].size > 0) {
        out.add(new Tuple2<>(b, byBucket[b].toArray()));
      }
    }
    return out.iterator();
  }

  /** (id hash, position) pairs of rows with a non-empty id, flat and growing. */
  static final class HashPairs {
    private long[] pairs = new long[16];
    private int size;

    void add(long hash, long position) {
      if (size + 2 > pairs.length) {
        pairs = Arrays.copyOf(pairs, pairs.length * 2);
      }
      pairs[size++] = hash;
      pairs[size++] = position;
    }

    long[] toArray() {
      return Arrays.copyOf(pairs, size);
    }
  }

  /** The positions, in one bucket's (hash, position) arrays, of rows whose hash occurs twice+. */
  static Iterator<Long> positionsOfRepeatedHashes(Iterable<long[]> arrays) {
    int n = 0;
    for (long[] a : arrays) {
      n += a.length / 2;
    }
    Set<Long> repeated = repeatedHashes(arrays, n);
    List<Long> out = new ArrayList<>();
    if (!repeated.isEmpty()) {
      for (long[] a : arrays) {
        for (int i = 0; i < a.length; i += 2) {
          if (repeated.contains(a[i])) {
            out.add(a[i + 1]);
          }
        }
      }
    }
    return out.iterator();
  }

  /**
   * The hashes that occur twice or more among the {@code n} pairs of {@code arrays}: an open
   * addressing set of the hashes (linear probing), at most 2/3 full. A sort of the hashes did the
   * same in O(n log n): on the driver, where the stats pass ends with this, it took 20-44 ms for a
   * 200k-row set early in a run, most of it interpreting and compiling the sort; the set takes 4-17
   * ms (measured on this project's 2-core machine, pyarrow Parquet inputs, 3-4 runs each).
   */
  static Set<Long> repeatedHashes(Iterable<long[]> arrays, int n) {
    if (n > MAX_SET_HASHES) {
      throw new IllegalArgumentException(
          "Invalid hash count: " + n + " (must be at most " + MAX_SET_HASHES + " a bucket)");
    }
    int bits = 4;
    while ((1 << bits) < n + n / 2 + 1) {
      bits++;
    }
    int slots = 1 << bits;
    long[] table = new long[slots]; // 0: an empty slot; a hash of 0 is kept apart
    int mask = slots - 1;
    boolean zero = false;
    Set<Long> repeated = new HashSet<>();
    for (long[] a : arrays) {
      for (int i = 0; i < a.length; i += 2) {
        long h = a[i];
        if (h == 0) {
          if (zero) {
            repeated.add(h);
          }
          zero = true;
          continue;
        }
        int s = slot(h, bits);
        long t;
        while ((t = table[s]) != 0 && t != h) {
          s = (s + 1) & mask;
        }
        if (t == h) {
          repeated.add(h);
        } else {
          table[s] = h;
        }
      }
    }
    return repeated;
  }

  /** The most hashes {@link #repeatedHashes} takes at once: a table of 2^30 slots (8 GiB). */
  static final int MAX_SET_HASHES = 700_000_000;

  /**
   * The first slot of {@code h} in a table of 2^{@code bits} slots: the top bits of {@code h} times
   * the 64-bit golden ratio. Not {@code h}'s low bits: the shuffle deals hashes into buckets by
   * their remainder, so with a power-of-two bucket count every hash of a bucket has the same low
   * bits, and they would all start at a few slots (the probes grow with the bucket count).
   */
  static int slot(long h, int bits) {
    return (int) ((h * 0x9e3779b97f4a7c15L) >>> (64 - bits));
  }

  /**
   * The (id, position) of the split's rows among {@code candidates} that would be used. Only such a
   * row counts as an occurrence: an invalid row is rejected for its own reason and must not hide a
   * later valid row with the same id.
   */
  private static Iterator<Tuple2<String, Long>> validAmong(
      EmbeddingSet set, EmbeddingSplit split, NavigableSet<Long> candidates, Configuration conf) {
    List<Tuple2<String, Long>> out = new ArrayList<>();
    RowBatch batch = SplitSource.newBatch(set);
    int dim = set.dim();
    try (SplitReader r = EmbeddingSetPlanner.open(set, split, false, conf)) {
      while (r.next(batch)) {
        for (int i = 0; i < batch.size; i++) {
          long position = split.position(batch.rowInFile[i] - split.firstRow());
          if (candidates.contains(position)
              && batch.reasons[i] == null
              && RowValidator.reasonFor(RowValidator.normOrNegative(batch.flat, i * dim, dim))
                  == null) {
            out.add(new Tuple2<>(batch.ids[i], position));
          }
        }
      }
    }
    return out.iterator();
  }
}
