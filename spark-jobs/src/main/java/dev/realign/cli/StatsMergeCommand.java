package dev.realign.cli;

import dev.realign.job.ImageStatsJobs;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * {@code realign stats merge --output DIR A B ...}: exact merge of stored sketches (no Spark job: a
 * sketch is a few kilobytes). Each input is a .sketch file, a stats directory or an output
 * directory; errors are thrown as IllegalArgumentException (exit code 2 in the caller).
 */
final class StatsMergeCommand {
  private StatsMergeCommand() {}

  static int run(String[] args) {
    String output = null;
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--output")) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("Invalid argument: --output needs a value");
        }
        output = args[++i];
      } else if (args[i].startsWith("--output=")) {
        output = args[i].substring("--output=".length());
      } else if (args[i].startsWith("--")) {
        throw new IllegalArgumentException(
            "Invalid option for stats merge: "
                + args[i]
                + " (usage: realign stats merge --output DIR A B ...)");
      } else {
        inputs.add(args[i]);
      }
    }
    if (output == null) {
      throw new IllegalArgumentException(
          "Missing --output DIR (usage: realign stats merge" + " --output DIR A B ...)");
    }
    ImageStatsJobs.merge(output, inputs, new Configuration());
    return 0;
  }
}
