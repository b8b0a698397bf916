package dev.realign.job;

import dev.realign.align.EncoderIdentity;
import dev.realign.align.ReAlignTransform;
import dev.realign.config.ConfigKeys;
import dev.realign.config.Modality;
import dev.realign.config.OutputMode;
import dev.realign.sink.ShardManifest;
import dev.realign.sink.ShardOutput;
import dev.realign.source.EmbeddingSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The user-facing jobs. Each is usable alone and reads what earlier stages left under the output
 * directory; {@code run} does all of them in one Spark application and reuses what it computed.
 */
public final class AlignJobs {
  private AlignJobs() {}

  /** {@code stats}: sketches of both modalities into {@code OUTPUT/stats/}. */
  public static AlignPipeline.Stats stats(JobContext ctx) {
    return OutputLease.holding(ctx, () -> statsLeased(ctx));
  }

  private static AlignPipeline.Stats statsLeased(JobContext ctx) {
    OutputGuard.prepare(ctx.fs, ctx.layout, ctx.config.outputMode().id());
    EmbeddingSet texts = AlignPipeline.plan(ctx, Modality.TEXT);
    EncoderIdentity textEncoder = textEncoder(ctx);
    if (ImageStatsJobs.requested(ctx)) {
      return ImageStatsJobs.stats(
          ctx,
          texts,
          AlignPipeline.duplicates(ctx, texts),
          ImageStatsJobs.readImageSketch(ctx),
          textEncoder);
    }
    EmbeddingSet images = AlignPipeline.plan(ctx, Modality.IMAGE);
    AlignPipeline.Stats stats =
        AlignPipeline.stats(
            ctx, texts, AlignPipeline.duplicatesUnlessStatsFindThem(ctx, texts), images);
    ImageStatsJobs.writeInfo(ctx, stats, textEncoder);
    return stats;
  }

  /**
   * The encoder of the text embeddings: the one an encode output's manifest records when {@code
   * input.text.path} is one ({@code realign encode}'s output), else "precomputed".
   */
  static EncoderIdentity textEncoder(JobContext ctx) {
    return EncodeJob.recordedIdentity(
        ctx.config.get(ConfigKeys.TEXT_EMBEDDINGS), ctx.jsc.hadoopConfiguration());
  }

  /**
   * The encoder the text sketch's sidecar records ({@code OUTPUT/stats/text.sketch.json}, which
   * must match the sketch), "precomputed" when there is none.
   */
  static EncoderIdentity sketchedTextEncoder(JobContext ctx) {
    return dev.realign.spark.StoredSketch.read(
            ctx.layout.sketch("text").toString(), "text", ctx.jsc.hadoopConfiguration())
        .encoder();
  }

  /** {@code report}: the gap report of an output directory ({@code OUTPUT/report/}). */
  public static void report(JobContext ctx) {
    ReportJob.run(ctx, null, null);
  }

  /**
   * {@code fit}: the transform from {@code OUTPUT/stats/} plus the centroid pass over texts.
   * Refuses the sketches of a failed stats stage, and in mode {@code error} an existing transform.
   */
  public static ReAlignTransform fit(JobContext ctx) {
    return OutputLease.holding(ctx, () -> fitLeased(ctx));
  }

  private static ReAlignTransform fitLeased(JobContext ctx) {
    OutputGuard.prepareFile(ctx.fs, ctx.layout.transform(), ctx.config.outputMode().id());
    if (ImageStatsJobs.requested(ctx)) {
      return ImageStatsJobs.fit(ctx);
    }
    StatsSummary summary = AlignPipeline.requirePassedSummary(ctx, "fit");
    EmbeddingSet texts = AlignPipeline.plan(ctx, Modality.TEXT);
    return AlignPipeline.fit(
        ctx,
        texts,
        AlignPipeline.duplicates(ctx, texts),
        AlignPipeline.readSketch(ctx, "text", summary),
        AlignPipeline.readSketch(ctx, "image", summary),
        sketchedTextEncoder(ctx));
  }

  /**
   * {@code apply}: aligned shards from a transform ({@code OUTPUT/realign-transform.json}). In mode
   * {@code error} an existing dataset in {@code OUTPUT/aligned} is refused; a failed stats stage is
   * refused; without any stats stage apply keeps the books itself.
   */
  public static AlignPipeline.Outcome apply(JobContext ctx, String transformPath) {
    return OutputLease.holding(ctx, () -> applyLeased(ctx, transformPath));
  }

  private static AlignPipeline.Outcome applyLeased(JobContext ctx, String transformPath) {
    OutputGuard.prepareShardDir(ctx.fs, ctx.layout.aligned(), ctx.config.outputMode().id());
    ReAlignTransform t = AlignPipeline.readTransform(ctx, transformPath);
    StatsSummary summary = null;
    if (AlignPipeline.exists(ctx, ctx.layout.statsSummary())) {
      summary = AlignPipeline.requirePassedSummary(ctx, "apply");
    } else {
      Console.info(
          "apply: no %s; rejected rows are counted by apply and not written to"
              + " rejected/ (run stats first to quarantine them)",
          ctx.layout.statsSummary());
    }
    EmbeddingSet texts = AlignPipeline.plan(ctx, Modality.TEXT);
    AlignPipeline.Outcome o =
        AlignPipeline.apply(ctx, texts, AlignPipeline.duplicates(ctx, texts), t, summary);
    report(o);
    return o;
  }

  /** {@code encode}: texts to embedding shards in {@code output.dir}. */
  public static EncodeJob.Outcome encode(JobContext ctx) {
    return OutputLease.holding(ctx, () -> encodeLeased(ctx));
  }

  private static EncodeJob.Outcome encodeLeased(JobContext ctx) {
    OutputMode mode = ctx.config.outputMode();
    OutputGuard.prepareShardDir(ctx.fs, ctx.layout.rootPath(), mode.id());
    return EncodeJob.run(
        ctx, ctx.config.require(ConfigKeys.TEXTS), ctx.layout.root(), mode == OutputMode.RESUME);
  }

  /** {@code run}: [encode,] stats, fit and apply [and report] in one application. */
  public static AlignPipeline.Outcome run(JobContext ctx) {
    return OutputLease.holding(ctx, () -> runLeased(ctx));
  }

  private static AlignPipeline.Outcome runLeased(JobContext ctx) {
    if (ImageStatsJobs.requested(ctx)) {
      return ImageStatsJobs.run(ctx);
    }
    ShardOutput.fromConfig(ctx.config); // a bad output.dtype / codec fails before any work
    OutputGuard.prepare(ctx.fs, ctx.layout, ctx.config.outputMode().id());
    long start = System.nanoTime();
    EncoderIdentity encoder = textEncoder(ctx);
    if (!ctx.config.get(ConfigKeys.TEXTS).isBlank()) {
      String encoded = new org.apache.hadoop.fs.Path(ctx.layout.rootPath(), "encoded").toString();
      EncodeJob.Outcome e =
          EncodeJob.run(
              ctx,
              ctx.config.get(ConfigKeys.TEXTS),
              encoded,
              ctx.config.outputMode() == OutputMode.RESUME);
      encoder = e.encoder();
      ctx =
          ctx.withConfig(
              dev.realign.config.PipelineConfig.builder()
                  .setAll(ctx.config.asMap())
                  .set(ConfigKeys.TEXT_EMBEDDINGS, encoded)
                  .set(ConfigKeys.TEXT_FORMAT, "parquet")
                  .set(ConfigKeys.TEXT_METADATA, "")
                  .build());
    }
    EmbeddingSet texts = AlignPipeline.plan(ctx, Modality.TEXT);
    EmbeddingSet images = AlignPipeline.plan(ctx, Modality.IMAGE);
    AlignPipeline.requireSameDimension(texts, images);
    boolean withReport = ctx.config.getBoolean(ConfigKeys.REPORT_IN_RUN);
    // The report's samples are drawn by the stats pass, which reads every row anyway; so are the
    // duplicate ids, where the driver can hold their hashes.
    AlignPipeline.Stats stats =
        AlignPipeline.stats(
            ctx,
            texts,
            AlignPipeline.duplicatesUnlessStatsFindThem(ctx, texts),
            images,
            withReport ? ctx.config.getInt(ConfigKeys.REPORT_SAMPLE_ROWS) : 0);
    long[] textDuplicates = stats.textDuplicates();
    ImageStatsJobs.writeInfo(ctx, stats, encoder);
    ReAlignTransform t =
        AlignPipeline.fit(ctx, texts, textDuplicates, stats.text(), stats.image(), encoder);
    AlignPipeline.Outcome o = AlignPipeline.apply(ctx, texts, textDuplicates, t, stats.summary());
    report(o);
    if (withReport) {
      ReportJob.runWith(
          ctx,
          t,
          new ReportJob.InRun(
              texts,
              images,
              textDuplicates,
              stats.imageDuplicates(),
              stats.text(),
              stats.image(),
              stats.textSample(),
              stats.imageSample()));
    }
    Console.info("run finished in %.1f s", (System.nanoTime() - start) / 1e9);
    return o;
  }

  /**
   * {@code copy}: the benchmark baseline. Reads the text embeddings and writes them back unchanged
   * in the same shard format, through the same reader, writer and commit.
   */
  public static ShardManifest copy(JobContext ctx) {
    return OutputLease.holding(ctx, () -> copyLeased(ctx));
  }

  private static ShardManifest copyLeased(JobContext ctx) {
    ShardOutput output = ShardOutput.fromConfig(ctx.config); // fails before any work
    OutputGuard.prepare(ctx.fs, ctx.layout, ctx.config.outputMode().id());
    EmbeddingSet texts = AlignPipeline.plan(ctx, Modality.TEXT);
    List<ShardResult> results =
        ApplyPass.run(ctx, texts, new long[0], ApplyPass.copy(), "none", false, "copy");
    long rows = results.stream().mapToLong(r -> r.shard().rows()).sum();
    long rejected = results.stream().mapToLong(ShardResult::rejected).sum();
    ShardManifest m =
        new ShardManifest(
            rows,
            texts.dim(),
            output.dtype().id(),
            "none",
            rejected,
            Map.of(
                "text",
                new ShardManifest.ModalityCounts(rows + rejected, rows, rejected, Map.of())),
            List.of(),
            Map.of(),
            StagedCommit.shards(results),
            Map.of(),
            output.format().id());
    m = m.withCreatedBy(dev.realign.build.BuildInfo.createdBy());
    StagedCommit.commit(ctx.fs, ctx.layout.aligned(), ctx.layout.staging(), m);
    Console.info("copy: %,d rows in %d shards -> %s", rows, results.size(), ctx.layout.aligned());
    return m;
  }

  static void report(AlignPipeline.Outcome o) {
    ShardManifest m = o.manifest();
    Console.info(
        "transform: %s (variant %s, sha256 %s)",
        o.transformPath(), o.transform().variant(), o.transform().sha256());
    Console.info(
        "aligned shards: %s (%d shards, %,d rows, manifest %s/_manifest.json)",
        o.shardsPath(), m.shards().size(), m.rows(), o.shardsPath());
    m.inputs()
        .forEach(
            (role, c) ->
                Console.info(
                    "%s rows: %,d in = %,d used + %,d rejected %s",
                    role, c.rows(), c.used(), c.rejected(), c.rejected() > 0 ? c.byReason() : ""));
    Console.info(
        String.format(
            Locale.ROOT,
            "centroid gap ||mu_image - mean(text)||: before %.6f," + " after %.6f",
            o.gapBefore(),
            o.gapAfter()));
  }
}
