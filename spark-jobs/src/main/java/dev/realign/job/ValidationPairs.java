package dev.realign.job;

import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.source.EmbeddingFormat;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.source.EmbeddingSplit;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import dev.realign.vector.RowValidator;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * A paired validation set: rows pair by id, or by position when both sides are .npy files with
 * made-up ids and equal row counts. The pairing runs in the executors (a cogroup by key); only the
 * counts and at most {@code maxPairs} pairs (those with the smallest key hash: recall is {@code
 * O(n^2)}) reach the driver. Every key is accounted for: paired, unmatched on one side, duplicated
 * on a side (ambiguous: left out), or with a bad row on a side (left out).
 *
 * @param texts flat row-major paired texts (row i pairs with image row i), in key-hash order
 * @param counts {@code pairs}, {@code used}, {@code unmatched_text}, {@code unmatched_image},
 *     {@code duplicate_text}, {@code duplicate_image}, {@code bad_row}, {@code max_pairs}
 */
record ValidationPairs(
    float[] texts, float[] images, boolean byPosition, Map<String, Long> counts) {
  static final String PAIRED = "pairs";
  static final String USED = "used";
  static final String UNMATCHED_TEXT = "unmatched_text";
  static final String UNMATCHED_IMAGE = "unmatched_image";
  static final String DUPLICATE_TEXT = "duplicate_text";
  static final String DUPLICATE_IMAGE = "duplicate_image";
  static final String BAD_ROW = "bad_row";
  static final String MAX_PAIRS = "max_pairs";

  /** A keyed row; vector null for a bad row. A plain class (Kryo cannot serialise records). */
  static final class Keyed implements Serializable {
    private static final long serialVersionUID = 1L;
    final float[] vector;

    Keyed(float[] vector) {
      this.vector = vector;
    }
  }

  /** One usable pair. */
  static final class Pair implements Serializable {
    private static final long serialVersionUID = 1L;
    final long hash;
    final String key;
    final float[] text;
    final float[] image;

    Pair(long hash, String key, float[] text, float[] image) {
      this.hash = hash;
      this.key = key;
      this.text = text;
      this.image = image;
    }
  }

  /** Orders pairs by unsigned key hash, then key. */
  static final class ByHash implements Comparator<Pair>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(Pair a, Pair b) {
      int c = Long.compareUnsigned(a.hash, b.hash);
      return c != 0 ? c : a.key.compareTo(b.key);
    }
  }

  static ValidationPairs read(
      JobContext ctx, String textPath, String imagePath, int dim, int maxPairs) {
    EmbeddingSet t = plan(ctx, "validation text", textPath);
    EmbeddingSet i = plan(ctx, "validation image", imagePath);
    for (EmbeddingSet s : List.of(t, i)) {
      if (s.dim() != dim) {
        throw new IllegalArgumentException(
            "Invalid "
                + s.role()
                + " set "
                + s.path()
                + ": dimension "
                + s.dim()
                + " (must be "
                + dim
                + ", the transform's)");
      }
    }
    boolean byPosition =
        t.format() == EmbeddingFormat.NPY
            && i.format() == EmbeddingFormat.NPY
            && !t.idsFromColumn()
            && !i.idsFromColumn()
            && t.rows() == i.rows();
    ctx.jsc.setJobDescription("realign: validation pairs");
    JavaPairRDD<String, Tuple2<Iterable<Keyed>, Iterable<Keyed>>> grouped =
        keyed(ctx, t, byPosition)
            .cogroup(keyed(ctx, i, byPosition))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Map<String, Long> counts = new LinkedHashMap<>();
      for (String c :
          List.of(
              PAIRED, UNMATCHED_TEXT, UNMATCHED_IMAGE, DUPLICATE_TEXT, DUPLICATE_IMAGE, BAD_ROW)) {
        counts.put(c, 0L);
      }
      grouped.map(e -> category(e._2())).countByValue().forEach(counts::put);
      long paired = counts.get(PAIRED);
      if (paired == 0 && counts.get(BAD_ROW) == 0 && counts.get(DUPLICATE_TEXT) == 0) {
        throw new IllegalArgumentException(
            "Invalid validation set: none of the "
                + t.rows()
                + " ids of "
                + textPath
                + " match an id of "
                + imagePath
                + " (rows pair by id; by"
                + " position only when both are .npy files of equal length)");
      }
      if (paired == 0) {
        throw new IllegalArgumentException(
            "Invalid validation set: no usable pair (" + counts + ")");
      }
      List<Pair> pairs =
          grouped
              .filter(e -> PAIRED.equals(category(e._2())))
              .map(
                  e ->
                      new Pair(
                          SampleRows.idHash(e._1()),
                          e._1(),
                          e._2()._1().iterator().next().vector,
                          e._2()._2().iterator().next().vector))
              .takeOrdered(maxPairs, new ByHash());
      counts.put(USED, (long) pairs.size());
      counts.put(MAX_PAIRS, (long) maxPairs);
      float[] ft = new float[pairs.size() * dim];
      float[] fi = new float[pairs.size() * dim];
      for (int k = 0; k < pairs.size(); k++) {
        System.arraycopy(pairs.get(k).text, 0, ft, k * dim, dim);
        System.arraycopy(pairs.get(k).image, 0, fi, k * dim, dim);
      }
      Console.info(
          "validation: %,d pairs by %s, %,d used (cap %s = %,d, smallest id hash);"
              + " left out: %,d unmatched text ids, %,d unmatched image ids, %,d ids duplicated among"
              + " texts, %,d among images, %,d pairs with a bad row",
          paired,
          byPosition ? "position" : "id",
          pairs.size(),
          ConfigKeys.VALIDATION_MAX_PAIRS,
          maxPairs,
          counts.get(UNMATCHED_TEXT),
          counts.get(UNMATCHED_IMAGE),
          counts.get(DUPLICATE_TEXT),
          counts.get(DUPLICATE_IMAGE),
          counts.get(BAD_ROW));
      return new ValidationPairs(ft, fi, byPosition, counts);
    } finally {
      grouped.unpersist(false);
    }
  }

  /** What one key is: duplicates first (ambiguous), then unmatched, bad row, or a pair. */
  static String category(Tuple2<Iterable<Keyed>, Iterable<Keyed>> sides) {
    int nt = size(sides._1());
    int ni = size(sides._2());
    if (nt > 1) {
      return DUPLICATE_TEXT;
    }
    if (ni > 1) {
      return DUPLICATE_IMAGE;
    }
    if (ni == 0) {
      return UNMATCHED_TEXT;
    }
    if (nt == 0) {
      return UNMATCHED_IMAGE;
    }
    boolean ok =
        sides._1().iterator().next().vector != null && sides._2().iterator().next().vector != null;
    return ok ? PAIRED : BAD_ROW;
  }

  private static int size(Iterable<Keyed> it) {
    int n = 0;
    for (Keyed ignored : it) {
      n++;
    }
    return n;
  }

  /** Every row keyed by id (or by position in the set); invalid rows with a null vector. */
  private static JavaPairRDD<String, Keyed> keyed(
      JobContext ctx, EmbeddingSet set, boolean byPosition) {
    Broadcast<SerializableHadoopConf> conf = ctx.hadoopConf;
    int dim = set.dim();
    List<EmbeddingSplit> splits = set.splits();
    long[] start = new long[splits.size()];
    for (int k = 1; k < splits.size(); k++) {
      start[k] = start[k - 1] + splits.get(k - 1).rows();
    }
    return ctx.jsc
        .parallelize(splits, splits.size())
        .flatMapToPair(
            split -> {
              List<Tuple2<String, Keyed>> out = new ArrayList<>();
              RowBatch batch = SplitSource.newBatch(set);
              long row = start[split.index()];
              try (SplitReader r = SplitSource.open(set, split, conf.value().get(), new long[0])) {
                while (r.next(batch)) {
                  for (int k = 0; k < batch.size; k++, row++) {
                    boolean ok =
                        batch.reasons[k] == null
                            && RowValidator.normOrNegative(batch.flat, k * dim, dim) >= 0;
                    out.add(
                        new Tuple2<>(
                            byPosition ? Long.toString(row) : batch.ids[k],
                            new Keyed(
                                ok
                                    ? Arrays.copyOfRange(batch.flat, k * dim, (k + 1) * dim)
                                    : null)));
                  }
                }
              }
              return out.iterator();
            });
  }

  private static EmbeddingSet plan(JobContext ctx, String role, String path) {
    PipelineConfig c = ctx.config;
    return EmbeddingSetPlanner.plan(
        new EmbeddingSetPlanner.Spec(
            role,
            path,
            null,
            "",
            new dev.realign.source.Columns(
                c.get(ConfigKeys.ID_COLUMN),
                c.get(ConfigKeys.VECTOR_COLUMN),
                c.get(ConfigKeys.TEXT_COLUMN)),
            c.getInt(ConfigKeys.SPLIT_ROWS),
            0),
        ctx.jsc.hadoopConfiguration());
  }
}
