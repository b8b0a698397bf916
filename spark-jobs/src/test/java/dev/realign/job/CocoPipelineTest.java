package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.SharedData;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.align.ReAlignTransform;
import dev.realign.io.Npy;
import dev.realign.io.TransformFiles;
import dev.realign.sink.ShardManifest;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole Spark pipeline on real CLIP embeddings of 500 COCO pairs, texts and images given as two
 * .npy inputs: equal bit for bit to the single-JVM core, and within 1e-6 of the independent
 * reference file.
 */
class CocoPipelineTest {
  static final double COMPONENT_ABSOLUTE_TOLERANCE = 1e-6;
  static final int N = 500;
  static final int D = 512;

  static SparkSession spark;
  static float[] texts;
  static float[] images;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.start();
    float[] all = Npy.readFloats(SharedData.modalityGap("features_clip.npy"));
    images = Arrays.copyOfRange(all, 0, N * D);
    texts = Arrays.copyOfRange(all, N * D, 2 * N * D);
    Npy.write(dir.resolve("texts.npy"), texts, N, D);
    Npy.write(dir.resolve("images.npy"), images, N, D);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  @Test
  void sparkResultEqualsTheCoreBitForBitAndTheReferenceWithinTolerance() throws Exception {
    Path out = dir.resolve("out");
    AlignPipeline.Outcome o =
        PipelineFixture.run(
            spark,
            PipelineFixture.config(
                dir.resolve("texts.npy"), dir.resolve("images.npy"), out, "input.partitions", "3"));

    ReAlignTransform core = ReAlignFitter.fitInMemory(FitOptions.defaults(), texts, images, D);
    assertThat(o.transform().sha256()).isEqualTo(core.sha256());
    assertThat(TransformFiles.read(out.resolve("realign-transform.json")).sha256())
        .isEqualTo(core.sha256());

    List<Row> rows = PipelineFixture.readShards(spark, out);
    assertThat(rows).hasSize(N);
    float[] reference = Npy.readFloats(SharedData.modalityGap("features_clip_text_realigned.npy"));
    double maxDiff = 0;
    for (int i = 0; i < N; i++) {
      float[] got = PipelineFixture.embedding(rows.get(i));
      float[] exact = core.apply(Arrays.copyOfRange(texts, i * D, (i + 1) * D));
      assertThat(got).as("row %s equals the core's output bit for bit", i).isEqualTo(exact);
      assertThat(rows.get(i).getString(rows.get(i).fieldIndex("id"))).isEqualTo("texts-" + i);
      for (int j = 0; j < D; j++) {
        maxDiff = Math.max(maxDiff, Math.abs(got[j] - reference[i * D + j]));
      }
    }
    assertThat(maxDiff).isLessThanOrEqualTo(COMPONENT_ABSOLUTE_TOLERANCE);

    ShardManifest m = PipelineFixture.manifest(out);
    assertThat(m.rows()).isEqualTo(N);
    assertThat(m.dim()).isEqualTo(D);
    assertThat(m.shards()).hasSize(3);
    assertThat(m.shards().get(0).name()).isEqualTo("part-00000-of-00003.parquet");
    assertThat(m.transformSha256()).isEqualTo(core.sha256());
    assertThat(m.extra().get("centroid_gap_after")).isLessThanOrEqualTo(0.0015);
    assertThat(o.gapBefore())
        .isCloseTo(0.8513518694360871, org.assertj.core.data.Offset.offset(1e-9));
  }
}
