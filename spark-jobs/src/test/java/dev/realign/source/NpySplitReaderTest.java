package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.io.Npy;
import java.nio.file.Path;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .npy split reader gives every row's raw bits in file order, whatever the split and batch
 * boundaries, and across the pieces in which it reads a local file.
 */
class NpySplitReaderTest {
  private static final Configuration CONF = new Configuration();

  @TempDir Path dir;

  /** Reads every split of the file in batches of {@code batchRows}; returns the rows in order. */
  private static float[] readAll(Path file, int splitRows, int batchRows, int dim, long rows) {
    EmbeddingSet set =
        EmbeddingSetPlanner.plan(
            new EmbeddingSetPlanner.Spec(
                "text",
                file.toUri().toString(),
                EmbeddingFormat.NPY,
                null,
                Columns.DEFAULT,
                splitRows,
                0),
            CONF);
    assertThat(set.dim()).isEqualTo(dim);
    assertThat(set.splits()).hasSize((int) ((rows + splitRows - 1) / splitRows));
    float[] out = new float[Math.toIntExact(rows * dim)];
    long seen = 0;
    for (EmbeddingSplit split : set.splits()) {
      RowBatch batch = new RowBatch(dim, batchRows);
      try (SplitReader r = EmbeddingSetPlanner.open(set, split, false, CONF)) {
        while (r.next(batch)) {
          for (int i = 0; i < batch.size; i++) {
            assertThat(batch.rowInFile[i]).isEqualTo(seen);
            assertThat(batch.ids[i]).isEqualTo("vectors-" + seen);
            System.arraycopy(batch.flat, i * dim, out, Math.toIntExact(seen * dim), dim);
            seen++;
          }
        }
      }
    }
    assertThat(seen).isEqualTo(rows);
    return out;
  }

  @Test
  void float32RowsReadBackBitForBitAcrossSplitsBatchesAndReadPieces() {
    int dim = 333; // rows of 1,332 bytes: pieces of 256 KiB end inside rows
    int rows = 1_000;
    float[] v = new float[rows * dim];
    Random rnd = new Random(1);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    v[5] = Float.intBitsToFloat(0x7fc0_0042); // a NaN payload passes through
    v[6] = -0f;
    Path file = dir.resolve("vectors.npy");
    Npy.write(file, v, rows, dim);
    assertThat((long) rows * dim * 4).isGreaterThan(3L * NpySplitReader.PIECE_BYTES);
    for (int[] cut : new int[][] {{rows, 1_000}, {rows, 997}, {301, 64}, {7, 3}}) {
      float[] got = readAll(file, cut[0], cut[1], dim, rows);
      for (int j = 0; j < v.length; j++) {
        if (Float.floatToRawIntBits(got[j]) != Float.floatToRawIntBits(v[j])) {
          throw new AssertionError(
              "split rows "
                  + cut[0]
                  + ", batch rows "
                  + cut[1]
                  + ": element "
                  + j
                  + " is "
                  + got[j]
                  + ", expected "
                  + v[j]);
        }
      }
    }
  }

  @Test
  void float64RowsReadThroughTheFileSystemStreamRoundToTheSameFloats() {
    int dim = 5;
    int rows = 40;
    double[] v = new double[rows * dim];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.sin(i) * 1e3 + 1e-9;
    }
    Path file = dir.resolve("vectors.npy");
    Npy.write(file, Npy.Dtype.FLOAT64, v, rows, dim);
    float[] got = readAll(file, 13, 4, dim, rows);
    for (int j = 0; j < v.length; j++) {
      assertThat(Float.floatToRawIntBits(got[j]))
          .as("element %s", j)
          .isEqualTo(Float.floatToRawIntBits((float) v[j]));
    }
  }

  @Test
  void aDirectoryWithOneCraftedHeaderFailsAtPlanningNamingThatFile() throws Exception {
    // Issue 22: b.npy claiming (-5, 4) made the planner count 10 - 5 = 5 rows; the run then
    // succeeded with a.npy's 10 rows, and b.npy was neither read, refused nor reported.
    Path in = java.nio.file.Files.createDirectories(dir.resolve("in"));
    Npy.write(in.resolve("a.npy"), new float[40], 10, 4);
    Path b = in.resolve("b.npy");
    Npy.write(b, new float[0], 0, 4);
    byte[] bytes = java.nio.file.Files.readAllBytes(b);
    String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    java.nio.file.Files.write(
        b,
        text.replace("(0, 4), }  ", "(-5, 4), } ")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThat(java.nio.file.Files.size(b)).isEqualTo(bytes.length);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                EmbeddingSetPlanner.plan(
                    new EmbeddingSetPlanner.Spec(
                        "text",
                        in.toUri().toString(),
                        EmbeddingFormat.NPY,
                        null,
                        Columns.DEFAULT,
                        1_000,
                        0),
                    CONF))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid .npy file ")
        .hasMessageContaining("b.npy")
        .hasMessageContaining("axis 0 is '-5' (must be an integer >= 0)");
  }
}
