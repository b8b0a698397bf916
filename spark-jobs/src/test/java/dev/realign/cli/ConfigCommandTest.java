package dev.realign.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.config.ConfigKey;
import dev.realign.config.ConfigKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code realign config}: every declared key with its value, type, default, range and doc. */
class ConfigCommandTest {

  @Test
  void configListsEveryDeclaredKeyWithTypeDefaultRangeAndDoc() {
    String out = runCapturingStdout("config", "--set", "fit.refinement_iterations=3");
    for (ConfigKey<?> k : ConfigKeys.all()) {
      String value = k.name().equals(ConfigKeys.REFINEMENT_ITERATIONS) ? "3" : k.defaultValue();
      String expected =
          k.name()
              + " = "
              + value
              + "\n    "
              + k.typeName()
              + ", default \""
              + k.defaultValue()
              + "\""
              + (k.allowed().isEmpty() ? "" : ", " + k.allowed())
              + "\n    "
              + k.doc()
              + "\n";
      assertThat(out).as(k.name()).contains(expected);
    }
    assertThat(out)
        .contains(
            "fit.refinement_iterations = 3\n    int, default \"0\"," + " an integer in [0, 16]\n");
    assertThat(out)
        .contains(
            "output.mode = error\n    enum, default \"error\","
                + " one of [error, overwrite, resume]\n");
  }

  private static String runCapturingStdout(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc;
    try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      rc = RealignCommand.run(args);
    } finally {
      System.setOut(old);
    }
    assertThat(rc).as("exit code").isZero();
    return buf.toString(StandardCharsets.UTF_8);
  }
}
