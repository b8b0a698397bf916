package dev.realign.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models and files that do not fit, on tiny ONNX models written by {@link TinyOnnx} (an embedding
 * lookup, so mean pooling has a closed form) and the bundled tokenizer.
 */
class EncoderBadInputTest {
  static final int VOCAB = 30522;
  static final int DIM = 4;

  @TempDir Path dir;

  private Path tokenizer() {
    return BundledModel.allMiniLmL6V2().tokenizerPath();
  }

  private EncoderConfigBuilder config(Path model) {
    return EncoderConfig.builder().model(model).tokenizer(tokenizer());
  }

  @Test
  void missingModelFileIsNamed() {
    Path missing = dir.resolve("nope.onnx");
    assertThatThrownBy(() -> OnnxTextEncoder.create(config(missing).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Model file does not exist: " + missing + " (key model_path)");
  }

  @Test
  void missingTokenizerFileIsNamed() throws Exception {
    Path model =
        TinyOnnx.write(
            dir.resolve("m.onnx"),
            VOCAB,
            DIM,
            List.of("input_ids", "attention_mask"),
            "last_hidden_state",
            false);
    Path missing = dir.resolve("tokenizer.json");
    assertThatThrownBy(
            () ->
                OnnxTextEncoder.create(
                    EncoderConfig.builder().model(model).tokenizer(missing).build()))
        .hasMessage("Tokenizer file does not exist: " + missing + " (key tokenizer_path)");
  }

  @Test
  void aFileThatIsNotOnnxIsNamed() throws Exception {
    Path notOnnx = Files.writeString(dir.resolve("model.onnx"), "this is not a model\n");
    assertThatThrownBy(() -> OnnxTextEncoder.create(config(notOnnx).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot load ONNX model " + notOnnx + " (not a valid ONNX model");
    assertThat(OnnxGraphInspector.inspect(notOnnx)).isEqualTo(OnnxGraphInspector.Limits.UNKNOWN);
  }

  @Test
  void aTokenizerFileThatIsNotJsonIsNamed() throws Exception {
    Path model =
        TinyOnnx.write(
            dir.resolve("m.onnx"),
            VOCAB,
            DIM,
            List.of("input_ids", "attention_mask"),
            "last_hidden_state",
            false);
    Path bad = Files.writeString(dir.resolve("tokenizer.json"), "{ not json");
    assertThatThrownBy(
            () ->
                OnnxTextEncoder.create(EncoderConfig.builder().model(model).tokenizer(bad).build()))
        .hasMessageStartingWith("Cannot read tokenizer " + bad);
  }

  @Test
  void meanPoolingIsTheMaskedMeanOfTokenVectors() throws Exception {
    Path model =
        TinyOnnx.write(
            dir.resolve("lookup.onnx"),
            VOCAB,
            DIM,
            List.of("input_ids", "attention_mask"),
            "last_hidden_state",
            false);
    OnnxTextEncoder encoder = OnnxTextEncoder.create(config(model).normalize(false).build());
    assertThat(encoder.dimension()).isEqualTo(DIM);
    // Two texts of different lengths in one batch: the short one is padded, and padding must not
    // count. [CLS]=101, [SEP]=102, "dog"=3899, "a"=1037, "cat"=4937 in the bundled vocabulary.
    EncodeResult r = encoder.encode(List.of("dog", "a dog a cat"));
    assertThat(r.status(0)).isEqualTo(EncodeResult.Status.OK);
    assertMean(r.row(0), 101, 3899, 102);
    assertMean(r.row(1), 101, 1037, 3899, 1037, 4937, 102);
    assertThat(r.tokenCount()).isEqualTo(9);
    assertThat(r.paddedTokenCount()).isEqualTo(12);
  }

  private static void assertMean(float[] row, int... ids) {
    for (int j = 0; j < DIM; j++) {
      double sum = 0;
      for (int id : ids) {
        sum += TinyOnnx.weight(id, j);
      }
      assertThat((double) row[j]).isCloseTo(sum / ids.length, within(1e-6));
    }
  }

  @Test
  void modelWithoutLastHiddenStateFailsForMeanPooling() throws Exception {
    Path model =
        TinyOnnx.write(
            dir.resolve("vectors.onnx"),
            VOCAB,
            DIM,
            List.of("input_ids", "attention_mask"),
            "token_vectors",
            false);
    assertThatThrownBy(() -> OnnxTextEncoder.create(config(model).pooling(Pooling.MEAN).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Model "
                + model
                + " has no output 'last_hidden_state' needed by pooling=mean;"
                + " its outputs are [token_vectors] (choose output:<name> for a pooled output, or"
                + " mean:<name> / cls:<name> for another token-level output)");
    // Naming the token-level output makes it usable.
    OnnxTextEncoder named =
        OnnxTextEncoder.create(config(model).pooling(Pooling.parse("mean:token_vectors")).build());
    assertThat(named.encode(List.of("a dog")).status(0)).isEqualTo(EncodeResult.Status.OK);
  }

  @Test
  void pooledOutputMustBeTwoDimensional() throws Exception {
    Path model =
        TinyOnnx.write(
            dir.resolve("m.onnx"),
            VOCAB,
            DIM,
            List.of("input_ids", "attention_mask"),
            "last_hidden_state",
            false);
    assertThatThrownBy(
            () ->
                OnnxTextEncoder.create(
                    config(model).pooling(Pooling.output("last_hidden_state")).build()))
        .hasMessageContaining(
            "has shape [-1, -1, 4] but pooling=output:last_hidden_state" + " expects [batch, d]");
  }

  @Test
  void modelWhoseInputsDoNotFitListsWhatItHasAndWhatWasExpected() throws Exception {
    Path model =
        TinyOnnx.write(
            dir.resolve("ids.onnx"),
            VOCAB,
            DIM,
            List.of("ids", "mask"),
            "last_hidden_state",
            false);
    assertThatThrownBy(() -> OnnxTextEncoder.create(config(model).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Model "
                + model
                + " does not fit a text encoder: it has inputs"
                + " [ids, mask] but expected input_ids, attention_mask and optionally token_type_ids");
  }

  @Test
  void tokenizerThatDoesNotFitTheModelVocabularyFails() throws Exception {
    Path model =
        TinyOnnx.write(
            dir.resolve("small-vocab.onnx"),
            1000,
            DIM,
            List.of("input_ids", "attention_mask"),
            "last_hidden_state",
            false);
    assertThatThrownBy(() -> OnnxTextEncoder.create(config(model).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Tokenizer "
                + tokenizer()
                + " does not fit model "
                + model
                + ": it produces token ids up to 30521, but the model's word-embedding table W has"
                + " 1000 rows (ids 0..999)");
  }

  @Test
  void externalDataModelIsLoadedFromItsPath() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("external"));
    Path model =
        TinyOnnx.write(
            sub.resolve("big.onnx"),
            VOCAB,
            DIM,
            List.of("input_ids", "attention_mask"),
            "last_hidden_state",
            true);
    assertThat(sub.resolve("big.onnx.data")).exists();
    assertThat(Files.size(model)).isLessThan(1000);
    EncoderConfig config = config(model).normalize(false).build();
    OnnxTextEncoder encoder = OnnxTextEncoder.create(config);
    assertThat(SessionCache.get(config).sessionSource()).isEqualTo(model.toString());
    assertMean(encoder.encode(List.of("dog")).row(0), 101, 3899, 102);
  }

  @Test
  void commandLineLongEnoughToCrashOnnxRuntimeIsRefused() {
    LoadedModel.checkCommandLineLength(-1);
    LoadedModel.checkCommandLineLength(3899);
    assertThatThrownBy(() -> LoadedModel.checkCommandLineLength(3981))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "This JVM's command line is 3981 bytes; ONNX Runtime 1.29.0" + " crashes the process");
    // Surefire's own command line (a manifest class path) is well under the limit.
    assertThat(LoadedModel.readCommandLineLength()).isLessThan(LoadedModel.MAX_SAFE_COMMAND_LINE);
  }

  @Test
  void cudaWithoutTheCudaBuildFailsClearly() throws Exception {
    Path model =
        TinyOnnx.write(
            dir.resolve("m.onnx"),
            VOCAB,
            DIM,
            List.of("input_ids", "attention_mask"),
            "last_hidden_state",
            false);
    EncoderConfig config = config(model).provider(ExecutionProvider.CUDA, 0).build();
    assertThatThrownBy(() -> OnnxTextEncoder.create(config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "Invalid execution_provider: cuda (this ONNX Runtime build has no CUDA execution"
                + " provider; it has [CPU")
        .hasMessageContaining("com.microsoft.onnxruntime:onnxruntime_gpu");
  }
}
