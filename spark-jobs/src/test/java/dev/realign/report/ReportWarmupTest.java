package dev.realign.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The warm-up walks the whole report path (every variant) on its synthetic rows. */
class ReportWarmupTest {
  @Test
  void warmUpComputesAFullReport() {
    GapReport r = ReportWarmup.run(ReportOptions.defaults());
    assertThat(r.rows())
        .extracting(GapReport.MetricsRow::label)
        .containsExactly(GapReport.BEFORE, "anchor", "anchor-trace", "realign");
    // The synthetic modalities are shifted apart along different axes (unit rows): a real gap, then
    // closed.
    assertThat(r.rows().get(0).centroidGap()).isGreaterThan(0.1);
    assertThat(r.rows().get(3).centroidGap()).isLessThan(r.rows().get(0).centroidGap() / 10);
    assertThat(r.rows()).allSatisfy(row -> assertThat(row.mixing().value()).isFinite());
    assertThat(r.diagnostics()).as("the library's defaults compute the spectra").isPresent();
  }

  /**
   * The warm-up runs with the real report's options: a run's default report has no spectra, so its
   * warm-up computes none (they load ND4J: seconds of CPU beside the stats pass, for nothing).
   */
  @Test
  void warmUpFollowsTheReportsOptions() {
    ReportOptions run =
        ReportOptions.defaults().withSpectra(false).withEstimation(50, 10_000, false);
    GapReport r = ReportWarmup.run(run);
    assertThat(r.diagnostics()).isEmpty();
    assertThat(r.estimation().textQueries()).isEqualTo(50);
    assertThat(r.estimation().pairBudget()).isEqualTo(10_000);
    assertThat(r.options().sampleRows()).as("its own synthetic rows").isEqualTo(2_000);
  }

  /**
   * The warm-up's rounds share one set of inputs: a report must leave them as it found them, so
   * every round computes the same figures.
   */
  @Test
  void roundsOverOneSetOfInputsComputeTheSameReport() {
    ReportInputs in = ReportWarmup.inputs(ReportOptions.defaults().withSpectra(false));
    float[] texts = in.texts().clone();
    float[] images = in.images().clone();
    GapReport first = ReportWarmup.run(in);
    GapReport second = ReportWarmup.run(in);
    assertThat(in.texts()).isEqualTo(texts);
    assertThat(in.images()).isEqualTo(images);
    assertThat(ReportJson.toJson(second).replaceAll("\"timings_ms\"[^}]*}", ""))
        .isEqualTo(ReportJson.toJson(first).replaceAll("\"timings_ms\"[^}]*}", ""));
  }
}
