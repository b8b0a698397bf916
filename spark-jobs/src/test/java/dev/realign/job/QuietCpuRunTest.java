package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CPU encode prints no GPU lines: DJL's tokenizer loader probes CUDA ({@code
 * ai.djl.util.cuda.CudaUtils}, through {@code Platform.fromSystem}) on every x86 machine and warns
 * "Failed to detect GPU count" where a CUDA runtime is installed without a usable GPU. The
 * launcher's log configuration keeps that logger at ERROR; realign names the GPU itself, and only
 * when {@code encode.execution_provider=cuda} asks for one. The encode runs in a forked JVM, as
 * {@code ./realign} starts it, so the probe happens in it (in this test JVM another test may have
 * made it earlier).
 */
class QuietCpuRunTest {
  @TempDir Path dir;

  @Test
  void aCpuEncodePrintsNoGpuLines() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      lines.add("{\"id\": \"t" + i + "\", \"text\": \"a photo of thing number " + i + "\"}");
    }
    Path input = dir.resolve("texts.jsonl");
    Files.write(input, lines, StandardCharsets.UTF_8);
    String log =
        new ForkedCli(dir)
            .run(
                "encode",
                List.of(),
                List.of(
                    "encode",
                    "--input",
                    input.toString(),
                    "--output",
                    dir.resolve("out").toString(),
                    "--set",
                    "progress.interval_seconds=0"));
    assertThat(dir.resolve("out")).isDirectory();
    assertThat(log.lines().filter(l -> l.matches("(?i).*(cuda|gpu).*")).toList())
        .as("GPU lines in the log of a CPU encode:%n%s", log)
        .isEmpty();
  }
}
