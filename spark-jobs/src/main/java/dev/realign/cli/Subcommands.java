package dev.realign.cli;

import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.demo.DemoInput;
import dev.realign.job.AlignJobs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Every {@code realign} command with its help, and the one-line help of every option. */
final class Subcommands {
  private Subcommands() {}

  /** Flag -> its help line (the config key it sets is appended from {@link CommandLine}). */
  static final Map<String, String> OPTION_HELP = new LinkedHashMap<>();

  static {
    OPTION_HELP.put("--texts", "PATH   text corpus to encode first: JSONL, text, Parquet, .gz");
    OPTION_HELP.put("--input", "PATH   the text corpus to encode (same forms as --texts)");
    OPTION_HELP.put("--model", "FILE   ONNX model (default: the bundled all-MiniLM-L6-v2)");
    OPTION_HELP.put("--tokenizer", "FILE   tokenizer.json of --model");
    OPTION_HELP.put("--text-embeddings", "PATH   .npy file/dir or Parquet file/dir");
    OPTION_HELP.put("--image-embeddings", "PATH   same forms as --text-embeddings");
    OPTION_HELP.put("--text-metadata", "PATH   ids/texts for .npy texts (Parquet)");
    OPTION_HELP.put("--image-metadata", "PATH   ids for .npy images (Parquet)");
    OPTION_HELP.put("--output", "DIR    output directory");
    OPTION_HELP.put("--mode", "MODE   error | overwrite | resume (when DIR already holds output)");
    OPTION_HELP.put("--variant", "V      anchor | anchor-trace | realign");
    OPTION_HELP.put("--partitions", "N      about N input splits");
    OPTION_HELP.put("--validation-text", "PATH   paired validation texts (embedding set)");
    OPTION_HELP.put("--validation-image", "PATH   paired validation images (embedding set)");
    OPTION_HELP.put(
        "--transform",
        "FILE   the transform to apply (default" + " OUTPUT/realign-transform.json)");
    OPTION_HELP.put(
        "--image-stats",
        "SKETCH fit against a stored image sketch (image.sketch,"
            + " a stats directory or an output directory) instead of reading image embeddings");
    OPTION_HELP.put("--master", "URL    Spark master when not under spark-submit");
    OPTION_HELP.put("--config", "FILE   a YAML config file");
    OPTION_HELP.put("--set", "KEY=VALUE   any config key (repeatable); see 'realign config'");
    OPTION_HELP.put("--help", "       this command's options (also -h)");
  }

  private static final List<String> COMMON = List.of("--master", "--config", "--set", "--help");
  private static final List<String> EMBEDDINGS =
      List.of("--text-embeddings", "--image-embeddings", "--text-metadata", "--image-metadata");

  private static List<String> options(List<String> own, List<String> more) {
    List<String> all = new ArrayList<>(own);
    all.addAll(more);
    all.addAll(COMMON);
    return List.copyOf(all);
  }

  static final List<Subcommand> ALL =
      List.of(
          new Subcommand(
              "run",
              List.of(
                  "[encode +] stats + fit + apply [+ report] in one Spark" + " application",
                  "(no options: the demo, configs/demo.yaml, on local Spark)"),
              options(
                  List.of("--texts", "--model", "--tokenizer"),
                  concat(
                      EMBEDDINGS,
                      List.of("--image-stats", "--output", "--mode", "--variant", "--partitions"))),
              (ctx, cl) -> AlignJobs.run(ctx)),
          new Subcommand(
              "encode",
              List.of(
                  "texts -> embeddings with an ONNX model (default: bundled"
                      + " all-MiniLM-L6-v2)"),
              options(
                  List.of("--input", "--model", "--tokenizer", "--output", "--mode"), List.of()),
              (ctx, cl) -> AlignJobs.encode(ctx)),
          new Subcommand(
              "stats",
              List.of(
                  "exact sketches of both modalities -> OUTPUT/stats/",
                  "'realign stats merge --output DIR A B ...': merge stored sketches exactly ->"
                      + " DIR/stats/"),
              options(EMBEDDINGS, List.of("--image-stats", "--output", "--mode", "--partitions")),
              (ctx, cl) -> AlignJobs.stats(ctx)),
          new Subcommand(
              "fit",
              List.of(
                  "the transform from OUTPUT/stats/ + a centroid pass ->"
                      + " OUTPUT/realign-transform.json"),
              options(
                  List.of("--text-embeddings", "--text-metadata", "--image-stats"),
                  List.of("--output", "--mode", "--variant", "--partitions")),
              (ctx, cl) -> AlignJobs.fit(ctx)),
          new Subcommand(
              "apply",
              List.of("aligned shards -> OUTPUT/aligned/ (+ _manifest.json," + " written last)"),
              options(
                  List.of("--text-embeddings", "--text-metadata"),
                  List.of("--output", "--mode", "--transform", "--partitions")),
              (ctx, cl) -> AlignJobs.apply(ctx, cl.transform)),
          new Subcommand(
              "report",
              List.of(
                  "gap report of OUTPUT: report/report.json and" + " report/report.html",
                  "(also the last step of run; report.* keys)"),
              options(List.of("--output", "--validation-text", "--validation-image"), List.of()),
              (ctx, cl) -> AlignJobs.report(ctx)),
          new Subcommand(
              "copy",
              List.of("benchmark baseline: rewrite the text embeddings unchanged as" + " shards"),
              options(
                  List.of(
                      "--text-embeddings", "--text-metadata", "--output", "--mode", "--partitions"),
                  List.of()),
              (ctx, cl) -> AlignJobs.copy(ctx)),
          new Subcommand(
              "generate",
              List.of("write the demo input (demo.* keys) to" + " OUTPUT/demo-input"),
              options(List.of("--output"), List.of()),
              null),
          new Subcommand(
              "config",
              List.of(
                  "print every config key: resolved value, type, default,"
                      + " allowed values, doc"),
              options(List.of(), List.of()),
              null),
          new Subcommand(
              "help",
              List.of("this text; 'realign <command> --help': that command's" + " options"),
              List.of(),
              null));

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  static Subcommand find(String name) {
    for (Subcommand c : ALL) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "Invalid command: "
            + name
            + " (must be one of "
            + ALL.stream().map(Subcommand::name).toList()
            + "; see realign --help)");
  }

  /** {@code realign help}: every command, then how config resolves. */
  static String usage() {
    StringBuilder b = new StringBuilder("usage: realign <command> [options]\n\ncommands:\n");
    for (Subcommand c : ALL) {
      for (int i = 0; i < c.summary().size(); i++) {
        b.append(
            String.format(Locale.ROOT, "  %-9s%s%n", i == 0 ? c.name() : "", c.summary().get(i)));
      }
    }
    b.append("\n'realign <command> --help' lists the options of a command;")
        .append(
            " 'realign --version' prints the version, git commit and Spark/Scala/Java versions.\n\n")
        .append(resolution());
    return b.toString();
  }

  /** {@code realign <command> --help}: what it does and each option it reads. */
  static String help(Subcommand c) {
    StringBuilder b = new StringBuilder("usage: realign " + c.name() + " [options]\n\n");
    c.summary().forEach(s -> b.append("  ").append(s).append('\n'));
    b.append("\noptions:\n");
    for (String flag : c.options()) {
      String key = CommandLine.FLAG_KEYS.get(flag);
      b.append(
          String.format(
              Locale.ROOT,
              "  %-19s %s%s%n",
              flag,
              OPTION_HELP.get(flag),
              key == null ? "" : "  (" + key + ")"));
    }
    return b.append('\n').append(resolution()).toString();
  }

  private static String resolution() {
    return "Config resolves in this order, later wins: built-in defaults, --config FILE,\n"
        + "Spark conf spark.realign.<key>, then the command's options and --set.\n";
  }

  /** {@code realign config}. */
  static void printConfig(PipelineConfig config) {
    System.out.print(config.describe());
  }

  /** {@code realign generate}. */
  static void generate(PipelineConfig config) {
    DemoInput.prepare(
        PipelineConfig.builder()
            .setAll(config.asMap())
            .set(ConfigKeys.DEMO_GENERATE, "true")
            .build());
  }
}
