package dev.realign.bench;

import dev.realign.align.AlignmentKernel;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.stats.MomentSketch;
import dev.realign.stats.RejectListener;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Single-thread kernel throughput in rows per second (one operation = one row): the exact sketch
 * add, a naive float64 sum doing the same normalisation (the baseline), and the realign apply. GB/s
 * of float32 input = rows/s x d x 4 bytes. Run with {@code realign-udf/bench/run-kernel-bench.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@OperationsPerInvocation(KernelBench.ROWS)
public class KernelBench {
  /** Rows per invocation: a few thousand pre-generated Gaussian rows around a common offset. */
  public static final int ROWS = 4096;

  @Param({"512", "1280"})
  public int d;

  private float[] rows;
  private MomentSketch sketch;
  private double[] naiveSum;
  private AlignmentKernel kernel;
  private float[] out;
  private double[] scratch;
  private float[] unitRows;
  private MomentSketch unitSketch;

  @Setup
  public void setUp() {
    Random rnd = new Random(42);
    rows = new float[ROWS * d];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = (float) (rnd.nextGaussian() + (i % 7 == 0 ? 0.5 : -0.1));
    }
    float[] images = new float[ROWS * d];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) (rnd.nextGaussian() + (i % 5 == 0 ? -0.3 : 0.2));
    }
    sketch = new MomentSketch(d);
    naiveSum = new double[d + 1];
    kernel = ReAlignFitter.fitInMemory(FitOptions.defaults(), rows, images, d).kernel();
    out = new float[ROWS * d];
    scratch = kernel.newScratch();
    unitRows = new float[ROWS * d];
    kernel.applyBatch(rows, 0, ROWS, unitRows, 0, scratch, RejectListener.IGNORE);
    unitSketch = new MomentSketch(d);
  }

  /** (a) The exact sketch: validate, normalise, fixed-point block sums, 128-bit spill. */
  @Benchmark
  public int exactSketchAddAll() {
    return sketch.addAll(rows, 0, ROWS, RejectListener.IGNORE);
  }

  /** (a') The apply pass's sketch of the rows it writes: float32 unit rows, added as they are. */
  @Benchmark
  public MomentSketch exactSketchAddUnitRows() {
    MomentSketch s = unitSketch;
    float[] x = unitRows;
    int dim = d;
    for (int r = 0; r < ROWS; r++) {
      s.addUnit(x, r * dim);
    }
    return s;
  }

  /**
   * (b) The baseline: the same float64 normalisation (x / norm), summed into a plain double[]
   * (components and squared norms, like the sketch), with no exactness.
   */
  @Benchmark
  public double[] naiveDoubleSum() {
    float[] x = rows;
    double[] sum = naiveSum;
    int dim = d;
    for (int r = 0; r < ROWS; r++) {
      int off = r * dim;
      double ss = 0.0;
      for (int j = 0; j < dim; j++) {
        double v = x[off + j];
        ss += v * v;
      }
      if (!Double.isFinite(ss)) {
        continue;
      }
      double norm = Math.sqrt(ss);
      if (norm < 1e-10) {
        continue;
      }
      double sq = 0.0;
      for (int j = 0; j < dim; j++) {
        double u = x[off + j] / norm;
        sum[j] += u;
        sq += u * u;
      }
      sum[dim] += sq;
    }
    return sum;
  }

  /** (c) The fitted realign transform over a flat batch (Anchor+Trace, one centroid step). */
  @Benchmark
  public int realignApplyBatch() {
    return kernel.applyBatch(rows, 0, ROWS, out, 0, scratch, RejectListener.IGNORE);
  }
}
