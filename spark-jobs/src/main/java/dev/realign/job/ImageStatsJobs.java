package dev.realign.job;

import dev.realign.align.EncoderIdentity;
import dev.realign.align.ReAlignTransform;
import dev.realign.config.ConfigKeys;
import dev.realign.config.Modality;
import dev.realign.config.PipelineConfig;
import dev.realign.sink.ShardManifest.ModalityCounts;
import dev.realign.source.EmbeddingSet;
import dev.realign.spark.StoredSketch;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.SketchCodec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Statistics as assets: {@code fit} and {@code run} against a stored image sketch ({@code
 * fit.image_stats}, {@code --image-stats}) without reading image embeddings, and the encoder
 * sidecars ({@code stats/<role>.sketch.json}) that make a sketch an asset.
 */
public final class ImageStatsJobs {
  private ImageStatsJobs() {}

  /** Whether the config asks to fit against a stored image sketch. */
  public static boolean requested(JobContext ctx) {
    return !ctx.config.get(ConfigKeys.IMAGE_STATS).isBlank();
  }

  /** Writes the sidecars of {@code stats/text.sketch} and {@code stats/image.sketch}. */
  public static void writeInfo(
      JobContext ctx, AlignPipeline.Stats stats, EncoderIdentity textEncoder) {
    StoredSketch.writeInfo(
        ctx.layout.sketch("text"),
        "text",
        stats.text(),
        textEncoder,
        ctx.jsc.hadoopConfiguration());
    StoredSketch.writeInfo(
        ctx.layout.sketch("image"),
        "image",
        stats.image(),
        EncoderIdentity.PRECOMPUTED,
        ctx.jsc.hadoopConfiguration());
  }

  static StoredSketch readImageSketch(JobContext ctx) {
    return StoredSketch.read(
        ctx.config.get(ConfigKeys.IMAGE_STATS), "image", ctx.jsc.hadoopConfiguration());
  }

  /**
   * The stats stage with a stored image sketch: one pass over the texts; {@code stats/} gets the
   * text sketch, a copy of the image sketch (and both sidecars) and the summary.
   */
  static AlignPipeline.Stats stats(
      JobContext ctx,
      EmbeddingSet texts,
      long[] textDuplicates,
      StoredSketch image,
      EncoderIdentity textEncoder) {
    image.requireFits(texts.dim(), textEncoder, texts.path());
    SplitStats t = StatsPass.run(ctx, texts, textDuplicates);
    MomentSnapshot img = image.snapshot();
    Map<String, ModalityCounts> counts = new LinkedHashMap<>();
    counts.put("text", new ModalityCounts(t.rows, t.rows - t.rejected, t.rejected, t.byReason));
    counts.put("image", new ModalityCounts(img.count(), img.count(), 0, Map.of()));
    double limit = ctx.config.getDouble(ConfigKeys.MAX_REJECTED_FRACTION);
    String failure = null;
    if (t.rows > 0 && (double) t.rejected / t.rows > limit) {
      failure =
          String.format(
              Locale.ROOT,
              "Too many rejected text rows: %,d of %,d exceed %s = %s; the rows and their reasons"
                  + " are in %s (by reason: %s)",
              t.rejected,
              t.rows,
              ConfigKeys.MAX_REJECTED_FRACTION,
              limit,
              ctx.layout.rejected("text"),
              t.byReason);
    }
    Map<String, String> fingerprints = new LinkedHashMap<>();
    fingerprints.put("text", SketchCodec.fingerprint(t.snapshot()));
    fingerprints.put("image", SketchCodec.fingerprint(img));
    // The verdict and fingerprints first (as AlignPipeline.stats): fit refuses a failed stats.
    StatsSummary summary = new StatsSummary(counts, t.rejectFiles, failure, fingerprints);
    AlignPipeline.write(
        ctx, ctx.layout.statsSummary(), summary.toJson().getBytes(StandardCharsets.UTF_8));
    AlignPipeline.write(ctx, ctx.layout.sketch("text"), SketchCodec.encode(t.snapshot()));
    AlignPipeline.write(ctx, ctx.layout.sketch("image"), SketchCodec.encode(img));
    StoredSketch.writeInfo(
        ctx.layout.sketch("text"),
        "text",
        t.snapshot(),
        textEncoder,
        ctx.jsc.hadoopConfiguration());
    StoredSketch.writeInfo(
        ctx.layout.sketch("image"), "image", img, image.encoder(), ctx.jsc.hadoopConfiguration());
    Console.info(
        "stats: text %,d rows (%,d rejected); image sketch %s (%,d rows, no image"
            + " embeddings read) -> %s",
        t.rows, t.rejected, image.path(), img.count(), ctx.layout.stats());
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
    return new AlignPipeline.Stats(t.snapshot(), img, summary, new long[0]);
  }

  /**
   * {@code fit --image-stats}: the text sketch of {@code stats/} (or a text pass), the stored image
   * sketch.
   */
  public static ReAlignTransform fit(JobContext ctx) {
    StoredSketch image = readImageSketch(ctx);
    EmbeddingSet texts = AlignPipeline.plan(ctx, Modality.TEXT);
    long[] dups = AlignPipeline.duplicates(ctx, texts);
    MomentSnapshot text;
    EncoderIdentity textEncoder = AlignJobs.textEncoder(ctx);
    try {
      if (ctx.fs.exists(ctx.layout.sketch("text"))) {
        text =
            AlignPipeline.readSketch(ctx, "text", AlignPipeline.requirePassedSummary(ctx, "fit"));
        textEncoder = AlignJobs.sketchedTextEncoder(ctx);
        image.requireFits(text.dimension(), textEncoder, texts.path());
      } else {
        text = stats(ctx, texts, dups, image, textEncoder).text();
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot read " + ctx.layout.stats(), e);
    }
    return AlignPipeline.fit(ctx, texts, dups, text, image.snapshot(), textEncoder);
  }

  /** {@code run --image-stats}: [encode,] text stats, fit and apply; no gap report (no images). */
  public static AlignPipeline.Outcome run(JobContext ctx) {
    OutputGuard.prepare(ctx.fs, ctx.layout, ctx.config.outputMode().id());
    long start = System.nanoTime();
    StoredSketch image = readImageSketch(ctx);
    EncoderIdentity encoder = AlignJobs.textEncoder(ctx);
    if (!ctx.config.get(ConfigKeys.TEXTS).isBlank()) {
      String encoded = new org.apache.hadoop.fs.Path(ctx.layout.rootPath(), "encoded").toString();
      EncodeJob.Outcome e =
          EncodeJob.run(
              ctx,
              ctx.config.get(ConfigKeys.TEXTS),
              encoded,
              ctx.config.outputMode() == dev.realign.config.OutputMode.RESUME);
      encoder = e.encoder();
      ctx =
          ctx.withConfig(
              PipelineConfig.builder()
                  .setAll(ctx.config.asMap())
                  .set(ConfigKeys.TEXT_EMBEDDINGS, encoded)
                  .set(ConfigKeys.TEXT_FORMAT, "parquet")
                  .set(ConfigKeys.TEXT_METADATA, "")
                  .build());
    }
    EmbeddingSet texts = AlignPipeline.plan(ctx, Modality.TEXT);
    long[] dups = AlignPipeline.duplicates(ctx, texts);
    AlignPipeline.Stats stats = stats(ctx, texts, dups, image, encoder);
    ReAlignTransform t = AlignPipeline.fit(ctx, texts, dups, stats.text(), stats.image(), encoder);
    AlignPipeline.Outcome o = AlignPipeline.apply(ctx, texts, dups, t, stats.summary());
    AlignJobs.report(o);
    Console.info(
        "no gap report: the image side is a stored sketch (%s); run 'realign report'"
            + " with image embeddings for one",
        image.path());
    Console.info("run finished in %.1f s", (System.nanoTime() - start) / 1e9);
    return o;
  }

  /**
   * {@code stats merge --output DIR A B ...}: merges the sketches of each role (text, image) that
   * every input holds (a .sketch file, a stats directory or an output directory) into {@code
   * DIR/stats/<role>.sketch} with its sidecar. Exact: the result is the sketch of the union.
   *
   * @return the merged sketches by role
   */
  public static Map<String, StoredSketch> merge(
      String output, List<String> inputs, org.apache.hadoop.conf.Configuration conf) {
    if (inputs.size() < 2) {
      throw new IllegalArgumentException(
          "Invalid stats merge: "
              + inputs.size()
              + " input(s)"
              + " (must be at least 2: realign stats merge --output DIR A B ...)");
    }
    Map<String, StoredSketch> out = new LinkedHashMap<>();
    for (String role : List.of("text", "image")) {
      List<String> having = inputs.stream().filter(i -> hasRole(i, role, conf)).toList();
      if (having.isEmpty()) {
        continue;
      }
      if (having.size() != inputs.size()) {
        Console.info(
            "stats merge: no %s sketch in %s; merging only the roles every input holds",
            role, inputs.stream().filter(i -> !having.contains(i)).toList());
        continue;
      }
      List<StoredSketch> parts =
          inputs.stream().map(i -> StoredSketch.read(i, role, conf)).toList();
      org.apache.hadoop.fs.Path file =
          new org.apache.hadoop.fs.Path(
              new org.apache.hadoop.fs.Path(output, "stats"), role + StoredSketch.SKETCH_SUFFIX);
      StoredSketch merged = StoredSketch.merge(parts, file.toString());
      StoredSketch.write(file, role, merged.snapshot(), merged.encoder(), conf);
      out.put(role, merged);
      Console.info(
          "stats merge: %s sketch of %d inputs, %,d rows x %d -> %s",
          role, parts.size(), merged.snapshot().count(), merged.snapshot().dimension(), file);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid stats merge: no role (text, image) has a sketch"
              + " in every input "
              + inputs
              + " (give .sketch files, stats directories or output"
              + " directories)");
    }
    return out;
  }

  private static boolean hasRole(
      String input, String role, org.apache.hadoop.conf.Configuration conf) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(input);
    try {
      org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(conf);
      if (fs.isFile(p)) {
        String name = p.getName();
        if (!name.equals("text.sketch") && !name.equals("image.sketch")) {
          throw new IllegalArgumentException(
              "Invalid sketch file name: "
                  + p
                  + " (must be"
                  + " text.sketch or image.sketch, beside its .json sidecar if any)");
        }
        return name.equals(role + StoredSketch.SKETCH_SUFFIX);
      }
      if (!fs.isDirectory(p)) {
        throw new IllegalArgumentException("Missing sketch input: " + p + " does not exist");
      }
      return fs.isFile(new org.apache.hadoop.fs.Path(p, role + StoredSketch.SKETCH_SUFFIX))
          || fs.isFile(
              new org.apache.hadoop.fs.Path(
                  new org.apache.hadoop.fs.Path(p, "stats"), role + StoredSketch.SKETCH_SUFFIX));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot read " + p, e);
    }
  }
}
