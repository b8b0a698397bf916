package dev.realign.metrics;

import static dev.realign.Checks.checkArgument;

import java.util.stream.IntStream;

/**
 * Aligned texts written in terms of the raw ones: every ReAlign variant maps a raw unit row {@code
 * y_i} to {@code e_i = beta_i (s y_i + sum_k a_ik v_k)}, with {@code v_0 = mu_image - s mu_text},
 * {@code v_k = mu_image - c_k} for each centroid step {@code c_k}, and per-row scalars {@code
 * beta_i}, {@code a_ik} (the reciprocal norms of the steps). So a dot product of an aligned text
 * with an image or another aligned text is a few flops on the raw texts' dot product plus
 * precomputed dots with the {@code v_k}: {@link GapEvaluator} derives the aligned texts' candidate
 * scores from the raw ones instead of scoring every pair again.
 *
 * <p>The derived score of a pair is within {@code e (f_r g_j + 1)} of its float64 cosine, where
 * {@code e} bounds the raw float32 score's error, {@code f} and {@code g} are the rows'
 * amplification {@code beta s} (1 for an image), and the extra {@code e} covers the float32
 * rounding of the aligned rows and the float64 arithmetic here (both below {@code 1e-6} while
 * {@link #magnitude()} is at most 100: the rounding is relative to terms at most magnitude^2 larger
 * than the result, {@code 1e4 x 2^-53 x a few}). The figures themselves are the float64 cosines of
 * the aligned rows, as before: only which pairs are re-scored comes from here.
 */
public final class AffineTexts {
  /**
   * Beyond this {@link #magnitude()} (terms that cancel to a unit vector) the float64 slack is no
   * longer negligible and the evaluator scores the aligned rows directly.
   */
  static final double MAX_MAGNITUDE = 1e2;

  final int rows;
  final int steps;
  final double scale;

  /** Per row: {@code beta_i}. */
  final double[] beta;

  /** Per row: {@code |beta_i s|}, how much a raw score's error grows in a derived one. */
  final double[] amp;

  /** Per step k, per row: {@code a_ik} (columns: the derived scores run along the rows). */
  final double[][] coef;

  /** Per step k, per row: {@code <y_i, v_k>}. */
  final double[][] rawDotV;

  /** {@code <v_k, v_l>}. */
  final double[] gram;

  final double[][] v;
  private final double magnitude;

  private AffineTexts(
      int rows,
      int steps,
      double scale,
      double[] beta,
      double[][] coef,
      double[][] rawDotV,
      double[] gram,
      double[][] v,
      double magnitude) {
    this.rows = rows;
    this.steps = steps;
    this.scale = scale;
    this.beta = beta;
    this.coef = coef;
    this.rawDotV = rawDotV;
    this.gram = gram;
    this.v = v;
    this.magnitude = magnitude;
    this.amp = new double[rows];
    for (int i = 0; i < rows; i++) {
      amp[i] = Math.abs(beta[i] * scale);
    }
  }

  /**
   * The form of the transform with {@code scale}, the means and the centroid steps, over the raw
   * unit rows {@code raw} (the report's raw text sample).
   *
   * @throws IllegalArgumentException if the dimensions differ (a row the transform cannot align
   *     makes the form unusable: {@link #usable()})
   */
  public static AffineTexts of(
      UnitRows raw, double scale, double[] muText, double[] muImage, double[][] centroids) {
    int d = raw.dimension();
    checkArgument(
        muText.length == d && muImage.length == d,
        "Invalid means: dimension %s and %s" + " (must be %s, the sample's)",
        muText.length,
        muImage.length,
        d);
    int steps = 1 + centroids.length;
    double[][] v = new double[steps][d];
    for (int j = 0; j < d; j++) {
      v[0][j] = muImage[j] - scale * muText[j];
    }
    for (int k = 1; k < steps; k++) {
      checkArgument(
          centroids[k - 1].length == d,
          "Invalid centroid %s: dimension %s (must be" + " %s)",
          k - 1,
          centroids[k - 1].length,
          d);
      for (int j = 0; j < d; j++) {
        v[k][j] = muImage[j] - centroids[k - 1][j];
      }
    }
    double[] vNorm = new double[steps];
    double[] gram = new double[steps * steps];
    for (int k = 0; k < steps; k++) {
      for (int l = 0; l < steps; l++) {
        gram[k * steps + l] = Cosines.dot(v[k], 0, v[l], 0, d);
      }
      vNorm[k] = Math.sqrt(gram[k * steps + k]);
    }
    int n = raw.rows();
    double[][] rawDotV = dots(raw, v);
    // The steps' norms from the dots, a few flops a row (|y| = 1 and each step's e is a unit
    // vector): |s y + v_0|^2 = s^2 + 2 s <y, v_0> + |v_0|^2, then |e + v_k|^2 = 1 + 2 <e, v_k> +
    // |v_k|^2 with <e, v_k> = beta (s <y, v_k> + sum_l a_l <v_l, v_k>). Their rounding is
    // relative to the terms, so it stays negligible while the magnitude is moderate (usable()).
    double[] beta = new double[n];
    double[][] coef = new double[steps][n];
    double magnitude = 0;
    for (int i = 0; i < n; i++) {
      double b = 1.0 / Math.sqrt(scale * scale + 2 * scale * rawDotV[0][i] + gram[0]);
      coef[0][i] = 1.0;
      for (int k = 1; k < steps; k++) {
        double ev = scale * rawDotV[k][i];
        for (int l = 0; l < k; l++) {
          ev += coef[l][i] * gram[l * steps + k];
        }
        ev *= b;
        coef[k][i] = 1.0 / b;
        b /= Math.sqrt(1 + 2 * ev + gram[k * steps + k]);
      }
      beta[i] = b;
      double m = scale;
      for (int k = 0; k < steps; k++) {
        m += Math.abs(coef[k][i]) * vNorm[k];
      }
      // NaN (a step of norm 0 or below rounding) stays NaN: the form is then unusable.
      magnitude =
          Double.isNaN(b * m) || Double.isNaN(magnitude) ? Double.NaN : Math.max(magnitude, b * m);
    }
    return new AffineTexts(n, steps, scale, beta, coef, rawDotV, gram, v, magnitude);
  }

  public int rows() {
    return rows;
  }

  /**
   * The largest {@code beta_i (s + sum_k |a_ik| |v_k|)}: how much larger the terms of a derived
   * score can be than the score (1 would mean no cancellation at all).
   */
  public double magnitude() {
    return magnitude;
  }

  /** Whether derived scores keep their error bound (the magnitude is moderate). */
  boolean usable() {
    return magnitude <= MAX_MAGNITUDE && Double.isFinite(magnitude);
  }

  /**
   * {@code beta_i s}: how much a raw score's error grows in a derived one, per row (a copy; the
   * bounds below read it directly, tests check them against it).
   */
  double[] amplification() {
    return amp.clone();
  }

  /** {@code <v_k, x_j>} for every step k and row j of {@code x} ({@code steps x x.rows()}). */
  double[][] dotsWith(UnitRows x) {
    return dots(x, v);
  }

  /** Rows a task of {@link #dots}. */
  private static final int DOT_CHUNK = 64;

  /**
   * {@code out[k][i] = <x_i, v_k>} for the unit rows {@code x_i}, rows in chunks over the common
   * pool: the float32 row's dot with {@code v_k}, divided by the row's norm once. Only the
   * candidate scores use these (never a figure), so their rounding only has to stay well inside the
   * bounds' slack: about {@code 1e-15} here against {@code 1e-6}.
   */
  private static double[][] dots(UnitRows x, double[][] v) {
    int d = x.dimension();
    int steps = v.length;
    int n = x.rows();
    double[][] out = new double[steps][n];
    IntStream.range(0, (n + DOT_CHUNK - 1) / DOT_CHUNK)
        .parallel()
        .forEach(
            c -> {
              for (int i = c * DOT_CHUNK; i < Math.min(n, (c + 1) * DOT_CHUNK); i++) {
                for (int k = 0; k < steps; k++) {
                  out[k][i] = Cosines.dotWidened(x.source, i * d, v[k], d) / x.norms[i];
                }
              }
            });
    return out;
  }

  /**
   * The derived score of aligned text {@code i} with a row {@code x} whose raw-text score is {@code
   * raw} and whose dots with the {@code v_k} are {@code xv[k][xi]}: one pair, as written in the
   * class comment (the reference the tests hold the row bounds below to).
   */
  double withOther(int i, double raw, double[][] xv, int xi) {
    double t = scale * raw;
    for (int k = 0; k < steps; k++) {
      t += coef[k][i] * xv[k][xi];
    }
    return beta[i] * t;
  }

  /**
   * The derived score of aligned texts {@code r} and {@code i} whose raw score is {@code raw}: one
   * pair (the tests' reference for the row bounds below).
   */
  double withText(int r, int i, double raw) {
    double t = scale * scale * raw;
    for (int k = 0; k < steps; k++) {
      double ark = coef[k][r];
      double aik = coef[k][i];
      t += scale * (aik * rawDotV[k][r] + ark * rawDotV[k][i]);
      for (int l = 0; l < steps; l++) {
        t += ark * coef[l][i] * gram[k * steps + l];
      }
    }
    return beta[r] * beta[i] * t;
  }

  /*
   * The bounds below are withText and withOther for one query row against every row, arranged so
   * that the per-row work is a few flops in loops along the rows (the query's terms computed once):
   * the same scores up to float64 rounding (about 1e-15 with terms of at most magnitude^2), which
   * the slack covers. Each gives lower[j] <= cosine_j <= upper[j] with half-width e amp + slack.
   */

  /**
   * Bounds on the cosines of aligned text {@code r} with every aligned text {@code i}, from their
   * raw float32 scores {@code raw[base + i]}: {@code beta_r beta_i (s^2 raw_i + sum_l a_il P_l +
   * sum_l Q_l <y_i, v_l>)} with {@code P_l = s <y_r, v_l> + sum_k a_rk <v_k, v_l>} and {@code Q_l =
   * s a_rl}; half-width {@code e amp_r amp_i + slack}.
   */
  void boundsWithTexts(
      int r, float[] raw, int base, double e, double slack, double[] lower, double[] upper) {
    boundsWithTexts(r, raw, base, 0, rows, e, slack, lower, upper);
  }

  /**
   * {@link #boundsWithTexts(int, float[], int, double, double, double[], double[])} for the texts
   * {@code i} in {@code [from, to)} only, into {@code lower[i - from]} and {@code upper[i - from]},
   * their raw scores at {@code raw[base + i - from]}.
   */
  void boundsWithTexts(
      int r,
      float[] raw,
      int base,
      int from,
      int to,
      double e,
      double slack,
      double[] lower,
      double[] upper) {
    int m = to - from;
    double[] acc = upper; // filled last, from acc
    double s2 = scale * scale;
    for (int i = 0; i < m; i++) {
      acc[i] = s2 * raw[base + i];
    }
    for (int l = 0; l < steps; l++) {
      double p = scale * rawDotV[l][r];
      for (int k = 0; k < steps; k++) {
        p += coef[k][r] * gram[k * steps + l];
      }
      double q = scale * coef[l][r];
      double[] a = coef[l];
      double[] y = rawDotV[l];
      for (int i = 0; i < m; i++) {
        acc[i] += a[from + i] * p + y[from + i] * q;
      }
    }
    double br = beta[r];
    double er = e * amp[r];
    for (int i = 0; i < m; i++) {
      double score = br * beta[from + i] * acc[i];
      double half = er * amp[from + i] + slack;
      lower[i] = score - half;
      upper[i] = score + half;
    }
  }

  /**
   * Bounds on the cosines of aligned text {@code r} with every row j of another set (the images),
   * from their raw float32 scores {@code raw[base + j]} and the rows' dots {@code xv[k][j]} with
   * the {@code v_k}: {@code beta_r (s raw_j + sum_k a_rk xv_kj)}; half-width {@code e amp_r +
   * slack}.
   */
  void boundsWithOthers(
      int r,
      float[] raw,
      int base,
      double[][] xv,
      double e,
      double slack,
      double[] lower,
      double[] upper) {
    int n = xv[0].length;
    double[] acc = upper;
    for (int j = 0; j < n; j++) {
      acc[j] = scale * raw[base + j];
    }
    for (int k = 0; k < steps; k++) {
      double a = coef[k][r];
      double[] x = xv[k];
      for (int j = 0; j < n; j++) {
        acc[j] += a * x[j];
      }
    }
    double br = beta[r];
    double half = e * amp[r] + slack;
    for (int j = 0; j < n; j++) {
      double score = br * acc[j];
      lower[j] = score - half;
      upper[j] = score + half;
    }
  }

  /**
   * Bounds on the cosines of row {@code xi} of another set (an image, with dots {@code xv[k][xi]})
   * with every aligned text i, from their raw float32 scores {@code raw[base + i]}: {@code beta_i
   * (s raw_i + sum_k a_ik xv_k)}; half-width {@code e amp_i + slack}.
   */
  void boundsOfOther(
      int xi,
      double[][] xv,
      float[] raw,
      int base,
      double e,
      double slack,
      double[] lower,
      double[] upper) {
    double[] acc = upper;
    for (int i = 0; i < rows; i++) {
      acc[i] = scale * raw[base + i];
    }
    for (int k = 0; k < steps; k++) {
      double x = xv[k][xi];
      double[] a = coef[k];
      for (int i = 0; i < rows; i++) {
        acc[i] += a[i] * x;
      }
    }
    for (int i = 0; i < rows; i++) {
      double score = beta[i] * acc[i];
      double half = e * amp[i] + slack;
      lower[i] = score - half;
      upper[i] = score + half;
    }
  }
}
