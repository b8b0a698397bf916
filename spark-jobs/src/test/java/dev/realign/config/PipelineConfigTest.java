package dev.realign.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.align.Variant;
import dev.realign.encode.EncoderConfig;
import dev.realign.encode.ExecutionProvider;
import dev.realign.encode.Pooling;
import dev.realign.job.EncodeJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineConfigTest {
  @TempDir Path dir;

  @Test
  void everyKeyIsDeclaredOnceWithTypeDefaultAndDoc() {
    assertThat(ConfigKeys.all()).hasSizeGreaterThan(40);
    assertThat(ConfigKeys.defaults().keySet())
        .containsExactlyElementsOf(ConfigKeys.all().stream().map(ConfigKey::name).toList());
    assertThat(ConfigKeys.docs().keySet()).isEqualTo(ConfigKeys.defaults().keySet());
    PipelineConfig c = PipelineConfig.builder().build();
    for (ConfigKey<?> k : ConfigKeys.all()) {
      assertThat(k.doc()).as(k.name()).isNotBlank();
      assertThat(k.typeName()).as(k.name()).isNotBlank();
      assertThat(c.get(k.name())).as(k.name()).isEqualTo(k.defaultValue());
      assertThat(c.getTyped(k.name(), Object.class))
          .as(k.name())
          .isInstanceOf(k.type())
          .isEqualTo(k.parse(k.defaultValue()));
    }
    assertThat(c.outputMode()).isEqualTo(OutputMode.ERROR);
    assertThat(c.getEnum(ConfigKeys.VARIANT, Variant.class)).isEqualTo(Variant.REALIGN);
    assertThat(c.getDouble(ConfigKeys.MAX_REJECTED_FRACTION)).isEqualTo(0.001);
    assertThat(c.getInt(ConfigKeys.REFINEMENT_ITERATIONS)).isZero();
    assertThat(c.getLong(ConfigKeys.DEMO_SEED)).isEqualTo(20_260_207L);
    assertThat(c.getBoolean(ConfigKeys.ENCODE_NORMALIZE)).isTrue();
    assertThat(c.getList(ConfigKeys.REPORT_VARIANTS, Variant.class))
        .containsExactly(Variant.ANCHOR, Variant.ANCHOR_TRACE, Variant.REALIGN);
    assertThat(c.getTyped(ConfigKeys.ENCODE_POOLING, Pooling.class)).isEqualTo(Pooling.AUTO);
    assertThat(c.getEnum(ConfigKeys.ENCODE_PROVIDER, ExecutionProvider.class))
        .isEqualTo(ExecutionProvider.CPU);
  }

  @Test
  void aDeclarationWhoseDefaultBreaksItsOwnRuleFailsAtOnce() {
    assertThatThrownBy(() -> ConfigKey.integer("x.iterations", 17, 0, 16, "doc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value for x.iterations: \"17\" (must be an integer in [0, 16])");
  }

  @Test
  void laterSourcesWinInTheDocumentedOrder() throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(
        file,
        "fit:\n  variant: anchor\n  refinement_iterations: 1\ninput:\n"
            + "  split_rows: 10\n  partitions: 3\noutput:\n  dir: /from-file\n");
    Map<String, String> spark =
        Map.of(
            "spark.realign.input.split_rows",
            "20",
            "spark.executor.memory",
            "1g",
            "spark.realign.output.dir",
            "/from-spark",
            "spark.realign.fit.refinement_iterations",
            "2");
    PipelineConfig c =
        PipelineConfig.builder().file(file).sparkConf(spark).set("output.dir", "/from-cli").build();
    assertThat(c.get(ConfigKeys.OUTPUT_MODE)).as("default").isEqualTo("error");
    assertThat(c.getInt(ConfigKeys.PARTITIONS)).as("file over default").isEqualTo(3);
    assertThat(c.getEnum(ConfigKeys.VARIANT, Variant.class)).as("file").isEqualTo(Variant.ANCHOR);
    assertThat(c.getInt(ConfigKeys.SPLIT_ROWS)).as("spark conf over file").isEqualTo(20);
    assertThat(c.getInt(ConfigKeys.REFINEMENT_ITERATIONS)).as("spark conf over file").isEqualTo(2);
    assertThat(c.get(ConfigKeys.OUTPUT_DIR)).as("command line over all").isEqualTo("/from-cli");

    // The command line also beats a bad value of an earlier layer: values are checked once, on
    // the resolved result.
    PipelineConfig fixed =
        PipelineConfig.builder()
            .file(file)
            .sparkConf(Map.of("spark.realign.fit.refinement_iterations", "99"))
            .set(ConfigKeys.REFINEMENT_ITERATIONS, "4")
            .build();
    assertThat(fixed.getInt(ConfigKeys.REFINEMENT_ITERATIONS)).isEqualTo(4);
  }

  @Test
  void unknownKeysFailNamingTheKnownOnes() throws Exception {
    assertThatThrownBy(() -> PipelineConfig.builder().set("fit.varient", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid config key: fit.varient (must be one of [")
        .hasMessageContaining("fit.variant");
    assertThatThrownBy(
            () -> PipelineConfig.builder().sparkConf(Map.of("spark.realign.fit.varient", "anchor")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid config key: fit.varient");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "output:\n  dri: x\n");
    assertThatThrownBy(() -> PipelineConfig.builder().file(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid config key: output.dri")
        .hasMessageEndingWith("[in " + bad + "]");
    assertThatThrownBy(() -> PipelineConfig.builder().build().get("no.such.key"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid config key: no.such.key");
    assertThatThrownBy(() -> PipelineConfig.builder().build().require("output.dir"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Missing config value: output.dir (output directory (required))");
  }

  @Test
  void valuesOfTheWrongTypeFailAtTheConfigCheck() {
    assertBuildFails(
        ConfigKeys.SPLIT_ROWS,
        "many",
        "Invalid value for input.split_rows: \"many\" (must be an integer in [1, 2147483647])");
    assertBuildFails(
        ConfigKeys.MAX_REJECTED_FRACTION,
        "lots",
        "Invalid value for quality.max_rejected_fraction: \"lots\" (must be a number in"
            + " [0.0, 1.0])");
    assertBuildFails(
        ConfigKeys.MAX_REJECTED_FRACTION,
        "NaN",
        "Invalid value for quality.max_rejected_fraction: \"NaN\" (must be a number in"
            + " [0.0, 1.0])");
    assertBuildFails(
        ConfigKeys.REPORT_SPECTRA,
        "1",
        "Invalid value for report.spectra: \"1\" (must be true or false)");
    assertBuildFails(
        ConfigKeys.ENCODE_POOLING,
        "max",
        "Invalid value for encode.pooling: \"max\" (must be auto, mean, cls, output:<name>,"
            + " mean:<output> or cls:<output>)");
  }

  @Test
  void normalizeYesFailsAtTheConfigCheckNamingTheKey() {
    // Before: "yes" passed the config check, then the encoder failed naming "normalize".
    assertBuildFails(
        ConfigKeys.ENCODE_NORMALIZE,
        "yes",
        "Invalid value for encode.normalize: \"yes\" (must be true or false)");
    // What passes the check is what the encoder gets, in canonical form.
    PipelineConfig upper =
        PipelineConfig.builder()
            .set(ConfigKeys.ENCODE_NORMALIZE, " FALSE ")
            .set(ConfigKeys.ENCODE_PROVIDER, "CPU")
            .set(ConfigKeys.ENCODE_POOLING, "CLS")
            .build();
    EncoderConfig e = EncodeJob.encoderConfig(upper, 1);
    assertThat(e.normalize()).isFalse();
    assertThat(e.pooling()).isEqualTo(Pooling.CLS);
  }

  @Test
  void valuesOutOfRangeFailWithTheDeclaredRange() {
    assertBuildFails(
        ConfigKeys.REFINEMENT_ITERATIONS,
        "17",
        "Invalid value for fit.refinement_iterations: \"17\" (must be an integer in [0, 16])");
    assertBuildFails(
        ConfigKeys.REFINEMENT_ITERATIONS,
        "-1",
        "Invalid value for fit.refinement_iterations: \"-1\" (must be an integer in [0, 16])");
    assertBuildFails(
        ConfigKeys.SPLIT_ROWS,
        "0",
        "Invalid value for input.split_rows: \"0\" (must be an integer in [1, 2147483647])");
    assertBuildFails(
        ConfigKeys.SPLIT_ROWS,
        "3000000000",
        "Invalid value for input.split_rows: \"3000000000\" (must be an integer in"
            + " [1, 2147483647])");
    assertBuildFails(
        ConfigKeys.MAX_REJECTED_FRACTION,
        "1.5",
        "Invalid value for quality.max_rejected_fraction: \"1.5\" (must be a number in"
            + " [0.0, 1.0])");
    assertBuildFails(
        ConfigKeys.ENCODE_MAX_LENGTH,
        "-1",
        "Invalid value for encode.max_length: \"-1\" (must be an integer in [0, 1000000])");
    assertThat(
            PipelineConfig.builder()
                .set(ConfigKeys.REFINEMENT_ITERATIONS, "16")
                .build()
                .getInt(ConfigKeys.REFINEMENT_ITERATIONS))
        .isEqualTo(16);
    assertThat(
            PipelineConfig.builder()
                .set(ConfigKeys.SPLIT_ROWS, "65_536")
                .build()
                .getInt(ConfigKeys.SPLIT_ROWS))
        .isEqualTo(65_536);
  }

  @Test
  void badEnumValuesFailListingTheChoices() {
    assertBuildFails(
        ConfigKeys.OUTPUT_MODE,
        "append",
        "Invalid value for output.mode: \"append\" (must be one of [error, overwrite, resume])");
    assertBuildFails(
        ConfigKeys.VARIANT,
        "whitening",
        "Invalid value for fit.variant: \"whitening\" (must be one of [anchor, anchor-trace,"
            + " realign])");
    assertBuildFails(
        ConfigKeys.ENCODE_PROVIDER,
        "tpu",
        "Invalid value for encode.execution_provider: \"tpu\" (must be one of [cpu, cuda, tensorrt])");
    assertBuildFails(
        ConfigKeys.TEXT_FORMAT,
        "csv",
        "Invalid value for input.text.format: \"csv\" (must be one of [auto, npy, parquet])");
    assertBuildFails(
        ConfigKeys.ENCODE_FORMAT,
        "xml",
        "Invalid value for encode.format: \"xml\" (must be one of [auto, jsonl, text,"
            + " parquet])");
    assertBuildFails(
        ConfigKeys.REPORT_VARIANTS,
        "anchor,whitening",
        "Invalid value for report.variants: \"anchor,whitening\" (must be a comma-separated list"
            + " of [anchor, anchor-trace, realign])");
    assertThat(PipelineConfig.builder().set(ConfigKeys.OUTPUT_MODE, "Resume").build().outputMode())
        .isEqualTo(OutputMode.RESUME);
    assertThat(
            PipelineConfig.builder()
                .set(ConfigKeys.REPORT_VARIANTS, "realign, ,anchor")
                .build()
                .getList(ConfigKeys.REPORT_VARIANTS, Variant.class))
        .containsExactly(Variant.REALIGN, Variant.ANCHOR);

    assertThatThrownBy(() -> OutputMode.fromString("append"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid output mode: append (must be one of [error, overwrite, resume])");
    assertThatThrownBy(() -> Modality.fromString("txt"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid modality: txt (must be one of [text, image])");
    assertThat(Modality.fromString("image").pathKey()).isEqualTo(ConfigKeys.IMAGE_EMBEDDINGS);
    assertThat(Modality.TEXT.formatKey()).isEqualTo(ConfigKeys.TEXT_FORMAT);
  }

  @Test
  void readingAKeyAsAnotherTypeIsAProgrammingError() {
    PipelineConfig c = PipelineConfig.builder().build();
    assertThatThrownBy(() -> c.getInt(ConfigKeys.MAX_REJECTED_FRACTION))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Config key quality.max_rejected_fraction is declared as double (Double),"
                + " read as Integer");
    assertThatThrownBy(() -> c.getEnum(ConfigKeys.OUTPUT_MODE, Variant.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("declared as enum (OutputMode), read as Variant");
  }

  @SuppressWarnings("deprecation")
  @Test
  void theOlderRangedGettersStillReadThroughTheDeclaration() {
    PipelineConfig c =
        PipelineConfig.builder()
            .set(ConfigKeys.SPLIT_ROWS, "20")
            .set(ConfigKeys.PARTITIONS, "5")
            .build();
    assertThat(c.getInt(ConfigKeys.SPLIT_ROWS, 1, Integer.MAX_VALUE)).isEqualTo(20);
    assertThat(c.getLong(ConfigKeys.PARTITIONS, 0, 1_000_000)).isEqualTo(5L);
    assertThat(c.getDouble(ConfigKeys.MAX_REJECTED_FRACTION, 0, 1)).isEqualTo(0.001);
    assertThatThrownBy(() -> c.getInt(ConfigKeys.SPLIT_ROWS, 1, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value for input.split_rows: \"20\" (must be an integer in [1, 10])");
  }

  @Test
  void intraOpThreadsDefaultsToTheTaskCpusAndSoToTheEncodersOwnDefault() {
    PipelineConfig c = PipelineConfig.builder().build();
    assertThat(c.getInt(ConfigKeys.ENCODE_THREADS)).isZero();
    // spark.task.cpus defaults to 1, the encoder's own default outside a job.
    assertThat(EncodeJob.encoderConfig(c, 1).intraOpThreads())
        .isEqualTo(EncoderConfig.INTRA_OP_THREADS_DEFAULT);
    assertThat(EncodeJob.encoderConfig(c, 4).intraOpThreads()).isEqualTo(4);
    PipelineConfig two = PipelineConfig.builder().set(ConfigKeys.ENCODE_THREADS, "2").build();
    assertThat(EncodeJob.encoderConfig(two, 4).intraOpThreads()).isEqualTo(2);
  }

  /** Each shipped config parses and says what it is there to say (not merely: no exception). */
  @Test
  void theShippedConfigsParse() {
    Path configs = Path.of("..", "configs");
    for (String name : new String[] {"demo.yaml", "local.yaml", "cluster.yaml"}) {
      PipelineConfig c = PipelineConfig.builder().file(configs.resolve(name)).build();
      assertThat(c.asMap()).as(name).containsOnlyKeys(ConfigKeys.defaults().keySet());
    }
    PipelineConfig demo = PipelineConfig.builder().file(configs.resolve("demo.yaml")).build();
    assertThat(demo.getBoolean(ConfigKeys.DEMO_GENERATE)).isTrue();
    assertThat(demo.get(ConfigKeys.DEMO_CAPTIONS)).isEqualTo("6000");
    assertThat(demo.get(ConfigKeys.OUTPUT_MODE)).isEqualTo("overwrite");
    assertThat(demo.get(ConfigKeys.OUTPUT_DIR)).isEqualTo("realign-output/demo");
    PipelineConfig embeddings =
        PipelineConfig.builder().file(configs.resolve("demo-embeddings.yaml")).build();
    assertThat(embeddings.getBoolean(ConfigKeys.DEMO_GENERATE)).isTrue();
    assertThat(embeddings.get(ConfigKeys.DEMO_CAPTIONS)).isEqualTo("0");
    PipelineConfig local = PipelineConfig.builder().file(configs.resolve("local.yaml")).build();
    assertThat(local.get(ConfigKeys.OUTPUT_MODE)).isEqualTo("error");
    assertThat(local.get(ConfigKeys.SPLIT_ROWS)).isEqualTo("65536");
    PipelineConfig cluster = PipelineConfig.builder().file(configs.resolve("cluster.yaml")).build();
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
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fit.min_rows");
  }

  private static void assertBuildFails(String key, String value, String message) {
    assertThatThrownBy(() -> PipelineConfig.builder().set(key, value).build())
        .as(key + "=" + value)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}
