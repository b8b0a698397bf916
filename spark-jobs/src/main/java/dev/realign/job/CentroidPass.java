package dev.realign.job;

import dev.realign.align.AlignmentKernel;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import dev.realign.stats.MomentSketch;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.SketchCodec;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;

/**
 * A centroid pass of the fit: the exact sketch of the current kernel's unit outputs over every
 * valid text row, with the kernel broadcast to the executors.
 */
final class CentroidPass {
  private CentroidPass() {}

  static MomentSnapshot run(JobContext ctx, EmbeddingSet texts, long[] duplicates,
      AlignmentKernel kernel, int passNumber) {
    Broadcast<SerializableHadoopConf> conf = ctx.hadoopConf;
    Broadcast<long[]> dups = ctx.jsc.broadcast(duplicates);
    Broadcast<AlignmentKernel> k = ctx.jsc.broadcast(kernel);
    int dim = texts.dim();
    ctx.jsc.setJobDescription("realign: centroid pass " + passNumber);
    try (ProgressReporter progress = new ProgressReporter(ctx.jsc,
        "centroid pass " + passNumber, texts.rows(), ctx.progressInterval())) {
      LongAccumulator counter = progress.counter();
      byte[] merged = ctx.jsc.parallelize(texts.splits(), texts.splits().size())
          .map(split -> {
            AlignmentKernel kern = k.value();
            MomentSketch sketch = new MomentSketch(dim);
            double[] unit = kern.newScratch();
            RowBatch batch = SplitSource.newBatch(texts);
            try (SplitReader r = SplitSource.open(texts, split, conf.value().get(), dups.value())) {
              while (r.next(batch)) {
                for (int i = 0; i < batch.size; i++) {
                  if (batch.reasons[i] == null
                      && kern.forwardUnit(batch.flat, i * dim, unit) == null) {
                    sketch.addUnit(unit);
                  }
                }
                counter.add(batch.size);
              }
            }
            return SketchCodec.encode(sketch.snapshot());
          })
          .treeAggregate(SketchCodec.encode(MomentSnapshot.empty(dim)),
              (a, b) -> SketchCodec.encode(
                  MomentSnapshot.merge(SketchCodec.decode(a), SketchCodec.decode(b))),
              (a, b) -> SketchCodec.encode(
                  MomentSnapshot.merge(SketchCodec.decode(a), SketchCodec.decode(b))), 2);
      progress.finish();
      return SketchCodec.decode(merged);
    }
  }
}
