package dev.realign.job;

import dev.realign.sink.OutputLayout;
import dev.realign.sink.RejectedWriter;
import dev.realign.sink.ShardInfo;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSplit;
import dev.realign.source.HadoopFiles;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import dev.realign.spark.SketchAggregation;
import dev.realign.spark.SketchAggregation.RowAccumulator;
import dev.realign.vector.RejectReason;
import dev.realign.vector.RowValidator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;

/**
 * One pass over an embedding set: the exact sketch of its valid rows (the shared {@link
 * SketchAggregation}: a RowAccumulator per split, merged by its tree) and the rejected rows,
 * written with their reasons to {@code rejected/<role>/part-k-of-M.parquet} (only splits that have
 * rejects get a file); on request also the report's sample of the valid rows ({@link
 * SampleRows.Draw}), so that {@code run} needs no sampling pass.
 */
final class StatsPass {
  private StatsPass() {}

  static SplitStats run(JobContext ctx, EmbeddingSet set, long[] duplicates) {
    return run(ctx, set, duplicates, 0);
  }

  /**
   * The pass, drawing a sample of {@code sampleRows} valid rows on the way when {@code > 0}: each
   * task keeps the rows whose id hash falls in the lowest {@code (n + 8 sqrt(n) + 16) / planned
   * rows} of the hash range: n rows plus eight standard deviations of the binomial count, so a draw
   * comes up short (and the report falls back to its own pass) only when many planned rows are
   * invalid or duplicates.
   */
  static SplitStats run(JobContext ctx, EmbeddingSet set, long[] duplicates, int sampleRows) {
    return run(ctx, set, duplicates, sampleRows, false);
  }

  /** The pass and the rows it rejected as duplicates. */
  record WithDuplicates(SplitStats stats, long[] duplicates) {}

  /**
   * The pass with the duplicate-id search folded in, for a set whose ids the driver may collect
   * ({@link DuplicateIdPass#collectable}): the pass runs as if there were no duplicates and
   * collects every row's (id hash, position); if repeated ids turn up (rare), it runs again with
   * them rejected, so the sketch, the counts, the sample and the rejected-row files are those of a
   * pass that knew them from the start (the second pass rewrites every file the first wrote: a
   * split's rejects only grow). Saves {@link DuplicateIdPass#find}'s own read of the ids (a Spark
   * job) in the common case.
   */
  static WithDuplicates runFindingDuplicates(JobContext ctx, EmbeddingSet set, int sampleRows) {
    SplitStats first = run(ctx, set, new long[0], sampleRows, true);
    long[] pairs = first.idHashes();
    long[] duplicates = DuplicateIdPass.fromHashes(ctx, set, pairs == null ? new long[0] : pairs);
    if (duplicates.length == 0) {
      return new WithDuplicates(first, duplicates);
    }
    return new WithDuplicates(run(ctx, set, duplicates, sampleRows, false), duplicates);
  }

  private static SplitStats run(
      JobContext ctx, EmbeddingSet set, long[] duplicates, int sampleRows, boolean collectIds) {
    double fraction =
        SampleRows.fraction(
            1.0, sampleRows + (int) Math.ceil(8 * Math.sqrt(sampleRows)) + 16, set.rows());
    Broadcast<SerializableHadoopConf> conf = ctx.hadoopConf;
    Broadcast<long[]> dups = ctx.jsc.broadcast(duplicates);
    OutputLayout layout = ctx.layout;
    int splitCount = set.splits().size();
    int dim = set.dim();
    // Object stores: rejected-row files written once under their final names (CommitPlan).
    boolean direct =
        CommitPlan.of(ctx.fs, layout.rejected(set.role()), ctx.config) == CommitPlan.DIRECT;
    ctx.jsc.setJobDescription("realign: stats of " + set.role());
    try (ProgressReporter progress =
        new ProgressReporter(ctx.jsc, "stats " + set.role(), set.rows(), ctx.progressInterval())) {
      LongAccumulator counter = progress.counter();
      JavaRDD<SplitStats> partials =
          ctx.jsc
              .parallelize(set.splits(), splitCount)
              .map(
                  split ->
                      statsOf(
                          set,
                          split,
                          splitCount,
                          layout,
                          conf.value().get(),
                          dups.value(),
                          counter,
                          sampleRows > 0
                              ? new SampleRows.Draw(sampleRows, fraction)
                              : SampleRows.Draw.none(),
                          direct,
                          collectIds));
      SplitStats total =
          SketchAggregation.treeMerge(partials, SplitStats.empty(dim), SplitStats::merge);
      progress.finish();
      return total;
    }
  }

  static SplitStats statsOf(
      EmbeddingSet set,
      EmbeddingSplit split,
      int splitCount,
      OutputLayout layout,
      Configuration conf,
      long[] duplicates,
      LongAccumulator counter,
      SampleRows.Draw draw,
      boolean direct,
      boolean collectIds) {
    RowAccumulator acc = new RowAccumulator(set.dim());
    DuplicateIdPass.HashPairs ids = collectIds ? new DuplicateIdPass.HashPairs() : null;
    RowBatch batch = SplitSource.newBatch(set);
    String name = OutputLayout.shardName(split.index(), splitCount);
    RejectSink rejects =
        new RejectSink(
            layout.rejected(set.role()),
            name,
            "rejected/" + set.role() + "/" + name,
            split.file(),
            conf,
            direct);
    try (SplitReader reader = SplitSource.open(set, split, conf, duplicates);
        rejects) {
      while (reader.next(batch)) {
        for (int i = 0; i < batch.size; i++) {
          // One hash a row, for the duplicate-id pairs and the report's draw alike.
          String id = batch.ids[i];
          boolean hashed = ids != null && id != null && !id.isEmpty();
          long hash = hashed ? SampleRows.idHash(id) : 0;
          if (hashed) {
            ids.add(hash, split.position(batch.rowInFile[i] - split.firstRow()));
          }
          RejectReason reason = batch.reasons[i];
          String detail = batch.details[i];
          if (reason != null) {
            acc.reject(reason);
          } else {
            reason = acc.add(batch.flat, i * set.dim());
            if (reason == null) {
              if (hashed) {
                draw.offer(id, hash, batch.flat, i * set.dim(), set.dim());
              } else {
                draw.offer(id, batch.flat, i * set.dim(), set.dim());
              }
            } else {
              detail =
                  reason == RejectReason.ZERO_NORM
                      ? "L2 norm below " + RowValidator.MIN_NORM
                      : "NaN or infinite component";
            }
          }
          if (reason != null) {
            rejects.write(batch, i, reason, detail);
          }
        }
        counter.add(batch.size);
      }
    }
    ShardInfo file = rejects.finish();
    return new SplitStats(
        acc.encoded(),
        acc.rows(),
        acc.rejected(),
        acc.byReason(),
        file == null ? List.of() : List.of(file),
        draw,
        ids == null ? null : ids.toArray());
  }

  /** Opens the rejected-row file of a split lazily, on its first reject. */
  static final class RejectSink implements AutoCloseable {
    private final Path dir;
    private final String name;
    private final String relativeName;
    private final String source;
    private final Configuration conf;
    private final boolean direct;
    private RejectedWriter writer;
    private Path tmp;
    private ShardInfo info;

    /**
     * @param relativeName the file's name relative to the output root, for the manifest
     * @param source the input file the rows come from
     * @param direct written once under the final name, not renamed ({@link CommitPlan#DIRECT})
     */
    RejectSink(
        Path dir,
        String name,
        String relativeName,
        String source,
        Configuration conf,
        boolean direct) {
      this.dir = dir;
      this.direct = direct;
      this.name = name;
      this.relativeName = relativeName;
      this.source = source;
      this.conf = conf;
    }

    void write(RowBatch batch, int i, RejectReason reason, String detail) {
      write(batch.ids[i], batch.rowInFile[i], reason, detail, batch.texts[i], batch.rawVector(i));
    }

    void write(
        String id, long row, RejectReason reason, String detail, String text, float[] vector) {
      if (writer == null) {
        tmp =
            direct
                ? new Path(dir, name)
                : new Path(dir, "." + name + ".tmp-" + java.util.UUID.randomUUID());
        writer = new RejectedWriter(HadoopFiles.fs(tmp, conf), tmp, conf);
      }
      writer.write(id, source, row, reason.code(), detail, text, vector);
    }

    /** Publishes the file under its final name; null when the split had no rejects. */
    ShardInfo finish() {
      if (writer == null) {
        return null;
      }
      if (info == null) {
        ShardInfo written = writer.finish();
        Path target = new Path(dir, name);
        if (!direct) {
          dev.realign.sink.AtomicFiles.publish(HadoopFiles.fs(target, conf), tmp, target);
        }
        info = new ShardInfo(relativeName, written.rows(), written.bytes(), written.sha256());
      }
      return info;
    }

    @Override
    public void close() {
      if (writer != null && info == null) {
        writer.close();
      }
    }
  }
}
