package dev.realign.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineConfigTest {
  @TempDir Path dir;

  @Test
  void everyKeyHasOneDocumentedDefault() {
    assertThat(ConfigKeys.defaults()).isNotEmpty();
    assertThat(ConfigKeys.docs().keySet()).isEqualTo(ConfigKeys.defaults().keySet());
    ConfigKeys.docs().values().forEach(doc -> assertThat(doc).isNotBlank());
    PipelineConfig c = PipelineConfig.builder().build();
    assertThat(c.get(ConfigKeys.OUTPUT_MODE)).isEqualTo("error");
    assertThat(c.get(ConfigKeys.VARIANT)).isEqualTo("realign");
    assertThat(c.getDouble(ConfigKeys.MAX_REJECTED_FRACTION, 0, 1)).isEqualTo(0.001);
  }

  @Test
  void laterSourcesWinInTheDocumentedOrder() throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "fit:\n  variant: anchor\ninput:\n  split_rows: 10\n"
        + "output:\n  dir: /from-file\n");
    PipelineConfig c = PipelineConfig.builder()
        .file(file)
        .sparkConf(Map.of("spark.realign.input.split_rows", "20", "spark.executor.memory", "1g",
            "spark.realign.output.dir", "/from-spark"))
        .set("output.dir", "/from-cli")
        .build();
    assertThat(c.get("fit.variant")).isEqualTo("anchor");
    assertThat(c.get("input.split_rows")).isEqualTo("20");
    assertThat(c.get("output.dir")).isEqualTo("/from-cli");
  }

  @Test
  void badKeysAndValuesNameTheKeyTheValueAndWhatIsAllowed() throws Exception {
    assertThatThrownBy(() -> PipelineConfig.builder().set("fit.varient", "x"))
        .hasMessageContaining("Invalid config key: fit.varient").hasMessageContaining("fit.variant");
    assertThatThrownBy(() -> PipelineConfig.builder().set("fit.variant", "whitening").build())
        .hasMessageContaining("fit.variant").hasMessageContaining("whitening")
        .hasMessageContaining("[anchor, anchor-trace, realign]");
    assertThatThrownBy(() -> PipelineConfig.builder().set("output.mode", "append").build())
        .hasMessageContaining("[error, overwrite, resume]");
    assertThatThrownBy(() -> PipelineConfig.builder().set("input.split_rows", "0").build())
        .hasMessageContaining("input.split_rows").hasMessageContaining("must be in [1,");
    assertThatThrownBy(() -> PipelineConfig.builder()
        .set("quality.max_rejected_fraction", "lots").build())
        .hasMessageContaining("\"lots\"");
    assertThatThrownBy(() -> PipelineConfig.builder().build().require("output.dir"))
        .hasMessageContaining("Missing config value: output.dir");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "output:\n  dri: x\n");
    assertThatThrownBy(() -> PipelineConfig.builder().file(bad))
        .hasMessageContaining("output.dri").hasMessageContaining(bad.toString());
  }

  /** Each shipped config parses and says what it is there to say (not merely: no exception). */
  @Test
  void theShippedConfigsParse() {
    Path configs = Path.of("..", "configs");
    PipelineConfig demo = PipelineConfig.builder().file(configs.resolve("demo.yaml")).build();
    assertThat(demo.getBoolean(ConfigKeys.DEMO_GENERATE)).isTrue();
    assertThat(demo.get(ConfigKeys.DEMO_CAPTIONS)).isEqualTo("6000");
    assertThat(demo.get(ConfigKeys.OUTPUT_MODE)).isEqualTo("overwrite");
    assertThat(demo.get(ConfigKeys.OUTPUT_DIR)).isEqualTo("realign-output/demo");
    PipelineConfig embeddings = PipelineConfig.builder()
        .file(configs.resolve("demo-embeddings.yaml")).build();
    assertThat(embeddings.getBoolean(ConfigKeys.DEMO_GENERATE)).isTrue();
    assertThat(embeddings.get(ConfigKeys.DEMO_CAPTIONS)).isEqualTo("0");
    PipelineConfig local = PipelineConfig.builder().file(configs.resolve("local.yaml")).build();
    assertThat(local.get(ConfigKeys.OUTPUT_MODE)).isEqualTo("error");
    assertThat(local.get(ConfigKeys.SPLIT_ROWS)).isEqualTo("65536");
    PipelineConfig cluster = PipelineConfig.builder().file(configs.resolve("cluster.yaml"))
        .build();
    assertThat(cluster.get(ConfigKeys.TEXT_EMBEDDINGS)).startsWith("hdfs:///");
    assertThat(cluster.get(ConfigKeys.OUTPUT_DIR)).startsWith("hdfs:///");
    assertThat(cluster.get(ConfigKeys.PROGRESS_INTERVAL)).isEqualTo("30");
  }

  @Test
  void theFaultSeamsAreNotConfigKeys() {
    assertThat(ConfigKeys.defaults().keySet()).noneMatch(k -> k.startsWith("testing."));
    assertThatThrownBy(() -> PipelineConfig.builder().set("testing.fail_apply_split", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid config key: testing.fail_apply_split");
  }

  @Test
  void theFitGuardsHaveTheCoreDefaults() {
    PipelineConfig c = PipelineConfig.builder().build();
    assertThat(c.getLong(ConfigKeys.FIT_MIN_ROWS, 1, Long.MAX_VALUE))
        .isEqualTo(dev.realign.align.FitOptions.MIN_ROWS_DEFAULT);
    assertThat(c.getDouble(ConfigKeys.FIT_MIN_TRACE, 0, 1))
        .isEqualTo(dev.realign.align.FitOptions.MIN_TRACE_DEFAULT);
    assertThatThrownBy(() -> PipelineConfig.builder().set("fit.min_rows", "0").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fit.min_rows");
  }
}
