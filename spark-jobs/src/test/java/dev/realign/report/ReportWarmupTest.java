package dev.realign.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The warm-up walks the whole report path (every variant) on its synthetic rows. */
class ReportWarmupTest {
  @Test
  void warmUpComputesAFullReport() {
    GapReport r = ReportWarmup.run();
    assertThat(r.rows()).extracting(GapReport.MetricsRow::label)
        .containsExactly(GapReport.BEFORE, "anchor", "anchor-trace", "realign");
    // The synthetic modalities are shifted apart along different axes (unit rows): a real gap, then closed.
    assertThat(r.rows().get(0).centroidGap()).isGreaterThan(0.1);
    assertThat(r.rows().get(3).centroidGap()).isLessThan(r.rows().get(0).centroidGap() / 10);
    assertThat(r.rows()).allSatisfy(row -> assertThat(row.mixing().value()).isFinite());
  }
}
