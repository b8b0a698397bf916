package dev.realign.job;

import dev.realign.align.EncoderIdentity;
import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.encode.EncoderConfig;
import dev.realign.encode.ExecutionProvider;
import dev.realign.encode.OnnxTextEncoder;
import dev.realign.sink.ShardInfo;
import dev.realign.sink.ShardManifest;
import dev.realign.source.CorpusSplit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;

/**
 * {@code encode}: a text corpus to embeddings, inside the executors. The corpus files (in sorted
 * order of their relative paths) are cut into splits ({@link EncodePlan}: byte ranges of line
 * files, row groups of Parquet, whole {@code .gz} files); split k becomes {@code
 * part-k-of-M.parquet} with a completion record ({@link EncodeTask}), so a killed job rerun with
 * {@code resume} skips the finished splits and gives the same bytes. Rejected texts (empty,
 * unreadable, invalid JSON with file:line) go to {@code rejected/}. One ONNX Runtime session per
 * executor JVM, shared by its tasks ({@code SessionCache}).
 */
public final class EncodeJob {
  private EncodeJob() {}

  /** What the job produced. */
  public record Outcome(ShardManifest manifest, EncoderIdentity encoder, int dim) {}

  /** The encoder settings of a pipeline config ({@code encode.*} keys). */
  public static EncoderConfig encoderConfig(PipelineConfig c, int taskCpus) {
    return EncoderSettings.of(c, taskCpus);
  }

  /**
   * Encodes {@code input} into {@code dir} (shards, {@code _manifest.json}, {@code rejected/}).
   *
   * @param resume keep the verified shards of an earlier attempt
   */
  public static Outcome run(JobContext ctx, String input, String dir, boolean resume) {
    PipelineConfig c = ctx.config;
    List<CorpusSplit> files = EncodePlan.files(ctx, input, c.get(ConfigKeys.ENCODE_FORMAT));
    long splitBytes = c.getLong(ConfigKeys.ENCODE_SPLIT_BYTES);
    int taskCpus = Integer.parseInt(ctx.jsc.getConf().get("spark.task.cpus", "1"));
    EncoderConfig requested = EncoderSettings.of(c, taskCpus);
    // Load the model once on the driver: a model or tokenizer that does not fit fails here,
    // before any task, and the driver learns d, the encoder's identity and the settings the model
    // states (context length, pooling). A GPU provider is checked for presence in this ONNX
    // Runtime build, and the model is run on the driver's CPU (the driver need not have a GPU).
    requested.provider().checkAvailable();
    OnnxTextEncoder probe =
        OnnxTextEncoder.create(
            requested.provider().gpu()
                ? requested.toBuilder().provider(ExecutionProvider.CPU, 0).build()
                : requested);
    probe.checkFullContext();
    EncoderConfig encoderConfig =
        probe.config().toBuilder().provider(requested.provider(), requested.deviceId()).build();
    int dim = probe.dimension();
    // The full identity (name, SHA-256 and the settings the model runs with) goes into the
    // manifest's provenance, and through Outcome into the text sketch's sidecar and the transform.
    EncoderIdentity identity =
        probe
            .identity()
            .withSettings(
                new EncoderIdentity.Settings(
                    encoderConfig.pooling().toString(),
                    encoderConfig.maxLength(),
                    probe.outputDtype()));
    Console.info(
        "encode: %d file(s) of %s with %s (d = %d, sha256 %s)",
        files.size(), input, identity.name(), dim, identity.sha256());
    Console.info("encode: %s", probe.describe());
    List<CorpusSplit> splits = EncodePlan.cut(ctx, files, splitBytes);

    Path out = new Path(dir);
    Path staging = new Path(out, "_staging");
    String provenance = identity.name() + "@" + identity.sha256() + " " + encoderConfig;
    int count = splits.size();
    // Object stores: shards and rejects written once under their final names (CommitPlan).
    boolean direct = CommitPlan.of(ctx.fs, out, c) == CommitPlan.DIRECT;
    if (direct) {
      ApplyPass.retireManifest(ctx.fs, new Path(out, "_manifest.json"));
    }
    EncodeTask task =
        new EncodeTask(
            count,
            dir,
            encoderConfig,
            c.get(ConfigKeys.ENCODE_ID_FIELD),
            c.get(ConfigKeys.ENCODE_TEXT_FIELD),
            provenance,
            resume,
            FaultSeam.split(FaultSeam.FAIL_ENCODE_SPLIT),
            direct);
    Broadcast<SerializableHadoopConf> conf = ctx.hadoopConf;
    ctx.jsc.setJobDescription("realign: encode " + input);
    List<ShardResult> results;
    try (ProgressReporter progress =
        new ProgressReporter(ctx.jsc, "encode", -1, ctx.progressInterval())) {
      LongAccumulator counter = progress.counter();
      results =
          new ArrayList<>(
              ctx.jsc
                  .parallelize(splits, Math.max(1, count))
                  .map(split -> task.run(split, conf.value().get(), counter))
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
    prov.put("encoder_pooling", identity.settings().pooling());
    prov.put("encoder_context_length", Integer.toString(identity.settings().contextLength()));
    prov.put("encoder_output_dtype", identity.settings().outputDtype());
    ShardManifest manifest =
        new ShardManifest(
            rows,
            dim,
            "float32",
            "none",
            rejected,
            Map.of(
                "text",
                new ShardManifest.ModalityCounts(rows + rejected, rows, rejected, byReason)),
            rejectFiles,
            figures,
            StagedCommit.shards(results),
            prov);
    manifest = manifest.withCreatedBy(dev.realign.build.BuildInfo.createdBy());
    double limit = c.getDouble(ConfigKeys.MAX_REJECTED_FRACTION);
    if (rows + rejected > 0 && (double) rejected / (rows + rejected) > limit) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "Too many rejected texts: %,d of"
                  + " %,d (%.3f%%) exceed %s = %s; the texts and their reasons (with file:line) are in"
                  + " %s/rejected (by reason: %s)",
              rejected,
              rows + rejected,
              100.0 * rejected / (rows + rejected),
              ConfigKeys.MAX_REJECTED_FRACTION,
              limit,
              dir,
              byReason));
    }
    if (rows == 0) {
      throw new IllegalArgumentException(
          "Invalid corpus " + input + ": no text could be encoded (" + rejected + " rejected)");
    }
    StagedCommit.commit(ctx.fs, out, staging, manifest);
    Console.info(
        "encode: %,d texts -> %s (%d shards; %,d rejected %s; %,d truncated to" + " max_length)",
        rows, dir, results.size(), rejected, byReason, truncated);
    return new Outcome(manifest, identity, dim);
  }

  /**
   * The encoder recorded in the {@code _manifest.json} of an encode output at {@code location} (its
   * {@code encoder*} provenance: name, SHA-256, and pooling, context length and output dtype when
   * present), or {@link EncoderIdentity#PRECOMPUTED} when {@code location} is not an encode output
   * (a file, a glob, a directory without that provenance).
   */
  public static EncoderIdentity recordedIdentity(
      String location, org.apache.hadoop.conf.Configuration conf) {
    if (location == null || location.isBlank()) {
      return EncoderIdentity.PRECOMPUTED;
    }
    Path dir = new Path(location);
    Path manifest = new Path(dir, "_manifest.json");
    org.apache.hadoop.fs.FileSystem fs;
    try {
      fs = dir.getFileSystem(conf);
      // Only a directory can be an encode output. Asking a store for "file.npy/_manifest.json"
      // is not harmless: an S3 server on a file-system backend answers it with an error.
      if (!fs.getFileStatus(dir).isDirectory() || !fs.isFile(manifest)) {
        return EncoderIdentity.PRECOMPUTED;
      }
    } catch (java.io.FileNotFoundException e) {
      return EncoderIdentity.PRECOMPUTED; // a glob, or a path the input planner will name
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot read " + manifest, e);
    }
    return identityOf(ShardManifest.read(fs, manifest).provenance());
  }

  /** The identity an encode manifest's provenance records (see {@link #recordedIdentity}). */
  static EncoderIdentity identityOf(Map<String, String> prov) {
    String name = prov.get("encoder");
    String sha = prov.get("encoder_sha256");
    if (name == null || name.isEmpty() || sha == null || sha.isEmpty()) {
      return EncoderIdentity.PRECOMPUTED;
    }
    EncoderIdentity id = new EncoderIdentity(name, sha);
    String pooling = prov.get("encoder_pooling");
    String context = prov.get("encoder_context_length");
    String dtype = prov.get("encoder_output_dtype");
    if (pooling == null || context == null || dtype == null) {
      return id; // written before the settings were recorded
    }
    return id.withSettings(new EncoderIdentity.Settings(pooling, Integer.parseInt(context), dtype));
  }

  private static Map<String, Long> rejectCounts(JobContext ctx, Path out, List<ShardInfo> files) {
    Map<String, Long> by = new TreeMap<>();
    if (files.isEmpty()) {
      return by;
    }
    List<String> paths = files.stream().map(f -> new Path(out, f.name()).toString()).toList();
    ctx.spark()
        .read()
        .parquet(paths.toArray(new String[0]))
        .groupBy("reason")
        .count()
        .collectAsList()
        .forEach(r -> by.put(r.getString(0), r.getLong(1)));
    return by;
  }
}
