package dev.realign.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.Variant;
import dev.realign.config.ConfigKeys;
import dev.realign.config.Modality;
import dev.realign.config.PipelineConfig;
import dev.realign.report.ComputeGapReport;
import dev.realign.report.FullDataSketches;
import dev.realign.report.GapReport;
import dev.realign.report.ReportHtml;
import dev.realign.report.ReportInputs;
import dev.realign.report.ReportJson;
import dev.realign.report.ReportOptions;
import dev.realign.source.EmbeddingSet;
import dev.realign.stats.MomentSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * {@code report}: the gap report of an output directory, as {@code report/report.json} and a
 * self-contained {@code report/report.html}. Samples both modalities deterministically (by id
 * hash), compares "before" with each requested variant, and adds paired figures when a validation
 * set is given. The metrics are the core's ({@code dev.realign.metrics}); this class moves data.
 */
public final class ReportJob {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportJob() {}

  /** Records the input keys next to the sketches, so a later {@code report} can find the data. */
  static void writeInputs(JobContext ctx) {
    ObjectNode n = MAPPER.createObjectNode();
    ctx.config
        .asMap()
        .forEach(
            (k, v) -> {
              if (k.startsWith("input.")) {
                n.put(k, v);
              }
            });
    try {
      AlignPipeline.write(
          ctx, new Path(ctx.layout.stats(), "inputs.json"), MAPPER.writeValueAsBytes(n));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The config with the recorded inputs filled in where the command line gave none. */
  static PipelineConfig withRecordedInputs(JobContext ctx) {
    if (!ctx.config.get(ConfigKeys.TEXT_EMBEDDINGS).isBlank()) {
      return ctx.config;
    }
    Path p = new Path(ctx.layout.stats(), "inputs.json");
    PipelineConfig.Builder b = PipelineConfig.builder().setAll(ctx.config.asMap());
    try {
      for (Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it =
              MAPPER.readTree(AlignPipeline.read(ctx, p, "record of the run's inputs")).fields();
          it.hasNext(); ) {
        Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = it.next();
        b.set(e.getKey(), e.getValue().asText());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + p, e);
    }
    return b.build();
  }

  /** Runs the report, finding the image duplicates itself. */
  public static GapReport run(JobContext base, long[] textDuplicates) {
    return run(base, textDuplicates, null);
  }

  /**
   * Runs the report. The duplicate positions may be null when not known (standalone): they are then
   * found again.
   */
  public static GapReport run(JobContext base, long[] textDuplicates, long[] imageDuplicates) {
    long t0 = System.nanoTime();
    ReAlignTransform fitted = AlignPipeline.readTransform(base, null);
    JobContext ctx = base.withConfig(withRecordedInputs(base));
    EmbeddingSet texts = AlignPipeline.plan(ctx, Modality.TEXT);
    EmbeddingSet images = AlignPipeline.plan(ctx, Modality.IMAGE);
    long[] dups = textDuplicates != null ? textDuplicates : AlignPipeline.duplicates(ctx, texts);
    long[] imageDups =
        imageDuplicates != null ? imageDuplicates : AlignPipeline.duplicates(ctx, images);
    return compute(
        ctx,
        fitted,
        new InRun(
            texts,
            images,
            dups,
            imageDups,
            AlignPipeline.readSketch(ctx, "text"),
            AlignPipeline.readSketch(ctx, "image"),
            null,
            null),
        t0);
  }

  /**
   * What {@code run} already holds when its report starts: the planned sets, the duplicate
   * positions, the sketches of the stats pass and the samples that pass drew (null when it drew
   * none; the report then draws them with its own pass).
   */
  record InRun(
      EmbeddingSet texts,
      EmbeddingSet images,
      long[] textDuplicates,
      long[] imageDuplicates,
      MomentSnapshot textSketch,
      MomentSnapshot imageSketch,
      float[] textSample,
      float[] imageSample) {}

  /** The report inside {@code run}: no planning, sketch reads or (usually) sampling pass. */
  static GapReport runWith(JobContext ctx, ReAlignTransform fitted, InRun in) {
    return compute(ctx, fitted, in, System.nanoTime());
  }

  private static GapReport compute(JobContext ctx, ReAlignTransform fitted, InRun held, long t0) {
    double cpu0 = processCpuSeconds();
    EmbeddingSet texts = held.texts();
    EmbeddingSet images = held.images();
    long[] dups = held.textDuplicates();
    MomentSnapshot textSketch = held.textSketch();
    MomentSnapshot imageSketch = held.imageSketch();
    if (fitted.dimension() != texts.dim()) {
      throw new IllegalArgumentException(
          "Invalid transform "
              + ctx.layout.transform()
              + ": dimension "
              + fitted.dimension()
              + " (must be "
              + texts.dim()
              + ", the dimension of the text embeddings)");
    }
    Map<Variant, ReAlignTransform> transforms =
        variants(ctx, texts, dups, fitted, textSketch, imageSketch);

    int n = ctx.config.getInt(ConfigKeys.REPORT_SAMPLE_ROWS);
    boolean drawn = held.textSample() != null && held.imageSample() != null;
    float[] textSample =
        held.textSample() != null
            ? held.textSample()
            : SampleRows.flat(
                SampleRows.sample(ctx, texts, dups, n, textSketch.count(), "texts"), texts.dim());
    float[] imageSample =
        held.imageSample() != null
            ? held.imageSample()
            : SampleRows.flat(
                SampleRows.sample(
                    ctx, images, held.imageDuplicates(), n, imageSketch.count(), "images"),
                images.dim());
    Console.info(
        "report: samples of %,d texts and %,d images (report.sample_rows = %,d%s) %s" + " %.1f s",
        textSample.length / texts.dim(),
        imageSample.length / images.dim(),
        n,
        textSample.length / texts.dim() < n ? "; fewer rows exist, all are used" : "",
        drawn ? "drawn by the stats pass; ready in" : "in",
        (System.nanoTime() - t0) / 1e9);

    ReportInputs in =
        new ReportInputs(
            textSample,
            imageSample,
            texts.dim(),
            transforms,
            null,
            null,
            options(ctx.config),
            fullData(ctx, fitted, textSketch, imageSketch));
    String vt = ctx.config.get(ConfigKeys.VALIDATION_TEXT);
    String vi = ctx.config.get(ConfigKeys.VALIDATION_IMAGE);
    if (vt.isBlank() != vi.isBlank()) {
      throw new IllegalArgumentException(
          "Invalid validation set: "
              + (vt.isBlank() ? ConfigKeys.VALIDATION_TEXT : ConfigKeys.VALIDATION_IMAGE)
              + " is empty (give both "
              + ConfigKeys.VALIDATION_TEXT
              + " and "
              + ConfigKeys.VALIDATION_IMAGE
              + ", or neither)");
    }
    if (!vt.isBlank()) {
      ValidationPairs pairs =
          ValidationPairs.read(
              ctx, vt, vi, texts.dim(), ctx.config.getInt(ConfigKeys.VALIDATION_MAX_PAIRS));
      in = in.withValidation(pairs.texts(), pairs.images(), pairs.counts());
    }
    GapReport report = ComputeGapReport.compute(in);
    writeReport(ctx, report);
    for (GapReport.MetricsRow r : report.rows()) {
      Console.info(
          String.format(
              Locale.ROOT,
              "report %-13s centroid gap %.6f%s  JS %.6f ± %.1g"
                  + "  k-NN mixing %.4f ± %.1g (%.3f of perfect)  overlap %.4f ± %.1g",
              r.label(),
              r.centroidGap(),
              r.fullData() ? " (all rows)" : " (sample)",
              r.jsPairwiseCos(),
              r.js().standardError(),
              r.knnMixing(),
              r.mixing().standardError(),
              r.knnMixingNormalised().value(),
              r.neighbourhoodOverlap(),
              r.overlap().standardError()));
    }
    report
        .validation()
        .ifPresent(
            v ->
                v.rows()
                    .forEach(
                        r ->
                            Console.info(
                                String.format(
                                    Locale.ROOT,
                                    "validation %-13s paired cos %.4f  recall@1 %.3f  recall@5 %.3f (%d pairs)",
                                    r.label(),
                                    r.pairedCosine(),
                                    r.recallAt1(),
                                    r.recallAt5(),
                                    v.pairs()))));
    // The CPU seconds (all threads, JIT included) say more than the wall on a shared machine.
    Console.info(
        "report: %s/report.html and report.json (%.2f s), %.2f s of CPU",
        ctx.layout.report(), (System.nanoTime() - t0) / 1e9, processCpuSeconds() - cpu0);
    return report;
  }

  /** The report's options from the config (the report.* keys). */
  public static ReportOptions options(PipelineConfig c) {
    return ReportOptions.defaults()
        .withSampleRows(c.getInt(ConfigKeys.REPORT_SAMPLE_ROWS))
        .withSpectra(c.getBoolean(ConfigKeys.REPORT_SPECTRA))
        .withEstimation(
            c.getInt(ConfigKeys.REPORT_KNN_QUERIES),
            c.getLong(ConfigKeys.REPORT_PAIR_BUDGET),
            c.getBoolean(ConfigKeys.REPORT_GEMM))
        .withSpectrumRows(c.getInt(ConfigKeys.REPORT_SPECTRUM_ROWS));
  }

  private static Map<Variant, ReAlignTransform> variants(
      JobContext ctx,
      EmbeddingSet texts,
      long[] dups,
      ReAlignTransform fitted,
      MomentSnapshot text,
      MomentSnapshot image) {
    Map<Variant, ReAlignTransform> out = new EnumMap<>(Variant.class);
    for (Variant v : ctx.config.getList(ConfigKeys.REPORT_VARIANTS, Variant.class)) {
      if (v == fitted.variant()) {
        out.put(v, fitted);
        continue;
      }
      // The other variants come from the same sketches; only realign needs a pass over texts.
      ReAlignFitter f =
          ReAlignFitter.start(FitOptions.of(v).withEncoder(fitted.encoder()), text, image);
      int pass = 1;
      while (f.needsCentroidPass()) {
        f.acceptCentroidPass(CentroidPass.run(ctx, texts, dups, f.currentKernel(), pass++));
      }
      out.put(v, f.result());
    }
    return out;
  }

  /**
   * The exact sketches of every row: raw texts and images from the stats pass, and the aligned
   * texts of the fitted variant when the apply pass stored theirs (and it counts every valid text).
   */
  private static FullDataSketches fullData(
      JobContext ctx, ReAlignTransform fitted, MomentSnapshot text, MomentSnapshot image) {
    Map<Variant, MomentSnapshot> aligned = new EnumMap<>(Variant.class);
    MomentSnapshot a = AlignedSketch.read(ctx, fitted.sha256());
    if (a != null && a.count() == text.count()) {
      aligned.put(fitted.variant(), a);
    } else {
      Console.info(
          "report: no sketch of the aligned rows for transform %s%s: the centroid gap"
              + " after alignment is over the samples (run apply to get it over every row)",
          fitted.sha256().substring(0, 12),
          a == null ? "" : " (it counts " + a.count() + " rows, the stats " + text.count() + ")");
    }
    return new FullDataSketches(text, image, aligned);
  }

  /** CPU seconds of this JVM so far (all threads), or NaN where the JVM does not say. */
  static double processCpuSeconds() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() / 1e9
        : Double.NaN;
  }

  static void writeReport(JobContext ctx, GapReport report) {
    // The two renderings are independent: the JSON is rendered on the common pool while this
    // thread renders the HTML (one after the other, rendering and writing took 45-85 ms of a
    // 0.55-0.65 s report at 200k rows: JSON 14-23 ms, HTML 18-27, the files 11-22; measured here).
    // The files are then written in the old order, so a failed report.json write still leaves no
    // new report.html beside an old report.json.
    java.util.concurrent.CompletableFuture<byte[]> json =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> ReportJson.toJson(report).getBytes(StandardCharsets.UTF_8));
    byte[] html;
    try {
      html = ReportHtml.render(report).getBytes(StandardCharsets.UTF_8);
    } catch (RuntimeException | Error e) {
      json.exceptionally(t -> null).join(); // not left running past the failure
      throw e;
    }
    byte[] jsonBytes;
    try {
      jsonBytes = json.join();
    } catch (java.util.concurrent.CompletionException e) {
      // The rendering's own exception, as when it ran on this thread.
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
    AlignPipeline.write(ctx, new Path(ctx.layout.report(), "report.json"), jsonBytes);
    AlignPipeline.write(ctx, new Path(ctx.layout.report(), "report.html"), html);
  }
}
