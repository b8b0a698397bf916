package dev.realign.metrics;

import static dev.realign.Checks.checkArgument;

import java.util.stream.IntStream;

/**
 * Aligned texts written in terms of the raw ones: every ReAlign variant maps a raw unit row
 * {@code y_i} to {@code e_i = beta_i (s y_i + sum_k a_ik v_k)}, with {@code v_0 = mu_image - s
 * mu_text}, {@code v_k = mu_image - c_k} for each centroid step {@code c_k}, and per-row scalars
 * {@code beta_i}, {@code a_ik} (the reciprocal norms of the steps). So a dot product of an aligned
 * text with an image or another aligned text is a few flops on the raw texts' dot product plus
 * precomputed dots with the {@code v_k}: {@link GapEvaluator} derives the aligned texts' candidate
 * scores from the raw ones instead of scoring every pair again.
 *
 * <p>The derived score of a pair is within {@code e (f_r g_j + 1)} of its float64 cosine, where
 * {@code e} bounds the raw float32 score's error, {@code f} and {@code g} are the rows'
 * amplification {@code beta s} (1 for an image), and the extra {@code e} covers the float32
 * rounding of the aligned rows and the float64 arithmetic here (both below {@code 1e-6} while
 * {@link #magnitude()} is moderate). The figures themselves are the float64 cosines of the aligned
 * rows, as before: only which pairs are re-scored comes from here.
 */
public final class AffineTexts {
  /**
   * Beyond this {@link #magnitude()} (terms that cancel to a unit vector) the float64 slack is no
   * longer negligible and the evaluator scores the aligned rows directly.
   */
  static final double MAX_MAGNITUDE = 1e3;

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

  private AffineTexts(int rows, int steps, double scale, double[] beta, double[] coef,
      double[] rawDotV, double[] gram, double[][] v, double magnitude) {
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
   * @throws IllegalArgumentException if the dimensions differ, or a row cannot be aligned (an
   *     intermediate vector of zero norm)
   */
  public static AffineTexts of(UnitRows raw, double scale, double[] muText, double[] muImage,
      double[][] centroids) {
    int d = raw.dimension();
    checkArgument(muText.length == d && muImage.length == d, "Invalid means: dimension %s and %s"
        + " (must be %s, the sample's)", muText.length, muImage.length, d);
    int steps = 1 + centroids.length;
    double[][] v = new double[steps][d];
    for (int j = 0; j < d; j++) {
      v[0][j] = muImage[j] - scale * muText[j];
    }
    for (int k = 1; k < steps; k++) {
      checkArgument(centroids[k - 1].length == d, "Invalid centroid %s: dimension %s (must be"
          + " %s)", k - 1, centroids[k - 1].length, d);
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
    double[] beta = new double[n];
    double[] coef = new double[n * steps];
    double[] rawDotV = new double[n * steps];
    double[] mag = new double[n];
    double[] y = raw.data;
    IntStream.range(0, n).parallel().forEach(i -> {
      int off = i * d;
      double[] e = new double[d];
      double ss = 0;
      for (int j = 0; j < d; j++) {
        e[j] = scale * y[off + j] + v[0][j];
        ss += e[j] * e[j];
      }
      double b = 1.0 / checkNorm(Math.sqrt(ss), i);
      coef[i * steps] = 1.0;
      for (int j = 0; j < d; j++) {
        e[j] *= b;
      }
      for (int k = 1; k < steps; k++) {
        ss = 0;
        for (int j = 0; j < d; j++) {
          e[j] += v[k][j];
          ss += e[j] * e[j];
        }
        double norm = checkNorm(Math.sqrt(ss), i);
        coef[i * steps + k] = 1.0 / b;
        b /= norm;
        for (int j = 0; j < d; j++) {
          e[j] /= norm;
        }
      }
      beta[i] = b;
      double m = scale;
      for (int k = 0; k < steps; k++) {
        rawDotV[i * steps + k] = Cosines.dot(y, off, v[k], 0, d);
        m += Math.abs(coef[i * steps + k]) * vNorm[k];
      }
      mag[i] = b * m;
    });
    double magnitude = 0;
    for (double m : mag) {
      magnitude = Math.max(magnitude, m);
    }
    return new AffineTexts(n, steps, scale, beta, coef, rawDotV, gram, v, magnitude);
  }

  private static double checkNorm(double norm, int row) {
    checkArgument(norm >= dev.realign.vector.RowValidator.MIN_NORM, "Invalid row %s: an"
        + " alignment step has norm %s (must be >= %s; the transform cannot align it)", row, norm,
        dev.realign.vector.RowValidator.MIN_NORM);
    return norm;
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
    int d = x.dimension();
    double[] out = new double[x.rows() * steps];
    IntStream.range(0, x.rows()).parallel().forEach(j -> {
      for (int k = 0; k < steps; k++) {
        out[j * steps + k] = Cosines.dot(x.data, j * d, v[k], 0, d);
      }
    });
    return out;
  }

  /**
   * The derived score of aligned text {@code i} with a row {@code x} whose raw-text score is
   * {@code raw} and whose dots with the {@code v_k} are {@code xv[xo ..]}.
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
