package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.SharedData;
import dev.realign.align.EncoderIdentity;
import dev.realign.cli.RealignCommand;
import dev.realign.io.Npy;
import dev.realign.io.TransformFiles;
import dev.realign.spark.StoredSketch;
import dev.realign.stats.SketchCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Statistics as assets through the CLI, on COCO-500: {@code stats merge} of two image parts equals
 * the sketch of all images byte for byte; {@code run}/{@code fit --image-stats} give the transform
 * of a run that reads the images; mismatched sketches are refused naming both sides.
 */
class StatsAssetsTest {
  static final int N = SharedData.Coco.N;
  static final int D = SharedData.Coco.D;
  static final int SPLIT = 200;
  static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() {
    System.setProperty("realign.keep.spark", "true");
    spark = SparkTestSession.start();
    SharedData.Coco coco = SharedData.coco();
    Npy.write(dir.resolve("texts.npy"), coco.texts(), N, D);
    Npy.write(dir.resolve("images.npy"), coco.images(), N, D);
    Npy.write(
        dir.resolve("images-a.npy"), Arrays.copyOfRange(coco.images(), 0, SPLIT * D), SPLIT, D);
    Npy.write(
        dir.resolve("images-b.npy"),
        Arrays.copyOfRange(coco.images(), SPLIT * D, N * D),
        N - SPLIT,
        D);
  }

  @AfterAll
  static void tearDown() {
    System.clearProperty("realign.keep.spark");
    spark.stop();
  }

  /** Runs the CLI; returns its exit code and what it printed to stderr. */
  static Object[] cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!args[0].equals("stats") || !args[1].equals("merge")) {
      all.addAll(
          List.of(
              "--set",
              "report.in_run=false",
              "--set",
              "progress.interval_seconds=0",
              "--partitions",
              "2"));
    }
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      int rc = RealignCommand.run(all.toArray(new String[0]));
      return new Object[] {rc, captured.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setErr(err);
    }
  }

  static String path(String name) {
    return dir.resolve(name).toString();
  }

  static void stats(String images, String out) {
    assertThat(
            cli(
                "stats",
                "--text-embeddings",
                path("texts.npy"),
                "--image-embeddings",
                path(images),
                "--output",
                path(out))[0])
        .isEqualTo(0);
  }

  @Test
  void mergedImageSketchEqualsTheUnionAndFitsLikeTheImages() throws Exception {
    stats("images-a.npy", "part-a");
    stats("images-b.npy", "part-b");
    stats("images.npy", "all");
    assertThat(dir.resolve("all/stats/image.sketch.json")).isRegularFile();

    Object[] merged =
        cli(
            "stats",
            "merge",
            "--output",
            path("merged"),
            path("part-b"),
            path("part-a/stats/image.sketch"));
    assertThat(merged[0]).as((String) merged[1]).isEqualTo(0);
    assertThat(Files.readAllBytes(dir.resolve("merged/stats/image.sketch")))
        .isEqualTo(Files.readAllBytes(dir.resolve("all/stats/image.sketch")));
    // Only the role every input holds is merged (part-a is given as its image.sketch alone).
    assertThat(dir.resolve("merged/stats/text.sketch")).doesNotExist();
    assertThat(dir.resolve("merged/stats/image.sketch.json")).isRegularFile();

    // run reading the images, run and fit against the merged sketch: one transform.
    assertThat(
            cli(
                "run",
                "--text-embeddings",
                path("texts.npy"),
                "--image-embeddings",
                path("images.npy"),
                "--output",
                path("run-images"))[0])
        .isEqualTo(0);
    String expected =
        TransformFiles.read(dir.resolve("run-images/realign-transform.json")).sha256();
    Object[] run =
        cli(
            "run",
            "--text-embeddings",
            path("texts.npy"),
            "--image-stats",
            path("merged"),
            "--output",
            path("run-sketch"));
    assertThat(run[0]).as((String) run[1]).isEqualTo(0);
    assertThat(TransformFiles.read(dir.resolve("run-sketch/realign-transform.json")).sha256())
        .isEqualTo(expected);
    assertThat(dir.resolve("run-sketch/aligned/_manifest.json")).isRegularFile();
    assertThat(Files.readAllBytes(dir.resolve("run-sketch/stats/text.sketch")))
        .isEqualTo(Files.readAllBytes(dir.resolve("run-images/stats/text.sketch")));
    Object[] fit =
        cli(
            "fit",
            "--text-embeddings",
            path("texts.npy"),
            "--image-stats",
            path("merged/stats/image.sketch"),
            "--output",
            path("fit-sketch"));
    assertThat(fit[0]).as((String) fit[1]).isEqualTo(0);
    assertThat(TransformFiles.read(dir.resolve("fit-sketch/realign-transform.json")).sha256())
        .isEqualTo(expected);
  }

  @Test
  void sketchesOfAnotherDimensionOrEncoderAreRefusedNamingBothSides() throws Exception {
    Configuration conf = new Configuration();
    Path narrow = dir.resolve("narrow/image.sketch");
    Files.createDirectories(narrow.getParent());
    float[] rows = new float[10 * 8];
    Arrays.fill(rows, 1f);
    StoredSketch.write(
        new org.apache.hadoop.fs.Path(narrow.toUri()),
        "image",
        dev.realign.align.ReAlignFitter.sketch(rows, 8),
        EncoderIdentity.PRECOMPUTED,
        conf);
    stats("images-a.npy", "refuse-a");
    String a = path("refuse-a/stats/image.sketch");

    Object[] dim = cli("stats", "merge", "--output", path("bad-merge"), a, narrow.toString());
    assertThat(dim[0]).isEqualTo(2);
    assertThat((String) dim[1])
        .contains(
            "Invalid sketches to merge: "
                + a
                + " has dimension 512, "
                + narrow
                + " has dimension 8 (must be equal)");

    Path clip = dir.resolve("clip/image.sketch");
    Files.createDirectories(clip.getParent());
    StoredSketch.write(
        new org.apache.hadoop.fs.Path(clip.toUri()),
        "image",
        SketchCodec.decode(Files.readAllBytes(Path.of(a))),
        new EncoderIdentity("clip-vit-b16", "ab12"),
        conf);
    Object[] enc = cli("stats", "merge", "--output", path("bad-merge"), a, clip.toString());
    assertThat(enc[0]).isEqualTo(2);
    assertThat((String) enc[1])
        .contains(
            "comes from encoder precomputed, "
                + clip
                + " from encoder clip-vit-b16 (sha256 ab12) (must be the same encoder)");

    Object[] fit =
        cli(
            "run",
            "--text-embeddings",
            path("texts.npy"),
            "--image-stats",
            narrow.toString(),
            "--output",
            path("bad-run"));
    assertThat(fit[0]).isEqualTo(2);
    assertThat((String) fit[1])
        .contains(
            "Invalid image sketch "
                + narrow
                + ": dimension 8, the text embeddings "
                + path("texts.npy")
                + " have dimension 512");

    Object[] one = cli("stats", "merge", "--output", path("bad-merge"), a);
    assertThat(one[0]).isEqualTo(2);
    assertThat((String) one[1]).contains("Invalid stats merge: 1 input(s) (must be at least 2");
  }
}
