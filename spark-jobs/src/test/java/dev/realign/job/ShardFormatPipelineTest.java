package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.io.Npy;
import dev.realign.sink.ShardManifest;
import dev.realign.source.Columns;
import dev.realign.source.EmbeddingFormat;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.source.EmbeddingSplit;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import dev.realign.vector.Float16;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code output.dtype} and {@code output.parquet.codec} through a whole run on float16 .npy inputs:
 * the manifest says the dtype, float16 shards hold the float32 run's values rounded to half (ties
 * to even) and the transform is the same, and a copy job writes the same format.
 */
class ShardFormatPipelineTest {
  static final int D = 16;
  static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.start();
    for (String m : new String[] {"text", "image"}) {
      float[] rows =
          PipelineFixture.randomRows(
              m.equals("text") ? 3 : 4, 400, D, m.equals("text") ? 2.0 : 1.0);
      double[] wide = new double[rows.length];
      for (int i = 0; i < rows.length; i++) {
        wide[i] = rows[i];
      }
      Npy.write(dir.resolve(m + ".npy"), Npy.Dtype.FLOAT16, wide, 400, D);
    }
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static List<float[]> readVectors(Path aligned) {
    Configuration conf = new Configuration();
    EmbeddingSet set =
        EmbeddingSetPlanner.plan(
            new EmbeddingSetPlanner.Spec(
                "text",
                aligned.toString(),
                EmbeddingFormat.PARQUET,
                null,
                Columns.DEFAULT,
                1 << 20,
                0),
            conf);
    List<float[]> out = new ArrayList<>();
    for (EmbeddingSplit split : set.splits()) {
      RowBatch batch = new RowBatch(set.dim(), 50);
      try (SplitReader r = EmbeddingSetPlanner.open(set, split, false, conf)) {
        while (r.next(batch)) {
          for (int i = 0; i < batch.size; i++) {
            out.add(batch.rawVector(i));
          }
        }
      }
    }
    return out;
  }

  @Test
  void float16ShardsHoldTheFloat32ResultRoundedToHalf() {
    Path f32 = dir.resolve("out-f32");
    Path f16 = dir.resolve("out-f16");
    AlignPipeline.Outcome a =
        PipelineFixture.run(
            spark,
            PipelineFixture.config(
                dir.resolve("text.npy"), dir.resolve("image.npy"), f32, "input.partitions", "3"));
    AlignPipeline.Outcome b =
        PipelineFixture.run(
            spark,
            PipelineFixture.config(
                dir.resolve("text.npy"),
                dir.resolve("image.npy"),
                f16,
                "input.partitions",
                "3",
                "output.dtype",
                "float16",
                "output.parquet.codec",
                "zstd"));
    assertThat(b.transform().sha256()).isEqualTo(a.transform().sha256());
    ShardManifest m32 = PipelineFixture.manifest(f32);
    ShardManifest m16 = PipelineFixture.manifest(f16);
    assertThat(m32.dtype()).isEqualTo("float32");
    assertThat(m16.dtype()).isEqualTo("float16");
    assertThat(m16.rows()).isEqualTo(400);
    List<Row> rows = PipelineFixture.readShards(spark, f32);
    List<float[]> halves = readVectors(f16.resolve("aligned"));
    assertThat(halves).hasSize(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      float[] full = PipelineFixture.embedding(rows.get(i));
      for (int j = 0; j < D; j++) {
        assertThat(halves.get(i)[j])
            .as("row %d component %d", i, j)
            .isEqualTo(Float16.toFloat(Float16.fromFloat(full[j])));
      }
    }
  }

  @Test
  void theCopyJobWritesTheConfiguredFormat() {
    Path out = dir.resolve("out-copy");
    ShardManifest m =
        AlignJobs.copy(
            new JobContext(
                spark,
                PipelineFixture.config(
                    dir.resolve("text.npy"),
                    dir.resolve("image.npy"),
                    out,
                    "output.dtype",
                    "float16",
                    "output.parquet.codec",
                    "snappy")));
    assertThat(m.dtype()).isEqualTo("float16");
    float[] input = Npy.readFloats(dir.resolve("text.npy"));
    List<float[]> back = readVectors(out.resolve("aligned"));
    assertThat(back).hasSize(400);
    for (int i = 0; i < 400; i++) {
      for (int j = 0; j < D; j++) {
        assertThat(back.get(i)[j]).isEqualTo(input[i * D + j]); // halves stay exact
      }
    }
  }
}
