package dev.realign.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.Variant;
import dev.realign.metrics.UnitRows;
import dev.realign.stats.MomentSketch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The report on small synthetic inputs: sizes, clamps, options and bad input. */
class GapReportTest {
  static final int D = 8;

  static float[] gaussian(int n, int shiftAxis, long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[n * D];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < D; j++) {
        x[i * D + j] = (float) (rnd.nextGaussian() / (1 + j) + (j == shiftAxis ? 3 : 0));
      }
    }
    return x;
  }

  static final float[] TEXTS = gaussian(30, 0, 1);
  static final float[] IMAGES = gaussian(25, 1, 2);

  static Map<Variant, ReAlignTransform> fit(Variant... vs) {
    Map<Variant, ReAlignTransform> m = new java.util.EnumMap<>(Variant.class);
    for (Variant v : vs) {
      m.put(v, ReAlignFitter.fitInMemory(FitOptions.of(v), TEXTS, IMAGES, D));
    }
    return m;
  }

  @Test
  void aSampleLargerThanTheDataUsesAllAndSaysSo() {
    GapReport r =
        ComputeGapReport.compute(
            ReportInputs.of(TEXTS, IMAGES, D, fit(Variant.REALIGN))
                .withOptions(ReportOptions.defaults().withSampleRows(100)));
    assertThat(r.samples())
        .containsExactly(
            new GapReport.SampleSize("text", 30, 30), new GapReport.SampleSize("image", 25, 25));
    assertThat(r.notes())
        .containsExactly(
            "sample size 100 > 30 text rows available: all 30 used",
            "sample size 100 > 25 image rows available: all 25 used");
    assertThat(r.rows())
        .extracting(GapReport.MetricsRow::label)
        .containsExactly("before", "realign");
    assertThat(r.rows().get(1).centroidGap()).isLessThan(r.rows().get(0).centroidGap());
    assertThat(r.validation()).isEmpty();
    assertThat(r.diagnostics()).isPresent();
    assertThat(r.pca().panels()).hasSize(2);
  }

  @Test
  void aSmallerSampleIsEvenlyStridedAndKIsClamped() {
    GapReport r =
        ComputeGapReport.compute(
            ReportInputs.of(TEXTS, IMAGES, D, fit(Variant.ANCHOR))
                .withOptions(ReportOptions.defaults().withSampleRows(6).withSpectra(false)));
    assertThat(r.samples())
        .containsExactly(
            new GapReport.SampleSize("text", 30, 6), new GapReport.SampleSize("image", 25, 6));
    assertThat(r.notes())
        .contains(
            "text: 6 of 30 rows used (rows floor(i * 30 / 6))",
            "k-NN mixing: k = 20 > 11 (the pooled rows minus one); k = 11 used",
            "k-NN overlap: k = 10 > 5 (the texts minus one); k = 5 used");
    assertThat(r.mixingK()).isEqualTo(11);
    assertThat(r.overlapK()).isEqualTo(5);
    assertThat(r.diagnostics()).as("spectra off: ND4J never asked").isEmpty();
    assertThat(ReportJson.toTree(r).has("spectra")).isFalse();
    assertThat(ReportHtml.render(r)).doesNotContain("Covariance spectra");
    assertThat(ComputeGapReport.stride(30, 6)).containsExactly(0, 5, 10, 15, 20, 25);
  }

  @Test
  void validationRecallIsClampedToThePairs() {
    float[] vt = java.util.Arrays.copyOf(TEXTS, 3 * D);
    float[] vi = java.util.Arrays.copyOf(IMAGES, 3 * D);
    GapReport r =
        ComputeGapReport.compute(
            ReportInputs.of(TEXTS, IMAGES, D, fit(Variant.values()))
                .withValidation(vt, vi)
                .withOptions(ReportOptions.defaults().withSpectra(false)));
    GapReport.Validation v = r.validation().orElseThrow();
    assertThat(v.pairs()).isEqualTo(3);
    assertThat(v.recallK5()).isEqualTo(3);
    assertThat(v.rows()).hasSize(4);
    assertThat(v.rows()).allSatisfy(p -> assertThat(p.recallAt5()).isEqualTo(1.0));
    assertThat(r.notes()).contains("recall@5: k = 5 > 3 (the validation pairs); k = 3 used");
  }

  @Test
  void badInputIsNamed() {
    Map<Variant, ReAlignTransform> t = fit(Variant.REALIGN);
    assertThatThrownBy(
            () -> ReportInputs.of(java.util.Arrays.copyOf(TEXTS, 30 * D - 1), IMAGES, D, t))
        .hasMessage("Invalid text sample: 239 floats (must be a multiple of the dimension" + " 8)");
    float[] wide = gaussian(4, 0, 3);
    assertThatThrownBy(() -> ReportInputs.of(wide, wide, 4, t))
        .hasMessage("Invalid transform for realign: dimension 8 (must be 4, the embeddings')");
    assertThatThrownBy(
            () -> ReportInputs.of(TEXTS, IMAGES, D, Map.of(Variant.ANCHOR, t.get(Variant.REALIGN))))
        .hasMessageContaining("its variant is realign");
    ReportInputs in = ReportInputs.of(TEXTS, IMAGES, D, t);
    assertThatThrownBy(() -> in.withValidation(TEXTS, IMAGES.clone()))
        .hasMessage(
            "Invalid validation set: 30 texts and 25 images (must be equal: row i of each"
                + " is one pair)");
    assertThatThrownBy(() -> in.withValidation(TEXTS, null))
        .hasMessageContaining("texts without images");
    float[] zeroRow = TEXTS.clone();
    java.util.Arrays.fill(zeroRow, 7 * D, 8 * D, 0f);
    assertThatThrownBy(() -> ComputeGapReport.compute(ReportInputs.of(zeroRow, IMAGES, D, t)))
        .hasMessage("Invalid row 7: ZERO_NORM (must be finite with a norm >= 1.0E-10)");
    assertThatThrownBy(() -> ReportOptions.defaults().withEnergyThreshold(1.5))
        .hasMessageContaining("Invalid energy threshold: 1.5");
  }

  @Test
  void principalAxesFindTheDominantDirections() {
    // Variance 9 along e2, 4 along e5, small elsewhere: axes are +-e2 then +-e5.
    Random rnd = new Random(5);
    float[] a = new float[200 * D];
    for (int i = 0; i < 200; i++) {
      for (int j = 0; j < D; j++) {
        double s = j == 2 ? 3 : j == 5 ? 2 : 0.1;
        a[i * D + j] = (float) (rnd.nextGaussian() * s + (j == 0 ? 20 : 0));
      }
    }
    UnitRows x = UnitRows.normalise(a, D);
    PrincipalAxes p = PrincipalAxes.of(x, x);
    assertThat(Math.abs(p.axis(0)[2])).isCloseTo(1.0, within(0.02));
    assertThat(Math.abs(p.axis(1)[5])).isCloseTo(1.0, within(0.02));
    assertThat(p.variance()[0]).isGreaterThan(p.variance()[1]);
    double dot = 0;
    for (int j = 0; j < D; j++) {
      dot += p.axis(0)[j] * p.axis(1)[j];
    }
    assertThat(dot).isCloseTo(0.0, within(1e-12));
  }

  /**
   * The axes and variances against an independent eigendecomposition (cyclic Jacobi) of the
   * explicitly formed 1/n covariance of the pooled, centred rows.
   */
  @Test
  void principalAxesAreTheCovariancesTopEigenvectors() {
    int d = 7;
    Random rnd = new Random(8);
    float[] a = new float[150 * d];
    float[] b = new float[90 * d];
    for (float[] x : new float[][] {a, b}) {
      for (int i = 0; i < x.length; i++) {
        int j = i % d;
        x[i] = (float) (rnd.nextGaussian() * (1.0 + j) + (x == a && j == 1 ? 4 : 0));
      }
    }
    UnitRows ua = UnitRows.normalise(a, d);
    UnitRows ub = UnitRows.normalise(b, d);
    int n = ua.rows() + ub.rows();
    double[] mean = new double[d];
    double[][] all = new double[n][];
    for (int i = 0; i < n; i++) {
      all[i] = i < ua.rows() ? ua.row(i) : ub.row(i - ua.rows());
      for (int j = 0; j < d; j++) {
        mean[j] += all[i][j] / n;
      }
    }
    double[][] cov = new double[d][d];
    for (double[] r : all) {
      for (int p = 0; p < d; p++) {
        for (int q = 0; q < d; q++) {
          cov[p][q] += (r[p] - mean[p]) * (r[q] - mean[q]) / n;
        }
      }
    }
    double[][] eig = jacobi(cov); // [values (descending)], then the vectors as rows
    PrincipalAxes p = PrincipalAxes.of(ua, ub);
    double trace = 0;
    for (int j = 0; j < d; j++) {
      trace += cov[j][j];
    }
    assertThat(p.totalVariance()).isCloseTo(trace, within(1e-12));
    assertThat(p.variance()[0]).isCloseTo(eig[0][0], within(1e-10));
    assertThat(p.variance()[1]).isCloseTo(eig[0][1], within(1e-10));
    for (int k = 0; k < 2; k++) {
      double dot = 0;
      for (int j = 0; j < d; j++) {
        dot += p.axis(k)[j] * eig[1 + k][j];
      }
      assertThat(Math.abs(dot)).as("axis %d", k).isCloseTo(1.0, within(1e-8));
    }
  }

  /** Eigenvalues (descending, row 0) and unit eigenvectors (rows 1..d) of a symmetric matrix. */
  private static double[][] jacobi(double[][] m) {
    int d = m.length;
    double[][] a = new double[d][];
    double[][] v = new double[d][d];
    for (int i = 0; i < d; i++) {
      a[i] = m[i].clone();
      v[i][i] = 1;
    }
    for (int sweep = 0; sweep < 100; sweep++) {
      for (int p = 0; p < d; p++) {
        for (int q = p + 1; q < d; q++) {
          if (Math.abs(a[p][q]) < 1e-300) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < d; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < d; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
          }
          for (int k = 0; k < d; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
          }
        }
      }
    }
    Integer[] order = new Integer[d];
    for (int i = 0; i < d; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (x, y) -> Double.compare(a[y][y], a[x][x]));
    double[][] out = new double[d + 1][d];
    for (int r = 0; r < d; r++) {
      out[0][r] = a[order[r]][order[r]];
      for (int k = 0; k < d; k++) {
        out[1 + r][k] = v[k][order[r]];
      }
    }
    return out;
  }

  /**
   * With exact sketches of every row, the centroid gap and trace ratio of "before" and of the
   * sketched variant are the sketches' (the sample's stay beside them); other variants keep the
   * sample's, and say so.
   */
  @Test
  void fullDataSketchesGiveTheGapAndTraceRatioOfEveryRow() {
    Map<Variant, ReAlignTransform> t = fit(Variant.ANCHOR, Variant.REALIGN);
    MomentSketch text = new MomentSketch(D);
    MomentSketch image = new MomentSketch(D);
    for (int i = 0; i < 30; i++) {
      assertThat(text.add(TEXTS, i * D)).isNull();
    }
    for (int i = 0; i < 25; i++) {
      assertThat(image.add(IMAGES, i * D)).isNull();
    }
    // "every row": here a superset of the sample (the first 20 texts are sampled)
    ReAlignTransform realign = t.get(Variant.REALIGN);
    MomentSketch aligned = new MomentSketch(D);
    float[] out = new float[D];
    double[] unit = new double[D];
    for (int i = 0; i < 30; i++) {
      assertThat(realign.kernel().apply(TEXTS, i * D, out, 0, realign.kernel().newScratch()))
          .isNull();
      for (int j = 0; j < D; j++) {
        unit[j] = out[j];
      }
      aligned.addUnit(unit);
    }
    float[] first20 = java.util.Arrays.copyOf(TEXTS, 20 * D);
    GapReport r =
        ComputeGapReport.compute(
            ReportInputs.of(first20, IMAGES, D, t)
                .withOptions(ReportOptions.defaults().withSpectra(false))
                .withFullData(
                    new FullDataSketches(
                        text.snapshot(),
                        image.snapshot(),
                        Map.of(Variant.REALIGN, aligned.snapshot()))));
    GapReport.MetricsRow before = r.rows().get(0);
    assertThat(before.fullData()).isTrue();
    assertThat(before.fullDataRows()).isEqualTo(30);
    assertThat(before.centroidGap())
        .isEqualTo(
            dev.realign.metrics.GapMetrics.distance(
                image.snapshot().mean(), text.snapshot().mean()));
    assertThat(before.traceRatio()).isEqualTo(text.snapshot().trace() / image.snapshot().trace());
    assertThat(before.sampleCentroidGap()).isNotEqualTo(before.centroidGap());
    GapReport.MetricsRow anchor = r.rows().get(1);
    assertThat(anchor.fullData()).isFalse();
    assertThat(anchor.centroidGap()).isEqualTo(anchor.sampleCentroidGap());
    GapReport.MetricsRow after = r.rows().get(2);
    assertThat(after.centroidGap())
        .isEqualTo(
            dev.realign.metrics.GapMetrics.distance(
                image.snapshot().mean(), aligned.snapshot().mean()));
    assertThat(r.notes())
        .anySatisfy(
            n ->
                assertThat(n)
                    .contains("exact over every row")
                    .contains("over the samples for anchor"));
    assertThatThrownBy(
            () -> new FullDataSketches(text.snapshot(), new MomentSketch(D).snapshot(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid full-data sketches: 30 texts");
  }

  /** ND4J's GEMM and the Vector API find the same candidates: identical estimated figures. */
  @Test
  void theGemmAndTheVectorApiGiveTheSameFigures() {
    float[] texts = gaussian(1_500, 0, 11);
    float[] images = gaussian(1_400, 1, 12);
    Map<Variant, ReAlignTransform> t =
        Map.of(
            Variant.REALIGN,
            ReAlignFitter.fitInMemory(FitOptions.of(Variant.REALIGN), texts, images, D));
    ReportOptions o = ReportOptions.defaults().withSpectra(false);
    GapReport vector =
        ComputeGapReport.compute(
            ReportInputs.of(texts, images, D, t).withOptions(o.withEstimation(120, 30_000, false)));
    GapReport gemm =
        ComputeGapReport.compute(
            ReportInputs.of(texts, images, D, t).withOptions(o.withEstimation(120, 30_000, true)));
    assertThat(vector.estimation().scorer()).isEqualTo("vector-api-float32");
    assertThat(gemm.estimation().scorer()).isEqualTo("nd4j-sgemm");
    assertThat(gemm.estimation().textQueries()).as("1,500 rows > 1,000: estimated").isEqualTo(120);
    for (int r = 0; r < 2; r++) {
      GapReport.MetricsRow a = vector.rows().get(r);
      GapReport.MetricsRow b = gemm.rows().get(r);
      assertThat(a.js().isExact()).isFalse();
      assertThat(b.js()).isEqualTo(a.js());
      assertThat(b.mixing()).isEqualTo(a.mixing());
      assertThat(b.overlap()).isEqualTo(a.overlap());
    }
  }

  /**
   * ND4J stays behind Spectrum and the GEMM scorer: no other main class may name an ND4J type (so
   * it loads only when spectra or the GEMM candidate search are used).
   */
  @Test
  void onlySpectrumReferencesNd4j() throws IOException {
    Path main = Path.of("src", "main", "java");
    try (Stream<Path> files = Files.walk(main)) {
      assertThat(
              files
                  .filter(f -> f.toString().endsWith(".java"))
                  .filter(f -> read(f).contains("org.nd4j"))
                  .map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("Spectrum.java", "Nd4jScorer.java");
    }
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
