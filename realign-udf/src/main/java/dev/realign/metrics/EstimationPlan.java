package dev.realign.metrics;

import static dev.realign.Checks.checkArgument;

import java.util.Objects;

/**
 * How much of a sample the pairwise and k-NN figures use: the first {@code textQueries} texts and
 * {@code imageQueries} images are the k-NN queries (each searched against the whole sample), and at
 * most about {@code pairBudget} pairs a histogram, in {@code pairGroups} blocks. A figure that fits
 * in the plan is exact; a modality of at most {@code exactRows} rows is always queried in full.
 * Rows must be ordered so that a prefix is a fair subset (the report's samples are in id-hash
 * order).
 *
 * @param scorer the float32 candidate search (the figures do not depend on it)
 */
public record EstimationPlan(
    int textQueries,
    int imageQueries,
    long pairBudget,
    int pairGroups,
    CandidateScorer scorer,
    int exactRows) {
  public static final int QUERIES_DEFAULT = 200;

  /**
   * A modality of at most this many rows is queried in full (exact k-NN figures): 1,000 queries
   * against a pool of 2,000 cost about what 200 cost against 10,000 + 10,000.
   */
  public static final int EXACT_ROWS_DEFAULT = 1_000;

  public EstimationPlan(
      int textQueries, int imageQueries, long pairBudget, int pairGroups, CandidateScorer scorer) {
    this(textQueries, imageQueries, pairBudget, pairGroups, scorer, 0);
  }

  public static final long PAIR_BUDGET_DEFAULT = 1L << 18;
  public static final int PAIR_GROUPS_DEFAULT = 16;

  public EstimationPlan {
    checkArgument(
        textQueries >= 1 && imageQueries >= 1,
        "Invalid k-NN queries: %s texts and %s" + " images (must be >= 1)",
        textQueries,
        imageQueries);
    checkArgument(pairBudget >= 1, "Invalid pair budget: %s (must be >= 1)", pairBudget);
    checkArgument(
        pairGroups >= 2,
        "Invalid pair groups: %s (must be >= 2: the standard error" + " needs replicates)",
        pairGroups);
    Objects.requireNonNull(scorer, "scorer");
    checkArgument(exactRows >= 0, "Invalid exact rows: %s (must be >= 0)", exactRows);
  }

  /** Every query and every pair: the exact figures of the samples. */
  public static EstimationPlan exact() {
    return new EstimationPlan(
        Integer.MAX_VALUE,
        Integer.MAX_VALUE,
        Long.MAX_VALUE,
        PAIR_GROUPS_DEFAULT,
        CandidateScorer.JAVA,
        Integer.MAX_VALUE);
  }

  public static EstimationPlan defaults(CandidateScorer scorer) {
    return new EstimationPlan(
        QUERIES_DEFAULT,
        QUERIES_DEFAULT,
        PAIR_BUDGET_DEFAULT,
        PAIR_GROUPS_DEFAULT,
        scorer,
        EXACT_ROWS_DEFAULT);
  }

  public EstimationPlan withScorer(CandidateScorer s) {
    return new EstimationPlan(textQueries, imageQueries, pairBudget, pairGroups, s, exactRows);
  }
}
