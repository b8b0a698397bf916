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
 */
public record FitOptions(Variant variant, int refinementIterations, EncoderIdentity encoder) {
  public static final int MAX_REFINEMENT_ITERATIONS = 16;

  public FitOptions {
    Objects.requireNonNull(variant, "variant");
    Objects.requireNonNull(encoder, "encoder");
    checkArgument(refinementIterations >= 0 && refinementIterations <= MAX_REFINEMENT_ITERATIONS,
        "Invalid refinement iterations: %s (must be in [0, %s])", refinementIterations,
        MAX_REFINEMENT_ITERATIONS);
    checkArgument(refinementIterations == 0 || variant.hasCentroidStep(),
        "Invalid refinement iterations: %s for variant %s (must be 0: only realign has a centroid"
            + " step)", refinementIterations, variant);
  }

  public static FitOptions of(Variant variant) {
    return new FitOptions(variant, 0, EncoderIdentity.PRECOMPUTED);
  }

  public static FitOptions defaults() {
    return of(Variant.DEFAULT);
  }

  /** Total centroid passes over the texts this fit needs. */
  public int centroidPasses() {
    return variant.hasCentroidStep() ? 1 + refinementIterations : 0;
  }

  public FitOptions withEncoder(EncoderIdentity e) {
    return new FitOptions(variant, refinementIterations, e);
  }

  public FitOptions withRefinementIterations(int n) {
    return new FitOptions(variant, n, encoder);
  }
}
