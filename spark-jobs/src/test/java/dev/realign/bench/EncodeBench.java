package dev.realign.bench;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.realign.encode.EncodeResult;
import dev.realign.encode.EncoderConfig;
import dev.realign.encode.OnnxTextEncoder;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Texts/s of the default model on generated captions, in one JVM side by side: langchain4j's {@code
 * AllMiniLmL6V2EmbeddingModel.embedAll} (its own thread pool, one text per ONNX call), and {@link
 * OnnxTextEncoder} at several batch sizes, with length sorting within chunks of {@value #CHUNK}
 * texts: one caller with {@code intra_op_threads} = cores, and (as Spark's local[cores] runs it)
 * one caller per core with {@code intra_op_threads} = 1 sharing one session.
 *
 * <p>Arguments: {@code [captions=20000] [sweepCaptions=captions] [batch sizes=16,32,64,128,256]}.
 * Run with {@code spark-jobs/bench/run-encode-bench.sh}.
 */
public final class EncodeBench {
  static final int CHUNK = 4096;

  static List<String> corpusTexts(String path) throws Exception {
    List<String> texts = new java.util.ArrayList<>();
    dev.realign.source.CorpusReader reader = dev.realign.source.CorpusReader.defaults();
    for (dev.realign.source.CorpusFile f : dev.realign.source.CorpusFiles.list(path)) {
      try (dev.realign.source.CorpusReader.Records r = reader.open(f)) {
        while (r.hasNext()) {
          dev.realign.source.CorpusRecord rec = r.next();
          if (!rec.isRejected()) {
            texts.add(rec.text());
          }
        }
      }
    }
    return texts;
  }

  /**
   * {@code marginal <small corpus> <big corpus>}: langchain4j embedAll and in-process
   * OnnxTextEncoder (one caller per core, 1 intra-op thread each, as Spark's local[cores] runs
   * tasks) on the small then the big corpus, after a warm-up; prints one line per system and size:
   * {@code MARGINAL <system> <texts> <wall s> <cpu s>}, from which run-encode-onefile.sh takes the
   * marginal rate (big - small texts) / (big - small seconds), startup excluded.
   */
  static void marginal(String small, String big) throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    List<String> a = corpusTexts(small);
    List<String> b = corpusTexts(big);
    AllMiniLmL6V2EmbeddingModel l4j = new AllMiniLmL6V2EmbeddingModel();
    l4j.embedAll(a.subList(0, Math.min(256, a.size())).stream().map(TextSegment::from).toList());
    for (List<String> texts : List.of(a, b)) {
      List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
      long t = System.nanoTime();
      long c = cpuNanos();
      l4j.embedAll(segments);
      report("langchain4j", texts.size(), t, c);
    }
    EncoderConfig perTask = EncoderConfig.bundled().toBuilder().intraOpThreads(1).build();
    OnnxTextEncoder.create(perTask).encode(a.subList(0, Math.min(256, a.size())));
    for (List<String> texts : List.of(a, b)) {
      ExecutorService pool = Executors.newFixedThreadPool(cores);
      long t = System.nanoTime();
      long c = cpuNanos();
      List<Future<?>> futures = new ArrayList<>();
      for (int k = 0; k < cores; k++) {
        int part = k;
        futures.add(
            pool.submit(
                () -> {
                  OnnxTextEncoder enc = OnnxTextEncoder.create(perTask);
                  int from = texts.size() * part / cores;
                  int to = texts.size() * (part + 1) / cores;
                  for (int start = from; start < to; start += CHUNK) {
                    enc.encode(texts.subList(start, Math.min(to, start + CHUNK)));
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      report("onnxruntime-in-process", texts.size(), t, c);
    }
  }

  private static void report(String system, int n, long startNanos, long startCpu) {
    System.out.printf(
        Locale.ROOT,
        "MARGINAL %s %d %.3f %.3f%n",
        system,
        n,
        (System.nanoTime() - startNanos) / 1e9,
        (cpuNanos() - startCpu) / 1e9);
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("marginal")) {
      marginal(args[1], args[2]);
      return;
    }
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int sweepN = args.length > 1 ? Integer.parseInt(args[1]) : n;
    String sizes = args.length > 2 ? args[2] : "16,32,64,128,256";
    int cores = Runtime.getRuntime().availableProcessors();
    // A 4th argument: a corpus (JSONL/text/Parquet file or directory) to read the texts from, so
    // the figures compare with `realign encode` on the very same texts.
    List<String> captions = args.length > 3 ? corpusTexts(args[3]) : Captions.generate(n, 1L);
    n = captions.size();
    sweepN = Math.min(sweepN, n);
    List<String> sweep = captions.subList(0, Math.min(sweepN, n));
    System.out.printf(
        Locale.ROOT, "captions=%d sweep=%d cores=%d chunk=%d%n", n, sweep.size(), cores, CHUNK);

    // langchain4j
    AllMiniLmL6V2EmbeddingModel l4j = new AllMiniLmL6V2EmbeddingModel();
    List<TextSegment> segments = captions.stream().map(TextSegment::from).toList();
    l4j.embedAll(segments.subList(0, 256));
    long t0 = System.nanoTime();
    long c0 = cpuNanos();
    List<Embedding> reference = l4j.embedAll(segments).content();
    double l4jRate = rate(n, t0);
    double l4jCpu = cpuRate(n, c0, cores);
    System.out.printf(
        Locale.ROOT,
        "%-44s: %7.1f texts/s wall, %7.1f per %d CPU-s (%d texts)%n",
        "langchain4j embedAll",
        l4jRate,
        l4jCpu,
        cores,
        n);

    EncoderConfig base = EncoderConfig.bundled().toBuilder().intraOpThreads(cores).build();
    OnnxTextEncoder warm = OnnxTextEncoder.create(base);
    warm.encode(captions.subList(0, 512));
    double worst = 1;
    EncodeResult check = warm.encode(captions.subList(0, 1000));
    for (int i = 0; i < 1000; i++) {
      worst = Math.min(worst, cosine(check.row(i), reference.get(i).vector()));
    }
    System.out.printf(Locale.ROOT, "min cosine vs langchain4j (1000 texts): 1 - %.2e%n", 1 - worst);

    for (String s : sizes.split(",")) {
      int bs = Integer.parseInt(s.trim());
      OnnxTextEncoder enc = OnnxTextEncoder.create(base.toBuilder().batchSize(bs).build());
      enc.encode(sweep.subList(0, Math.min(512, sweep.size())));
      long t = System.nanoTime();
      long c = cpuNanos();
      long tokens = 0;
      long padded = 0;
      for (int start = 0; start < sweep.size(); start += CHUNK) {
        EncodeResult r = enc.encode(sweep.subList(start, Math.min(sweep.size(), start + CHUNK)));
        tokens += r.tokenCount();
        padded += r.paddedTokenCount();
      }
      double ours = rate(sweep.size(), t);
      double oursCpu = cpuRate(sweep.size(), c, cores);
      System.out.printf(
          Locale.ROOT,
          "%-44s: %7.1f texts/s wall, %7.1f per %d CPU-s (%.2fx / %.2fx langchain4j,"
              + " padding %.1f%%)%n",
          "OnnxTextEncoder batch " + bs + ", 1 caller x " + cores + " threads",
          ours,
          oursCpu,
          cores,
          ours / l4jRate,
          oursCpu / l4jCpu,
          100.0 * (padded - tokens) / tokens);
    }

    for (String s : sizes.split(",")) {
      int bs = Integer.parseInt(s.trim());
      EncoderConfig perTask =
          EncoderConfig.bundled().toBuilder().intraOpThreads(1).batchSize(bs).build();
      OnnxTextEncoder.create(perTask).encode(sweep.subList(0, Math.min(256, sweep.size())));
      ExecutorService pool = Executors.newFixedThreadPool(cores);
      long t = System.nanoTime();
      long cpu = cpuNanos();
      List<Future<?>> futures = new ArrayList<>();
      for (int c = 0; c < cores; c++) {
        int part = c;
        futures.add(
            pool.submit(
                () -> {
                  OnnxTextEncoder enc = OnnxTextEncoder.create(perTask);
                  int from = sweep.size() * part / cores;
                  int to = sweep.size() * (part + 1) / cores;
                  for (int start = from; start < to; start += CHUNK) {
                    enc.encode(sweep.subList(start, Math.min(to, start + CHUNK)));
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      double ours = rate(sweep.size(), t);
      double oursCpu = cpuRate(sweep.size(), cpu, cores);
      System.out.printf(
          Locale.ROOT,
          "%-44s: %7.1f texts/s wall, %7.1f per %d CPU-s (%.2fx / %.2fx langchain4j)%n",
          "OnnxTextEncoder batch " + bs + ", " + cores + " callers x 1 thread",
          ours,
          oursCpu,
          cores,
          ours / l4jRate,
          oursCpu / l4jCpu);
    }
  }

  private static double rate(int n, long startNanos) {
    return n / ((System.nanoTime() - startNanos) / 1e9);
  }

  /** CPU time of the whole process (all threads, native ones included), in ns. */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * Texts per second of CPU time, times the cores: what the run would reach with the cores to
   * itself. Robust to other processes on a shared machine, unlike the wall-clock rate.
   */
  private static double cpuRate(int n, long startCpu, int cores) {
    return n / ((cpuNanos() - startCpu) / 1e9) * cores;
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private EncodeBench() {}
}
