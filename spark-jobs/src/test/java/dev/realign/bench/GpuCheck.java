package dev.realign.bench;

import dev.realign.encode.EncodeResult;
import dev.realign.encode.EncoderConfig;
import dev.realign.encode.EncoderConfigBuilder;
import dev.realign.encode.ExecutionProvider;
import dev.realign.encode.OnnxTextEncoder;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The GPU check of {@code spark-jobs/bench/gpu-check.sh}: the same captions through the CPU and
 * through a GPU execution provider, in one JVM; every row's cosine must be at least {@value
 * #MIN_COSINE}. Prints texts/s of each (the best of {@code rounds}, after one warm-up pass).
 *
 * <p>Arguments: {@code provider(cuda|tensorrt) device captions batch rounds [model tokenizer]};
 * without a model, the bundled all-MiniLM-L6-v2. Exit code 1 when a cosine is below the bar.
 */
public final class GpuCheck {
  static final double MIN_COSINE = 0.9999;

  private GpuCheck() {}

  public static void main(String[] args) {
    ExecutionProvider provider = ExecutionProvider.parse(args.length > 0 ? args[0] : "cuda");
    int device = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    int n = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 256;
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 2;
    EncoderConfigBuilder b = EncoderConfig.builder();
    if (args.length > 6) {
      b.model(Path.of(args[5])).tokenizer(Path.of(args[6]));
    } else {
      b.bundledModel();
    }
    List<String> texts = Captions.generate(n, 42);
    EncoderConfig cpuConfig =
        b.batchSize(32).intraOpThreads(Runtime.getRuntime().availableProcessors()).build();
    try {
      provider.checkAvailable();
    } catch (IllegalStateException e) {
      System.out.println(e.getMessage());
      System.exit(2);
    }
    EncoderConfig gpuConfig =
        cpuConfig.toBuilder().batchSize(batch).intraOpThreads(1).provider(provider, device).build();
    OnnxTextEncoder cpu = OnnxTextEncoder.create(cpuConfig);
    OnnxTextEncoder gpu = OnnxTextEncoder.create(gpuConfig);
    System.out.println("cpu: " + cpu.describe());
    System.out.println(provider.name().toLowerCase(Locale.ROOT) + ": " + gpu.describe());
    double[] cpuRate = new double[1];
    double[] gpuRate = new double[1];
    EncodeResult c = timed(cpu, texts, rounds, cpuRate);
    EncodeResult g = timed(gpu, texts, rounds, gpuRate);
    int d = c.dimension();
    double min = 1;
    int worst = -1;
    for (int i = 0; i < n; i++) {
      if (!c.embedded(i) || !g.embedded(i)) {
        continue;
      }
      double dot = 0;
      for (int j = 0; j < d; j++) {
        dot += (double) c.embeddings()[i * d + j] * g.embeddings()[i * d + j];
      }
      if (dot < min) {
        min = dot;
        worst = i;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%d captions, d = %d: cpu %.0f texts/s (%d threads), %s device %d %.0f texts/s (batch %d);"
            + " min cosine %.7f (text %d)%n",
        n,
        d,
        cpuRate[0],
        cpuConfig.intraOpThreads(),
        provider.name().toLowerCase(Locale.ROOT),
        device,
        gpuRate[0],
        batch,
        min,
        worst);
    if (min < MIN_COSINE) {
      System.out.printf(Locale.ROOT, "FAIL: min cosine %.7f < %s%n", min, MIN_COSINE);
      System.exit(1);
    }
    System.out.println("OK: every cosine >= " + MIN_COSINE);
  }

  private static EncodeResult timed(
      OnnxTextEncoder e, List<String> texts, int rounds, double[] rate) {
    EncodeResult r = e.encode(texts.subList(0, Math.min(texts.size(), 2_000))); // warm-up
    double best = Double.MAX_VALUE;
    for (int k = 0; k < rounds; k++) {
      long t0 = System.nanoTime();
      r = e.encode(texts);
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    rate[0] = texts.size() / best;
    return r;
  }
}
