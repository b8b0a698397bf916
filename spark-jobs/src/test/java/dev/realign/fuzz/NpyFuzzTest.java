package dev.realign.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.io.Npy;
import dev.realign.source.Columns;
import dev.realign.source.EmbeddingFormat;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.source.EmbeddingSplit;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated bytes of small valid {@code .npy} files (float16, float32, float64), read both by {@link
 * Npy} and by the planner and split reader the jobs use. Each outcome is an error naming the file,
 * or exactly what the bytes say: the data of a file whose header describes the clean file's
 * elements and dtype ({@code .npy} has no checksum, so a changed data byte is a changed value, as
 * numpy reads it).
 */
class NpyFuzzTest {
  private static final long SEED = 22_003;
  private static final Configuration CONF = new Configuration();

  @TempDir Path dir;

  @Test
  void mutatedNpyFilesFailNamingTheFileOrReadAsTheirBytesSay() throws Exception {
    Npy.Dtype[] dtypes = Npy.Dtype.values();
    byte[][] clean = new byte[dtypes.length][];
    Npy.Header[] headers = new Npy.Header[dtypes.length];
    for (int k = 0; k < dtypes.length; k++) {
      Path f = dir.resolve("clean-" + k + ".npy");
      double[] v = new double[6 * 4];
      for (int i = 0; i < v.length; i++) {
        v[i] = Math.sin(i + k) * 10;
      }
      Npy.write(f, dtypes[k], v, 6, 4);
      clean[k] = Files.readAllBytes(f);
      headers[k] = Npy.readHeader(f);
    }
    int iterations = Mutator.iterations(600);
    Random rnd = new Random(SEED);
    int errors = 0;
    int read = 0;
    for (int i = 0; i < iterations; i++) {
      int k = rnd.nextInt(dtypes.length);
      byte[] bytes = Mutator.mutate(clean[k], rnd, false);
      Path file = Files.write(dir.resolve("fuzz-" + i % 8 + ".npy"), bytes);
      float[] got;
      int iteration = i;
      try {
        got = Mutator.watched(() -> Npy.readFloats(file), SEED, iteration);
      } catch (Throwable t) {
        Mutator.requireCleanError(t, file.toString(), SEED, i);
        errors++;
        continue;
      }
      Npy.Header h = Npy.readHeader(file);
      String where = "seed " + SEED + " iteration " + i + " " + h;
      assertThat(h.dtype()).as(where).isEqualTo(headers[k].dtype());
      assertThat(h.elements()).as(where).isEqualTo(headers[k].elements());
      assertThat(bits(got)).as(where).isEqualTo(bits(reference(bytes, h)));
      if (h.shape().length == 2) {
        assertThat(bits(Mutator.watched(() -> viaPlanner(file, h), SEED, iteration)))
            .as(where)
            .isEqualTo(bits(got));
      }
      read++;
    }
    System.out.printf(
        "NpyFuzzTest: %d executions, %d errors naming the file, %d read as their bytes say%n",
        iterations, errors, read);
    assertThat(errors + read).isEqualTo(iterations);
  }

  /** The data as numpy reads it: little-endian values from the header's end. */
  private static float[] reference(byte[] bytes, Npy.Header h) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[(int) h.elements()];
    int at = (int) h.dataOffset();
    for (int i = 0; i < out.length; i++) {
      out[i] =
          switch (h.dtype()) {
            case FLOAT32 -> b.getFloat(at + 4 * i);
            case FLOAT64 -> (float) b.getDouble(at + 8 * i);
            case FLOAT16 -> dev.realign.vector.Float16.toFloat(b.getShort(at + 2 * i));
          };
    }
    return out;
  }

  private static float[] viaPlanner(Path file, Npy.Header h) {
    EmbeddingSet set =
        EmbeddingSetPlanner.plan(
            new EmbeddingSetPlanner.Spec(
                "text", file.toUri().toString(), EmbeddingFormat.NPY, null, Columns.DEFAULT, 4, 0),
            CONF);
    int dim = set.dim();
    float[] out = new float[(int) h.elements()];
    int n = 0;
    for (EmbeddingSplit split : set.splits()) {
      RowBatch batch = new RowBatch(dim, 3);
      try (SplitReader r = EmbeddingSetPlanner.open(set, split, false, CONF)) {
        while (r.next(batch)) {
          System.arraycopy(batch.flat, 0, out, n, batch.size * dim);
          n += batch.size * dim;
        }
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static int[] bits(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }
}
