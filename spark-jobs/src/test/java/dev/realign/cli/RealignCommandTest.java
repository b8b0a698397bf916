package dev.realign.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** The command line without Spark: help, usage errors, and failures in one line. */
class RealignCommandTest {
  record Result(int code, String out, String err) {}

  static Result realign(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int code = RealignCommand.run(args);
      return new Result(
          code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void helpFlagsPrintTheUsageOfEveryCommand() {
    for (String[] args : new String[][] {{}, {"--help"}, {"-h"}, {"help"}}) {
      Result r = realign(args);
      assertThat(r.code()).as(String.join(" ", args)).isZero();
      assertThat(r.err()).isEmpty();
      assertThat(r.out()).startsWith("usage: realign <command> [options]");
      for (Subcommand c : Subcommands.ALL) {
        assertThat(r.out()).contains("\n  " + c.name() + " ");
      }
      assertThat(r.out()).contains("'realign <command> --help' lists the options of a command");
    }
  }

  @Test
  void aCommandsHelpListsItsOwnOptionsWithTheirKeys() {
    for (String[] args :
        new String[][] {
          {"fit", "--help"}, {"fit", "-h"}, {"help", "fit"}, {"fit", "--output", "x", "--help"}
        }) {
      Result r = realign(args);
      assertThat(r.code()).as(String.join(" ", args)).isZero();
      assertThat(r.out())
          .startsWith("usage: realign fit [options]")
          .contains("  --variant           V      anchor | anchor-trace | realign  (fit.variant)")
          .contains("  --mode ")
          .contains("  --set ")
          .doesNotContain("--texts")
          .doesNotContain("--transform");
    }
    assertThat(realign("apply", "--help").out()).contains("  --transform ");
    assertThat(realign("encode", "--help").out())
        .contains("  --input ")
        .contains("(encode.input)")
        .doesNotContain("--variant");
    assertThat(realign("run", "--help").out())
        .contains("  --texts ")
        .contains("  --image-embeddings ");
  }

  @Test
  void usageErrorsAreOneLineWithExitCode2() {
    Result r = realign("fitt");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "realign: error: Invalid command: fitt (must be one of [run,"
                + " encode, stats, fit, apply, report, copy, generate, config, help]; see realign --help)"
                + System.lineSeparator());
    Result bad = realign("config", "--set", "fit.varient=x");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err().lines())
        .hasSize(1)
        .allSatisfy(
            l -> assertThat(l).startsWith("realign: error: Invalid config key: fit.varient"));
  }

  @Test
  void aFailureSaysItsCausesInOneLine() {
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(e, true, StandardCharsets.UTF_8);
    int code =
        RealignCommand.fail(
            new UncheckedIOException(
                "Cannot prepare output directory /x",
                new AccessDeniedException("/x", null, "Permission denied")),
            err);
    assertThat(code).isEqualTo(1);
    assertThat(e.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "realign: failed: Cannot prepare"
                + " output directory /x: /x: Permission denied"
                + System.lineSeparator());
  }

  /** Spark's wrapper (its message holds the task's stack) is skipped; the causes are kept. */
  @Test
  void sparkWrappersAndErrorsGiveOneLineWithoutAStackTrace() {
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(e, true, StandardCharsets.UTF_8);
    Throwable shard =
        new UncheckedIOException(
            new IOException(
                "Cannot write shard"
                    + " part-00001-of-00004.parquet of text split 1 to file:/o/aligned/_staging/"
                    + "part-00001-of-00004.parquet: No space left on device",
                new IOException("No space left on device")));
    int code =
        RealignCommand.fail(
            new SparkException(
                "Job aborted due to stage failure: Task 1"
                    + " in stage 3.0 failed 1 times\n\tat dev.realign.job.ApplyPass.shardOf(ApplyPass.java:1)",
                shard),
            err);
    assertThat(code).isEqualTo(1);
    assertThat(e.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "realign: failed: Cannot write shard"
                + " part-00001-of-00004.parquet of text split 1 to file:/o/aligned/_staging/"
                + "part-00001-of-00004.parquet: No space left on device"
                + System.lineSeparator());

    e.reset();
    assertThat(RealignCommand.fail(new OutOfMemoryError("Java heap space"), err)).isEqualTo(1);
    assertThat(e.toString(StandardCharsets.UTF_8))
        .isEqualTo("realign: failed: Java heap space" + System.lineSeparator());
    e.reset();
    assertThat(RealignCommand.fail(new StackOverflowError(), err)).isEqualTo(1);
    assertThat(e.toString(StandardCharsets.UTF_8))
        .isEqualTo("realign: failed: StackOverflowError" + System.lineSeparator());
  }
}
