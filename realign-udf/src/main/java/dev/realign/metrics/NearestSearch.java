package dev.realign.metrics;

import static dev.realign.Checks.checkArgument;

import java.util.stream.IntStream;

/**
 * Exact k nearest rows of some query rows within a set, found in two steps: float32 scores of every
 * query against every row ({@link CandidateScorer}, e.g. a GEMM), then float64 cosines ({@link
 * Cosines#dot}, one fixed summation order) of the candidates only. The candidates of a query are
 * the rows whose float32 score is within {@code 2 e} of its k-th best float32 score, where {@code
 * e} ({@link #errorBound}) bounds {@code |score - cosine|}: every row of the true top k has a score
 * of at least {@code c_k - e}, and the k-th best score is at most {@code c_k + e} ({@code c_k} the
 * k-th best float64 cosine), so no row of the true top k is missed. The result is therefore the
 * float64 top k under {@link Neighbours}' order (ties by lower index), the same bits as an
 * exhaustive float64 search, whatever the scorer, its threads and its summation order.
 */
final class NearestSearch {
  /** Scores held at once: 4 Mi floats (16 MB). */
  private static final int SCORE_BUDGET = 1 << 22;

  private NearestSearch() {}

  /**
   * A bound on {@code |float32 score - float64 cosine|} for unit rows of dimension {@code d}: the
   * rounding of the inputs to float32 ({@code 2u}), a float32 dot product in any order ({@code d u
   * / (1 - d u)}, {@code u = 2^-24}) and the float64 cosine's own error, doubled for margin: {@code
   * (d + 4) 2^-23}.
   */
  static double errorBound(int d) {
    return (d + 4) * 0x1p-23;
  }

  /**
   * The {@code k} nearest rows of {@code set} of query rows {@code 0..q-1} of {@code queries}.
   *
   * @param queries32 {@code queries} rounded to float32 (at least {@code q} rows)
   * @param self when true, query row {@code r} is row {@code r} of {@code set} and is excluded
   * @param set the rows to search, with {@code prepared} its float32 rows in a scorer
   */
  static Neighbours search(
      UnitRows queries,
      float[] queries32,
      int q,
      boolean self,
      UnitRows set,
      CandidateScorer.Prepared prepared,
      int k) {
    int n = set.rows();
    int d = set.dimension();
    checkK(k, n, self);
    checkArgument(
        q >= 0 && q <= queries.rows(),
        "Invalid query count: %s (must be in [0, %s])",
        q,
        queries.rows());
    Neighbours out = Neighbours.empty(q, k);
    double margin = 2 * errorBound(d);
    int block = Math.max(1, Math.min(q, SCORE_BUDGET / Math.max(1, n)));
    float[] scores = new float[block * n];
    for (int q0 = 0; q0 < q; q0 += block) {
      int rowsHere = Math.min(block, q - q0);
      float[] qs = java.util.Arrays.copyOfRange(queries32, q0 * d, (q0 + rowsHere) * d);
      prepared.scores(qs, rowsHere, scores);
      int start = q0;
      forEachChunk(
          rowsHere,
          d,
          (r, c) -> {
            int row = start + r;
            c.collect(scores, r * n, n, self ? row : -1, k, margin);
            c.offerTo(out, queries, row, set);
          });
    }
    return out;
  }

  /**
   * Every float32 score of query rows {@code 0..q-1} against the prepared set, {@code q x n}
   * row-major (kept by the caller to derive the scores of aligned rows, {@link AffineTexts}).
   */
  static float[] allScores(float[] queries32, int q, int d, CandidateScorer.Prepared prepared) {
    float[] out = new float[q * prepared.rows()];
    prepared.scores(java.util.Arrays.copyOf(queries32, q * d), q, out);
    return out;
  }

  /** {@link #search} from the scores of {@link #allScores} (the same neighbours). */
  static Neighbours fromScores(
      UnitRows queries, int q, boolean self, UnitRows set, float[] scores, int k) {
    int n = set.rows();
    int d = set.dimension();
    checkK(k, n, self);
    checkArgument(
        scores.length >= q * n, "Invalid scores: %s (must hold %s x %s)", scores.length, q, n);
    Neighbours out = Neighbours.empty(q, k);
    double margin = 2 * errorBound(d);
    forEachChunk(
        q,
        d,
        (row, c) -> {
          c.collect(scores, row * n, n, self ? row : -1, k, margin);
          c.offerTo(out, queries, row, set);
        });
    return out;
  }

  /** Query rows in chunks of this many, spread over the common pool: one buffer set a chunk. */
  private static final int QUERY_CHUNK = 16;

  /** One query row's work, with its chunk's candidate buffers. */
  private interface QueryWork {
    void run(int row, Candidates candidates);
  }

  /** Runs {@code work} for rows {@code 0..q-1}, chunks of rows on the common pool. */
  private static void forEachChunk(int q, int d, QueryWork work) {
    IntStream.range(0, (q + QUERY_CHUNK - 1) / QUERY_CHUNK)
        .parallel()
        .forEach(
            c -> {
              Candidates candidates = new Candidates(d);
              for (int row = c * QUERY_CHUNK; row < Math.min(q, (c + 1) * QUERY_CHUNK); row++) {
                work.run(row, candidates);
              }
            });
  }

  /** Bounds on the float64 cosines of one query row with every row of a set. */
  interface RowScores {
    /**
     * Fills {@code lower[j]} and {@code upper[j]} for every row j of the set, such that {@code
     * lower[j] <= float64 cosine <= upper[j]}.
     */
    void fill(int query, double[] lower, double[] upper);
  }

  /**
   * {@link #search} from bounds on every pair's cosine: with {@code L} the k-th largest lower bound
   * (at least k rows have a cosine of at least L, so the k-th best cosine is at least L), every row
   * of the true top k has an upper bound of at least L; those rows are re-scored in float64. The
   * same neighbours as an exhaustive float64 search.
   */
  static Neighbours fromRowScores(
      UnitRows queries, int q, boolean self, UnitRows set, RowScores scores, int k) {
    int n = set.rows();
    checkK(k, n, self);
    Neighbours out = Neighbours.empty(q, k);
    // Query rows in chunks, each chunk's buffers allocated once (not two arrays a query).
    int chunk = QUERY_CHUNK;
    IntStream.range(0, (q + chunk - 1) / chunk)
        .parallel()
        .forEach(
            c -> {
              double[] lower = new double[n];
              double[] upper = new double[n];
              Candidates cand = new Candidates(set.dimension());
              for (int row = c * chunk; row < Math.min(q, (c + 1) * chunk); row++) {
                scores.fill(row, lower, upper);
                int skip = self ? row : -1;
                cand.collectAbove(upper, n, skip, kthLargest(lower, n, skip, k));
                cand.offerTo(out, queries, row, set);
              }
            });
    return out;
  }

  /**
   * One query's candidate rows, collected in row order and then re-scored in float64 four at a time
   * ({@link Cosines#dot4}: the same bits as {@link Cosines#dot}, about twice as fast).
   */
  private static final class Candidates {
    private int[] rows = new int[64];
    private int size;
    private final double[] dots = new double[4];

    /** The query's unit row and four candidates' (UnitRows keeps float32 rows and norms). */
    private final double[] query;

    private final double[] four;

    Candidates(int d) {
      query = new double[d];
      four = new double[4 * d];
    }

    /**
     * Keeps the rows {@code j != skip} of one query's float32 scores {@code scores[base, base + n)}
     * that come within {@code margin} of its k-th largest: every row that may be a true neighbour.
     */
    void collect(float[] scores, int base, int n, int skip, int k, double margin) {
      double threshold = kthLargest(scores, base, n, skip, k) - margin;
      clear();
      for (int j = 0; j < n; j++) {
        if (j != skip && scores[base + j] >= threshold) {
          add(j);
        }
      }
    }

    /** Keeps the rows {@code j != skip} with {@code upper[j] >= threshold}. */
    void collectAbove(double[] upper, int n, int skip, double threshold) {
      clear();
      for (int j = 0; j < n; j++) {
        if (upper[j] >= threshold && j != skip) {
          add(j);
        }
      }
    }

    void clear() {
      size = 0;
    }

    void add(int row) {
      if (size == rows.length) {
        rows = java.util.Arrays.copyOf(rows, 2 * size);
      }
      rows[size++] = row;
    }

    /** Offers every candidate with its float64 cosine to query {@code row}'s list. */
    void offerTo(Neighbours out, UnitRows queries, int row, UnitRows set) {
      if (size == 0) {
        return;
      }
      int d = set.dimension();
      queries.rowInto(row, query, 0);
      int i = 0;
      for (; i + 3 < size; i += 4) {
        for (int r = 0; r < 4; r++) {
          set.rowInto(rows[i + r], four, r * d);
        }
        Cosines.dot4(query, 0, four, 0, d, 2 * d, 3 * d, d, dots, 0);
        for (int r = 0; r < 4; r++) {
          out.offer(row, rows[i + r], dots[r]);
        }
      }
      for (; i < size; i++) {
        set.rowInto(rows[i], four, 0);
        out.offer(row, rows[i], Cosines.dot(query, 0, four, 0, d));
      }
    }
  }

  private static void checkK(int k, int n, boolean self) {
    checkArgument(
        k >= 1 && k <= n - (self ? 1 : 0),
        "Invalid k: %s (must be in [1, %s], the" + " number of candidate rows)",
        k,
        n - (self ? 1 : 0));
  }

  /**
   * The k-th largest of {@code s[0 .. n)} leaving out index {@code skip}: a min-heap of the k
   * largest so far, filled from the first k entries; the rest cost one comparison each unless they
   * enter the heap.
   */
  static double kthLargest(double[] s, int n, int skip, int k) {
    double[] heap = new double[k];
    int size = 0;
    int j = 0;
    for (; j < n && size < k; j++) {
      if (j != skip) {
        add(heap, size++, s[j]);
      }
    }
    double top = heap[0];
    for (; j < n; j++) {
      double v = s[j];
      if (v > top && j != skip) {
        top = replaceTop(heap, k, v);
      }
    }
    return heap[0];
  }

  /**
   * {@link #kthLargest(double[], int, int, int)} of the floats {@code s[base .. base + n)}, widened
   * (exactly: the same order and the same k-th value).
   */
  static double kthLargest(float[] s, int base, int n, int skip, int k) {
    double[] heap = new double[k];
    int size = 0;
    int j = 0;
    for (; j < n && size < k; j++) {
      if (j != skip) {
        add(heap, size++, s[base + j]);
      }
    }
    double top = heap[0];
    for (; j < n; j++) {
      double v = s[base + j];
      if (v > top && j != skip) {
        top = replaceTop(heap, k, v);
      }
    }
    return heap[0];
  }

  /** Adds {@code v} to min-heap {@code heap[0 .. size)} as entry {@code size}. */
  private static void add(double[] heap, int size, double v) {
    int i = size;
    heap[i] = v;
    while (i > 0 && heap[(i - 1) >> 1] > heap[i]) {
      double t = heap[i];
      heap[i] = heap[(i - 1) >> 1];
      heap[(i - 1) >> 1] = t;
      i = (i - 1) >> 1;
    }
  }

  /** Replaces the least of min-heap {@code heap[0 .. k)} by {@code v}; returns the new least. */
  private static double replaceTop(double[] heap, int k, double v) {
    heap[0] = v;
    int i = 0;
    while (true) {
      int l = 2 * i + 1;
      int m = i;
      if (l < k && heap[l] < heap[m]) {
        m = l;
      }
      if (l + 1 < k && heap[l + 1] < heap[m]) {
        m = l + 1;
      }
      if (m == i) {
        return heap[0];
      }
      double t = heap[i];
      heap[i] = heap[m];
      heap[m] = t;
      i = m;
    }
  }
}
