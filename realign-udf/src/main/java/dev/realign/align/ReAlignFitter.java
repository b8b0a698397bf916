package dev.realign.align;

import static dev.realign.Checks.checkArgument;
import static dev.realign.Checks.checkState;

import dev.realign.stats.MomentSketch;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.RejectListener;
import dev.realign.stats.SketchCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * The fit as a small state machine, so that any engine can drive the passes over its data:
 *
 * <pre>
 * ReAlignFitter f = ReAlignFitter.start(options, textSketch, imageSketch);
 * while (f.needsCentroidPass()) {
 *   AlignmentKernel k = f.currentKernel();       // broadcast it
 *   MomentSketch s = ...;                        // per task: k.forwardUnit(row) -> s.addUnit(...)
 *   f.acceptCentroidPass(mergedSnapshot);        // merge the task sketches
 * }
 * ReAlignTransform t = f.result();
 * </pre>
 *
 * The sketches are exact, so the result does not depend on how the engine partitioned the rows.
 */
public final class ReAlignFitter {
  /** Added to the text trace so that a text set without spread does not divide by zero. */
  public static final double TRACE_EPSILON = 1e-10;

  private final FitOptions options;
  private final MomentSnapshot text;
  private final MomentSnapshot image;
  private final double scale;
  private AlignmentKernel kernel;
  private final List<String> centroidFingerprints = new ArrayList<>();

  private ReAlignFitter(FitOptions options, MomentSnapshot text, MomentSnapshot image) {
    this.options = options;
    this.text = text;
    this.image = image;
    checkArgument(
        !text.isEmpty(),
        "Invalid text embeddings: 0 valid rows (the fit needs at least" + " one valid text row)");
    checkArgument(
        !image.isEmpty(),
        "Invalid image embeddings: 0 valid rows (the fit needs at least" + " one valid image row)");
    checkArgument(
        text.dimension() == image.dimension(),
        "Invalid sketches: text dimension %s,"
            + " image dimension %s (must be equal: both modalities come from one encoder)",
        text.dimension(),
        image.dimension());
    requireNotDegenerate(options, "text", text);
    requireNotDegenerate(options, "image", image);
    this.scale =
        options.variant().matchesTrace()
            ? Math.sqrt(image.trace() / (text.trace() + TRACE_EPSILON))
            : 1.0;
    this.kernel = new AlignmentKernel(scale, text.mean(), image.mean(), List.of());
  }

  private static void requireNotDegenerate(FitOptions options, String role, MomentSnapshot s) {
    checkArgument(
        s.count() >= options.minRows(),
        "Invalid %s embeddings: %s valid rows (must be"
            + " >= %s for a fit: fewer give a degenerate transform; lower the minimum with fit.min_rows"
            + " (FitOptions.withMinimums) only for tests or toy data)",
        role,
        s.count(),
        options.minRows());
    if (options.variant().matchesTrace()) {
      checkArgument(
          s.trace() >= options.minTrace(),
          "Invalid %s embeddings: covariance trace %s"
              + " (must be >= %s for a trace-matching fit: rows without spread make the scale"
              + " sqrt(T_image / T_text) collapse every text onto one vector or amplify noise; lower"
              + " the minimum with fit.min_trace (FitOptions.withMinimums) only if the data really is"
              + " that concentrated, or use the variant anchor)",
          role,
          s.trace(),
          options.minTrace());
    }
  }

  /**
   * Fits the moment steps from the two sketches; centroid passes follow if the variant has them.
   */
  public static ReAlignFitter start(FitOptions options, MomentSnapshot text, MomentSnapshot image) {
    return new ReAlignFitter(options, text, image);
  }

  public boolean needsCentroidPass() {
    return kernel.centroidSteps() < options.centroidPasses();
  }

  /** The kernel whose unit outputs the next centroid pass must sketch. */
  public AlignmentKernel currentKernel() {
    return kernel;
  }

  /**
   * Takes the sketch of {@code currentKernel().forwardUnit(t)} over all valid text rows.
   *
   * @throws IllegalArgumentException if the pass did not see exactly the text rows of the fit
   */
  public void acceptCentroidPass(MomentSnapshot pass) {
    checkState(
        needsCentroidPass(),
        "Invalid centroid pass: the fit needs no more passes (%s done)",
        kernel.centroidSteps());
    checkArgument(
        pass.dimension() == text.dimension(),
        "Invalid centroid pass: dimension %s (must" + " be %s)",
        pass.dimension(),
        text.dimension());
    checkArgument(
        pass.count() == text.count(),
        "Invalid centroid pass: %s rows (must equal the %s"
            + " valid text rows of the fit: the pass must read the same texts)",
        pass.count(),
        text.count());
    kernel = kernel.withCentroid(pass.mean());
    centroidFingerprints.add(SketchCodec.fingerprint(pass));
  }

  /** The fitted transform, once every centroid pass is done. */
  public ReAlignTransform result() {
    checkState(
        !needsCentroidPass(),
        "Invalid fit state: %s of %s centroid passes done",
        kernel.centroidSteps(),
        options.centroidPasses());
    return new ReAlignTransform(
        options.variant(),
        text.count(),
        image.count(),
        text.trace(),
        image.trace(),
        kernel,
        options.encoder(),
        new ReAlignTransform.Inputs(
            SketchCodec.fingerprint(text), SketchCodec.fingerprint(image), centroidFingerprints));
  }

  /**
   * Sketches flat row-major rows of dimension {@code dim} (invalid rows are skipped, as in a job).
   */
  public static MomentSnapshot sketch(float[] rows, int dim) {
    checkArgument(
        rows.length % dim == 0,
        "Invalid rows: %s floats (must be a multiple of the" + " dimension %s)",
        rows.length,
        dim);
    MomentSketch s = new MomentSketch(dim);
    s.addAll(rows, 0, rows.length / dim, RejectListener.IGNORE);
    return s.snapshot();
  }

  /** The whole fit in one JVM over in-memory, flat row-major texts and images. */
  public static ReAlignTransform fitInMemory(
      FitOptions options, float[] texts, float[] images, int dim) {
    ReAlignFitter f = start(options, sketch(texts, dim), sketch(images, dim));
    double[] unit = new double[dim];
    while (f.needsCentroidPass()) {
      AlignmentKernel k = f.currentKernel();
      MomentSketch pass = new MomentSketch(dim);
      for (int off = 0; off < texts.length; off += dim) {
        if (k.forwardUnit(texts, off, unit) == null) {
          pass.addUnit(unit);
        }
      }
      f.acceptCentroidPass(pass.snapshot());
    }
    return f.result();
  }
}
