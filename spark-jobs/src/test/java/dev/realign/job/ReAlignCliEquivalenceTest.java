package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.SharedData;
import dev.realign.cli.RealignCommand;
import dev.realign.examples.ReAlignPipelineExample;
import dev.realign.io.Npy;
import dev.realign.io.TransformFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Pipeline example of docs/spark.md (ReAlign fitted, saved, loaded, applied) on COCO-500 gives
 * the transform of {@code realign run} on the same rows, same sha256, and the same aligned vectors
 * bit for bit.
 */
class ReAlignCliEquivalenceTest {
  static final int N = SharedData.Coco.N;
  static final int D = SharedData.Coco.D;
  static SparkSession spark;
  static SharedData.Coco coco;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() {
    System.setProperty("realign.keep.spark", "true");
    spark = SparkTestSession.start();
    coco = SharedData.coco();
    Npy.write(dir.resolve("texts.npy"), coco.texts(), N, D);
    Npy.write(dir.resolve("images.npy"), coco.images(), N, D);
  }

  @AfterAll
  static void tearDown() {
    System.clearProperty("realign.keep.spark");
    spark.stop();
  }

  static Float[] boxed(float[] v, int i) {
    Float[] out = new Float[D];
    for (int j = 0; j < D; j++) {
      out[j] = v[i * D + j];
    }
    return out;
  }

  @Test
  void pipelineExampleMatchesTheCli() throws Exception {
    Path cliOut = dir.resolve("cli");
    int rc = RealignCommand.run(ForkedCli.runArgs(dir, cliOut, 3).toArray(new String[0]));
    assertThat(rc).isZero();
    String cliSha = TransformFiles.read(cliOut.resolve("realign-transform.json")).sha256();

    // The same rows as one DataFrame: ids as the CLI names .npy rows.
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      rows.add(RowFactory.create("texts-" + i, boxed(coco.texts(), i), "text"));
      rows.add(RowFactory.create("images-" + i, boxed(coco.images(), i), "image"));
    }
    Path input = dir.resolve("coco.parquet");
    spark
        .createDataFrame(
            rows,
            new StructType()
                .add("id", DataTypes.StringType)
                .add("embedding", DataTypes.createArrayType(DataTypes.FloatType))
                .add("modality", DataTypes.StringType))
        .repartition(4)
        .write()
        .parquet(input.toString());

    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ReAlignPipelineExample.main(
          new String[] {
            input.toString(),
            dir.resolve("model").toString(),
            dir.resolve("aligned.parquet").toString()
          });
    } finally {
      System.setOut(stdout);
    }
    String printed = captured.toString(StandardCharsets.UTF_8);
    System.out.print(
        "docs/spark.md Pipeline example on COCO-500:\n"
            + printed
            + "realign run on the same rows: transform sha256 "
            + cliSha
            + "\n");
    assertThat(printed).contains("transform sha256 " + cliSha + " (variant realign");
    assertThat(printed).contains("aligned 500 text rows");

    Map<String, float[]> cli = new HashMap<>();
    for (Row r : PipelineFixture.readShards(spark, cliOut)) {
      cli.put(r.getString(r.fieldIndex("id")), PipelineFixture.embedding(r));
    }
    List<Row> ml = spark.read().parquet(dir.resolve("aligned.parquet").toString()).collectAsList();
    assertThat(ml).hasSize(N);
    assertThat(cli).hasSize(N);
    for (Row r : ml) {
      List<Float> v = r.getList(1);
      float[] got = new float[v.size()];
      for (int j = 0; j < got.length; j++) {
        got[j] = v.get(j);
      }
      assertThat(got).as(r.getString(0)).isEqualTo(cli.get(r.getString(0)));
    }
    assertThat(Arrays.equals(cli.get("texts-0"), Arrays.copyOf(coco.texts(), D))).isFalse();
  }

  @Test
  void theSparkPageShowsTheExampleExactlyAsItRuns() throws Exception {
    Path root = dev.realign.docs.RepoRoot.find();
    String source =
        java.nio.file.Files.readString(
            root.resolve(
                "spark-jobs/src/test/java/dev/realign/examples/ReAlignPipelineExample.java"));
    String main =
        source.substring(
            source.indexOf("  public static void main"), source.lastIndexOf("  }\n}") + 4);
    StringBuilder dedented = new StringBuilder();
    for (String line : main.split("\n")) {
      dedented.append(line.isBlank() ? "" : line.substring(2)).append('\n');
    }
    assertThat(java.nio.file.Files.readString(root.resolve("docs/spark.md")))
        .contains(dedented.toString());
  }
}
