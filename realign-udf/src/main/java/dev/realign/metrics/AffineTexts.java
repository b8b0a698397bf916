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

  /** Per row and step: {@code a_ik} (row-major {@code rows x steps}). */
  final double[] coef;

  /** Per row and step: {@code <y_i, v_k>}. */
  final double[] rawDotV;

  /** {@code <v_k, v_l>}. */
  final double[] gram;

  final double[][] v;
  private final double magnitude;

  private AffineTexts(
      int rows,
      int steps,
      double scale,
      double[] beta,
      double[] coef,
      double[] rawDotV,
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
    double[] rawDotV = dots(raw, v);
    // The steps' norms from the dots, a few flops a row (|y| = 1 and each step's e is a unit
    // vector): |s y + v_0|^2 = s^2 + 2 s <y, v_0> + |v_0|^2, then |e + v_k|^2 = 1 + 2 <e, v_k> +
    // |v_k|^2 with <e, v_k> = beta (s <y, v_k> + sum_l a_l <v_l, v_k>). Their rounding is
    // relative to the terms, so it stays negligible while the magnitude is moderate (usable()).
    double[] beta = new double[n];
    double[] coef = new double[n * steps];
    double magnitude = 0;
    for (int i = 0; i < n; i++) {
      int o = i * steps;
      double b = 1.0 / Math.sqrt(scale * scale + 2 * scale * rawDotV[o] + gram[0]);
      coef[o] = 1.0;
      for (int k = 1; k < steps; k++) {
        double ev = scale * rawDotV[o + k];
        for (int l = 0; l < k; l++) {
          ev += coef[o + l] * gram[l * steps + k];
        }
        ev *= b;
        coef[o + k] = 1.0 / b;
        b /= Math.sqrt(1 + 2 * ev + gram[k * steps + k]);
      }
      beta[i] = b;
      double m = scale;
      for (int k = 0; k < steps; k++) {
        m += Math.abs(coef[o + k]) * vNorm[k];
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

  /** {@code beta_i s}: how much a raw score's error grows in a derived one, per row. */
  double[] amplification() {
    double[] f = new double[rows];
    for (int i = 0; i < rows; i++) {
      f[i] = Math.abs(beta[i] * scale);
    }
    return f;
  }

  /** {@code <v_k, x_j>} for every row of {@code x} (row-major {@code x.rows() x steps}). */
  double[] dotsWith(UnitRows x) {
    return dots(x, v);
  }

  /** Rows a task of {@link #dots}. */
  private static final int DOT_CHUNK = 64;

  /**
   * {@code out[i * v.length + k] = <x_i, v_k>} ({@link Cosines#dot}, the unit row first), rows in
   * chunks over the common pool, each row's unit components divided out once into a buffer.
   */
  private static double[] dots(UnitRows x, double[][] v) {
    int d = x.dimension();
    int steps = v.length;
    int n = x.rows();
    double[] out = new double[n * steps];
    IntStream.range(0, (n + DOT_CHUNK - 1) / DOT_CHUNK)
        .parallel()
        .forEach(
            c -> {
              double[] row = new double[d];
              for (int i = c * DOT_CHUNK; i < Math.min(n, (c + 1) * DOT_CHUNK); i++) {
                x.rowInto(i, row, 0);
                for (int k = 0; k < steps; k++) {
                  out[i * steps + k] = Cosines.dot(row, 0, v[k], 0, d);
                }
              }
            });
    return out;
  }

  /**
   * The derived score of aligned text {@code i} with a row {@code x} whose raw-text score is {@code
   * raw} and whose dots with the {@code v_k} are {@code xv[xo ..]}.
   */
  double withOther(int i, double raw, double[] xv, int xo) {
    double t = scale * raw;
    for (int k = 0; k < steps; k++) {
      t += coef[i * steps + k] * xv[xo + k];
    }
    return beta[i] * t;
  }

  /** The derived score of aligned texts {@code r} and {@code i} whose raw score is {@code raw}. */
  double withText(int r, int i, double raw) {
    double t = scale * scale * raw;
    for (int k = 0; k < steps; k++) {
      double ark = coef[r * steps + k];
      double aik = coef[i * steps + k];
      t += scale * (aik * rawDotV[r * steps + k] + ark * rawDotV[i * steps + k]);
      for (int l = 0; l < steps; l++) {
        t += ark * coef[i * steps + l] * gram[k * steps + l];
      }
    }
    return beta[r] * beta[i] * t;
  }
}
