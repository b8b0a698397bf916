package dev.realign.align;

import static dev.realign.Checks.checkArgument;

import dev.realign.stats.RejectListener;
import dev.realign.vector.RejectReason;
import dev.realign.vector.RowValidator;
import dev.realign.vector.VectorLanes;
import dev.realign.vector.VectorSupport;
import java.io.Serializable;
import java.util.List;

/**
 * The per-row math of a (possibly partially fitted) transform, as immutable parameters and static-
 * style loops over arrays. This is what Spark broadcasts and what a UDF captures.
 *
 * <p>For a raw row {@code t}: {@code y = t / ||t||}, {@code e = normalize(mu_image + s (y -
 * mu_text))}, then for each centroid {@code c}: {@code e = normalize(e - c + mu_image)}. All in
 * float64; only {@link #apply} rounds to float32, once, at the end.
 */
public final class AlignmentKernel implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int dim;
  private final double scale;
  private final double[] muText;
  private final double[] muImage;
  private final double[][] centroids;

  /** Tests force a path: 0 = Vector API where {@code VectorSupport.ENABLED}, 1 scalar, 2 vector. */
  private transient int lanes;

  AlignmentKernel(double scale, double[] muText, double[] muImage, List<double[]> centroids) {
    checkArgument(
        muText.length == muImage.length,
        "Invalid means: text dimension %s, image" + " dimension %s (must be equal)",
        muText.length,
        muImage.length);
    checkArgument(
        Double.isFinite(scale) && scale >= 0,
        "Invalid scale: %s (must be finite and" + " >= 0)",
        scale);
    this.dim = muText.length;
    this.scale = scale;
    this.muText = muText.clone();
    this.muImage = muImage.clone();
    this.centroids = new double[centroids.size()][];
    for (int c = 0; c < centroids.size(); c++) {
      checkArgument(
          centroids.get(c).length == dim,
          "Invalid centroid %s: dimension %s (must be" + " %s)",
          c,
          centroids.get(c).length,
          dim);
      this.centroids[c] = centroids.get(c).clone();
    }
  }

  public int dimension() {
    return dim;
  }

  public int centroidSteps() {
    return centroids.length;
  }

  AlignmentKernel withCentroid(double[] muHat) {
    List<double[]> next = new java.util.ArrayList<>(List.of(centroids));
    next.add(muHat);
    return new AlignmentKernel(scale, muText, muImage, next);
  }

  /** This kernel forced onto the Vector API or the scalar loops (tests compare their bits). */
  AlignmentKernel withVectorLanes(boolean vector) {
    AlignmentKernel k = new AlignmentKernel(scale, muText, muImage, List.of(centroids));
    k.lanes = vector ? 2 : 1;
    return k;
  }

  private boolean vector() {
    return lanes == 0 ? VectorSupport.ENABLED : lanes == 2;
  }

  /**
   * A scratch buffer of the right size for one thread: {@code 2 d + 2} doubles, room for {@link
   * #applyBatch} to align two rows at a time ({@code d} doubles are enough for one row).
   */
  public double[] newScratch() {
    return new double[2 * dim + 2];
  }

  /**
   * Writes the aligned row as a float64 unit vector into {@code unitOut[0..d)} (the input of a
   * further centroid pass).
   *
   * @return null on success, else why the row cannot be aligned
   */
  public RejectReason forwardUnit(float[] in, int off, double[] unitOut) {
    double n = forward(in, off, unitOut);
    if (n < 0) {
      return RowValidator.reasonFor(n);
    }
    double inv = 1.0 / n;
    for (int j = 0; j < dim; j++) {
      unitOut[j] = unitOut[j] * inv;
    }
    return null;
  }

  /**
   * Aligns one raw row of {@code d} floats at {@code inOff} into {@code out} at {@code outOff}.
   * Allocation-free; {@code scratch} must hold {@code d} doubles and belongs to the calling thread.
   *
   * @return null on success, else the reason (and {@code out} is untouched)
   */
  public RejectReason apply(float[] in, int inOff, float[] out, int outOff, double[] scratch) {
    double n = forward(in, inOff, scratch);
    if (n < 0) {
      return RowValidator.reasonFor(n);
    }
    double inv = 1.0 / n;
    if (vector()) {
      AlignLanes.narrow(scratch, 0, dim, inv, out, outOff);
      return null;
    }
    for (int j = 0; j < dim; j++) {
      out[outOff + j] = (float) (scratch[j] * inv);
    }
    return null;
  }

  /** Aligns one row; a convenience that allocates. */
  public float[] apply(float[] row) {
    checkArgument(
        row.length == dim,
        "Invalid row: dimension %s (must be %s, the transform's)",
        row.length,
        dim);
    float[] out = new float[dim];
    RejectReason r = apply(row, 0, out, 0, newScratch());
    checkArgument(
        r == null, "Invalid row: %s (must be finite with a norm >= %s)", r, RowValidator.MIN_NORM);
    return out;
  }

  /**
   * Aligns {@code rows} rows of a flat row-major batch. The output is row-aligned with the input;
   * the output rows of rejected inputs are filled with NaN and reported to {@code rejects}.
   *
   * @return the number of rows aligned
   */
  public int applyBatch(
      float[] in,
      int inOff,
      int rows,
      float[] out,
      int outOff,
      double[] scratch,
      RejectListener rejects) {
    checkArgument(rows >= 0, "Invalid row count: %s (must be >= 0)", rows);
    checkArgument(
        (long) inOff + (long) rows * dim <= in.length,
        "Invalid input batch: %s rows x %s at offset %s (must fit in %s floats)",
        rows,
        dim,
        inOff,
        in.length);
    checkArgument(
        (long) outOff + (long) rows * dim <= out.length,
        "Invalid output batch: %s rows x %s at offset %s (must fit in %s floats)",
        rows,
        dim,
        outOff,
        out.length);
    int ok = 0;
    int r = 0;
    if (vector() && scratch.length >= 2 * dim + 2) {
      for (; r + 1 < rows; r += 2) {
        int a = inOff + r * dim;
        if (forwardPair(in, a, a + dim, scratch)) {
          AlignLanes.narrow(scratch, 0, dim, 1.0 / scratch[2 * dim], out, outOff + r * dim);
          AlignLanes.narrow(
              scratch, dim, dim, 1.0 / scratch[2 * dim + 1], out, outOff + (r + 1) * dim);
          ok += 2;
        } else {
          ok += applyOne(in, inOff, r, out, outOff, scratch, rejects);
          ok += applyOne(in, inOff, r + 1, out, outOff, scratch, rejects);
        }
      }
    }
    for (; r < rows; r++) {
      ok += applyOne(in, inOff, r, out, outOff, scratch, rejects);
    }
    return ok;
  }

  private int applyOne(
      float[] in,
      int inOff,
      int r,
      float[] out,
      int outOff,
      double[] scratch,
      RejectListener rejects) {
    RejectReason reason = apply(in, inOff + r * dim, out, outOff + r * dim, scratch);
    if (reason == null) {
      return 1;
    }
    java.util.Arrays.fill(out, outOff + r * dim, outOff + (r + 1) * dim, Float.NaN);
    rejects.rejected(r, reason);
    return 0;
  }

  /**
   * {@link #forward} of two rows side by side (Vector API only), the same operations per row, so
   * the same bits: each row's squared norms are chains of dependent adds, and two independent
   * chains overlap their latency. Rows land in {@code buf[0..d)} and {@code buf[d..2d)}, their
   * norms in {@code buf[2d]} and {@code buf[2d + 1]}.
   *
   * @return false when either row is bad or degenerate: the caller redoes both one at a time, which
   *     names the reason
   */
  private boolean forwardPair(float[] in, int offA, int offB, double[] buf) {
    int d = dim;
    VectorLanes.sumOfSquaresPair(in, offA, offB, d, buf, 2 * d);
    double ssA = buf[2 * d];
    double ssB = buf[2 * d + 1];
    if (!Double.isFinite(ssA) || !Double.isFinite(ssB)) {
      return false;
    }
    double nA = Math.sqrt(ssA);
    double nB = Math.sqrt(ssB);
    if (nA < RowValidator.MIN_NORM || nB < RowValidator.MIN_NORM) {
      return false;
    }
    AlignLanes.anchorStepPair(in, offA, offB, d, 1.0 / nA, 1.0 / nB, scale, muText, muImage, buf);
    nA = Math.sqrt(buf[2 * d]);
    nB = Math.sqrt(buf[2 * d + 1]);
    for (double[] c : centroids) {
      AlignLanes.centroidStepPair(buf, d, 1.0 / nA, 1.0 / nB, c, muImage);
      nA = Math.sqrt(buf[2 * d]);
      nB = Math.sqrt(buf[2 * d + 1]);
    }
    if (nA < RowValidator.MIN_NORM || nB < RowValidator.MIN_NORM) {
      return false;
    }
    buf[2 * d] = nA;
    buf[2 * d + 1] = nB;
    return true;
  }

  /**
   * Runs every step into {@code buf} (unnormalised) and returns its norm, or a negative code of
   * {@link RowValidator#normOrNegative} for a bad input row.
   */
  private double forward(float[] in, int off, double[] buf) {
    boolean v = vector();
    double ss =
        v ? VectorLanes.sumOfSquares(in, off, dim) : RowValidator.sumOfSquares(in, off, dim);
    if (!Double.isFinite(ss)) {
      return -1.0;
    }
    double norm = Math.sqrt(ss);
    if (norm < RowValidator.MIN_NORM) {
      return -2.0;
    }
    // Multiplying by reciprocals, not dividing: same result to an ulp, several times cheaper in
    // the loop; every engine runs this one kernel, so it is the contract all the same.
    double n =
        Math.sqrt(
            v
                ? AlignLanes.anchorStep(in, off, dim, 1.0 / norm, scale, muText, muImage, buf)
                : anchorStep(in, off, 1.0 / norm, buf));
    for (double[] c : centroids) {
      n =
          Math.sqrt(
              v
                  ? AlignLanes.centroidStep(buf, dim, 1.0 / n, c, muImage)
                  : centroidStep(buf, 1.0 / n, c));
    }
    // An intermediate vector of (near) zero norm has no direction; with real statistics this needs
    // mu_image and the shifted row to cancel exactly. Reported like a zero input row.
    return n < RowValidator.MIN_NORM ? -2.0 : n;
  }

  /**
   * {@code buf[j] = mu_image[j] + s (in[j] invNorm - mu_text[j])}, returning the squared norm of
   * {@code buf} summed as {@link RowValidator#sumOfSquares(double[], int)} does (four lanes by
   * {@code j mod 4}, the tail into lane 0, then {@code (s0 + s1) + (s2 + s3)}): one fused pass with
   * the bits of two.
   */
  private double anchorStep(float[] in, int off, double invNorm, double[] buf) {
    double[] mt = muText;
    double[] mi = muImage;
    double s = scale;
    int d = dim;
    double s0 = 0.0;
    double s1 = 0.0;
    double s2 = 0.0;
    double s3 = 0.0;
    int j = 0;
    for (; j + 3 < d; j += 4) {
      double e0 = mi[j] + s * (in[off + j] * invNorm - mt[j]);
      double e1 = mi[j + 1] + s * (in[off + j + 1] * invNorm - mt[j + 1]);
      double e2 = mi[j + 2] + s * (in[off + j + 2] * invNorm - mt[j + 2]);
      double e3 = mi[j + 3] + s * (in[off + j + 3] * invNorm - mt[j + 3]);
      buf[j] = e0;
      buf[j + 1] = e1;
      buf[j + 2] = e2;
      buf[j + 3] = e3;
      s0 += e0 * e0;
      s1 += e1 * e1;
      s2 += e2 * e2;
      s3 += e3 * e3;
    }
    for (; j < d; j++) {
      double e = mi[j] + s * (in[off + j] * invNorm - mt[j]);
      buf[j] = e;
      s0 += e * e;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * {@code buf[j] = buf[j] invN - c[j] + mu_image[j]}, returning the squared norm of the result in
   * the lane order of {@link #anchorStep}.
   */
  private double centroidStep(double[] buf, double invN, double[] c) {
    double[] mi = muImage;
    int d = dim;
    double s0 = 0.0;
    double s1 = 0.0;
    double s2 = 0.0;
    double s3 = 0.0;
    int j = 0;
    for (; j + 3 < d; j += 4) {
      double e0 = buf[j] * invN - c[j] + mi[j];
      double e1 = buf[j + 1] * invN - c[j + 1] + mi[j + 1];
      double e2 = buf[j + 2] * invN - c[j + 2] + mi[j + 2];
      double e3 = buf[j + 3] * invN - c[j + 3] + mi[j + 3];
      buf[j] = e0;
      buf[j + 1] = e1;
      buf[j + 2] = e2;
      buf[j + 3] = e3;
      s0 += e0 * e0;
      s1 += e1 * e1;
      s2 += e2 * e2;
      s3 += e3 * e3;
    }
    for (; j < d; j++) {
      double e = buf[j] * invN - c[j] + mi[j];
      buf[j] = e;
      s0 += e * e;
    }
    return (s0 + s1) + (s2 + s3);
  }

  double scale() {
    return scale;
  }

  double[] muText() {
    return muText.clone();
  }

  double[] muImage() {
    return muImage.clone();
  }

  double[][] centroids() {
    double[][] copy = new double[centroids.length][];
    for (int c = 0; c < centroids.length; c++) {
      copy[c] = centroids[c].clone();
    }
    return copy;
  }
}
