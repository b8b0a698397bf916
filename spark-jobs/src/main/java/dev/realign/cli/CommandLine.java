package dev.realign.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parsed arguments: a command, direct flags mapped to config keys, {@code --set key=value}
 * overrides, and the few flags that are not config ({@code --config}, {@code --transform}).
 */
final class CommandLine {
  /** Direct flags and the config key each one sets. */
  static final Map<String, String> FLAG_KEYS = new LinkedHashMap<>();

  static {
    FLAG_KEYS.put("--text-embeddings", "input.text.path");
    FLAG_KEYS.put("--image-embeddings", "input.image.path");
    FLAG_KEYS.put("--text-metadata", "input.text.metadata");
    FLAG_KEYS.put("--image-metadata", "input.image.metadata");
    FLAG_KEYS.put("--output", "output.dir");
    FLAG_KEYS.put("--mode", "output.mode");
    FLAG_KEYS.put("--variant", "fit.variant");
    FLAG_KEYS.put("--partitions", "input.partitions");
    FLAG_KEYS.put("--master", "spark.master");
    FLAG_KEYS.put("--texts", "encode.input");
    FLAG_KEYS.put("--input", "encode.input");
    FLAG_KEYS.put("--model", "encode.model_path");
    FLAG_KEYS.put("--tokenizer", "encode.tokenizer_path");
    FLAG_KEYS.put("--validation-text", "report.validation.text");
    FLAG_KEYS.put("--validation-image", "report.validation.image");
    FLAG_KEYS.put("--image-stats", "fit.image_stats");
  }

  final String command;

  /** {@code --help}/{@code -h} after a command, or {@code realign help <command>}. */
  boolean help;

  final Map<String, String> overrides = new LinkedHashMap<>();
  String configFile;
  String transform;
  final List<String> rawArgs = new ArrayList<>();

  private CommandLine(String command) {
    this.command = command;
  }

  static CommandLine parse(String[] args) {
    if (args.length == 0 || isHelp(args[0])) {
      return new CommandLine("help");
    }
    if (args[0].equals("help") && args.length > 1) {
      CommandLine c = new CommandLine(args[1]);
      c.help = true;
      return c;
    }
    CommandLine c = new CommandLine(args[0]);
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      c.rawArgs.add(a);
      String value = null;
      String flag = a;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0 && !a.startsWith("--set")) {
        flag = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      if (isHelp(flag)) {
        c.help = true;
        return c;
      }
      if (!flag.startsWith("--")) {
        throw new IllegalArgumentException(
            "Invalid argument: " + a + " (options start with --;" + " see realign --help)");
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("Invalid argument: " + flag + " needs a value");
        }
        value = args[++i];
      }
      switch (flag) {
        case "--config" -> c.configFile = value;
        case "--transform" -> c.transform = value;
        case "--set" -> {
          int e = value.indexOf('=');
          if (e <= 0) {
            throw new IllegalArgumentException("Invalid --set: " + value + " (must be key=value)");
          }
          c.overrides.put(value.substring(0, e).trim(), value.substring(e + 1).trim());
        }
        default -> {
          String key = FLAG_KEYS.get(flag);
          if (key == null) {
            throw new IllegalArgumentException(
                "Invalid option: "
                    + flag
                    + " (must be one of "
                    + List.copyOf(FLAG_KEYS.keySet())
                    + ", --config, --transform, --set)");
          }
          c.overrides.put(key, value);
        }
      }
    }
    return c;
  }

  static boolean isHelp(String arg) {
    return arg.equals("--help") || arg.equals("-h");
  }
}
