package dev.realign.metrics;

import static dev.realign.Checks.checkArgument;

/**
 * The modality-gap metrics of docs/design.md section 1 as static functions over samples of unit
 * rows ({@link UnitRows}: every input row L2-normalised in float64 first). Definitions, each
 * matching {@code expected_realign.json}'s {@code definitions} where it has one:
 *
 * <ul>
 *   <li>{@link #centroidGap}: {@code ||mean(images) - mean(texts)||}, float64;
 *   <li>{@link #jsPairwiseCosine}: Jensen-Shannon divergence (natural log) between the histograms
 *       (100 equal bins on [-1, 1], {@link CosineHistogram}) of the text-text and the image-image
 *       cosines over all pairs {@code i < j};
 *   <li>{@link #knnMixing}: pool texts and images; for every pooled row its {@code k} (20) nearest
 *       other rows by cosine (self excluded; ties as in {@link Neighbours}, the pool indexed texts
 *       first); the fraction of them from the other modality, averaged over all pooled rows;
 *   <li>{@link #neighbourhoodOverlap}: for every text its {@code k} (10) nearest other texts before
 *       and after alignment; {@code |N_raw ∩ N_aligned| / k}, averaged over the texts;
 *   <li>{@link #traceRatio}: {@code T_text / T_image}, {@code T = mean ||x - mu||^2} (1 = equal
 *       spread);
 *   <li>{@link #pairedCosine}: mean over {@code i} of {@code cos(text_i, image_i)};
 *   <li>{@link #recallAtK}: text-to-image recall@k, the fraction of texts {@code i} whose image
 *       {@code i} is among the {@code k} images of highest cosine. Image {@code i}'s rank counts
 *       the images with a higher cosine plus the images of lower index with a bit-equal cosine (so
 *       recall@1 is {@code argmax == i} with numpy's first-index rule).
 * </ul>
 *
 * All-pairs metrics cost {@code O(n^2 d)}: meant for samples of about 10^4 rows.
 */
public final class GapMetrics {
  public static final int KNN_MIXING_K_DEFAULT = 20;
  public static final int OVERLAP_K_DEFAULT = 10;

  public static final String CENTROID_GAP_DEFINITION =
      "||mean(images) - mean(texts)||, float64, every row L2-normalised in float64 first";
  public static final String JS_DEFINITION =
      "Jensen-Shannon divergence (natural log) between the"
          + " histograms (%d equal bins on [-1,1], numpy.histogram edges, last bin closed) of"
          + " text-text and image-image cosines over all pairs i<j";
  public static final String KNN_MIXING_DEFINITION =
      "pool texts and images, k=%d nearest by"
          + " cosine excluding self (ties: lower pooled index first, texts before images); fraction of"
          + " neighbours from the other modality, averaged over all rows";
  public static final String KNN_MIXING_NORMALISED_DEFINITION =
      "knn_mixing divided by its value"
          + " for a perfectly mixed pool of the same sizes, 2 n_t n_i / (N (N - 1)), N = n_t + n_i"
          + " (1 = as mixed as chance; comparable across unequal samples)";
  public static final String OVERLAP_DEFINITION =
      "k=%d nearest other texts by cosine before and"
          + " after alignment; |N_raw ∩ N_aligned| / k, averaged over texts";
  public static final String TRACE_RATIO_DEFINITION =
      "T_text / T_image, T = mean ||x - mu||^2" + " (trace of the 1/n covariance)";
  public static final String PAIRED_COS_DEFINITION = "mean over i of cos(text i, image i)";
  public static final String RECALL_DEFINITION =
      "fraction of texts i whose image i is among the k"
          + " most similar images by cosine (ties: lower image index first)";

  private GapMetrics() {}

  public static double centroidGap(UnitRows images, UnitRows texts) {
    images.checkSameDimension(texts, "samples");
    return distance(images.mean(), texts.mean());
  }

  public static double distance(double[] a, double[] b) {
    checkArgument(
        a.length == b.length,
        "Invalid vectors: dimension %s and %s (must be equal)",
        a.length,
        b.length);
    double s = 0.0;
    for (int j = 0; j < a.length; j++) {
      double g = a[j] - b[j];
      s += g * g;
    }
    return Math.sqrt(s);
  }

  public static double traceRatio(UnitRows texts, UnitRows images) {
    texts.checkSameDimension(images, "samples");
    return texts.trace() / images.trace();
  }

  public static double jsPairwiseCosine(UnitRows texts, UnitRows images, int bins) {
    texts.checkSameDimension(images, "samples");
    return CosineHistogram.jensenShannon(
        CosineHistogram.pairwise(texts, bins), CosineHistogram.pairwise(images, bins));
  }

  /**
   * k-NN modality mixing of the pooled sample.
   *
   * @throws IllegalArgumentException if {@code k} is not in {@code [1, texts + images - 1]}
   */
  public static double knnMixing(UnitRows texts, UnitRows images, int k) {
    texts.checkSameDimension(images, "samples");
    checkMixingK(k, texts.rows(), images.rows());
    Neighbours tt = withinOrNull(texts, k);
    Neighbours ii = withinOrNull(images, k);
    Neighbours[] ti =
        Neighbours.between(texts, Math.min(k, images.rows()), images, Math.min(k, texts.rows()));
    return knnMixing(tt, ii, ti[0], ti[1], k);
  }

  static void checkMixingK(int k, int texts, int images) {
    checkArgument(
        k >= 1 && k <= texts + images - 1,
        "Invalid k: %s (must be in [1, %s], the" + " pooled rows minus one)",
        k,
        texts + images - 1);
  }

  /** The {@code min(k, rows - 1)} nearest rows within the sample, or null for a 1-row sample. */
  static Neighbours withinOrNull(UnitRows x, int k) {
    int kk = Math.min(k, x.rows() - 1);
    return kk < 1 ? null : Neighbours.within(x, kk);
  }

  /**
   * Mixing from precomputed lists: {@code tt} texts among texts (or null for one text), {@code ii}
   * images among images (or null), {@code ti} texts' nearest images, {@code it} images' nearest
   * texts; each list holds at least {@code min(k, available)} neighbours.
   */
  static double knnMixing(Neighbours tt, Neighbours ii, Neighbours ti, Neighbours it, int k) {
    int nt = ti.rows();
    int ni = it.rows();
    long other = 0;
    for (int i = 0; i < nt; i++) {
      other += countOther(tt, ti, i, k, 0, nt);
    }
    for (int j = 0; j < ni; j++) {
      other += countOther(ii, it, j, k, nt, 0);
    }
    return (double) other / ((double) k * (nt + ni));
  }

  /**
   * Merges a row's same-modality and other-modality lists into its pooled top {@code k} and counts
   * the other-modality ones. Pooled index = list index + the list's offset.
   */
  static int countOther(
      Neighbours same, Neighbours other, int row, int k, int sameOffset, int otherOffset) {
    int s = 0;
    int o = 0;
    int ns = same == null ? 0 : same.k();
    int no = other.k();
    int fromOther = 0;
    for (int taken = 0; taken < k; taken++) {
      boolean takeOther;
      if (s >= ns) {
        takeOther = true;
      } else if (o >= no) {
        takeOther = false;
      } else {
        takeOther =
            Neighbours.better(
                other.cosine(row, o),
                other.index(row, o) + otherOffset,
                same.cosine(row, s),
                same.index(row, s) + sameOffset);
      }
      if (takeOther) {
        o++;
        fromOther++;
      } else {
        s++;
      }
    }
    return fromOther;
  }

  /**
   * The k-NN mixing of a perfectly mixed pool of {@code texts + images = N} rows: each row's
   * neighbours a uniform draw from the {@code N - 1} others, so a text expects a share {@code
   * images / (N - 1)} from the other modality and an image {@code texts / (N - 1)}; averaged over
   * the pool, {@code 2 n_t n_i / (N (N - 1))}. Dividing a mixing by it makes pools of unequal sizes
   * comparable (1 = as mixed as chance).
   */
  public static double perfectMixing(int texts, int images) {
    checkArgument(
        texts >= 1 && images >= 1,
        "Invalid pool: %s texts and %s images (must be >= 1" + " each)",
        texts,
        images);
    double n = (double) texts + images;
    return 2.0 * texts * images / (n * (n - 1));
  }

  /**
   * Neighbourhood overlap of the same texts before ({@code raw}) and after ({@code aligned}).
   *
   * @throws IllegalArgumentException if the samples differ in size or {@code k} is not in {@code
   *     [1, rows - 1]}
   */
  public static double neighbourhoodOverlap(UnitRows raw, UnitRows aligned, int k) {
    checkArgument(
        raw.rows() == aligned.rows(),
        "Invalid samples: %s raw and %s aligned texts (must"
            + " be equal: row i of each is one text)",
        raw.rows(),
        aligned.rows());
    return neighbourhoodOverlap(Neighbours.within(raw, k), Neighbours.within(aligned, k), k);
  }

  /** Overlap of the first {@code k} entries of two neighbour tables of the same rows. */
  static double neighbourhoodOverlap(Neighbours raw, Neighbours aligned, int k) {
    checkArgument(
        k <= raw.k() && k <= aligned.k(),
        "Invalid k: %s (must be <= %s, the lists'" + " length)",
        k,
        Math.min(raw.k(), aligned.k()));
    long shared = 0;
    int[] mine = new int[k];
    for (int i = 0; i < raw.rows(); i++) {
      for (int r = 0; r < k; r++) {
        mine[r] = raw.index(i, r);
      }
      java.util.Arrays.sort(mine);
      for (int r = 0; r < k; r++) {
        if (java.util.Arrays.binarySearch(mine, aligned.index(i, r)) >= 0) {
          shared++;
        }
      }
    }
    return (double) shared / ((double) k * raw.rows());
  }

  /** Mean cosine of row i of {@code texts} with row i of {@code images}. */
  public static double pairedCosine(UnitRows texts, UnitRows images) {
    checkPaired(texts, images);
    double s = 0.0;
    for (int i = 0; i < texts.rows(); i++) {
      s += texts.cosine(i, images, i);
    }
    return s / texts.rows();
  }

  /**
   * Text-to-image recall@k for each {@code k} of {@code ks} (rows pair by index).
   *
   * @throws IllegalArgumentException if a {@code k} is not in {@code [1, rows]}
   */
  public static double[] recallAtK(UnitRows texts, UnitRows images, int... ks) {
    checkPaired(texts, images);
    int n = texts.rows();
    for (int k : ks) {
      checkArgument(
          k >= 1 && k <= n, "Invalid k: %s (must be in [1, %s], the number of images)", k, n);
    }
    double[] own = new double[n];
    for (int i = 0; i < n; i++) {
      own[i] = texts.cosine(i, images, i);
    }
    int[] rank = new int[n];
    for (int[] part :
        Cosines.forEachTile(
            texts,
            images,
            false,
            () -> new int[n],
            (rk, i0, i1, j0, j1, tile) -> {
              int w = j1 - j0;
              for (int i = i0; i < i1; i++) {
                for (int j = j0; j < j1; j++) {
                  double c = tile[(i - i0) * w + j - j0];
                  if (c > own[i] || (c == own[i] && j < i)) {
                    rk[i]++;
                  }
                }
              }
            })) {
      for (int i = 0; i < n; i++) {
        rank[i] += part[i];
      }
    }
    double[] out = new double[ks.length];
    for (int q = 0; q < ks.length; q++) {
      int hits = 0;
      for (int r : rank) {
        if (r < ks[q]) {
          hits++;
        }
      }
      out[q] = (double) hits / n;
    }
    return out;
  }

  private static void checkPaired(UnitRows texts, UnitRows images) {
    texts.checkSameDimension(images, "paired samples");
    checkArgument(
        texts.rows() == images.rows() && texts.rows() > 0,
        "Invalid paired samples: %s"
            + " texts and %s images (must be equal and > 0: row i of each is one pair)",
        texts.rows(),
        images.rows());
  }
}
