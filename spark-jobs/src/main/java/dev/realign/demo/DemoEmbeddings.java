package dev.realign.demo;

import dev.realign.io.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The synthetic, unpaired demo set: text and image embeddings from two offset cones with
 * anisotropic residual spectra, like a contrastive encoder's two modalities.
 *
 * <p>Model (all in float64, rounded to float32 at the end): a modality has a unit centre {@code c}
 * and per-axis residual scales {@code sigma_k = a * (k + 1)^-p} over a modality-specific
 * permutation of the axes; a row is {@code c + sum_k sigma_k z_k e_pi(k)} with {@code z} standard
 * normal (Box-Muller over {@link SplittableRandom}), then L2-normalised. Images: {@code p = 0.5};
 * texts: {@code p = 0.9}, so the two spectra differ in shape and in trace. The two centres are
 * random unit vectors, which at d >= 256 are nearly orthogonal: a large modality gap.
 *
 * <p>Deterministic: the same (seed, rows, dim, files) give the same bytes. Each file draws from its
 * own stream {@code SplittableRandom(seed + 1_000_003 * modality + fileIndex)}. The text set
 * carries a few deliberately bad rows (every 20,000th row: NaN, then zero, alternating) so the demo
 * shows quarantined rows; they stay far below the default rejected-row limit.
 */
public final class DemoEmbeddings {
  public static final int BAD_ROW_EVERY = 20_000;

  private DemoEmbeddings() {}

  /** Writes {@code text/} and {@code image/} directories of .npy files under {@code dir}. */
  public static void generate(
      Path dir, long textRows, long imageRows, int dim, int files, long seed) {
    SplittableRandom setup = new SplittableRandom(seed);
    double[] textCentre = unit(setup, dim);
    double[] imageCentre = unit(setup, dim);
    double[] textSigma = spectrum(setup, dim, 0.9, 1.6);
    double[] imageSigma = spectrum(setup, dim, 0.5, 0.55);
    write(dir.resolve("text"), "text", textRows, dim, files, seed, 1, textCentre, textSigma, true);
    write(
        dir.resolve("image"),
        "image",
        imageRows,
        dim,
        files,
        seed,
        2,
        imageCentre,
        imageSigma,
        false);
  }

  /**
   * Writes only the image side ({@code image/}) of the same model: for the demo that encodes real
   * captions, whose image side stays synthetic in the encoder's dimension.
   */
  public static void generateImages(Path dir, long imageRows, int dim, int files, long seed) {
    SplittableRandom setup = new SplittableRandom(seed);
    unit(setup, dim);
    double[] imageCentre = unit(setup, dim);
    spectrum(setup, dim, 0.9, 1.6);
    double[] imageSigma = spectrum(setup, dim, 0.5, 0.55);
    write(
        dir.resolve("image"),
        "image",
        imageRows,
        dim,
        files,
        seed,
        2,
        imageCentre,
        imageSigma,
        false);
  }

  private static void write(
      Path dir,
      String stem,
      long rows,
      int dim,
      int files,
      long seed,
      int modality,
      double[] centre,
      double[] sigma,
      boolean withBadRows) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create demo directory " + dir, e);
    }
    long first = 0;
    for (int f = 0; f < files; f++) {
      long n = rows / files + (f < rows % files ? 1 : 0);
      SplittableRandom rnd = new SplittableRandom(seed + 1_000_003L * modality + f);
      float[] data = new float[Math.toIntExact(n * dim)];
      double[] row = new double[dim];
      for (int i = 0; i < n; i++) {
        double ss = 0;
        for (int k = 0; k < dim; k++) {
          row[k] = centre[k] + sigma[k] * gaussian(rnd);
          ss += row[k] * row[k];
        }
        double norm = Math.sqrt(ss);
        long global = first + i;
        for (int k = 0; k < dim; k++) {
          data[i * dim + k] = (float) (row[k] / norm);
        }
        if (withBadRows && global % BAD_ROW_EVERY == BAD_ROW_EVERY - 1) {
          boolean nan = (global / BAD_ROW_EVERY) % 2 == 0;
          for (int k = 0; k < dim; k++) {
            data[i * dim + k] = nan && k == 0 ? Float.NaN : 0f;
          }
        }
      }
      Npy.write(dir.resolve(String.format(Locale.ROOT, "%s-%03d.npy", stem, f)), data, n, dim);
      first += n;
    }
  }

  /** Scales {@code a (k+1)^-p}, scattered over the axes by a random permutation. */
  private static double[] spectrum(SplittableRandom rnd, int dim, double p, double total) {
    double[] s = new double[dim];
    double sum = 0;
    for (int k = 0; k < dim; k++) {
      s[k] = StrictMath.pow(k + 1, -p);
      sum += s[k] * s[k];
    }
    double a = Math.sqrt(total / sum);
    int[] perm = new int[dim];
    for (int k = 0; k < dim; k++) {
      perm[k] = k;
    }
    for (int k = dim - 1; k > 0; k--) {
      int j = rnd.nextInt(k + 1);
      int t = perm[k];
      perm[k] = perm[j];
      perm[j] = t;
    }
    double[] out = new double[dim];
    for (int k = 0; k < dim; k++) {
      out[perm[k]] = a * s[k];
    }
    return out;
  }

  private static double[] unit(SplittableRandom rnd, int dim) {
    double[] v = new double[dim];
    double ss = 0;
    for (int k = 0; k < dim; k++) {
      v[k] = gaussian(rnd);
      ss += v[k] * v[k];
    }
    double n = Math.sqrt(ss);
    for (int k = 0; k < dim; k++) {
      v[k] /= n;
    }
    return v;
  }

  /** Box-Muller, one value per call (the second is dropped: simple, and fixed by this code). */
  private static double gaussian(SplittableRandom rnd) {
    double u1 = 1.0 - rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * Math.PI * u2);
  }
}
