package dev.realign.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.io.Npy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI plans its inputs while Spark starts (InputPlans): a plan is used once and printed once,
 * and a damaged or missing input planned early fails the command as it did when planned late: exit
 * code 2, one line naming the file, nothing written, and a held output lease still reported first.
 */
class InputPlansCliTest {
  private static final int N = 40;
  private static final int D = 8;

  @TempDir static Path dir;

  static Path texts;
  static Path images;

  @BeforeAll
  static void inputs() {
    texts = dir.resolve("texts.npy");
    images = dir.resolve("images.npy");
    Npy.write(texts, rows(1), N, D);
    Npy.write(images, rows(2), N, D);
  }

  static float[] rows(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[N * D];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian() + (i % D == 0 ? 1f : 0f);
    }
    return a;
  }

  static RealignCommandTest.Result run(Path text, Path image, Path out) {
    return RealignCommandTest.realign(
        "run",
        "--text-embeddings",
        text.toString(),
        "--image-embeddings",
        image.toString(),
        "--output",
        out.toString(),
        "--master",
        "local[1]",
        "--set",
        "report.in_run=false",
        "--set",
        "fit.min_rows=2",
        "--set",
        "progress.interval_seconds=0");
  }

  @Test
  void aPlanMadeBeforeSparkIsUsedAndPrintedOnce() {
    Path out = dir.resolve("out-ok");
    RealignCommandTest.Result r = run(texts, images, out);
    assertThat(r.code()).as(r.err()).isZero();
    String printed = r.out() + r.err();
    assertThat(printed.split("text embeddings: npy, 40 rows x 8", -1)).hasSize(2);
    assertThat(printed.split("image embeddings: npy, 40 rows x 8", -1)).hasSize(2);
    assertThat(out.resolve("aligned/_manifest.json")).exists();
  }

  @Test
  void aTruncatedNpyPlannedEarlyFailsNamingTheFileWithNothingWritten() throws Exception {
    byte[] whole = Files.readAllBytes(texts);
    Path truncated = dir.resolve("truncated.npy");
    Files.write(truncated, Arrays.copyOf(whole, whole.length - 4 * D));
    Path out = dir.resolve("out-truncated");
    RealignCommandTest.Result r = run(truncated, images, out);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("realign: error: ").contains(truncated.toString());
    assertThat(r.err().lines().filter(l -> l.startsWith("realign:"))).hasSize(1);
    assertThat(out.resolve("aligned")).doesNotExist();
    assertThat(out.resolve("stats")).doesNotExist();
  }

  @Test
  void garbageNamedParquetAndAMissingImageFailNamingThem() throws Exception {
    Path garbage = Files.createDirectories(dir.resolve("garbage")).resolve("part-0.parquet");
    Files.write(garbage, "PAR1 not really a parquet file PAR1".getBytes(StandardCharsets.UTF_8));
    RealignCommandTest.Result r = run(garbage.getParent(), images, dir.resolve("out-garbage"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(garbage.toString());

    Path missing = dir.resolve("no-such-images.npy");
    r = run(texts, missing, dir.resolve("out-missing"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(missing.toString());
    assertThat(dir.resolve("out-missing").resolve("aligned")).doesNotExist();
  }

  /**
   * The failure kept from the early plan is thrown where the plan is asked for: after the lease.
   */
  @Test
  void aHeldLeaseIsStillReportedBeforeADamagedInput() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out-leased"));
    Files.writeString(
        out.resolve("_realign.lease"),
        "{\"token\":\"t-other\",\"application_id\":\"application_O_0001\",\"host\":\"h9\","
            + "\"started\":\"2026-01-01T00:00:00Z\",\"heartbeat_epoch_ms\":"
            + System.currentTimeMillis()
            + "}",
        StandardCharsets.UTF_8);
    Path truncated = dir.resolve("truncated-2.npy");
    byte[] whole = Files.readAllBytes(texts);
    Files.write(truncated, Arrays.copyOf(whole, whole.length - 4));
    RealignCommandTest.Result r = run(truncated, images, out);
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("application_O_0001").doesNotContain(truncated.toString());
    assertThat(out.resolve("aligned")).doesNotExist();
  }
}
