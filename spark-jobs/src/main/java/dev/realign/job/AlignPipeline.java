package dev.realign.job;

import dev.realign.align.EncoderIdentity;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.TransformJson;
import dev.realign.align.Variant;
import dev.realign.config.ConfigKeys;
import dev.realign.config.Modality;
import dev.realign.config.OutputMode;
import dev.realign.config.PipelineConfig;
import dev.realign.sink.ShardInfo;
import dev.realign.sink.ShardManifest;
import dev.realign.sink.ShardManifest.ModalityCounts;
import dev.realign.source.Columns;
import dev.realign.source.EmbeddingFormat;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.source.HadoopFiles;
import dev.realign.stats.MomentSketch;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.SketchCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * The align stages as functions of a {@link JobContext}: plan, stats, fit, apply. The jobs ({@code
 * stats}, {@code fit}, {@code apply}, {@code run}) are compositions of these; the math is the
 * core's, this class moves data and keeps the books.
 */
public final class AlignPipeline {
  private AlignPipeline() {}

  /**
   * Results of the stats stage.
   *
   * @param textSample null, or the report's text sample drawn by the stats pass (flat, id-hash
   *     order: exactly the rows a sampling pass would pick)
   * @param imageSample likewise for the images
   * @param textDuplicates the text rows rejected as duplicates (null where the caller passed them
   *     in)
   */
  public record Stats(
      MomentSnapshot text,
      MomentSnapshot image,
      StatsSummary summary,
      long[] textDuplicates,
      long[] imageDuplicates,
      float[] textSample,
      float[] imageSample) {
    public Stats(
        MomentSnapshot text, MomentSnapshot image, StatsSummary summary, long[] imageDuplicates) {
      this(text, image, summary, null, imageDuplicates, null, null);
    }
  }

  /** What {@code run} and {@code apply} report. */
  public record Outcome(
      ReAlignTransform transform,
      ShardManifest manifest,
      double gapBefore,
      double gapAfter,
      Path transformPath,
      Path shardsPath) {}

  /** The role by name ({@code text} or {@code image}; anything else fails). */
  public static EmbeddingSet plan(JobContext ctx, String role) {
    return plan(ctx, Modality.fromString(role));
  }

  public static EmbeddingSet plan(JobContext ctx, Modality modality) {
    EmbeddingSetPlanner.Spec spec = spec(ctx.config, modality);
    EmbeddingSet planned = ctx.inputPlans.take(spec);
    return planned != null ? planned : planAndDescribe(spec, ctx.jsc.hadoopConfiguration());
  }

  /** What {@link #plan} plans for {@code modality} under config {@code c}. */
  static EmbeddingSetPlanner.Spec spec(PipelineConfig c, Modality modality) {
    return new EmbeddingSetPlanner.Spec(
        modality.id(),
        c.require(modality.pathKey()),
        EmbeddingFormat.fromConfig(c.getString(modality.formatKey())),
        c.get(modality.metadataKey()),
        new Columns(
            c.get(ConfigKeys.ID_COLUMN),
            c.get(ConfigKeys.VECTOR_COLUMN),
            c.get(ConfigKeys.TEXT_COLUMN)),
        c.getInt(ConfigKeys.SPLIT_ROWS),
        c.getInt(ConfigKeys.PARTITIONS));
  }

  /** Plans {@code spec} and prints its plan line (and the entries of its path it skipped). */
  static EmbeddingSet planAndDescribe(
      EmbeddingSetPlanner.Spec spec, org.apache.hadoop.conf.Configuration conf) {
    String role = spec.role();
    EmbeddingSet set = EmbeddingSetPlanner.plan(spec, conf);
    Console.info(
        "%s embeddings: %s, %,d rows x %d in %d file(s), %d split(s)",
        role,
        set.format().name().toLowerCase(Locale.ROOT),
        set.rows(),
        set.dim(),
        set.files().size(),
        set.splits().size());
    HadoopFiles.Listing listing =
        HadoopFiles.list(
            spec.path(),
            conf,
            name -> EmbeddingFormat.ofFileName(name) == set.format(),
            role + " embeddings");
    if (!listing.skipped().isEmpty()) {
      Console.info(
          "%s embeddings: skipped %d entr%s of %s: %s",
          role,
          listing.skipped().size(),
          listing.skipped().size() == 1 ? "y" : "ies",
          spec.path(),
          String.join(", ", listing.skipped()));
    }
    return set;
  }

  static void requireSameDimension(EmbeddingSet texts, EmbeddingSet images) {
    if (texts.dim() != images.dim()) {
      throw new IllegalArgumentException(
          "Invalid inputs: text embeddings "
              + texts.path()
              + " have dimension "
              + texts.dim()
              + ", image embeddings "
              + images.path()
              + " have "
              + images.dim()
              + " (must be equal: both modalities come from one encoder)");
    }
  }

  static long[] duplicates(JobContext ctx, EmbeddingSet set) {
    return ctx.config.getBoolean(ConfigKeys.CHECK_DUPLICATE_IDS)
        ? DuplicateIdPass.find(ctx, set)
        : new long[0];
  }

  /**
   * {@link #duplicates}, or null where the stats pass will find them on its way ({@link
   * StatsPass#runFindingDuplicates}; pass the null to {@link #stats}).
   */
  static long[] duplicatesUnlessStatsFindThem(JobContext ctx, EmbeddingSet set) {
    return ctx.config.getBoolean(ConfigKeys.CHECK_DUPLICATE_IDS) && DuplicateIdPass.collectable(set)
        ? null
        : duplicates(ctx, set);
  }

  /** The stats pass over {@code set}, finding its duplicates on the way when they are null. */
  private static StatsPass.WithDuplicates statsPass(
      JobContext ctx, EmbeddingSet set, long[] duplicates, int sampleRows) {
    return duplicates == null
        ? StatsPass.runFindingDuplicates(ctx, set, sampleRows)
        : new StatsPass.WithDuplicates(StatsPass.run(ctx, set, duplicates, sampleRows), duplicates);
  }

  /**
   * Sketches both modalities and writes {@code stats/}: first the summary with its verdict (the
   * rejected-row limit) and the fingerprints of the sketches, then the sketches. Fails after
   * writing when the limit is exceeded, so the counts and rejected rows stay inspectable while
   * {@code fit} and {@code apply} refuse them.
   */
  public static Stats stats(
      JobContext ctx, EmbeddingSet texts, long[] textDuplicates, EmbeddingSet images) {
    return stats(ctx, texts, textDuplicates, images, 0);
  }

  /**
   * {@link #stats}, drawing the report's samples of {@code sampleRows} rows a modality on the way
   * when {@code > 0} (a sample the pass could not complete is left null: the report then draws it
   * with its own pass). {@code textDuplicates} null: the text stats pass finds them ({@link
   * #duplicatesUnlessStatsFindThem}), and the result holds them.
   */
  public static Stats stats(
      JobContext ctx,
      EmbeddingSet texts,
      long[] textDuplicates,
      EmbeddingSet images,
      int sampleRows) {
    requireSameDimension(texts, images);
    StatsPass.WithDuplicates tp = statsPass(ctx, texts, textDuplicates, sampleRows);
    StatsPass.WithDuplicates ip =
        statsPass(ctx, images, duplicatesUnlessStatsFindThem(ctx, images), sampleRows);
    SplitStats t = tp.stats();
    SplitStats i = ip.stats();
    long[] imageDuplicates = ip.duplicates();
    Map<String, ModalityCounts> counts = new LinkedHashMap<>();
    counts.put("text", counts(t));
    counts.put("image", counts(i));
    List<ShardInfo> rejectFiles = new ArrayList<>(t.rejectFiles);
    rejectFiles.addAll(i.rejectFiles);
    double limit = ctx.config.getDouble(ConfigKeys.MAX_REJECTED_FRACTION);
    String failure = rejectedFailure(ctx, "text", t, limit);
    if (failure == null) {
      failure = rejectedFailure(ctx, "image", i, limit);
    }
    Map<String, String> fingerprints = new LinkedHashMap<>();
    fingerprints.put("text", SketchCodec.fingerprint(t.snapshot()));
    fingerprints.put("image", SketchCodec.fingerprint(i.snapshot()));
    StatsSummary summary = new StatsSummary(counts, rejectFiles, failure, fingerprints);
    write(ctx, ctx.layout.statsSummary(), summary.toJson().getBytes(StandardCharsets.UTF_8));
    write(ctx, ctx.layout.sketch("text"), SketchCodec.encode(t.snapshot()));
    write(ctx, ctx.layout.sketch("image"), SketchCodec.encode(i.snapshot()));
    ReportJob.writeInputs(ctx);
    Console.info(
        "stats: text %,d rows (%,d rejected), image %,d rows (%,d rejected) -> %s",
        t.rows, t.rejected, i.rows, i.rejected, ctx.layout.stats());
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
    SampleRows.Draw td = t.draw();
    SampleRows.Draw id = i.draw();
    return new Stats(
        t.snapshot(),
        i.snapshot(),
        summary,
        tp.duplicates(),
        imageDuplicates,
        td.complete() ? SampleRows.flat(td.sample(), texts.dim()) : null,
        id.complete() ? SampleRows.flat(id.sample(), images.dim()) : null);
  }

  private static ModalityCounts counts(SplitStats s) {
    return new ModalityCounts(s.rows, s.rows - s.rejected, s.rejected, s.byReason);
  }

  /** The message of a modality over the rejected-row limit, or null. */
  private static String rejectedFailure(JobContext ctx, String role, SplitStats s, double limit) {
    if (s.rows > 0 && (double) s.rejected / s.rows > limit) {
      return String.format(
          Locale.ROOT,
          "Too many rejected %s rows: %,d of %,d (%.3f%%) exceed %s = %s; the rows and their"
              + " reasons are in %s (by reason: %s)",
          role,
          s.rejected,
          s.rows,
          100.0 * s.rejected / s.rows,
          ConfigKeys.MAX_REJECTED_FRACTION,
          limit,
          ctx.layout.rejected(role),
          s.byReason);
    }
    return null;
  }

  /** Fits the transform from the two sketches plus the centroid passes over the texts. */
  public static ReAlignTransform fit(
      JobContext ctx,
      EmbeddingSet texts,
      long[] textDuplicates,
      MomentSnapshot text,
      MomentSnapshot image,
      EncoderIdentity encoder) {
    FitOptions options =
        new FitOptions(
            ctx.config.getEnum(ConfigKeys.VARIANT, Variant.class),
            ctx.config.getInt(ConfigKeys.REFINEMENT_ITERATIONS),
            encoder,
            ctx.config.getLong(ConfigKeys.FIT_MIN_ROWS),
            ctx.config.getDouble(ConfigKeys.FIT_MIN_TRACE));
    ReAlignFitter fitter = ReAlignFitter.start(options, text, image);
    int pass = 1;
    while (fitter.needsCentroidPass()) {
      fitter.acceptCentroidPass(
          CentroidPass.run(ctx, texts, textDuplicates, fitter.currentKernel(), pass++));
    }
    ReAlignTransform t = fitter.result();
    write(ctx, ctx.layout.transform(), TransformJson.toJson(t).getBytes(StandardCharsets.UTF_8));
    Console.info(
        "fit: variant %s, scale %.6f, sha256 %s -> %s",
        t.variant(), t.scale(), t.sha256(), ctx.layout.transform());
    return t;
  }

  /**
   * Aligns every text row into staged shards, then commits them with the manifest.
   *
   * @param summary the stats stage's accounting, checked against apply's own; null when there was
   *     no stats stage (apply then enforces the rejected-row limit on its own counts)
   */
  public static Outcome apply(
      JobContext ctx,
      EmbeddingSet texts,
      long[] textDuplicates,
      ReAlignTransform t,
      StatsSummary summary) {
    if (t.dimension() != texts.dim()) {
      throw new IllegalArgumentException(
          "Invalid transform "
              + ctx.layout.transform()
              + ": dimension "
              + t.dimension()
              + " does not match the text embeddings "
              + texts.path()
              + " (dimension "
              + texts.dim()
              + ")");
    }
    boolean resume = ctx.config.outputMode() == OutputMode.RESUME;
    List<ShardResult> results =
        ApplyPass.run(
            ctx, texts, textDuplicates, ApplyPass.align(t.kernel()), t.sha256(), resume, "apply");
    MomentSketch out = new MomentSketch(t.dimension());
    long rows = 0;
    long rejected = 0;
    for (ShardResult r : results) {
      out.merge(SketchCodec.decode(r.outputSketch()));
      rows += r.shard().rows();
      rejected += r.rejected();
    }
    ModalityCounts textCounts = summary == null ? null : summary.counts().get("text");
    if (summary != null && textCounts == null) {
      throw new IllegalArgumentException(
          "Invalid stats summary " + ctx.layout.statsSummary() + ": no text counts (rerun stats)");
    }
    if (summary == null) {
      // No stats stage: apply's own counts are all there is, and the limit still holds.
      double limit = ctx.config.getDouble(ConfigKeys.MAX_REJECTED_FRACTION);
      long in = rows + rejected;
      if (in > 0 && (double) rejected / in > limit) {
        throw new IllegalStateException(
            String.format(
                Locale.ROOT,
                "Too many rejected text rows:"
                    + " %,d of %,d exceed %s = %s (counted by apply without a stats summary, so the rows"
                    + " are not in rejected/: run stats first to quarantine them with their reasons)",
                rejected,
                in,
                ConfigKeys.MAX_REJECTED_FRACTION,
                limit));
      }
    }
    if (textCounts != null && (rows != textCounts.used() || rejected != textCounts.rejected())) {
      throw new IllegalStateException(
          "Row accounting mismatch: apply wrote "
              + rows
              + " rows and rejected "
              + rejected
              + ", the stats pass counted "
              + textCounts.used()
              + " valid and "
              + textCounts.rejected()
              + " rejected (the input changed during the run?)");
    }
    double gapBefore = distance(t.muImage(), t.muText());
    double gapAfter = distance(t.muImage(), out.snapshot().mean());
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("centroid_gap_before", gapBefore);
    figures.put("centroid_gap_after", gapAfter);
    Map<String, ModalityCounts> inputs =
        summary == null ? new LinkedHashMap<>() : new LinkedHashMap<>(summary.counts());
    inputs.put(
        "text",
        new ModalityCounts(
            rows + rejected,
            rows,
            rejected,
            textCounts != null ? textCounts.byReason() : Map.of()));
    dev.realign.sink.ShardOutput output = dev.realign.sink.ShardOutput.fromConfig(ctx.config);
    ShardManifest manifest =
        new ShardManifest(
            rows,
            t.dimension(),
            output.dtype().id(),
            t.sha256(),
            rejected,
            inputs,
            summary == null ? List.of() : summary.rejectedFiles(),
            figures,
            StagedCommit.shards(results),
            provenance(t),
            output.format().id());
    manifest = manifest.withCreatedBy(dev.realign.build.BuildInfo.createdBy());
    StagedCommit.commit(ctx.fs, ctx.layout.aligned(), ctx.layout.staging(), manifest);
    return new Outcome(
        t, manifest, gapBefore, gapAfter, ctx.layout.transform(), ctx.layout.aligned());
  }

  static double distance(double[] a, double[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      double d = a[j] - b[j];
      s += d * d;
    }
    return Math.sqrt(s);
  }

  static void write(JobContext ctx, Path path, byte[] bytes) {
    dev.realign.sink.AtomicFiles.write(ctx.fs, path, bytes);
  }

  static byte[] read(JobContext ctx, Path path, String what) {
    // The path's own file system: a --transform on local disk for an output on S3 stays local.
    org.apache.hadoop.fs.FileSystem fs =
        dev.realign.source.HadoopFiles.fs(path, ctx.jsc.hadoopConfiguration());
    try {
      if (!fs.exists(path)) {
        throw new IllegalArgumentException(
            "Missing " + what + ": " + path + " does not exist (run the earlier stage first)");
      }
      try (InputStream in = fs.open(path)) {
        return in.readAllBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + path, e);
    }
  }

  /** A sketch written by {@code stats}. */
  static MomentSnapshot readSketch(JobContext ctx, String role) {
    Path p = ctx.layout.sketch(role);
    try {
      return SketchCodec.decode(read(ctx, p, role + " sketch"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " [in " + p + "]", e);
    }
  }

  /**
   * The aligned manifest's provenance: the encoder (with its settings under the encode manifest's
   * keys when realign encoded the texts) and the variant.
   */
  static Map<String, String> provenance(ReAlignTransform t) {
    Map<String, String> prov = new java.util.TreeMap<>();
    prov.put("encoder", t.encoder().name());
    prov.put("encoder_sha256", t.encoder().sha256() == null ? "" : t.encoder().sha256());
    if (t.encoder().hasSettings()) {
      prov.put("encoder_pooling", t.encoder().settings().pooling());
      prov.put("encoder_context_length", Integer.toString(t.encoder().settings().contextLength()));
      prov.put("encoder_output_dtype", t.encoder().settings().outputDtype());
    }
    prov.put("variant", t.variant().id());
    return prov;
  }

  /** A sketch written by {@code stats}, checked against the fingerprint its summary recorded. */
  static MomentSnapshot readSketch(JobContext ctx, String role, StatsSummary summary) {
    Path p = ctx.layout.sketch(role);
    MomentSnapshot s = readSketch(ctx, role);
    String expected = summary.sketches().get(role);
    String actual = SketchCodec.fingerprint(s);
    if (!actual.equals(expected)) {
      throw new IllegalArgumentException(
          "Invalid "
              + role
              + " sketch "
              + p
              + ": sha256 "
              + actual
              + " is not the one "
              + ctx.layout.statsSummary()
              + " recorded ("
              + expected
              + "): the stats stage did not finish writing it; rerun stats");
    }
    return s;
  }

  /** {@code stats/summary.json}; every failure to read or parse it names the file. */
  static StatsSummary readSummary(JobContext ctx) {
    Path p = ctx.layout.statsSummary();
    try {
      return StatsSummary.fromJson(
          new String(read(ctx, p, "stats summary"), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " [in " + p + "]", e);
    }
  }

  /** The summary of a stats stage that passed; a failed one is refused with its reason. */
  static StatsSummary requirePassedSummary(JobContext ctx, String stage) {
    StatsSummary s = readSummary(ctx);
    if (!s.passed()) {
      throw new IllegalStateException(
          "Refusing to "
              + stage
              + ": the stats stage of "
              + ctx.layout.root()
              + " failed ("
              + s.failure()
              + "); fix the input or raise the limit,"
              + " then rerun stats ("
              + ctx.layout.statsSummary()
              + ")");
    }
    return s;
  }

  static boolean exists(JobContext ctx, Path p) {
    try {
      return ctx.fs.exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check " + p, e);
    }
  }

  static ReAlignTransform readTransform(JobContext ctx, String path) {
    Path p = path == null || path.isBlank() ? ctx.layout.transform() : new Path(path);
    try {
      return TransformJson.fromJson(new String(read(ctx, p, "transform"), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " [in " + p + "]", e);
    }
  }
}
