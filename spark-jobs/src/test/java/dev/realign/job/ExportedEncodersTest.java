package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.cli.RealignCommand;
import dev.realign.io.Npy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The export scripts of {@code deploy/export/} against {@code realign encode}: {@code
 * make_fixtures.py} exports three tiny models with seeded random weights of the real architectures
 * (HF CLIPTextModelWithProjection, open_clip's text tower, and an LLM2Vec + LLM2CLIP chain in
 * float16 with external data) and the torch models' embeddings of the same texts; the CLI, given
 * only {@code --model} and {@code --tokenizer}, must give the same embeddings, texts longer than
 * the context included. Needs Python with torch, transformers, open-clip-torch, onnx and tokenizers
 * ({@code .ci/run} installs them); without them the test fails, naming what to install.
 */
class ExportedEncodersTest {
  /** The bar: realign vs torch on the same texts. */
  static final double MIN_COSINE = 0.99999;

  static final Path SCRIPT = Path.of("..", "deploy", "export", "tests", "make_fixtures.py");
  static final long FIXTURE_TIMEOUT_S = 300;

  static SparkSession spark;
  @TempDir static Path dir;
  static Path fixtures;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = dir.resolve("export-fixtures");
    String python = System.getenv().getOrDefault("PYTHON", "python3");
    Path log = dir.resolve("make_fixtures.log");
    Process p =
        new ProcessBuilder(python, SCRIPT.toString(), fixtures.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    // Spark starts while Python exports.
    spark = SparkTestSession.start();
    System.setProperty("realign.keep.spark", "true");
    boolean done = p.waitFor(FIXTURE_TIMEOUT_S, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String out = Files.readString(log);
    assertThat(done && p.exitValue() == 0)
        .as(
            "%s %s %s failed (it needs torch, transformers, open-clip-torch, onnx and tokenizers:"
                + " %s -m pip install --index-url file:///opt/pypi/simple --extra-index-url"
                + " file:///opt/pypi-more/simple --find-links /opt/wheels torch transformers"
                + " open-clip-torch onnx tokenizers); its output:%n%s",
            python,
            SCRIPT,
            fixtures,
            python,
            out.length() > 6000 ? out.substring(out.length() - 6000) : out)
        .isTrue();
  }

  @AfterAll
  static void tearDown() {
    System.clearProperty("realign.keep.spark");
    if (spark != null) {
      spark.stop();
    }
  }

  record Cli(int code, String out, String err) {}

  static Cli realign(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int code = RealignCommand.run(args);
      return new Cli(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  static Cli encode(String model, Path out, String... extra) {
    Path m = fixtures.resolve(model);
    String[] base = {
      "encode",
      "--input",
      fixtures.resolve("texts.jsonl").toString(),
      "--output",
      out.toString(),
      "--model",
      m.toString(),
      "--tokenizer",
      m.resolve("tokenizer.json").toString(),
      "--set",
      "progress.interval_seconds=0"
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return realign(args);
  }

  @ParameterizedTest
  @CsvSource({
    "hf_clip, 77, 24, output:text_embeds, float32",
    "open_clip, 77, 24, output:text_embeds, float32",
    "hf_clip_bf16, 77, 24, output:text_embeds, bfloat16",
    "llm2clip_fp16, 64, 1280, output:embedding, float16"
  })
  void onlyModelAndTokenizerGiveTheTorchEmbeddings(
      String model, int context, int dim, String pooling, String dtype) throws IOException {
    Path out = dir.resolve("out-" + model);
    Cli r = encode(model, out);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "context length "
                + context
                + " (the ONNX metadata realign.context_length of "
                + fixtures.resolve(model).resolve("model.onnx"))
        .contains("pooling " + pooling + " (auto: the ONNX metadata realign.pooling)")
        .contains(dtype.equals("float32") ? "float32," : dtype + " widened to float32");

    assertMatchesTorch(model, out, context, dim);
    String manifest = Files.readString(out.resolve("_manifest.json"));
    assertThat(manifest)
        .contains("\"encoder_context_length\" : \"" + context + "\"")
        .contains("\"encoder_pooling\" : \"" + pooling + "\"")
        .contains("\"encoder_output_dtype\" : \"" + dtype + "\"");
  }

  /** Every row's cosine with the torch reference is above {@link #MIN_COSINE}. */
  static void assertMatchesTorch(String model, Path out, int context, int dim) throws IOException {
    float[] ref = Npy.readFloats(fixtures.resolve(model).resolve("reference.npy"));
    List<Row> rows = spark.read().parquet(out.toString()).select("id", "embedding").collectAsList();
    int n = ref.length / dim;
    assertThat(rows).hasSize(n);
    Map<String, float[]> byId = new HashMap<>();
    for (Row row : rows) {
      byId.put(row.getString(0), PipelineFixture.embedding(row));
    }
    List<Integer> tokens =
        List.of(
                Files.readString(fixtures.resolve(model).resolve("reference_tokens.json"))
                    .trim()
                    .replaceAll("[\\[\\]\\s]", "")
                    .split(","))
            .stream()
            .map(Integer::parseInt)
            .toList();
    double min = 1;
    int longer = 0;
    for (int i = 0; i < n; i++) {
      float[] got = byId.get(String.format("t%02d", i));
      assertThat(got).as("row t%02d", i).hasSize(dim);
      double dot = 0;
      for (int j = 0; j < dim; j++) {
        dot += (double) got[j] * ref[i * dim + j];
      }
      min = Math.min(min, dot);
      longer += tokens.get(i) > context ? 1 : 0;
      assertThat(dot).as("cosine of t%02d (%d tokens)", i, tokens.get(i)).isGreaterThan(MIN_COSINE);
    }
    assertThat(longer).as("texts longer than the context").isGreaterThanOrEqualTo(3);
    System.out.printf(
        "%s: %d texts, %d longer than %d tokens, min cosine %.8f%n",
        model, n, longer, context, min);
  }

  @Test
  void aLargerExplicitMaxLengthFailsBeforeAnyTaskNamingBothNumbers() {
    Cli r = encode("hf_clip", dir.resolve("too-long"), "--set", "encode.max_length=107");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("Invalid max_length: 107 (must be <= 77, the context length stated by")
        .doesNotContain("Job aborted");
    assertThat(dir.resolve("too-long").resolve("_manifest.json")).doesNotExist();
  }

  @Test
  void aModelThatFailsAtItsStatedLengthFailsOnTheDriverBeforeAnyTask() {
    Cli r = encode("hf_clip_hidden_limit", dir.resolve("hidden"));
    assertThat(r.code()).isNotZero();
    assertThat(r.err())
        .contains(
            "fails on a batch of 2 texts at its full context length 107 (the ONNX metadata"
                + " realign.context_length of")
        .contains(
            "checked before any task; set max_length to the model's real context length. ONNX"
                + " Runtime failed")
        .contains("77 by 107");
    assertThat(r.out()).doesNotContain("encode: done");
    assertThat(dir.resolve("hidden").resolve("_manifest.json")).doesNotExist();
  }

  @Test
  void cudaWithoutTheGpuBuildFailsBeforeAnyTask() {
    Cli r = encode("hf_clip", dir.resolve("cuda"), "--set", "encode.execution_provider=cuda");
    assertThat(r.code()).isNotZero();
    assertThat(r.err())
        .contains(
            "Invalid execution_provider: cuda (this ONNX Runtime build has no CUDA execution"
                + " provider; it has [CPU")
        .contains("com.microsoft.onnxruntime:onnxruntime_gpu");
    assertThat(dir.resolve("cuda").resolve("_manifest.json")).doesNotExist();
  }

  @Test
  void anLlmChainFromElsewhereNeedsOnlyItsMaxLength() throws IOException {
    // Exported by another tool: no metadata, a RoPE model (no position table), float16 output.
    // LLM2Vec's own max_length (512) is the one setting; the fixture's 64 stands for it here.
    Path out = dir.resolve("out-nometa");
    Cli r = encode("llm2clip_nometa", out, "--set", "encode.max_length=64");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("context length 64 (max_length as set)")
        .contains("pooling output:embedding (auto: the model's pooled output embedding)")
        .contains("float16 widened to float32");
    assertMatchesTorch("llm2clip_nometa", out, 64, 1280);
  }
}
