package dev.realign.spark;

import dev.realign.align.AlignmentKernel;
import dev.realign.stats.MomentSketch;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.SketchCodec;
import dev.realign.vector.RejectReason;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;

/**
 * The one distributed sketch aggregation, shared by the CLI's jobs ({@code StatsPass}, {@code
 * CentroidPass}) and the Spark ML stage ({@code ReAlign.fit}): each task fills a {@link
 * RowAccumulator} (raw rows) or a {@link CentroidAccumulator} (a kernel's unit outputs), ships its
 * sketch in codec form (never Java-serialised) and the driver merges the partials with {@code
 * treeAggregate}. The sums are exact, so any partitioning and any merge tree give the same bits;
 * the depth is fixed only to keep the driver's fan-in small.
 */
public final class SketchAggregation {
  /** treeAggregate depth of every sketch merge. */
  public static final int TREE_DEPTH = 2;

  private SketchAggregation() {}

  /** The codec form of the empty sketch (the identity of {@link #mergeEncoded}). */
  public static byte[] emptyEncoded(int dim) {
    return SketchCodec.encode(MomentSnapshot.empty(dim));
  }

  /** Merges two sketches in codec form. */
  public static byte[] mergeEncoded(byte[] a, byte[] b) {
    return SketchCodec.encode(MomentSnapshot.merge(SketchCodec.decode(a), SketchCodec.decode(b)));
  }

  /** Merges per-partition results of any mergeable type with the shared tree. */
  public static <T> T treeMerge(JavaRDD<T> partials, T zero, Function2<T, T, T> merge) {
    return partials.treeAggregate(zero, merge, merge, TREE_DEPTH);
  }

  /** Merges per-partition sketches in codec form into one snapshot. */
  public static MomentSnapshot mergeAll(JavaRDD<byte[]> partials, int dim) {
    return SketchCodec.decode(
        treeMerge(partials, emptyEncoded(dim), SketchAggregation::mergeEncoded));
  }

  /**
   * One task's sketch of raw rows with its row accounting: rows seen, rejects by reason code. Not
   * thread-safe; one per task.
   */
  public static final class RowAccumulator {
    private final MomentSketch sketch;
    private final TreeMap<String, Long> byReason = new TreeMap<>();
    private long rows;
    private long rejected;

    public RowAccumulator(int dim) {
      this.sketch = new MomentSketch(dim);
    }

    /**
     * Validates, normalises and adds the row of {@code dim} floats at {@code off}; counts it.
     *
     * @return null when the row was added, else why not (already counted as rejected)
     */
    public RejectReason add(float[] flat, int off) {
      rows++;
      RejectReason reason = sketch.add(flat, off);
      if (reason != null) {
        countReject(reason);
      }
      return reason;
    }

    /** Counts a row that was rejected before it reached the sketch (id checks, null vector...). */
    public void reject(RejectReason reason) {
      rows++;
      countReject(reason);
    }

    private void countReject(RejectReason reason) {
      rejected++;
      byReason.merge(reason.code(), 1L, Long::sum);
    }

    public long rows() {
      return rows;
    }

    public long rejected() {
      return rejected;
    }

    /** Rejects by reason code (a copy, sorted). */
    public Map<String, Long> byReason() {
      return new TreeMap<>(byReason);
    }

    /** The sketch of the valid rows so far, in codec form. */
    public byte[] encoded() {
      return SketchCodec.encode(sketch.snapshot());
    }

    /** What this task ships to the driver. */
    public PartialStats partial() {
      return new PartialStats(encoded(), rows, rejected, byReason);
    }
  }

  /**
   * A task's or a merge's result: the sketch (codec form) and the row accounting. A class, not a
   * record: Kryo needs a no-argument path it cannot find in records on every Spark version.
   */
  public static final class PartialStats implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    public final byte[] sketch;
    public final long rows;
    public final long rejected;
    public final TreeMap<String, Long> byReason;

    public PartialStats(byte[] sketch, long rows, long rejected, Map<String, Long> byReason) {
      this.sketch = sketch;
      this.rows = rows;
      this.rejected = rejected;
      this.byReason = new TreeMap<>(byReason);
    }

    public static PartialStats empty(int dim) {
      return new PartialStats(emptyEncoded(dim), 0, 0, Map.of());
    }

    public MomentSnapshot snapshot() {
      return SketchCodec.decode(sketch);
    }

    public static PartialStats merge(PartialStats a, PartialStats b) {
      TreeMap<String, Long> by = new TreeMap<>(a.byReason);
      b.byReason.forEach((k, v) -> by.merge(k, v, Long::sum));
      return new PartialStats(
          mergeEncoded(a.sketch, b.sketch), a.rows + b.rows, a.rejected + b.rejected, by);
    }
  }

  /**
   * One task's part of a centroid pass: the sketch of {@code kernel.forwardUnit(row)} over the
   * valid rows it is given (invalid rows were counted by the stats pass and are skipped here).
   */
  public static final class CentroidAccumulator {
    private final AlignmentKernel kernel;
    private final MomentSketch sketch;
    private final double[] unit;

    public CentroidAccumulator(AlignmentKernel kernel) {
      this.kernel = kernel;
      this.sketch = new MomentSketch(kernel.dimension());
      this.unit = kernel.newScratch();
    }

    /** Adds the kernel's unit output of the row at {@code off}; false when the row is invalid. */
    public boolean add(float[] flat, int off) {
      if (kernel.forwardUnit(flat, off, unit) != null) {
        return false;
      }
      sketch.addUnit(unit);
      return true;
    }

    public byte[] encoded() {
      return SketchCodec.encode(sketch.snapshot());
    }
  }
}
