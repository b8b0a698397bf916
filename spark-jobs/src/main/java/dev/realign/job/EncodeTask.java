package dev.realign.job;

import dev.realign.encode.EncodeResult;
import dev.realign.encode.EncoderConfig;
import dev.realign.encode.OnnxTextEncoder;
import dev.realign.sink.AtomicFiles;
import dev.realign.sink.OutputLayout;
import dev.realign.sink.ShardInfo;
import dev.realign.sink.ShardManifest;
import dev.realign.sink.ShardWriter;
import dev.realign.source.CorpusReader;
import dev.realign.source.CorpusRecord;
import dev.realign.source.CorpusSplit;
import dev.realign.source.HadoopFiles;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.SketchCodec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.util.LongAccumulator;

/**
 * One encode task, in an executor: split k of the plan to {@code part-k-of-M.parquet} ({@code id},
 * {@code text}, {@code embedding}), its rejects to {@code rejected/}, and a completion record in
 * {@code _staging/}. On the rename plan ({@link CommitPlan}) the shard is written under a temporary
 * name and renamed into {@code _staging/}; on the direct plan (object stores) it and its rejects
 * are written once under their final names, and no rename (a copy on S3) happens. With {@code
 * resume}, a verified shard of an earlier attempt with the same encoder and split is kept. Rows are
 * counted into the progress accumulator after every encoder batch, so progress moves while the task
 * runs.
 */
final class EncodeTask implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Texts handed to the encoder at once: it sorts them by token length to cut padding. */
  static final int CHUNK_TEXTS = 4096;

  private final int count;
  private final String dir;
  private final EncoderConfig encoderConfig;
  private final String idField;
  private final String textField;
  private final String provenance;
  private final boolean resume;
  private final int failSplit;
  private final boolean direct;

  /**
   * @param count splits in the plan (the M of the shard names)
   * @param provenance the encoder's identity and settings; a completion record must match it
   * @param failSplit fault injection for tests: this split fails after writing its shard (-1: none)
   * @param direct the {@link CommitPlan#DIRECT} plan: shard and rejects under their final names
   */
  EncodeTask(
      int count,
      String dir,
      EncoderConfig encoderConfig,
      String idField,
      String textField,
      String provenance,
      boolean resume,
      int failSplit,
      boolean direct) {
    this.count = count;
    this.dir = dir;
    this.encoderConfig = encoderConfig;
    this.idField = idField;
    this.textField = textField;
    this.provenance = provenance;
    this.resume = resume;
    this.failSplit = failSplit;
    this.direct = direct;
  }

  /** A split's completion-record provenance: the encoder's, plus where the rows come from. */
  String provenance(CorpusSplit split) {
    return provenance + " split=" + split.describe();
  }

  ShardResult run(CorpusSplit split, Configuration conf, LongAccumulator counter) {
    String name = OutputLayout.shardName(split.index(), count);
    Path out = new Path(dir);
    Path staging = new Path(out, "_staging");
    Path staged = new Path(staging, name);
    Path done = new Path(staging, name + ".done.json");
    FileSystem fs = HadoopFiles.fs(staged, conf);
    String splitProvenance = provenance(split);
    if (resume) {
      ShardResult kept =
          ApplyPass.verifiedCompletion(
              fs, staging, out, name, split.index(), done, splitProvenance);
      if (kept != null) {
        counter.add(kept.shard().rows() + kept.rejected());
        return kept;
      }
    }
    OnnxTextEncoder encoder = OnnxTextEncoder.create(withTaskGpu(encoderConfig));
    int dim = encoder.dimension();
    // Direct: written once under the final name (the bytes are a function of the split, so a retry
    // or a speculative attempt writes the same object); the manifest was retired by the driver.
    Path tmp =
        direct ? new Path(out, name) : new Path(staging, "." + name + ".tmp-" + UUID.randomUUID());
    StatsPass.RejectSink rejects =
        new StatsPass.RejectSink(
            new Path(out, "rejected"),
            name,
            "rejected/" + name,
            split.relativePath(),
            conf,
            direct);
    long rejected = 0;
    long truncated = 0;
    ShardInfo info;
    CorpusReader reader = new CorpusReader(idField, textField);
    try (CorpusReader.Records records = reader.open(split, conf);
        ShardWriter writer = new ShardWriter(fs, tmp, dim, true, conf);
        rejects) {
      List<CorpusRecord> chunk = new ArrayList<>(CHUNK_TEXTS);
      while (records.hasNext()) {
        chunk.clear();
        List<String> texts = new ArrayList<>(CHUNK_TEXTS);
        while (records.hasNext() && chunk.size() < CHUNK_TEXTS) {
          CorpusRecord r = records.next();
          chunk.add(r);
          texts.add(r.isRejected() ? null : r.text());
        }
        long[] counted = {0};
        EncodeResult result =
            encoder.encode(
                texts,
                batch -> {
                  counter.add(batch);
                  counted[0] += batch;
                });
        counter.add(chunk.size() - counted[0]); // the rejected and empty texts of the chunk
        float[] flat = result.embeddings();
        for (int i = 0; i < chunk.size(); i++) {
          CorpusRecord r = chunk.get(i);
          if (r.isRejected()) {
            rejects.write(
                r.id(),
                line(r.location()),
                r.reject(),
                r.location() + ": " + r.detail(),
                r.text(),
                null);
            rejected++;
          } else if (!result.embedded(i)) {
            rejects.write(
                r.id(),
                line(r.location()),
                result.rejectReason(i),
                r.location() + ": empty text",
                r.text(),
                null);
            rejected++;
          } else {
            if (result.status(i) == EncodeResult.Status.TRUNCATED) {
              truncated++;
            }
            writer.write(r.id(), r.text(), flat, i * dim);
          }
        }
      }
      info = writer.finish();
    }
    ShardInfo rejectFile = rejects.finish();
    if (!direct) {
      AtomicFiles.publish(fs, tmp, staged);
    }
    ShardResult result =
        new ShardResult(
            split.index(),
            new ShardInfo(name, info.rows(), info.bytes(), info.sha256()),
            rejected,
            splitProvenance,
            SketchCodec.encode(MomentSnapshot.empty(dim)),
            truncated,
            rejectFile);
    if (direct) {
      // A manifest here means the run has committed and this is a late (speculative or zombie)
      // attempt: it wrote the committed bytes again and must not recreate _staging/.
      if (!ApplyPass.exists(fs, new Path(out, "_manifest.json"))) {
        ApplyPass.writeWhole(fs, done, result.toJson());
      }
    } else {
      ShardManifest.writeAtomically(fs, done, result.toJson());
    }
    if (split.index() == failSplit) {
      throw FaultSeam.injected(name, FaultSeam.FAIL_ENCODE_SPLIT, failSplit);
    }
    return result;
  }

  /** For a GPU provider: the GPU Spark assigned to this task (one session per GPU), if any. */
  private static EncoderConfig withTaskGpu(EncoderConfig c) {
    TaskContext task = TaskContext.get();
    if (!c.provider().gpu() || task == null) {
      return c;
    }
    var gpu = task.resources().get("gpu");
    if (gpu.isEmpty() || gpu.get().addresses().length == 0) {
      return c;
    }
    int device = Integer.parseInt(gpu.get().addresses()[0]);
    return c.toBuilder().provider(c.provider(), device).build();
  }

  private static long line(String location) {
    int colon = location == null ? -1 : location.lastIndexOf(':');
    try {
      return colon < 0 ? -1 : Long.parseLong(location.substring(colon + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
