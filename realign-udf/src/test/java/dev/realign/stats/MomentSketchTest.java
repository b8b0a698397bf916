package dev.realign.stats;

import static dev.realign.RowFixtures.D;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.realign.RowFixtures;
import dev.realign.RowFixtures.Fixture;
import dev.realign.vector.RowValidator;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Exactness and order independence of {@link MomentSketch}. */
class MomentSketchTest {
  /** Truncation to the 2^-52 fixed-point grid loses less than one unit per component. */
  static final double FIXED_POINT_RESOLUTION = 0x1p-52;

  /** A plain float64 mean of 3,000 unit rows drifts from the exact one by ~n ulps at most. */
  static final double NAIVE_MEAN_TOLERANCE = 1e-13;

  static final double NAIVE_TRACE_TOLERANCE = 1e-12;
  static final int PARTITIONINGS = 120;
  static final int PROPERTY_ROWS = 400;
  static final int PROPERTY_DIM = 24;

  // ---------------------------------------------------------------- order independence

  /** One random partitioning: which row goes into which part, each part's order and add style. */
  static MomentSnapshot sketchPartitioned(float[] flat, int dim, Random rnd) {
    int rows = flat.length / dim;
    List<Integer> order = shuffled(rows, rnd);
    int parts = 1 + rnd.nextInt(12);
    List<List<Integer>> split = splitRandomly(order, parts, rnd);
    List<MomentSnapshot> partSnapshots = new ArrayList<>();
    List<MomentSketch> partSketches = new ArrayList<>();
    for (List<Integer> part : split) {
      MomentSketch s = new MomentSketch(dim);
      int style = rnd.nextInt(3);
      if (style == 0) {
        for (int r : part) {
          assertThat(s.add(Arrays.copyOfRange(flat, r * dim, (r + 1) * dim))).isNull();
        }
      } else if (style == 1) {
        for (int r : part) {
          assertThat(s.add(flat, r * dim)).isNull();
        }
      } else {
        float[] batch = gather(flat, dim, part, 2);
        assertThat(s.addAll(batch, 2 * dim, part.size(), failOnReject())).isEqualTo(part.size());
      }
      if (rnd.nextBoolean()) {
        partSketches.add(s);
      } else {
        partSnapshots.add(s.snapshot());
      }
    }
    // Merge in a random tree: repeatedly merge two random nodes, with a random merge flavour.
    List<Object> nodes = new ArrayList<>();
    nodes.addAll(partSketches);
    nodes.addAll(partSnapshots);
    Collections.shuffle(nodes, rnd);
    while (nodes.size() > 1) {
      Object a = nodes.remove(rnd.nextInt(nodes.size()));
      Object b = nodes.remove(rnd.nextInt(nodes.size()));
      MomentSnapshot sb = snap(b);
      Object merged =
          switch (rnd.nextInt(3)) {
            case 0 -> MomentSnapshot.merge(snap(a), sb);
            case 1 ->
                a instanceof MomentSketch ska
                    ? ska.merge(sb)
                    : MomentSketch.from(snap(a)).merge(sb);
            default ->
                MomentSketch.from(snap(a))
                    .merge(b instanceof MomentSketch skb ? skb : MomentSketch.from(sb));
          };
      nodes.add(nodes.isEmpty() ? merged : (rnd.nextBoolean() ? merged : snap(merged)));
    }
    return snap(nodes.get(0));
  }

  /** The same partitioning with naive float64 sums of the unit rows: the mean's bits. */
  static double[] naiveMeanPartitioned(float[] flat, int dim, Random rnd) {
    int rows = flat.length / dim;
    List<Integer> order = shuffled(rows, rnd);
    List<List<Integer>> split = splitRandomly(order, 1 + rnd.nextInt(12), rnd);
    List<double[]> sums = new ArrayList<>();
    double[] u = new double[dim];
    for (List<Integer> part : split) {
      double[] sum = new double[dim];
      for (int r : part) {
        RowValidator.normalizeInto(flat, r * dim, dim, u);
        for (int j = 0; j < dim; j++) {
          sum[j] += u[j];
        }
      }
      sums.add(sum);
    }
    while (sums.size() > 1) {
      double[] a = sums.remove(rnd.nextInt(sums.size()));
      double[] b = sums.remove(rnd.nextInt(sums.size()));
      for (int j = 0; j < dim; j++) {
        a[j] += b[j];
      }
      sums.add(a);
    }
    double[] mean = sums.get(0);
    for (int j = 0; j < dim; j++) {
      mean[j] /= rows;
    }
    return mean;
  }

  @Test
  void anyPartitioningOrderAndMergeTreeGivesTheSameBits() {
    Random rnd = new Random(20260226L);
    float[] flat = propertyRows(rnd);
    MomentSketch reference = new MomentSketch(PROPERTY_DIM);
    reference.addAll(flat, 0, PROPERTY_ROWS, failOnReject());
    MomentSnapshot expected = reference.snapshot();
    byte[] expectedBytes = SketchCodec.encode(expected);
    for (int p = 0; p < PARTITIONINGS; p++) {
      MomentSnapshot actual = sketchPartitioned(flat, PROPERTY_DIM, rnd);
      assertThat(actual).as("partitioning %s", p).isEqualTo(expected);
      assertThat(SketchCodec.encode(actual))
          .as("codec bytes of partitioning %s", p)
          .isEqualTo(expectedBytes);
      assertThat(bits(actual.mean()))
          .as("mean bits, partitioning %s", p)
          .isEqualTo(bits(expected.mean()));
      assertThat(Double.doubleToRawLongBits(actual.trace()))
          .isEqualTo(Double.doubleToRawLongBits(expected.trace()));
    }
  }

  /** Guards the property test: with plain double sums the same partitionings disagree. */
  @Test
  void aNaiveDoubleSumDiffersOnTheSamePartitionings() {
    Random rnd = new Random(20260226L);
    float[] flat = propertyRows(rnd);
    double[] first = naiveMeanPartitioned(flat, PROPERTY_DIM, rnd);
    int differing = 0;
    for (int p = 1; p < PARTITIONINGS; p++) {
      if (!Arrays.equals(bits(first), bits(naiveMeanPartitioned(flat, PROPERTY_DIM, rnd)))) {
        differing++;
      }
    }
    assertThat(differing).as("partitionings whose naive mean differs in some bit").isPositive();
  }

  @Test
  void mergeOfTwoSketchesIsTheSketchOfTheUnion() {
    Random rnd = new Random(5);
    for (int t = 0; t < 20; t++) {
      int na = rnd.nextInt(50);
      int nb = rnd.nextInt(50);
      float[] a = RowFixtures.randomRows(rnd, na, 7);
      float[] b = RowFixtures.randomRows(rnd, nb, 7);
      float[] union = new float[a.length + b.length];
      System.arraycopy(b, 0, union, 0, b.length);
      System.arraycopy(a, 0, union, b.length, a.length);
      assertThat(MomentSnapshot.merge(sketch(a, 7), sketch(b, 7))).isEqualTo(sketch(union, 7));
      assertThat(MomentSnapshot.merge(sketch(a, 7), MomentSnapshot.empty(7)))
          .isEqualTo(sketch(a, 7));
    }
  }

  // ---------------------------------------------------------------- fixtures

  @Test
  void everyFixtureIsAddedOrRejectedWithItsReasonAndLeavesRejectsOut() {
    for (Fixture f : RowFixtures.ALL) {
      MomentSketch s = new MomentSketch(D);
      assertThat(s.add(f.row())).as(f.name()).isEqualTo(f.reason());
      MomentSnapshot snap = s.snapshot();
      if (f.valid()) {
        assertThat(snap.count()).as(f.name()).isEqualTo(1);
        double[] mean = snap.mean();
        for (int j = 0; j < D; j++) {
          assertThat(mean[j])
              .as("%s component %s", f.name(), j)
              .isCloseTo(f.unit()[j], within(FIXED_POINT_RESOLUTION));
        }
      } else {
        assertThat(snap).as(f.name()).isEqualTo(MomentSnapshot.empty(D));
      }
    }
  }

  @Test
  void addAllReportsEveryBadRowWithItsIndexAndReason() {
    List<Fixture> bad = RowFixtures.badInBatch();
    float[] flat = new float[(2 * bad.size() + 1) * D];
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < bad.size(); i++) {
      flat[(2 * i) * D] = 1; // a good row, then a bad one
      System.arraycopy(bad.get(i).row(), 0, flat, (2 * i + 1) * D, D);
      expected.add((2 * i + 1) + ":" + bad.get(i).reason());
    }
    flat[2 * bad.size() * D + 1] = 1;
    List<String> seen = new ArrayList<>();
    MomentSketch s = new MomentSketch(D);
    int added = s.addAll(flat, 0, 2 * bad.size() + 1, (r, reason) -> seen.add(r + ":" + reason));
    assertThat(seen).containsExactlyElementsOf(expected);
    assertThat(added).isEqualTo(bad.size() + 1);
    assertThat(s.count()).isEqualTo(bad.size() + 1);
  }

  @Test
  void addAllRefusesABatchThatDoesNotFit() {
    MomentSketch s = new MomentSketch(D);
    assertThatThrownBy(() -> s.addAll(new float[7], 0, 2, RejectListener.IGNORE))
        .hasMessageContaining("2 rows x 4")
        .hasMessageContaining("7 floats");
    assertThatThrownBy(() -> s.addAll(new float[8], 0, -1, RejectListener.IGNORE))
        .hasMessageContaining("-1");
  }

  // ---------------------------------------------------------------- n = 0, n = 1

  @Test
  void anEmptySketchHasNoMean() {
    MomentSnapshot empty = new MomentSketch(3).snapshot();
    assertThat(empty.isEmpty()).isTrue();
    assertThat(empty.count()).isZero();
    assertThatThrownBy(empty::mean)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Invalid sketch: count 0 (the mean of no rows is undefined)");
    assertThatThrownBy(empty::trace).hasMessageContaining("count 0");
    assertThatThrownBy(empty::meanSquaredNorm).hasMessageContaining("count 0");
    assertThat(empty).isEqualTo(MomentSnapshot.empty(3));
  }

  @Test
  void oneRowHasItsUnitVectorAsMeanAndNoSpread() {
    Random rnd = new Random(3);
    for (int t = 0; t < 50; t++) {
      int dim = 1 + rnd.nextInt(600);
      float[] row = RowFixtures.randomRows(rnd, 1, dim);
      double[] unit = new double[dim];
      RowValidator.normalizeInto(row, 0, dim, unit);
      MomentSketch s = new MomentSketch(dim);
      s.add(row);
      MomentSnapshot snap = s.snapshot();
      double[] mean = snap.mean();
      for (int j = 0; j < dim; j++) {
        assertThat(mean[j]).isCloseTo(unit[j], within(FIXED_POINT_RESOLUTION));
      }
      // Documented: truncation to the 2^-52 grid leaves a trace of at most a few units of 2^-52
      // (T = mean||y||^2 - ||mu||^2 is clamped at 0 but not rounded away).
      assertThat(snap.trace())
          .as("trace of one row, d = %s", dim)
          .isBetween(0.0, 4 * dim * FIXED_POINT_RESOLUTION);
    }
    // Rows whose unit vector lies on the grid have exactly no spread.
    for (Fixture f : List.of(RowFixtures.ONE_HOT, RowFixtures.HALVES, RowFixtures.MAX_ROW)) {
      MomentSketch s = new MomentSketch(D);
      s.add(f.row());
      assertThat(s.snapshot().trace()).as(f.name()).isZero();
      assertThat(s.snapshot().mean()).containsExactly(f.unit());
    }
  }

  @Test
  void addingAfterASnapshotDoesNotChangeIt() {
    MomentSketch s = new MomentSketch(D);
    s.add(RowFixtures.PYTHAGORAS.row());
    MomentSnapshot before = s.snapshot();
    byte[] bytes = SketchCodec.encode(before);
    double[] mean = before.mean();
    s.add(RowFixtures.ONE_HOT.row());
    s.merge(before);
    assertThat(SketchCodec.encode(before)).isEqualTo(bytes);
    assertThat(before.mean()).containsExactly(mean);
    assertThat(before.count()).isEqualTo(1);
    assertThat(s.count()).isEqualTo(3);
    // mean() hands out copies.
    before.mean()[0] = 42;
    assertThat(before.mean()).containsExactly(mean);
  }

  @Test
  void mergingDifferentDimensionsFailsNamingBoth() {
    MomentSketch a = new MomentSketch(512);
    MomentSketch b = new MomentSketch(768);
    assertThatThrownBy(() -> a.merge(b))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("768")
        .hasMessageContaining("512");
    assertThatThrownBy(() -> MomentSnapshot.merge(a.snapshot(), b.snapshot()))
        .hasMessageContaining("768")
        .hasMessageContaining("512");
  }

  @Test
  void addUnitRefusesNonUnitRows() {
    MomentSketch s = new MomentSketch(2);
    assertThatThrownBy(() -> s.addUnit(new double[] {Double.NaN, 0})).hasMessageContaining("NaN");
    assertThatThrownBy(() -> s.addUnit(new double[] {0, Double.POSITIVE_INFINITY}))
        .hasMessageContaining("Infinity");
    // One check on the squared norm bounds every component: |v| <= sqrt(sum v^2).
    assertThatThrownBy(() -> s.addUnit(new double[] {1.5, 0})).hasMessageContaining("2.25");
    assertThatThrownBy(() -> s.addUnit(new double[] {0, -2})).hasMessageContaining("4.0");
    assertThatThrownBy(() -> s.addUnit(new double[] {1})).hasMessageContaining("length 1");
    // Every component within [-1, 1] but the squared norm is 2: not a unit row. Accepting 1,024
    // of these would overflow the 64-bit block of squared norms (1024 x 2 x 2^52 = 2^63).
    assertThatThrownBy(() -> s.addUnit(new double[] {1, 1})).hasMessageContaining("norm");
    assertThat(s.count()).isZero();
    s.addUnit(new double[] {0.6, -0.8});
    assertThat(s.count()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- block spill, 128-bit carry

  @Test
  void moreThanOneBlockIsStillExact() {
    assertExactAgainstBigInteger(new Random(8), FixedPoint.BLOCK_ROWS * 3 + 17, 9);
  }

  @Test
  void moreThan2To16RowsAreStillExact() {
    assertExactAgainstBigInteger(new Random(9), (1 << 16) + 123, 3);
  }

  /** Unit rows on an axis: each block sums to 2^62, totals pass 2^64 and need the high word. */
  @Test
  void totalsBeyond64BitsCarryIntoTheHighWord() {
    int n = (1 << 16) + 5;
    MomentSketch s = new MomentSketch(3);
    float[] plus = {1, 0, 0};
    float[] minus = {0, -1, 0};
    for (int i = 0; i < n; i++) {
      s.add(plus);
      s.add(minus);
    }
    MomentSnapshot snap = s.snapshot();
    BigInteger unit = BigInteger.ONE.shiftLeft(52);
    assertThat(snap.exactSum(0)).isEqualTo(unit.multiply(BigInteger.valueOf(n)));
    assertThat(snap.exactSum(1)).isEqualTo(unit.multiply(BigInteger.valueOf(-n)));
    assertThat(snap.exactSum(2)).isZero();
    assertThat(snap.exactSum(3)).isEqualTo(unit.multiply(BigInteger.valueOf(2L * n)));
    assertThat(snap.exactSum(0).bitLength()).isGreaterThan(64);
    assertThat(snap.mean()).containsExactly(0.5, -0.5, 0.0);
    assertThat(snap.trace()).isEqualTo(0.5);
    assertThat(snap.meanSquaredNorm()).isEqualTo(1.0);
  }

  @Test
  void fromSnapshotContinuesWhereTheSnapshotStopped() {
    Random rnd = new Random(12);
    float[] a = RowFixtures.randomRows(rnd, 1500, 5);
    float[] b = RowFixtures.randomRows(rnd, 700, 5);
    MomentSketch continued = MomentSketch.from(sketch(a, 5));
    assertThat(continued.count()).isEqualTo(1500);
    continued.addAll(b, 0, 700, failOnReject());
    float[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    assertThat(continued.snapshot()).isEqualTo(sketch(all, 5));
    assertThat(MomentSketch.from(MomentSnapshot.empty(5)).snapshot())
        .isEqualTo(MomentSnapshot.empty(5));
  }

  @Test
  void meanAndTraceMatchADirectFloat64Computation() {
    Random rnd = new Random(13);
    int n = 3000;
    int dim = 16;
    float[] flat = RowFixtures.randomRowsAround(rnd, n, dim, 1.0);
    MomentSnapshot snap = sketch(flat, dim);
    double[] mean = new double[dim];
    double[] u = new double[dim];
    for (int r = 0; r < n; r++) {
      RowValidator.normalizeInto(flat, r * dim, dim, u);
      for (int j = 0; j < dim; j++) {
        mean[j] += u[j] / n;
      }
    }
    double trace = 0;
    for (int r = 0; r < n; r++) {
      RowValidator.normalizeInto(flat, r * dim, dim, u);
      for (int j = 0; j < dim; j++) {
        trace += (u[j] - mean[j]) * (u[j] - mean[j]) / n;
      }
    }
    double[] exact = snap.mean();
    for (int j = 0; j < dim; j++) {
      assertThat(exact[j]).isCloseTo(mean[j], within(NAIVE_MEAN_TOLERANCE));
    }
    assertThat(snap.trace()).isCloseTo(trace, within(NAIVE_TRACE_TOLERANCE));
  }

  // ---------------------------------------------------------------- helpers

  /** Compares the sketch's sums with BigInteger sums of the documented per-value conversion. */
  static void assertExactAgainstBigInteger(Random rnd, int rows, int dim) {
    float[] flat = RowFixtures.randomRowsAround(rnd, rows, dim, 0.5);
    BigInteger[] sums = new BigInteger[dim + 1];
    Arrays.fill(sums, BigInteger.ZERO);
    double[] u = new double[dim];
    for (int r = 0; r < rows; r++) {
      assertThat(RowValidator.normalizeInto(flat, r * dim, dim, u)).isNull();
      for (int j = 0; j < dim; j++) {
        sums[j] = sums[j].add(BigInteger.valueOf((long) (u[j] * 0x1p52)));
      }
      double sq = RowValidator.sumOfSquares(u, dim);
      sums[dim] = sums[dim].add(BigInteger.valueOf((long) (sq * 0x1p52)));
    }
    MomentSnapshot snap = sketch(flat, dim);
    assertThat(snap.count()).isEqualTo(rows);
    for (int j = 0; j <= dim; j++) {
      assertThat(snap.exactSum(j)).as("exact sum %s", j).isEqualTo(sums[j]);
    }
    // And in a random partitioning, still the same.
    assertThat(sketchPartitioned(flat, dim, rnd)).isEqualTo(snap);
  }

  static float[] propertyRows(Random rnd) {
    float[] flat = RowFixtures.randomRowsAround(rnd, PROPERTY_ROWS, PROPERTY_DIM, 0.7);
    // Spread the magnitudes over many orders so rounding of plain sums really depends on order.
    for (int r = 0; r < PROPERTY_ROWS; r++) {
      float m = (float) Math.pow(10, rnd.nextInt(13) - 6);
      for (int j = 0; j < PROPERTY_DIM; j++) {
        flat[r * PROPERTY_DIM + j] *= m;
      }
    }
    return flat;
  }

  static MomentSnapshot sketch(float[] flat, int dim) {
    MomentSketch s = new MomentSketch(dim);
    s.addAll(flat, 0, flat.length / dim, failOnReject());
    return s.snapshot();
  }

  static RejectListener failOnReject() {
    return (row, reason) -> {
      throw new AssertionError("row " + row + " rejected: " + reason);
    };
  }

  static MomentSnapshot snap(Object o) {
    return o instanceof MomentSketch s ? s.snapshot() : (MomentSnapshot) o;
  }

  static List<Integer> shuffled(int n, Random rnd) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    Collections.shuffle(order, rnd);
    return order;
  }

  /** Splits into {@code parts} consecutive pieces at random cut points (pieces may be empty). */
  static List<List<Integer>> splitRandomly(List<Integer> order, int parts, Random rnd) {
    int[] cuts = new int[parts + 1];
    for (int i = 1; i < parts; i++) {
      cuts[i] = rnd.nextInt(order.size() + 1);
    }
    cuts[parts] = order.size();
    Arrays.sort(cuts);
    List<List<Integer>> out = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      out.add(order.subList(cuts[i], cuts[i + 1]));
    }
    return out;
  }

  /** Copies the listed rows into a fresh flat batch after {@code pad} rows of padding. */
  static float[] gather(float[] flat, int dim, List<Integer> rows, int pad) {
    float[] out = new float[(rows.size() + pad) * dim];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(flat, rows.get(i) * dim, out, (i + pad) * dim, dim);
    }
    return out;
  }

  static long[] bits(double[] v) {
    long[] b = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Double.doubleToRawLongBits(v[i]);
    }
    return b;
  }
}
