package dev.realign.cli;

import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.demo.CaptionCorpus;
import dev.realign.demo.DemoEmbeddings;
import dev.realign.job.AlignJobs;
import dev.realign.job.Console;
import dev.realign.job.JobContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/** {@code realign <command> [options]}: the command line of the whole pipeline. */
public final class RealignCommand {
  static final String USAGE = String.join("\n",
      "usage: realign <command> [options]",
      "",
      "commands:",
      "  run      [encode +] stats + fit + apply [+ report] in one Spark application",
      "           (no options: the demo, configs/demo.yaml, on local Spark)",
      "  encode   texts -> embeddings with an ONNX model (default: bundled all-MiniLM-L6-v2):",
      "           --input PATH --output DIR [--model FILE --tokenizer FILE]",
      "  stats    exact sketches of both modalities -> OUTPUT/stats/",
      "  stats merge --output DIR A B ...   merge stored sketches exactly -> DIR/stats/",
      "  fit      the transform from OUTPUT/stats/ + a centroid pass -> OUTPUT/realign-transform.json",
      "  apply    aligned shards -> OUTPUT/aligned/ (+ _manifest.json, written last)",
      "  report   gap report of OUTPUT: report/report.json and report/report.html",
      "           (also the last step of run; report.* keys, --validation-text/-image)",
      "  copy     benchmark baseline: rewrite the text embeddings unchanged as shards",
      "  generate write the synthetic demo embeddings (demo.* keys) to OUTPUT/demo-input",
      "  config   print every config key with its resolved value and documentation",
      "  help     this text",
      "",
      "options:",
      "  --texts PATH             text corpus to encode first: JSONL, text, Parquet, .gz",
      "                           (encode.input; --input for the encode command)",
      "  --model FILE, --tokenizer FILE   ONNX model + tokenizer.json (encode.model_path, ...)",
      "  --text-embeddings PATH   .npy file/dir or Parquet file/dir   (input.text.path)",
      "  --image-embeddings PATH  same forms                         (input.image.path)",
      "  --text-metadata PATH     ids/texts for .npy texts (Parquet)  (input.text.metadata)",
      "  --image-metadata PATH    ids for .npy images (Parquet)       (input.image.metadata)",
      "  --output DIR             output directory                   (output.dir)",
      "  --mode MODE              error | overwrite | resume          (output.mode)",
      "  --variant V              anchor | anchor-trace | realign     (fit.variant)",
      "  --partitions N           about N input splits               (input.partitions)",
      "  --master URL             Spark master when not spark-submit (spark.master)",
      "  --image-stats SKETCH     fit/run against a stored image sketch (fit.image_stats)",
      "  --transform FILE         apply: the transform to use (default OUTPUT/realign-transform.json)",
      "  --config FILE            a YAML config file",
      "  --set key=value          any config key (repeatable); see 'realign config'",
      "",
      "Config resolves in this order, later wins: built-in defaults, --config FILE,",
      "Spark conf spark.realign.<key>, then the options above and --set.");

  private RealignCommand() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command; returns the process exit code (0 ok, 2 bad usage or input, 1 failure). */
  public static int run(String[] args) {
    try {
      if (args.length > 1 && args[0].equals("stats") && args[1].equals("merge")) {
        return StatsMergeCommand.run(java.util.Arrays.copyOfRange(args, 2, args.length));
      }
      CommandLine cl = CommandLine.parse(args);
      if (cl.command.equals("help")) {
        System.out.println(USAGE);
        return 0;
      }
      PipelineConfig config = resolve(cl);
      if (cl.command.equals("config")) {
        Map<String, String> docs = ConfigKeys.docs();
        new TreeMap<>(config.asMap()).forEach((k, v) -> System.out.printf("%-32s = %s%n    %s%n",
            k, v, docs.get(k)));
        return 0;
      }
      if (cl.command.equals("generate")) {
        withDemoInput(PipelineConfig.builder().setAll(config.asMap())
            .set(ConfigKeys.DEMO_GENERATE, "true").build());
        return 0;
      }
      if (!java.util.List.of("run", "stats", "fit", "apply", "copy", "report", "encode").contains(cl.command)) {
        throw new IllegalArgumentException("Invalid command: " + cl.command
            + " (must be one of [run, encode, stats, fit, apply, report, copy, generate, config, help])");
      }
      config = withDemoInput(config);
      SparkSession spark = JobContext.startSpark(config);
      try {
        JobContext ctx = new JobContext(spark, config);
        switch (cl.command) {
          case "run" -> AlignJobs.run(ctx);
          case "stats" -> AlignJobs.stats(ctx);
          case "fit" -> AlignJobs.fit(ctx);
          case "apply" -> AlignJobs.apply(ctx, cl.transform);
          case "copy" -> AlignJobs.copy(ctx);
          case "encode" -> AlignJobs.encode(ctx);
          case "report" -> AlignJobs.report(ctx);
          default -> throw new IllegalStateException(cl.command);
        }
      } finally {
        if (System.getProperty("realign.keep.spark") == null) {
          spark.stop();
        }
      }
      return 0;
    } catch (IllegalArgumentException e) {
      System.err.println("realign: error: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      // Also Spark's SparkException, which Scala throws without declaring it.
      System.err.println("realign: failed: " + rootMessage(e));
      if (System.getenv("REALIGN_DEBUG") != null) {
        e.printStackTrace();
      }
      return 1;
    }
  }

  /** Layers defaults, the config file, Spark conf and the command line (DESIGN order). */
  static PipelineConfig resolve(CommandLine cl) {
    PipelineConfig.Builder b = PipelineConfig.builder();
    String file = cl.configFile;
    if (file == null && cl.command.equals("run") && cl.rawArgs.isEmpty()) {
      file = demoConfig().toString();
      Console.info("no arguments: running the demo (%s)", file);
    }
    if (file != null) {
      b.file(Path.of(file));
    }
    Map<String, String> spark = new TreeMap<>();
    for (Tuple2<String, String> e : new SparkConf(true).getAll()) {
      spark.put(e._1(), e._2());
    }
    b.sparkConf(spark);
    b.setAll(cl.overrides);
    return b.build();
  }

  static Path demoConfig() {
    String home = System.getProperty("realign.home");
    Path p = Path.of(home != null ? home : ".", "configs", "demo.yaml");
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException("Missing demo config: " + p
          + " (run from the repository root, or pass --config FILE)");
    }
    return p;
  }

  /** For {@code demo.generate}: generates the demo set once and points the inputs at it. */
  static PipelineConfig withDemoInput(PipelineConfig config) {
    if (!config.getBoolean(ConfigKeys.DEMO_GENERATE)) {
      return config;
    }
    Path out = Path.of(config.require(ConfigKeys.OUTPUT_DIR));
    Path dir = out.resolve("demo-input");
    long textRows = config.getLong(ConfigKeys.DEMO_TEXT_ROWS, 1, 100_000_000);
    long imageRows = config.getLong(ConfigKeys.DEMO_IMAGE_ROWS, 1, 100_000_000);
    int dim = config.getInt(ConfigKeys.DEMO_DIM, 1, 65_536);
    int files = config.getInt(ConfigKeys.DEMO_FILES, 1, 1024);
    long seed = config.getLong(ConfigKeys.DEMO_SEED, Long.MIN_VALUE, Long.MAX_VALUE);
    int captions = config.getInt(ConfigKeys.DEMO_CAPTIONS, 0, 10_000_000);
    String params = "text_rows=" + textRows + " image_rows=" + imageRows + " dim=" + dim
        + " files=" + files + " seed=" + seed + " captions=" + captions + " generator=2\n";
    Path marker = dir.resolve("_params.txt");
    try {
      if (!Files.isRegularFile(marker) || !Files.readString(marker).equals(params)) {
        long t0 = System.nanoTime();
        if (captions > 0) {
          CaptionCorpus.generate(dir.resolve("captions"), captions, files, seed);
          DemoEmbeddings.generateImages(dir, imageRows, dim, files, seed);
        } else {
          DemoEmbeddings.generate(dir, textRows, imageRows, dim, files, seed);
        }
        Files.writeString(marker, params);
        Console.info("generated demo embeddings (%s) in %.1f s -> %s", params.trim(),
            (System.nanoTime() - t0) / 1e9, dir);
      } else {
        Console.info("reusing demo embeddings (%s) in %s", params.trim(), dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write demo embeddings under " + dir, e);
    }
    if (captions > 0) {
      Console.info("demo: %,d generated captions are encoded with the bundled model; the image"
          + " side is synthetic (%,d rows at d = %d, the encoder's dimension)", captions,
          imageRows, dim);
      return PipelineConfig.builder().setAll(config.asMap())
          .set(ConfigKeys.TEXTS, dir.resolve("captions").toString())
          .set(ConfigKeys.IMAGE_EMBEDDINGS, dir.resolve("image").toString())
          .set(ConfigKeys.IMAGE_FORMAT, "npy")
          .build();
    }
    return PipelineConfig.builder().setAll(config.asMap())
        .set(ConfigKeys.TEXT_EMBEDDINGS, dir.resolve("text").toString())
        .set(ConfigKeys.IMAGE_EMBEDDINGS, dir.resolve("image").toString())
        .set(ConfigKeys.TEXT_FORMAT, "npy").set(ConfigKeys.IMAGE_FORMAT, "npy")
        .build();
  }

  /** The most specific message of a failure (Spark wraps task exceptions several times). */
  static String rootMessage(Throwable e) {
    Throwable best = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException || t instanceof IllegalStateException
          || t instanceof UncheckedIOException) {
        best = t;
      }
    }
    return best.getMessage() != null ? best.getMessage() : best.toString();
  }
}
