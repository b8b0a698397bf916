package dev.realign.encode;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * The only class that touches DJL. It is loaded from {@link SessionCache}, i.e. after {@link
 * OnnxTextEncoder}'s static initialiser has set DJL's offline properties.
 *
 * <p>Texts are encoded with special tokens ([CLS] ... [SEP]), truncated to {@code maxLength} tokens
 * (longest-first) and not padded: the encoder pads each length-sorted batch itself.
 */
final class HfTokenizer {
  private final HuggingFaceTokenizer tokenizer;
  private final Path path;
  private final long maxTokenId;

  /** One text after tokenisation. */
  record Tokens(long[] ids, long[] typeIds, boolean truncated) {}

  private HfTokenizer(HuggingFaceTokenizer tokenizer, Path path, long maxTokenId) {
    this.tokenizer = tokenizer;
    this.path = path;
    this.maxTokenId = maxTokenId;
  }

  static HfTokenizer load(Path path, int maxLength) {
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(
          "Tokenizer file does not exist: " + path + " (key " + EncoderConfig.TOKENIZER_PATH + ")");
    }
    long maxId = maxTokenId(path);
    try {
      HuggingFaceTokenizer t =
          HuggingFaceTokenizer.newInstance(
              path,
              Map.of(
                  "addSpecialTokens", "true",
                  "truncation", "true",
                  "maxLength", Integer.toString(maxLength),
                  "padding", "false"));
      return new HfTokenizer(t, path, maxId);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "Cannot load tokenizer "
              + path
              + " (expected a Hugging Face tokenizer.json): "
              + e.getMessage(),
          e);
    }
  }

  Path path() {
    return path;
  }

  /** The largest token id the tokenizer can produce (vocabulary and added tokens), or -1. */
  long maxTokenId() {
    return maxTokenId;
  }

  Tokens[] encode(String[] texts) {
    Encoding[] enc = tokenizer.batchEncode(texts, true, false);
    Tokens[] out = new Tokens[enc.length];
    for (int i = 0; i < enc.length; i++) {
      out[i] = new Tokens(enc[i].getIds(), enc[i].getTypeIds(), enc[i].exceedMaxLength());
    }
    return out;
  }

  /**
   * Reads the vocabulary from tokenizer.json: {@code model.vocab} as an object (WordPiece, BPE:
   * token to id) or an array (Unigram: id = position), plus {@code added_tokens[].id}.
   */
  private static long maxTokenId(Path path) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(path.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot read tokenizer "
              + path
              + " (expected a Hugging Face tokenizer.json): "
              + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      throw new UncheckedIOException(new IOException("Cannot read tokenizer " + path, e));
    }
    long max = -1;
    JsonNode vocab = root.path("model").path("vocab");
    if (vocab.isObject()) {
      for (Iterator<JsonNode> it = vocab.elements(); it.hasNext(); ) {
        max = Math.max(max, it.next().asLong(-1));
      }
    } else if (vocab.isArray()) {
      max = vocab.size() - 1L;
    }
    for (JsonNode added : root.path("added_tokens")) {
      max = Math.max(max, added.path("id").asLong(-1));
    }
    return max;
  }
}
