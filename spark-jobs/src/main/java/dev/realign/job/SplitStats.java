package dev.realign.job;

import dev.realign.sink.ShardInfo;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.SketchCodec;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The mergeable result of the stats pass over some splits: the sketch (in its codec form, never
 * Java-serialised), row counts, rejects by reason, the rejected-row files written and, when asked
 * for, the report's sample drawn on the way ({@link SampleRows.Draw}, in its byte form too).
 */
final class SplitStats implements Serializable {
  private static final long serialVersionUID = 1L;

  final byte[] sketch;
  final long rows;
  final long rejected;
  final TreeMap<String, Long> byReason;
  final List<ShardInfo> rejectFiles;
  private final byte[] draw;

  /**
   * Null, or the (id hash, position) pairs of every row with a non-empty id, flat, when the pass
   * was asked to collect them ({@link StatsPass#runFindingDuplicates}): as little-endian longs in
   * bytes, because Java serialisation writes and reads a byte array in one copy and a long array a
   * long at a time (16 bytes a row; JFR showed C2 compiling those loops, 0.05 s of compiler time,
   * inside a 200k-row run's first pass on 2 cores).
   */
  private final byte[] idHashes;

  SplitStats(
      byte[] sketch,
      long rows,
      long rejected,
      Map<String, Long> byReason,
      List<ShardInfo> rejectFiles) {
    this(sketch, rows, rejected, byReason, rejectFiles, SampleRows.Draw.none(), null);
  }

  SplitStats(
      byte[] sketch,
      long rows,
      long rejected,
      Map<String, Long> byReason,
      List<ShardInfo> rejectFiles,
      SampleRows.Draw draw,
      long[] idHashes) {
    this(sketch, rows, rejected, byReason, rejectFiles, draw.encode(), toBytes(idHashes));
  }

  private SplitStats(
      byte[] sketch,
      long rows,
      long rejected,
      Map<String, Long> byReason,
      List<ShardInfo> rejectFiles,
      byte[] draw,
      byte[] idHashes) {
    this.draw = draw;
    this.idHashes = idHashes;
    this.sketch = sketch;
    this.rows = rows;
    this.rejected = rejected;
    this.byReason = new TreeMap<>(byReason);
    this.rejectFiles = new ArrayList<>(rejectFiles);
  }

  static SplitStats empty(int dim) {
    return new SplitStats(SketchCodec.encode(MomentSnapshot.empty(dim)), 0, 0, Map.of(), List.of());
  }

  /** The (id hash, position) pairs collected, flat; null when none were asked for. */
  long[] idHashes() {
    if (idHashes == null) {
      return null;
    }
    long[] pairs = new long[idHashes.length / Long.BYTES];
    ByteBuffer.wrap(idHashes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(pairs);
    return pairs;
  }

  private static byte[] toBytes(long[] pairs) {
    if (pairs == null) {
      return null;
    }
    ByteBuffer b = ByteBuffer.allocate(pairs.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(pairs);
    return b.array();
  }

  SampleRows.Draw draw() {
    return SampleRows.Draw.decode(draw);
  }

  MomentSnapshot snapshot() {
    return SketchCodec.decode(sketch);
  }

  static SplitStats merge(SplitStats a, SplitStats b) {
    TreeMap<String, Long> by = new TreeMap<>(a.byReason);
    b.byReason.forEach((k, v) -> by.merge(k, v, Long::sum));
    List<ShardInfo> files = new ArrayList<>(a.rejectFiles);
    files.addAll(b.rejectFiles);
    files.sort(Comparator.comparing(ShardInfo::name));
    return new SplitStats(
        dev.realign.spark.SketchAggregation.mergeEncoded(a.sketch, b.sketch),
        a.rows + b.rows,
        a.rejected + b.rejected,
        by,
        files,
        SampleRows.Draw.mergeEncoded(a.draw, b.draw),
        concat(a.idHashes, b.idHashes));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
