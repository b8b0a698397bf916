package dev.realign.cli;

import dev.realign.job.JobContext;
import java.util.List;

/**
 * One {@code realign <command>}: its name, what it does, the options it reads (for {@code realign
 * <command> --help}) and how it runs.
 *
 * @param summary the lines of {@code realign help} for this command
 * @param options the flags it reads, in the order its help lists them
 * @param action the work in Spark; null for help, config and generate, which need no Spark
 */
record Subcommand(String name, List<String> summary, List<String> options, Action action) {
  /** The work of a command that runs in Spark. */
  @FunctionalInterface
  interface Action {
    void run(JobContext ctx, CommandLine cl);
  }
}
