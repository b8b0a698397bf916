package dev.realign.job;

import dev.realign.align.AlignmentKernel;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import dev.realign.spark.SketchAggregation;
import dev.realign.spark.SketchAggregation.CentroidAccumulator;
import dev.realign.stats.MomentSnapshot;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;

/**
 * A centroid pass of the fit: the exact sketch of the current kernel's unit outputs over every
 * valid text row, with the kernel broadcast to the executors (the shared {@link
 * SketchAggregation}).
 */
final class CentroidPass {
  private CentroidPass() {}

  static MomentSnapshot run(
      JobContext ctx,
      EmbeddingSet texts,
      long[] duplicates,
      AlignmentKernel kernel,
      int passNumber) {
    Broadcast<SerializableHadoopConf> conf = ctx.hadoopConf;
    Broadcast<long[]> dups = ctx.jsc.broadcast(duplicates);
    Broadcast<AlignmentKernel> k = ctx.jsc.broadcast(kernel);
    int dim = texts.dim();
    ctx.jsc.setJobDescription("realign: centroid pass " + passNumber);
    try (ProgressReporter progress =
        new ProgressReporter(
            ctx.jsc, "centroid pass " + passNumber, texts.rows(), ctx.progressInterval())) {
      LongAccumulator counter = progress.counter();
      JavaRDD<byte[]> partials =
          ctx.jsc
              .parallelize(texts.splits(), texts.splits().size())
              .map(
                  split -> {
                    CentroidAccumulator acc = new CentroidAccumulator(k.value());
                    RowBatch batch = SplitSource.newBatch(texts);
                    try (SplitReader r =
                        SplitSource.open(texts, split, conf.value().get(), dups.value())) {
                      while (r.next(batch)) {
                        for (int i = 0; i < batch.size; i++) {
                          if (batch.reasons[i] == null) {
                            acc.add(batch.flat, i * dim);
                          }
                        }
                        counter.add(batch.size);
                      }
                    }
                    return acc.encoded();
                  });
      MomentSnapshot merged = SketchAggregation.mergeAll(partials, dim);
      progress.finish();
      return merged;
    }
  }
}
