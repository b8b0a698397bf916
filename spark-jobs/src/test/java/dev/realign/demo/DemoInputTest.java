package dev.realign.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.config.PipelineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoInputTest {
  @TempDir Path dir;

  /** Thai digits: a locale where String.format without Locale.ROOT writes other digits. */
  static final Locale THAI_DIGITS = Locale.forLanguageTag("th-TH-u-nu-thai");

  static PipelineConfig demo(Path out, String... kv) {
    PipelineConfig.Builder b =
        PipelineConfig.builder()
            .set("output.dir", out.toString())
            .set("demo.generate", "true")
            .set("demo.image_rows", "40")
            .set("demo.dim", "8")
            .set("demo.files", "2");
    for (int i = 0; i < kv.length; i += 2) {
      b.set(kv[i], kv[i + 1]);
    }
    return b.build();
  }

  static String[] names(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
    }
  }

  @Test
  void theCaptionDemoGeneratesNoTextEmbeddingsAndNamesFilesInAsciiDigits() throws Exception {
    assertThat(String.format(THAI_DIGITS, "%03d", 7)).as("control").isNotEqualTo("007");
    Locale before = Locale.getDefault();
    Locale.setDefault(THAI_DIGITS);
    PipelineConfig c;
    try {
      c = DemoInput.prepare(demo(dir, "demo.captions", "30"));
    } finally {
      Locale.setDefault(before);
    }
    Path in = dir.resolve("demo-input");
    assertThat(in.resolve("text")).doesNotExist();
    assertThat(names(in.resolve("captions")))
        .containsExactly("captions-000.jsonl", "captions-001.jsonl");
    assertThat(names(in.resolve("image"))).containsExactly("image-000.npy", "image-001.npy");
    assertThat(Files.readString(in.resolve("captions/captions-000.jsonl")))
        .contains("\"cap-000000\"");
    assertThat(Files.readString(in.resolve("_params.txt")))
        .startsWith("captions=30 ")
        .doesNotContain("text_rows");
    assertThat(c.get("encode.input")).isEqualTo(in.resolve("captions").toString());
  }

  @Test
  void theEmbeddingDemoGeneratesBothSides() throws Exception {
    PipelineConfig c = DemoInput.prepare(demo(dir, "demo.text_rows", "30"));
    Path in = dir.resolve("demo-input");
    assertThat(names(in.resolve("text"))).containsExactly("text-000.npy", "text-001.npy");
    assertThat(c.get("input.text.path")).isEqualTo(in.resolve("text").toString());
    assertThat(
            DemoInput.prepare(demo(dir.resolve("off"), "demo.generate", "false"))
                .get("input.text.path"))
        .isEmpty();
  }
}
