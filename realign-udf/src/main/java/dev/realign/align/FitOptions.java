package dev.realign.align;

import static dev.realign.Checks.checkArgument;

import java.util.Objects;

/**
 * Options of a fit.
 *
 * @param variant which steps to fit
 * @param refinementIterations extra centroid steps after the first (0 = the paper's method); each
 *     costs one more pass over the texts and shrinks the residual centroid gap geometrically
 * @param encoder the encoder behind the embeddings, recorded in the transform
 * @param minRows the fewest valid rows a modality may have; fewer give a degenerate fit (one text
 *     row has no spread, so every text maps onto one vector)
 * @param minTrace the smallest covariance trace a modality may have when the variant matches
 *     traces: the scale {@code sqrt(T_image / T_text)} of an (almost) spreadless set maps every
 *     text onto one vector (image side) or amplifies noise (text side)
 */
public record FitOptions(
    Variant variant,
    int refinementIterations,
    EncoderIdentity encoder,
    long minRows,
    double minTrace) {
  public static final int MAX_REFINEMENT_ITERATIONS = 16;

  /** Default of {@link #minRows}: a floor against degenerate fits, not a statistical target. */
  public static final long MIN_ROWS_DEFAULT = 10;

  /**
   * Default of {@link #minTrace}. Unit rows have traces in [0, 1] (CLIP embeddings: 0.2 to 0.6); at
   * 1e-4 the scale stays below 100 for any image set.
   */
  public static final double MIN_TRACE_DEFAULT = 1e-4;

  public FitOptions {
    Objects.requireNonNull(variant, "variant");
    Objects.requireNonNull(encoder, "encoder");
    checkArgument(
        refinementIterations >= 0 && refinementIterations <= MAX_REFINEMENT_ITERATIONS,
        "Invalid refinement iterations: %s (must be in [0, %s])",
        refinementIterations,
        MAX_REFINEMENT_ITERATIONS);
    checkArgument(
        refinementIterations == 0 || variant.hasCentroidStep(),
        "Invalid refinement iterations: %s for variant %s (must be 0: only realign has a centroid"
            + " step)",
        refinementIterations,
        variant);
    checkArgument(minRows >= 1, "Invalid minimum rows: %s (must be >= 1)", minRows);
    checkArgument(
        minTrace >= 0 && Double.isFinite(minTrace),
        "Invalid minimum trace: %s (must be" + " finite and >= 0)",
        minTrace);
  }

  public static FitOptions of(Variant variant) {
    return new FitOptions(
        variant, 0, EncoderIdentity.PRECOMPUTED, MIN_ROWS_DEFAULT, MIN_TRACE_DEFAULT);
  }

  public static FitOptions defaults() {
    return of(Variant.DEFAULT);
  }

  /** Total centroid passes over the texts this fit needs. */
  public int centroidPasses() {
    return variant.hasCentroidStep() ? 1 + refinementIterations : 0;
  }

  public FitOptions withEncoder(EncoderIdentity e) {
    return new FitOptions(variant, refinementIterations, e, minRows, minTrace);
  }

  public FitOptions withRefinementIterations(int n) {
    return new FitOptions(variant, n, encoder, minRows, minTrace);
  }

  /** The guards against degenerate fits; {@code (1, 0)} turns them off. */
  public FitOptions withMinimums(long rows, double trace) {
    return new FitOptions(variant, refinementIterations, encoder, rows, trace);
  }
}
