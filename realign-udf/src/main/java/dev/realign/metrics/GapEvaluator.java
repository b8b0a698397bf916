package dev.realign.metrics;

import static dev.realign.Checks.checkArgument;

/**
 * Evaluates several text samples (raw, then aligned by each variant: row i is always the same text)
 * against one image sample, computing the image side and the raw-text neighbourhoods once.
 *
 * <p>What it costs is set by an {@link EstimationPlan}: the k-NN figures are averaged over the
 * first {@code textQueries} texts and {@code imageQueries} images, each query's neighbours searched
 * exactly among the whole sample ({@link NearestSearch}: float32 candidates, float64 cosines); the
 * histograms count all pairs when they fit in the pair budget, else the pairs inside fixed blocks
 * ({@link PairHistograms}). The raw texts' float32 scores are kept (within a budget), so that texts
 * aligned by a transform ({@link #evaluate(UnitRows, AffineTexts)}) need no float32 scoring of
 * their own. With {@link EstimationPlan#exact()} (or samples within the plan) every figure is
 * exact; otherwise each comes with its standard error. Results do not depend on the scorer or the
 * number of threads.
 *
 * <p>Not thread-safe in construction; immutable afterwards.
 */
public final class GapEvaluator {
  private final UnitRows images;
  private final float[] images32;
  private final UnitRows rawTexts;
  private final int mixingK;
  private final int overlapK;
  private final int bins;
  private final double[] edges;
  private final EstimationPlan plan;
  private final int textQueries;
  private final int imageQueries;
  private final int textNeighboursK;
  private final double[] imageMean;
  private final double imageTrace;
  private final long[][] imageCounts;
  private final Neighbours imageNeighbours;
  private final CandidateScorer.Prepared imagesPrepared;
  private final Side raw;

  /**
   * The raw texts' float32 scores, kept to derive those of aligned texts ({@link AffineTexts}):
   * text queries x texts, text queries x images, image queries x texts; null beyond the budget.
   */
  private final float[] rawTT;

  private final float[] rawTI;
  private final float[] rawIT;

  /** The raw texts' histogram block scores (null when every pair is counted). */
  private final float[][] rawBlockScores;

  /** Floats a kept score matrix may hold (32 MB; the defaults need 2 Mi: 200 x 10,000). */
  static final long KEPT_SCORES_BUDGET = 1L << 23;

  /** One text sample's own-side results: its k-NN among texts and its histogram blocks. */
  private record Side(
      UnitRows texts,
      float[] texts32,
      CandidateScorer.Prepared prepared,
      Neighbours within,
      long[][] counts) {}

  /** The exact evaluator ({@link EstimationPlan#exact()}). */
  public GapEvaluator(UnitRows images, UnitRows rawTexts, int mixingK, int overlapK, int bins) {
    this(images, rawTexts, mixingK, overlapK, bins, EstimationPlan.exact());
  }

  /**
   * @throws IllegalArgumentException if {@code mixingK} is not in {@code [1, texts + images - 1]},
   *     {@code overlapK} not in {@code [1, texts - 1]}, or either sample has fewer than 2 rows
   */
  public GapEvaluator(
      UnitRows images,
      UnitRows rawTexts,
      int mixingK,
      int overlapK,
      int bins,
      EstimationPlan plan) {
    images.checkSameDimension(rawTexts, "samples");
    checkArgument(
        images.rows() >= 2 && rawTexts.rows() >= 2,
        "Invalid samples: %s texts and %s"
            + " images (each must have >= 2 rows: the pairwise metrics need a pair)",
        rawTexts.rows(),
        images.rows());
    GapMetrics.checkMixingK(mixingK, rawTexts.rows(), images.rows());
    checkArgument(
        overlapK >= 1 && overlapK <= rawTexts.rows() - 1,
        "Invalid k: %s for the"
            + " neighbourhood overlap (must be in [1, %s], the texts minus one)",
        overlapK,
        rawTexts.rows() - 1);
    CosineHistogram.checkBins(bins);
    this.images = images;
    this.rawTexts = rawTexts;
    this.mixingK = mixingK;
    this.overlapK = overlapK;
    this.bins = bins;
    this.plan = plan;
    this.edges = CosineHistogram.edges(bins);
    this.textQueries = queries(plan.textQueries(), rawTexts.rows(), plan.exactRows());
    this.imageQueries = queries(plan.imageQueries(), images.rows(), plan.exactRows());
    this.textNeighboursK = Math.min(Math.max(mixingK, overlapK), rawTexts.rows() - 1);
    this.imageMean = images.mean();
    this.imageTrace = images.trace();
    this.images32 = images.toFloat32();
    this.imagesPrepared = plan.scorer().prepare(images32, images.rows(), images.dimension());
    this.imageCounts = counts(images, images32);
    int kii = Math.min(mixingK, images.rows() - 1);
    this.imageNeighbours =
        NearestSearch.search(images, images32, imageQueries, true, images, imagesPrepared, kii);
    float[] raw32 = rawTexts.toFloat32();
    CandidateScorer.Prepared rawPrepared =
        plan.scorer().prepare(raw32, rawTexts.rows(), rawTexts.dimension());
    int nt = rawTexts.rows();
    int ni = images.rows();
    int d = images.dimension();
    if ((long) textQueries * Math.max(nt, ni) <= KEPT_SCORES_BUDGET
        && (long) imageQueries * nt <= KEPT_SCORES_BUDGET) {
      this.rawTT = NearestSearch.allScores(raw32, textQueries, d, rawPrepared);
      this.rawTI = NearestSearch.allScores(raw32, textQueries, d, imagesPrepared);
      this.rawIT = NearestSearch.allScores(images32, imageQueries, d, rawPrepared);
      this.rawBlockScores =
          pairs(nt) <= plan.pairBudget()
              ? null
              : PairHistograms.blockScores(
                  rawTexts, raw32, plan.pairGroups(), blockSize(nt), plan.scorer());
      this.raw =
          new Side(
              rawTexts,
              raw32,
              rawPrepared,
              NearestSearch.fromScores(
                  rawTexts, textQueries, true, rawTexts, rawTT, textNeighboursK),
              rawBlockScores == null
                  ? counts(rawTexts, raw32)
                  : PairHistograms.countBlocks(rawTexts, rawBlockScores, blockSize(nt), edges));
    } else {
      this.rawBlockScores = null;
      this.rawTT = null;
      this.rawTI = null;
      this.rawIT = null;
      this.raw = side(rawTexts, raw32, rawPrepared);
    }
  }

  private static int queries(int wanted, int rows, int exactRows) {
    return rows <= exactRows ? rows : Math.min(wanted, rows);
  }

  private long[][] counts(UnitRows x, float[] x32) {
    long pairs = pairs(x.rows());
    if (pairs <= plan.pairBudget()) {
      return new long[][] {CosineHistogram.pairwise(x, bins)};
    }
    return PairHistograms.blockCounts(
        x, x32, plan.pairGroups(), blockSize(x.rows()), plan.scorer(), edges);
  }

  private int blockSize(int rows) {
    return PairHistograms.groupSize(rows, plan.pairBudget(), plan.pairGroups());
  }

  private static long pairs(long n) {
    return n * (n - 1) / 2;
  }

  private Side side(UnitRows texts, float[] texts32, CandidateScorer.Prepared prepared) {
    Neighbours within =
        NearestSearch.search(texts, texts32, textQueries, true, texts, prepared, textNeighboursK);
    return new Side(texts, texts32, prepared, within, counts(texts, texts32));
  }

  /** The image-image pairwise-cosine histogram (of the pairs used). */
  public long[] imagePairCosineCounts() {
    return PairHistograms.sum(imageCounts);
  }

  public double[] histogramEdges() {
    return edges.clone();
  }

  public int bins() {
    return bins;
  }

  /** The k-NN queries used a modality: {@code [texts, images]}. */
  public int[] queries() {
    return new int[] {textQueries, imageQueries};
  }

  /** The plan (budgets and scorer). */
  public EstimationPlan plan() {
    return plan;
  }

  /** The figures of the raw texts (overlap 1 by definition). */
  public GapFigures before() {
    if (rawTT == null) {
      return figures(raw);
    }
    int nt = rawTexts.rows();
    int ni = images.rows();
    return figures(
        rawTexts,
        raw.within(),
        NearestSearch.fromScores(
            rawTexts, textQueries, false, images, rawTI, Math.min(mixingK, ni)),
        NearestSearch.fromScores(
            images, imageQueries, false, rawTexts, rawIT, Math.min(mixingK, nt)),
        raw.counts());
  }

  /**
   * {@link #evaluate(UnitRows)} for texts aligned by a transform of the form {@code form} (over
   * this evaluator's raw texts): the same figures, with the candidate scores of the k-NN searches
   * derived from the raw texts' kept scores instead of computed again. Falls back to {@link
   * #evaluate(UnitRows)} when no scores were kept or the form's error bound is too loose.
   */
  public GapFigures evaluate(UnitRows texts, AffineTexts form) {
    texts.checkSameDimension(images, "samples");
    int nt = rawTexts.rows();
    int ni = images.rows();
    checkArgument(
        texts.rows() == nt && form.rows() == nt,
        "Invalid aligned texts: %s rows and a"
            + " form of %s (must be %s, the raw sample's: row i of each is one text)",
        texts.rows(),
        form.rows(),
        nt);
    if (rawTT == null || !form.usable()) {
      return evaluate(texts);
    }
    double e = NearestSearch.errorBound(texts.dimension());
    double slack = e + 1e-6;
    double[][] imageV = form.dotsWith(images);
    Neighbours within =
        NearestSearch.fromRowScores(
            texts,
            textQueries,
            true,
            texts,
            (r, lower, upper) -> form.boundsWithTexts(r, rawTT, r * nt, e, slack, lower, upper),
            textNeighboursK);
    Neighbours ti =
        NearestSearch.fromRowScores(
            texts,
            textQueries,
            false,
            images,
            (r, lower, upper) ->
                form.boundsWithOthers(r, rawTI, r * ni, imageV, e, slack, lower, upper),
            Math.min(mixingK, ni));
    Neighbours it =
        NearestSearch.fromRowScores(
            images,
            imageQueries,
            false,
            texts,
            (q, lower, upper) ->
                form.boundsOfOther(q, imageV, rawIT, q * nt, e, slack, lower, upper),
            Math.min(mixingK, nt));
    long[][] textCounts =
        rawBlockScores == null
            ? counts(texts, null)
            : PairHistograms.countDerivedBlocks(texts, rawBlockScores, blockSize(nt), edges, form);
    return figures(texts, within, ti, it, textCounts);
  }

  /** The figures of {@code texts}, row i being raw text i aligned. */
  public GapFigures evaluate(UnitRows texts) {
    texts.checkSameDimension(images, "samples");
    checkArgument(
        texts.rows() == rawTexts.rows(),
        "Invalid aligned texts: %s rows (must be %s,"
            + " the raw sample's: row i of each is one text)",
        texts.rows(),
        rawTexts.rows());
    if (texts == rawTexts) {
      return before();
    }
    float[] t32 = texts.toFloat32();
    try (CandidateScorer.Prepared p = plan.scorer().prepare(t32, texts.rows(), texts.dimension())) {
      return figures(side(texts, t32, p));
    }
  }

  private GapFigures figures(Side s) {
    UnitRows texts = s.texts();
    int nt = texts.rows();
    int ni = images.rows();
    Neighbours ti =
        NearestSearch.search(
            texts, s.texts32(), textQueries, false, images, imagesPrepared, Math.min(mixingK, ni));
    Neighbours it =
        NearestSearch.search(
            images, images32, imageQueries, false, texts, s.prepared(), Math.min(mixingK, nt));
    return figures(texts, s.within(), ti, it, s.counts());
  }

  /** The figures from the neighbour tables and the histogram blocks of one text sample. */
  private GapFigures figures(
      UnitRows texts, Neighbours within, Neighbours ti, Neighbours it, long[][] textCounts) {
    int nt = texts.rows();
    int ni = images.rows();
    long[] otherT = new long[textQueries];
    long[] otherI = new long[imageQueries];
    for (int r = 0; r < textQueries; r++) {
      otherT[r] = GapMetrics.countOther(within, ti, r, mixingK, 0, nt);
    }
    for (int r = 0; r < imageQueries; r++) {
      otherI[r] = GapMetrics.countOther(imageNeighbours, it, r, mixingK, nt, 0);
    }
    Estimate mixing = mixing(otherT, otherI, nt, ni);
    Estimate overlap = overlap(raw.within(), within, nt);
    Estimate js = PairHistograms.jensenShannon(textCounts, imageCounts, pairs(nt));
    return new GapFigures(
        GapMetrics.distance(imageMean, texts.mean()),
        texts.trace() / imageTrace,
        js,
        mixing,
        GapMetrics.perfectMixing(nt, ni),
        overlap,
        PairHistograms.sum(textCounts));
  }

  /**
   * Mixing over the pool: exact (integer count over all rows) when every row was a query, else the
   * stratified estimate {@code (n_t m_t + n_i m_i) / N} from the per-query fractions, with the
   * finite-population standard error of each stratum.
   */
  private Estimate mixing(long[] otherT, long[] otherI, int nt, int ni) {
    long total = nt + ni;
    if (otherT.length == nt && otherI.length == ni) {
      long other = 0;
      for (long o : otherT) {
        other += o;
      }
      for (long o : otherI) {
        other += o;
      }
      return Estimate.exact((double) other / ((double) mixingK * total), total);
    }
    double[] t = meanAndVariance(otherT, mixingK);
    double[] i = meanAndVariance(otherI, mixingK);
    double wt = (double) nt / total;
    double wi = (double) ni / total;
    double var =
        wt * wt * t[1] / otherT.length * (1 - (double) otherT.length / nt)
            + wi * wi * i[1] / otherI.length * (1 - (double) otherI.length / ni);
    return new Estimate(
        wt * t[0] + wi * i[0], Math.sqrt(Math.max(0, var)), otherT.length + otherI.length, total);
  }

  /** Overlap over the text queries; exact when every text was a query. */
  private Estimate overlap(Neighbours rawNb, Neighbours alignedNb, int nt) {
    int k = overlapK;
    long[] shared = new long[textQueries];
    int[] mine = new int[k];
    long all = 0;
    for (int r = 0; r < textQueries; r++) {
      for (int q = 0; q < k; q++) {
        mine[q] = rawNb.index(r, q);
      }
      java.util.Arrays.sort(mine);
      for (int q = 0; q < k; q++) {
        if (java.util.Arrays.binarySearch(mine, alignedNb.index(r, q)) >= 0) {
          shared[r]++;
        }
      }
      all += shared[r];
    }
    double value = (double) all / ((double) k * textQueries);
    if (textQueries == nt) {
      return Estimate.exact(value, nt);
    }
    double[] mv = meanAndVariance(shared, k);
    double se = Math.sqrt(Math.max(0, mv[1] / textQueries * (1 - (double) textQueries / nt)));
    return new Estimate(value, se, textQueries, nt);
  }

  /** Mean and sample variance (n - 1) of {@code x / scale}. */
  private static double[] meanAndVariance(long[] x, int scale) {
    double mean = 0;
    for (long v : x) {
      mean += (double) v / scale;
    }
    mean /= x.length;
    double ss = 0;
    for (long v : x) {
      double c = (double) v / scale - mean;
      ss += c * c;
    }
    return new double[] {mean, x.length > 1 ? ss / (x.length - 1) : 0.0};
  }
}
