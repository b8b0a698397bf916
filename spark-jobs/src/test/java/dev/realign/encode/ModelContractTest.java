package dev.realign.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the context length and the pooling come from when the user does not set them. */
class ModelContractTest {
  @TempDir Path dir;

  static final String CLIP_TABLE = "text_model.embeddings.position_embedding.weight";

  static OnnxGraphInspector.Limits limits(long positions, Map<String, String> meta) {
    return new OnnxGraphInspector.Limits(
        49408, positions, "W", positions > 0 ? CLIP_TABLE : null, meta);
  }

  Path model() throws IOException {
    Path m = dir.resolve("model.onnx");
    Files.write(m, new byte[] {0});
    return m;
  }

  Path tokenizer(String truncation) throws IOException {
    Path t = dir.resolve("tokenizer.json");
    Files.writeString(
        t, "{\"truncation\": " + truncation + ", \"model\": {\"vocab\": {\"a\": 0}}}");
    return t;
  }

  ModelContract.Settled<Integer> settle(int maxLength, OnnxGraphInspector.Limits l)
      throws IOException {
    return ModelContract.contextLength(
        model().toString(), dir.resolve("tokenizer.json").toString(), maxLength, l);
  }

  @Test
  void unsetLengthTakesTheFirstStatementInOrder() throws IOException {
    tokenizer("{\"max_length\": 128}");
    // Only the position table says something.
    Files.writeString(dir.resolve("tokenizer.json"), "{\"truncation\": null}");
    assertThat(settle(0, limits(77, Map.of())))
        .isEqualTo(
            new ModelContract.Settled<>(
                77, "the position table " + CLIP_TABLE + " of " + dir.resolve("model.onnx")));
    // tokenizer.json's truncation comes before the table ...
    tokenizer("{\"max_length\": 64}");
    assertThat(settle(0, limits(77, Map.of())).value()).isEqualTo(64);
    // ... tokenizer_config.json before that, sentence_bert_config.json before that ...
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 70}");
    assertThat(settle(0, limits(77, Map.of())).value()).isEqualTo(70);
    Files.writeString(dir.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 72}");
    assertThat(settle(0, limits(77, Map.of())).source()).endsWith("max_seq_length");
    // ... and the ONNX metadata first of all.
    assertThat(settle(0, limits(77, Map.of(ModelContract.META_CONTEXT_LENGTH, "75"))))
        .isEqualTo(
            new ModelContract.Settled<>(
                75, "the ONNX metadata realign.context_length of " + dir.resolve("model.onnx")));
  }

  @Test
  void aStatedLengthAboveTheTableIsCutAndNoLimitMeansTheDefault() throws IOException {
    tokenizer("null");
    // tokenizer_config.json's "no limit" (1e30) says nothing.
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 1e30}");
    assertThat(settle(0, limits(-1, Map.of())))
        .isEqualTo(
            new ModelContract.Settled<>(
                EncoderConfig.MAX_LENGTH_DEFAULT,
                "the default of max_length (neither the model nor its tokenizer states a context"
                    + " length)"));
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 512}");
    ModelContract.Settled<Integer> cut = settle(0, limits(77, Map.of()));
    assertThat(cut.value()).isEqualTo(77);
    assertThat(cut.source()).contains("model_max_length (512), cut to 77 by the position table");
  }

  @Test
  void anExplicitLengthAboveAHardLimitFailsNamingBothNumbers() throws IOException {
    tokenizer("null");
    assertThat(settle(77, limits(77, Map.of())).value()).isEqualTo(77);
    assertThatThrownBy(() -> settle(256, limits(77, Map.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid max_length: 256 (must be <= 77, the context length stated by the position"
                + " table "
                + CLIP_TABLE
                + " of "
                + dir.resolve("model.onnx")
                + "; leave it unset to use the model's own)");
    assertThatThrownBy(
            () -> settle(600, limits(-1, Map.of(ModelContract.META_CONTEXT_LENGTH, "512"))))
        .hasMessageStartingWith(
            "Invalid max_length: 600 (must be <= 512, the context length stated by the ONNX"
                + " metadata realign.context_length of");
    // The tokenizer's length is a default, not a limit (the bundled MiniLM says 128, runs 256).
    tokenizer("{\"max_length\": 128}");
    assertThat(settle(256, limits(512, Map.of())).value()).isEqualTo(256);
  }

  @Test
  void aDirectoryIsReadAsItsModelOnnx() throws IOException {
    Path d = Files.createDirectories(dir.resolve("big"));
    Files.write(d.resolve("weights.onnx"), new byte[] {0});
    assertThat(ModelContract.modelFile(d.toString())).isEqualTo(d.resolve("weights.onnx"));
    Files.write(d.resolve("model.onnx"), new byte[] {0});
    assertThat(ModelContract.modelFile(d.toString())).isEqualTo(d.resolve("model.onnx"));
    Path two = Files.createDirectories(dir.resolve("two"));
    Files.write(two.resolve("a.onnx"), new byte[] {0});
    Files.write(two.resolve("b.onnx"), new byte[] {0});
    assertThatThrownBy(() -> ModelContract.modelFile(two.toString()))
        .hasMessage(
            "Invalid model_path: "
                + two
                + " (a directory must hold model.onnx or exactly one .onnx file; found [a.onnx,"
                + " b.onnx])");
  }

  @Test
  void autoPoolingOfATokenOutputIsMaskedMeanAndTheMetadataWins() throws Exception {
    Path m =
        TinyOnnx.write(
            dir.resolve("tok.onnx"),
            8,
            4,
            List.of("input_ids", "attention_mask"),
            "token_vectors",
            false);
    Map<String, NodeInfo> outputs;
    try (OrtSession s = OrtEnvironment.getEnvironment().createSession(m.toString())) {
      outputs = s.getOutputInfo();
    }
    assertThat(ModelContract.pooling(Pooling.AUTO, outputs, limits(-1, Map.of()), m.toString()))
        .isEqualTo(
            new ModelContract.Settled<>(
                new Pooling(Pooling.Kind.MEAN, "token_vectors"),
                "auto: masked mean over the only token output"));
    assertThat(
            ModelContract.pooling(
                    Pooling.AUTO,
                    outputs,
                    limits(-1, Map.of(ModelContract.META_POOLING, "cls:token_vectors")),
                    m.toString())
                .value())
        .isEqualTo(Pooling.parse("cls:token_vectors"));
    assertThat(ModelContract.pooling(Pooling.CLS, outputs, limits(-1, Map.of()), m.toString()))
        .isEqualTo(new ModelContract.Settled<>(Pooling.CLS, "pooling as set"));
  }
}
