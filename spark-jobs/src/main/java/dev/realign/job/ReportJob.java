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
import dev.realign.report.GapReport;
import dev.realign.report.ReportHtml;
import dev.realign.report.ReportInputs;
import dev.realign.report.ReportJson;
import dev.realign.report.ReportOptions;
import dev.realign.source.EmbeddingFormat;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import dev.realign.stats.MomentSnapshot;
import dev.realign.vector.RowValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.broadcast.Broadcast;

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
    ctx.config.asMap().forEach((k, v) -> {
      if (k.startsWith("input.")) {
        n.put(k, v);
      }
    });
    try {
      AlignPipeline.write(ctx, new Path(ctx.layout.stats(), "inputs.json"),
          MAPPER.writeValueAsBytes(n));
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
      for (Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = MAPPER
          .readTree(AlignPipeline.read(ctx, p, "record of the run's inputs")).fields();
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
   * Runs the report. The duplicate positions may be null when not known (standalone): they are
   * then found again.
   */
  public static GapReport run(JobContext base, long[] textDuplicates, long[] imageDuplicates) {
    long t0 = System.nanoTime();
    ReAlignTransform fitted = AlignPipeline.readTransform(base, null);
    JobContext ctx = base.withConfig(withRecordedInputs(base));
    EmbeddingSet texts = AlignPipeline.plan(ctx, Modality.TEXT);
    EmbeddingSet images = AlignPipeline.plan(ctx, Modality.IMAGE);
    long[] dups = textDuplicates != null ? textDuplicates : AlignPipeline.duplicates(ctx, texts);
    MomentSnapshot textSketch = AlignPipeline.readSketch(ctx, "text");
    MomentSnapshot imageSketch = AlignPipeline.readSketch(ctx, "image");
    if (fitted.dimension() != texts.dim()) {
      throw new IllegalArgumentException("Invalid transform " + ctx.layout.transform()
          + ": dimension " + fitted.dimension() + " (must be " + texts.dim()
          + ", the dimension of the text embeddings)");
    }
    Map<Variant, ReAlignTransform> transforms = variants(ctx, texts, dups, fitted, textSketch,
        imageSketch);

    int n = ctx.config.getInt(ConfigKeys.REPORT_SAMPLE_ROWS);
    float[] textSample = SampleRows.flat(SampleRows.sample(ctx, texts, dups, n,
        textSketch.count(), "texts"), texts.dim());
    long[] imageDups = imageDuplicates != null ? imageDuplicates
        : AlignPipeline.duplicates(ctx, images);
    float[] imageSample = SampleRows.flat(SampleRows.sample(ctx, images, imageDups, n,
        imageSketch.count(), "images"), images.dim());
    Console.info("report: samples of %,d texts and %,d images (report.sample_rows = %,d%s)",
        textSample.length / texts.dim(), imageSample.length / images.dim(), n,
        textSample.length / texts.dim() < n ? "; fewer rows exist, all are used" : "");

    ReportOptions options = ReportOptions.defaults().withSampleRows(n)
        .withSpectra(ctx.config.getBoolean(ConfigKeys.REPORT_SPECTRA));
    ReportInputs in = new ReportInputs(textSample, imageSample, texts.dim(), transforms, null,
        null, options);
    String vt = ctx.config.get(ConfigKeys.VALIDATION_TEXT);
    String vi = ctx.config.get(ConfigKeys.VALIDATION_IMAGE);
    if (vt.isBlank() != vi.isBlank()) {
      throw new IllegalArgumentException("Invalid validation set: " + (vt.isBlank()
          ? ConfigKeys.VALIDATION_TEXT : ConfigKeys.VALIDATION_IMAGE) + " is empty (give both "
          + ConfigKeys.VALIDATION_TEXT + " and " + ConfigKeys.VALIDATION_IMAGE + ", or neither)");
    }
    if (!vt.isBlank()) {
      float[][] pairs = validationPairs(ctx, vt, vi, texts.dim());
      in = in.withValidation(pairs[0], pairs[1]);
    }
    GapReport report = GapReport.compute(in);
    writeReport(ctx, report);
    for (GapReport.MetricsRow r : report.rows()) {
      Console.info(String.format(Locale.ROOT, "report %-13s centroid gap %.6f  JS %.6f  k-NN mixing"
          + " %.4f  overlap %.4f", r.label(), r.centroidGap(), r.jsPairwiseCos(), r.knnMixing(),
          r.neighbourhoodOverlap()));
    }
    report.validation().ifPresent(v -> v.rows().forEach(r -> Console.info(String.format(
        Locale.ROOT, "validation %-13s paired cos %.4f  recall@1 %.3f  recall@5 %.3f (%d pairs)",
        r.label(), r.pairedCosine(), r.recallAt1(), r.recallAt5(), v.pairs()))));
    Console.info("report: %s/report.html and report.json (%.1f s)", ctx.layout.report(),
        (System.nanoTime() - t0) / 1e9);
    return report;
  }

  private static Map<Variant, ReAlignTransform> variants(JobContext ctx, EmbeddingSet texts,
      long[] dups, ReAlignTransform fitted, MomentSnapshot text, MomentSnapshot image) {
    Map<Variant, ReAlignTransform> out = new EnumMap<>(Variant.class);
    for (Variant v : ctx.config.getList(ConfigKeys.REPORT_VARIANTS, Variant.class)) {
      if (v == fitted.variant()) {
        out.put(v, fitted);
        continue;
      }
      // The other variants come from the same sketches; only realign needs a pass over texts.
      ReAlignFitter f = ReAlignFitter.start(FitOptions.of(v).withEncoder(fitted.encoder()), text,
          image);
      int pass = 1;
      while (f.needsCentroidPass()) {
        f.acceptCentroidPass(CentroidPass.run(ctx, texts, dups, f.currentKernel(), pass++));
      }
      out.put(v, f.result());
    }
    return out;
  }

  /**
   * Reads a paired validation set: rows pair by id, or by position when both are .npy files with
   * made-up ids and equal row counts. Pairs with a bad row on either side are left out (counted).
   */
  static float[][] validationPairs(JobContext ctx, String textPath, String imagePath, int dim) {
    EmbeddingSet t = planValidation(ctx, "validation text", textPath);
    EmbeddingSet i = planValidation(ctx, "validation image", imagePath);
    for (EmbeddingSet s : List.of(t, i)) {
      if (s.dim() != dim) {
        throw new IllegalArgumentException("Invalid " + s.role() + " set " + s.path()
            + ": dimension " + s.dim() + " (must be " + dim + ", the transform's)");
      }
    }
    List<SampleRows.Sampled> tr = readAll(ctx, t);
    List<SampleRows.Sampled> ir = readAll(ctx, i);
    List<float[]> pt = new ArrayList<>();
    List<float[]> pi = new ArrayList<>();
    long skipped = 0;
    boolean byPosition = t.format() == EmbeddingFormat.NPY && i.format() == EmbeddingFormat.NPY
        && !t.idsFromColumn() && !i.idsFromColumn() && t.rows() == i.rows();
    if (byPosition) {
      for (int k = 0; k < tr.size(); k++) {
        if (tr.get(k).vector != null && ir.get(k).vector != null) {
          pt.add(tr.get(k).vector);
          pi.add(ir.get(k).vector);
        } else {
          skipped++;
        }
      }
    } else {
      Map<String, float[]> images = new HashMap<>();
      for (SampleRows.Sampled s : ir) {
        images.putIfAbsent(s.id, s.vector);
      }
      long matched = 0;
      for (SampleRows.Sampled s : tr) {
        if (!images.containsKey(s.id)) {
          continue;
        }
        matched++;
        float[] img = images.get(s.id);
        if (s.vector != null && img != null) {
          pt.add(s.vector);
          pi.add(img);
        } else {
          skipped++;
        }
      }
      if (matched == 0) {
        throw new IllegalArgumentException("Invalid validation set: none of the " + tr.size()
            + " ids of " + textPath + " match an id of " + imagePath + " (rows pair by id; by"
            + " position only when both are .npy files of equal length)");
      }
    }
    if (pt.isEmpty()) {
      throw new IllegalArgumentException("Invalid validation set: no usable pair (" + skipped
          + " pairs have a bad row)");
    }
    Console.info("validation: %,d pairs by %s (%,d left out for a bad row)", pt.size(),
        byPosition ? "position" : "id", skipped);
    float[][] out = {new float[pt.size() * dim], new float[pt.size() * dim]};
    for (int k = 0; k < pt.size(); k++) {
      System.arraycopy(pt.get(k), 0, out[0], k * dim, dim);
      System.arraycopy(pi.get(k), 0, out[1], k * dim, dim);
    }
    return out;
  }

  private static EmbeddingSet planValidation(JobContext ctx, String role, String path) {
    PipelineConfig c = ctx.config;
    return EmbeddingSetPlanner.plan(new EmbeddingSetPlanner.Spec(role, path, null, "",
        new dev.realign.source.Columns(c.get(ConfigKeys.ID_COLUMN),
            c.get(ConfigKeys.VECTOR_COLUMN), c.get(ConfigKeys.TEXT_COLUMN)),
        c.getInt(ConfigKeys.SPLIT_ROWS), 0),
        ctx.jsc.hadoopConfiguration());
  }

  /** Every row of a (small) set in input order; invalid rows keep their id with a null vector. */
  private static List<SampleRows.Sampled> readAll(JobContext ctx, EmbeddingSet set) {
    Broadcast<SerializableHadoopConf> conf = ctx.hadoopConf;
    int dim = set.dim();
    return ctx.jsc.parallelize(set.splits(), set.splits().size()).flatMap(split -> {
      List<SampleRows.Sampled> out = new ArrayList<>();
      RowBatch batch = SplitSource.newBatch(set);
      try (SplitReader r = SplitSource.open(set, split, conf.value().get(), new long[0])) {
        while (r.next(batch)) {
          for (int k = 0; k < batch.size; k++) {
            boolean ok = batch.reasons[k] == null
                && RowValidator.normOrNegative(batch.flat, k * dim, dim) >= 0;
            out.add(new SampleRows.Sampled(0, batch.ids[k],
                ok ? Arrays.copyOfRange(batch.flat, k * dim, (k + 1) * dim) : null));
          }
        }
      }
      return out.iterator();
    }).collect();
  }

  static void writeReport(JobContext ctx, GapReport report) {
    AlignPipeline.write(ctx, new Path(ctx.layout.report(), "report.json"),
        ReportJson.toJson(report).getBytes(StandardCharsets.UTF_8));
    AlignPipeline.write(ctx, new Path(ctx.layout.report(), "report.html"),
        ReportHtml.render(report).getBytes(StandardCharsets.UTF_8));
  }
}
