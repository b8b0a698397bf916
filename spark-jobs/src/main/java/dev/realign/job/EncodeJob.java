package dev.realign.job;

import dev.realign.align.EncoderIdentity;
import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.encode.EncodeResult;
import dev.realign.encode.EncoderConfig;
import dev.realign.encode.ExecutionProvider;
import dev.realign.encode.OnnxTextEncoder;
import dev.realign.encode.Pooling;
import dev.realign.sink.OutputLayout;
import dev.realign.sink.ShardInfo;
import dev.realign.sink.ShardManifest;
import dev.realign.sink.ShardWriter;
import dev.realign.source.CorpusFile;
import dev.realign.source.CorpusFiles;
import dev.realign.source.CorpusFormat;
import dev.realign.source.CorpusReader;
import dev.realign.source.CorpusRecord;
import dev.realign.source.HadoopFiles;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.SketchCodec;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;

/**
 * {@code encode}: a text corpus to embeddings, inside the executors. One split per corpus file
 * (files in sorted order of their relative paths); split k becomes {@code part-k-of-M.parquet}
 * ({@code id}, {@code text}, {@code embedding}) with a completion record, so a killed job rerun
 * with {@code resume} skips the finished splits and gives the same bytes. Rejected texts (empty,
 * unreadable, invalid JSON with file:line) go to {@code rejected/}. One ONNX Runtime session per
 * executor JVM, shared by its tasks ({@code SessionCache}).
 */
public final class EncodeJob {
  /** Texts handed to the encoder at once: it sorts them by token length to cut padding. */
  static final int CHUNK_TEXTS = 4096;

  private EncodeJob() {}

  /** What the job produced. */
  public record Outcome(ShardManifest manifest, EncoderIdentity encoder, int dim) {}

  /** One corpus file: a plain class (Kryo cannot serialise records or java.nio paths). */
  static final class EncodeSplit implements Serializable {
    private static final long serialVersionUID = 1L;
    final int index;
    final String path;
    final String relativePath;
    final CorpusFormat format;
    final boolean gzip;

    EncodeSplit(int index, String path, String relativePath, CorpusFormat format,
        boolean gzip) {
      this.index = index;
      this.path = path;
      this.relativePath = relativePath;
      this.format = format;
      this.gzip = gzip;
    }
  }

  /** The encoder settings of a pipeline config ({@code encode.*} keys). */
  public static EncoderConfig encoderConfig(PipelineConfig c, int taskCpus) {
    Map<String, String> o = new LinkedHashMap<>();
    if (!c.get(ConfigKeys.ENCODE_MODEL).isBlank()) {
      o.put(EncoderConfig.MODEL_PATH, c.get(ConfigKeys.ENCODE_MODEL));
      o.put(EncoderConfig.TOKENIZER_PATH, c.require(ConfigKeys.ENCODE_TOKENIZER));
    } else if (!c.get(ConfigKeys.ENCODE_TOKENIZER).isBlank()) {
      throw new IllegalArgumentException("Invalid " + ConfigKeys.ENCODE_TOKENIZER + ": "
          + c.get(ConfigKeys.ENCODE_TOKENIZER) + " (set only together with "
          + ConfigKeys.ENCODE_MODEL + ")");
    }
    if (!c.get(ConfigKeys.ENCODE_MODEL_NAME).isBlank()) {
      o.put(EncoderConfig.MODEL_NAME, c.get(ConfigKeys.ENCODE_MODEL_NAME));
    }
    // Typed values, written back in canonical form: what passed the config check is what the
    // encoder reads (no second parser that disagrees).
    o.put(EncoderConfig.MAX_LENGTH, Integer.toString(c.getInt(ConfigKeys.ENCODE_MAX_LENGTH)));
    o.put(EncoderConfig.POOLING, c.getTyped(ConfigKeys.ENCODE_POOLING, Pooling.class).toString());
    o.put(EncoderConfig.NORMALIZE, Boolean.toString(c.getBoolean(ConfigKeys.ENCODE_NORMALIZE)));
    o.put(EncoderConfig.BATCH_SIZE, Integer.toString(c.getInt(ConfigKeys.ENCODE_BATCH_SIZE)));
    int threads = c.getInt(ConfigKeys.ENCODE_THREADS);
    o.put(EncoderConfig.INTRA_OP_THREADS, Integer.toString(threads > 0 ? threads : taskCpus));
    o.put(EncoderConfig.EXECUTION_PROVIDER,
        c.getEnum(ConfigKeys.ENCODE_PROVIDER, ExecutionProvider.class).name());
    return EncoderConfig.fromOptions(o);
  }

  /**
   * Encodes {@code input} into {@code dir} (shards, {@code _manifest.json}, {@code rejected/}).
   *
   * @param resume keep the verified shards of an earlier attempt
   */
  public static Outcome run(JobContext ctx, String input, String dir, boolean resume) {
    PipelineConfig c = ctx.config;
    List<EncodeSplit> splits = plan(ctx, input, c.getString(ConfigKeys.ENCODE_FORMAT));
    int fileCount = splits.size();
    int taskCpus = Integer.parseInt(ctx.jsc.getConf().get("spark.task.cpus", "1"));
    EncoderConfig encoderConfig = encoderConfig(c, taskCpus);
    // Load the model once on the driver: a model or tokenizer that does not fit fails here,
    // before any task, and the driver learns d and the encoder's identity.
    OnnxTextEncoder probe = OnnxTextEncoder.create(encoderConfig);
    int dim = probe.dimension();
    EncoderIdentity identity = probe.identity();
    Console.info("encode: %d file(s) of %s with %s (d = %d, sha256 %s)", fileCount, input,
        identity.name(), dim, identity.sha256());

    org.apache.hadoop.fs.Path out = new org.apache.hadoop.fs.Path(dir);
    org.apache.hadoop.fs.Path staging = new org.apache.hadoop.fs.Path(out, "_staging");
    String idField = c.get(ConfigKeys.ENCODE_ID_FIELD);
    String textField = c.get(ConfigKeys.ENCODE_TEXT_FIELD);
    int failSplit = FaultSeam.split(FaultSeam.FAIL_ENCODE_SPLIT);
    String provenance = identity.name() + "@" + identity.sha256() + " " + encoderConfig;
    Broadcast<SerializableHadoopConf> conf = ctx.hadoopConf;
    int count = splits.size();
    ctx.jsc.setJobDescription("realign: encode " + input);
    List<ShardResult> results;
    try (ProgressReporter progress = new ProgressReporter(ctx.jsc, "encode", -1,
        ctx.progressInterval())) {
      LongAccumulator counter = progress.counter();
      results = new ArrayList<>(ctx.jsc.parallelize(splits, Math.max(1, count))
          .map(split -> encodeSplit(split, count, dir, encoderConfig, idField, textField,
              provenance, resume, failSplit, conf.value().get(), counter))
          .collect());
      progress.finish();
    }
    results.sort(Comparator.comparingInt(ShardResult::split));
    long rows = 0;
    long rejected = 0;
    long truncated = 0;
    List<ShardInfo> rejectFiles = new ArrayList<>();
    for (ShardResult r : results) {
      rows += r.shard().rows();
      rejected += r.rejected();
      truncated += r.truncated();
      if (r.rejectFile() != null) {
        rejectFiles.add(r.rejectFile());
      }
    }
    Map<String, Long> byReason = rejectCounts(ctx, out, rejectFiles);
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("truncated_texts", (double) truncated);
    Map<String, String> prov = new TreeMap<>();
    prov.put("encoder", identity.name());
    prov.put("encoder_sha256", identity.sha256());
    prov.put("encoder_config", encoderConfig.toString());
    ShardManifest manifest = new ShardManifest(rows, dim, "float32", "none", rejected,
        Map.of("text", new ShardManifest.ModalityCounts(rows + rejected, rows, rejected,
            byReason)), rejectFiles, figures, StagedCommit.shards(results), prov);
    double limit = c.getDouble(ConfigKeys.MAX_REJECTED_FRACTION);
    if (rows + rejected > 0 && (double) rejected / (rows + rejected) > limit) {
      throw new IllegalStateException(String.format(Locale.ROOT, "Too many rejected texts: %,d of"
          + " %,d (%.3f%%) exceed %s = %s; the texts and their reasons (with file:line) are in"
          + " %s/rejected (by reason: %s)", rejected, rows + rejected,
          100.0 * rejected / (rows + rejected), ConfigKeys.MAX_REJECTED_FRACTION, limit, dir,
          byReason));
    }
    if (rows == 0) {
      throw new IllegalArgumentException("Invalid corpus " + input + ": no text could be encoded ("
          + rejected + " rejected)");
    }
    StagedCommit.commit(ctx.fs, out, staging, manifest);
    Console.info("encode: %,d texts -> %s (%d shards; %,d rejected %s; %,d truncated to"
        + " max_length)", rows, dir, results.size(), rejected, byReason, truncated);
    return new Outcome(manifest, identity, dim);
  }

  /**
   * The corpus files in sorted order of their relative paths. Local paths are listed recursively
   * ({@link CorpusFiles}); other file systems (hdfs://, s3a://) through Hadoop: the file, the files
   * directly in a directory, or a glob.
   */
  static List<EncodeSplit> plan(JobContext ctx, String input, String format) {
    CorpusFormat forced = format.equals("auto") ? null
        : CorpusFormat.valueOf(format.toUpperCase(Locale.ROOT));
    List<EncodeSplit> splits = new ArrayList<>();
    String scheme = new org.apache.hadoop.fs.Path(input).toUri().getScheme();
    if (scheme == null || scheme.equals("file")) {
      String local = scheme == null ? input : new org.apache.hadoop.fs.Path(input).toUri()
          .getPath();
      for (CorpusFile f : forced == null ? CorpusFiles.list(local)
          : CorpusFiles.list(local, forced)) {
        splits.add(new EncodeSplit(splits.size(), f.path().toUri().toString(), f.relativePath(),
            f.format(), f.gzip()));
      }
      return splits;
    }
    for (String file : HadoopFiles.listInputs(input, ctx.jsc.hadoopConfiguration(),
        name -> forced != null || detects(name), "text corpus")) {
      String name = new org.apache.hadoop.fs.Path(file).getName();
      splits.add(new EncodeSplit(splits.size(), file, name,
          forced != null ? forced : CorpusFormat.detect(name), CorpusFormat.isGzip(name)));
    }
    return splits;
  }

  private static boolean detects(String name) {
    try {
      return CorpusFormat.detect(name) != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static Map<String, Long> rejectCounts(JobContext ctx, org.apache.hadoop.fs.Path out,
      List<ShardInfo> files) {
    Map<String, Long> by = new TreeMap<>();
    if (files.isEmpty()) {
      return by;
    }
    List<String> paths = files.stream().map(f -> new org.apache.hadoop.fs.Path(out, f.name())
        .toString()).toList();
    ctx.spark.read().parquet(paths.toArray(new String[0])).groupBy("reason").count()
        .collectAsList().forEach(r -> by.put(r.getString(0), r.getLong(1)));
    return by;
  }

  static ShardResult encodeSplit(EncodeSplit split, int count, String dir,
      EncoderConfig encoderConfig, String idField, String textField, String provenance,
      boolean resume, int failSplit, Configuration conf, LongAccumulator counter) {
    String name = OutputLayout.shardName(split.index, count);
    org.apache.hadoop.fs.Path out = new org.apache.hadoop.fs.Path(dir);
    org.apache.hadoop.fs.Path staging = new org.apache.hadoop.fs.Path(out, "_staging");
    org.apache.hadoop.fs.Path staged = new org.apache.hadoop.fs.Path(staging, name);
    org.apache.hadoop.fs.Path done = new org.apache.hadoop.fs.Path(staging, name + ".done.json");
    FileSystem fs = HadoopFiles.fs(staged, conf);
    if (resume) {
      ShardResult kept = ApplyPass.verifiedCompletion(fs, staging, out, name, done, provenance);
      if (kept != null) {
        counter.add(kept.shard().rows() + kept.rejected());
        return kept;
      }
    }
    OnnxTextEncoder encoder = OnnxTextEncoder.create(withTaskGpu(encoderConfig));
    int dim = encoder.dimension();
    org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(staging,
        "." + name + ".tmp-" + java.util.UUID.randomUUID());
    StatsPass.RejectSink rejects = new StatsPass.RejectSink(
        new org.apache.hadoop.fs.Path(out, "rejected"), name, "rejected/" + name,
        split.relativePath, conf);
    long rejected = 0;
    long truncated = 0;
    ShardInfo info;
    CorpusReader reader = new CorpusReader(idField, textField);
    try (CorpusReader.Records records = open(reader, split, conf);
        ShardWriter writer = new ShardWriter(fs, tmp, dim, true, conf); rejects) {
      List<CorpusRecord> chunk = new ArrayList<>(CHUNK_TEXTS);
      while (records.hasNext()) {
        chunk.clear();
        List<String> texts = new ArrayList<>(CHUNK_TEXTS);
        while (records.hasNext() && chunk.size() < CHUNK_TEXTS) {
          CorpusRecord r = records.next();
          chunk.add(r);
          texts.add(r.isRejected() ? null : r.text());
        }
        EncodeResult result = encoder.encode(texts);
        float[] flat = result.embeddings();
        for (int i = 0; i < chunk.size(); i++) {
          CorpusRecord r = chunk.get(i);
          if (r.isRejected()) {
            rejects.write(r.id(), line(r.location()), r.reject(), r.location() + ": "
                + r.detail(), r.text(), null);
            rejected++;
          } else if (!result.embedded(i)) {
            rejects.write(r.id(), line(r.location()), result.rejectReason(i), r.location()
                + ": empty text", r.text(), null);
            rejected++;
          } else {
            if (result.status(i) == EncodeResult.Status.TRUNCATED) {
              truncated++;
            }
            writer.write(r.id(), r.text(), flat, i * dim);
          }
        }
        counter.add(chunk.size());
      }
      info = writer.finish();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read corpus file " + split.path, e);
    }
    ShardInfo rejectFile = rejects.finish();
    dev.realign.sink.AtomicFiles.publish(fs, tmp, staged);
    ShardResult result = new ShardResult(split.index, new ShardInfo(name, info.rows(),
        info.bytes(), info.sha256()), rejected, provenance,
        SketchCodec.encode(MomentSnapshot.empty(dim)), truncated, rejectFile);
    ShardManifest.writeAtomically(fs, done, result.toJson());
    if (split.index == failSplit) {
      throw FaultSeam.injected(name, FaultSeam.FAIL_ENCODE_SPLIT, failSplit);
    }
    return result;
  }

  /** Opens a corpus file through Hadoop's FileSystem, so executors read local and remote alike. */
  private static CorpusReader.Records open(CorpusReader reader, EncodeSplit split,
      Configuration conf) throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(split.path);
    if (split.format == CorpusFormat.PARQUET && !split.gzip) {
      return reader.openParquet(split.relativePath,
          org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(p, conf));
    }
    if (split.format == CorpusFormat.PARQUET) {
      // .parquet.gz needs random access after unpacking: the local reader handles that.
      return reader.open(new CorpusFile(Path.of(p.toUri()), split.relativePath, split.format,
          true));
    }
    return reader.open(split.relativePath, split.format, split.gzip,
        HadoopFiles.fs(p, conf).open(p));
  }

  /** For the CUDA provider: the GPU Spark assigned to this task, if any. */
  private static EncoderConfig withTaskGpu(EncoderConfig c) {
    TaskContext task = TaskContext.get();
    if (c.provider() != dev.realign.encode.ExecutionProvider.CUDA || task == null) {
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
