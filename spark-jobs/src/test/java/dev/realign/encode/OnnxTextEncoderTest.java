package dev.realign.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.realign.bench.Captions;
import dev.realign.vector.RejectReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The encoder on the bundled all-MiniLM-L6-v2: equality with langchain4j, order, batching. */
class OnnxTextEncoderTest {
  /** cos(ours, langchain4j) must be at least this. */
  static final double MIN_COSINE = 0.99999;

  /** Largest per-component difference allowed between batch sizes (padding changes the shapes). */
  static final double BATCH_TOLERANCE = 1e-6;

  static final List<String> SENTENCES = Captions.generate(100, 42L);

  @Test
  void bundledModelEqualsLangchain4jOnHundredSentences() {
    OnnxTextEncoder encoder = OnnxTextEncoder.create(EncoderConfig.bundled());
    EncodeResult ours = encoder.encode(SENTENCES);

    List<TextSegment> segments = SENTENCES.stream().map(TextSegment::from).toList();
    List<Embedding> theirs = new AllMiniLmL6V2EmbeddingModel().embedAll(segments).content();

    assertThat(encoder.dimension()).isEqualTo(384);
    assertThat(ours.rows()).isEqualTo(100);
    double worst = 1.0;
    for (int i = 0; i < SENTENCES.size(); i++) {
      worst = Math.min(worst, cosine(ours.row(i), theirs.get(i).vector()));
    }
    assertThat(worst).as("smallest cosine over 100 sentences").isGreaterThanOrEqualTo(MIN_COSINE);
    assertThat(ours.truncatedCount()).isZero();
    assertThat(ours.paddedTokenCount()).isGreaterThanOrEqualTo(ours.tokenCount());
  }

  @Test
  void outputOrderIsInputOrderWhateverTheBatchSize() {
    List<String> shuffled = new ArrayList<>(SENTENCES);
    Collections.shuffle(shuffled, new Random(7));
    EncoderConfig base = EncoderConfig.bundled();
    // One text per call: no padding, no sorting; the reference for every row.
    OnnxTextEncoder single = OnnxTextEncoder.create(base.toBuilder().batchSize(1).build());
    float[][] reference = new float[shuffled.size()][];
    for (int i = 0; i < shuffled.size(); i++) {
      reference[i] = single.encode(List.of(shuffled.get(i))).row(0);
    }
    for (int batchSize : new int[] {1, 7, 32, 64, 256}) {
      EncodeResult r =
          OnnxTextEncoder.create(base.toBuilder().batchSize(batchSize).build()).encode(shuffled);
      for (int i = 0; i < shuffled.size(); i++) {
        float[] row = r.row(i);
        for (int j = 0; j < row.length; j++) {
          assertThat((double) row[j])
              .as("batch %s row %s component %s", batchSize, i, j)
              .isCloseTo(reference[i][j], org.assertj.core.data.Offset.offset(BATCH_TOLERANCE));
        }
      }
    }
  }

  @Test
  void emptyTextsAreRejectedAndTheRestEmbedded() {
    OnnxTextEncoder encoder = OnnxTextEncoder.create(EncoderConfig.bundled());
    List<String> texts = Arrays.asList("A dog on a beach.", null, "", "   \t", "A cat.");
    EncodeResult r = encoder.encode(texts);
    assertThat(r.rows()).isEqualTo(5);
    assertThat(r.status(0)).isEqualTo(EncodeResult.Status.OK);
    assertThat(r.status(4)).isEqualTo(EncodeResult.Status.OK);
    for (int i = 1; i <= 3; i++) {
      assertThat(r.status(i)).isEqualTo(EncodeResult.Status.EMPTY);
      assertThat(r.rejectReason(i)).isEqualTo(RejectReason.EMPTY_TEXT);
      assertThat(r.row(i)).containsOnly(0f);
    }
    assertThat(r.rejectedCount()).isEqualTo(3);
    assertThat(norm(r.row(0))).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(r.row(0)).isEqualTo(encoder.encode(List.of("A dog on a beach.")).row(0));
    assertThat(encoder.encode(List.of()).rows()).isZero();
  }

  @Test
  void overLongTextsAreTruncatedAndCounted() {
    OnnxTextEncoder encoder = OnnxTextEncoder.create(EncoderConfig.bundled());
    String longText = String.join(" ", Collections.nCopies(400, "giraffe"));
    String prefix = String.join(" ", Collections.nCopies(254, "giraffe"));
    EncodeResult r = encoder.encode(List.of("A short caption.", longText));
    assertThat(r.status(0)).isEqualTo(EncodeResult.Status.OK);
    assertThat(r.status(1)).isEqualTo(EncodeResult.Status.TRUNCATED);
    assertThat(r.truncatedCount()).isEqualTo(1);
    assertThat(r.embedded(1)).isTrue();
    // Truncated to [CLS] + 254 words + [SEP] = max_length 256: the same as embedding the prefix.
    float[] fromPrefix = encoder.encode(List.of(prefix)).row(0);
    assertThat(cosine(r.row(1), fromPrefix)).isGreaterThan(0.999999);
  }

  @Test
  void oneSessionPerJvmPerConfigSharedByThreads() throws Exception {
    EncoderConfig config = EncoderConfig.bundled();
    OnnxTextEncoder a = OnnxTextEncoder.create(config);
    int sessions = SessionCache.size();
    OnnxTextEncoder b = OnnxTextEncoder.create(config.toBuilder().batchSize(5).build());
    assertThat(SessionCache.size()).isEqualTo(sessions);
    assertThat(SessionCache.get(config).session()).isSameAs(SessionCache.get(b.config()).session());
    float[] expected = a.encode(SENTENCES).embeddings();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<float[]>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        futures.add(
            pool.submit(() -> OnnxTextEncoder.create(config).encode(SENTENCES).embeddings()));
      }
      for (Future<float[]> f : futures) {
        assertThat(f.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void identityIsNameAndSha256OfTheOnnxFile() {
    BundledModel bundled = BundledModel.allMiniLmL6V2();
    OnnxTextEncoder encoder = OnnxTextEncoder.create(EncoderConfig.bundled());
    assertThat(encoder.identity()).isEqualTo(bundled.identity());
    assertThat(encoder.identity().name()).isEqualTo("all-MiniLM-L6-v2");
    assertThat(encoder.identity().sha256())
        .isEqualTo(Digests.sha256(bundled.modelPath()))
        .hasSize(64);
    assertThat(bundled.modelPath().getParent().getFileName().toString())
        .isEqualTo(bundled.modelSha256());
    assertThat(bundled.modelPath().getFileName().toString()).isEqualTo(BundledModel.MODEL_RESOURCE);
    assertThat(bundled.tokenizerPath().getFileName().toString())
        .isEqualTo(BundledModel.TOKENIZER_RESOURCE);
  }

  @Test
  void namedOutputThatTheModelLacksFailsListingItsOutputs() {
    EncoderConfig config =
        EncoderConfig.bundled().toBuilder().pooling(Pooling.parse("output:pooler_output")).build();
    assertThatThrownBy(() -> OnnxTextEncoder.create(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no output 'pooler_output'")
        .hasMessageContaining("[last_hidden_state]");
  }

  @Test
  void clsPoolingIsTheFirstTokenNormalised() {
    EncoderConfig config = EncoderConfig.bundled().toBuilder().pooling(Pooling.CLS).build();
    EncodeResult r = OnnxTextEncoder.create(config).encode(SENTENCES.subList(0, 3));
    EncodeResult mean =
        OnnxTextEncoder.create(EncoderConfig.bundled()).encode(SENTENCES.subList(0, 3));
    assertThat(norm(r.row(0))).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(cosine(r.row(0), mean.row(0))).isLessThan(0.999);
  }

  @Test
  void tokenizerWithIdsBeyondTheModelVocabularyFailsAtLoad(@TempDir Path dir) throws Exception {
    BundledModel bundled = BundledModel.allMiniLmL6V2();
    String json = Files.readString(bundled.tokenizerPath());
    // A tokenizer of a bigger vocabulary: one more word with an id past the model's 30522 rows.
    String bigger =
        json.replaceFirst("\"\\[PAD\\]\":\\s*0,", "\"[PAD]\": 0, \"zzzbeyond\": 40000,");
    assertThat(bigger).isNotEqualTo(json);
    Path tokenizer = Files.writeString(dir.resolve("tokenizer.json"), bigger);
    EncoderConfig config =
        EncoderConfig.builder().model(bundled.modelPath()).tokenizer(tokenizer).build();
    assertThatThrownBy(() -> OnnxTextEncoder.create(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not fit model")
        .hasMessageContaining("up to 40000")
        .hasMessageContaining("embeddings.word_embeddings.weight has 30522 rows");
  }

  @Test
  void inspectorReadsTheBundledModelsTables() {
    OnnxGraphInspector.Limits limits =
        OnnxGraphInspector.inspect(BundledModel.allMiniLmL6V2().modelPath());
    assertThat(limits.vocabRows()).isEqualTo(30522);
    assertThat(limits.maxPositions()).isEqualTo(512);
    assertThat(limits.embeddingTable()).isEqualTo("embeddings.word_embeddings.weight");
  }

  @Test
  void maxLengthBeyondThePositionTableFails() {
    EncoderConfig config = EncoderConfig.bundled().toBuilder().maxLength(1000).build();
    assertThatThrownBy(() -> OnnxTextEncoder.create(config))
        .hasMessageContaining("Invalid max_length: 1000 (must be <= 512");
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  static double norm(float[] a) {
    double s = 0;
    for (float v : a) {
      s += (double) v * v;
    }
    return Math.sqrt(s);
  }
}
