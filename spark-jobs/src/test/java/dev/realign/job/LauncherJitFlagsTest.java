package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The launcher's JIT flags: the forked-CLI tests run with the same ones, and the JVM takes them
 * without a word on standard output (a compile command echoes itself there unless {@code quiet}
 * comes first, which would land in front of a command's own output).
 */
class LauncherJitFlagsTest {
  private static final long TIMEOUT_SECONDS = 60;

  private static Path launcher() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("realign")) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p.resolve("realign");
      }
    }
    throw new IllegalStateException("No ./realign above " + Path.of("").toAbsolutePath());
  }

  @Test
  void theForkedCliRunsWithTheLaunchersJitFlags() throws IOException {
    String script = Files.readString(launcher(), StandardCharsets.UTF_8);
    for (String flag : ForkedCli.JIT) {
      assertThat(script).as("./realign passes %s", flag).contains(flag);
    }
    assertThat(script.indexOf("-XX:CompileCommand=quiet"))
        .as("quiet before the first compile command")
        .isLessThan(script.indexOf("-XX:CompileCommand=MaxNodeLimit"));
  }

  @Test
  void theJvmTakesTheFlagsAndPrintsNothingOnStandardOutput() throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(ForkedCli.JIT);
    cmd.add("-version");
    Process p = new ProcessBuilder(cmd).start();
    byte[] stdout = p.getInputStream().readAllBytes();
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("exit code; stderr:%n%s", stderr).isZero();
    assertThat(new String(stdout, StandardCharsets.UTF_8)).isEmpty();
    assertThat(stderr).doesNotContain("CompileCommand").doesNotContainIgnoringCase("unrecognized");
  }
}
