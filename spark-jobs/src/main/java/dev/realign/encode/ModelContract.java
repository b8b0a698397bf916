package dev.realign.encode;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a model states about itself, and what the encoder makes of it: the context length (and where
 * the number came from) and the pooling (and why). Settled once when an encoder is created, so that
 * a user who passes only the model and its tokenizer gets the model's own settings.
 *
 * <p><b>Context length.</b> Hard limits, which an explicit {@code max_length} may not exceed: the
 * graph's position table ({@link OnnxGraphInspector}) and the ONNX metadata key {@value
 * #META_CONTEXT_LENGTH}. When {@code max_length} is unset (0), the first of these is used: the ONNX
 * metadata; {@code sentence_bert_config.json} {@code max_seq_length}, {@code tokenizer_config.json}
 * {@code model_max_length} and {@code tokenizer.json} {@code truncation.max_length} beside the
 * tokenizer; the position table; else {@link EncoderConfig#MAX_LENGTH_DEFAULT} (a RoPE model has no
 * position table, and says nothing else). A stated length above a hard limit is cut to it.
 *
 * <p><b>Pooling {@code auto}.</b> The ONNX metadata key {@value #META_POOLING} when present; else a
 * 2-D output with an embedding name ({@link #EMBEDDING_OUTPUTS}, in that order); else masked mean
 * over {@code last_hidden_state} (or the only 3-D output); else the only 2-D output. BERT's {@code
 * pooler_output} is taken only when there is no token output: it is the next-sentence head's input,
 * not a sentence embedding.
 */
public final class ModelContract {
  /** ONNX metadata_props keys that {@code deploy/export/} writes. */
  public static final String META_CONTEXT_LENGTH = "realign.context_length";

  public static final String META_POOLING = "realign.pooling";
  public static final String META_DIMENSION = "realign.dimension";
  public static final String META_SOURCE_MODEL = "realign.source_model";
  public static final String META_SOURCE_REVISION = "realign.source_revision";

  /** 2-D output names taken as the embedding by {@code auto}, first match wins. */
  static final List<String> EMBEDDING_OUTPUTS =
      List.of(
          "text_embeds",
          "sentence_embedding",
          "sentence_embeddings",
          "embedding",
          "embeddings",
          "text_features",
          "pooler_output");

  /** tokenizer_config.json writes 1e30 for "no limit"; anything this large says nothing. */
  private static final long NO_LIMIT = 1_000_000;

  private static final Set<OnnxJavaType> FLOAT_TYPES =
      Set.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16, OnnxJavaType.BFLOAT16);

  /** A settled value and where it came from (for the plan line and the manifest). */
  public record Settled<T>(T value, String source) {}

  private ModelContract() {}

  /**
   * The model file of {@code modelPath}: the path itself, or in a directory its {@code model.onnx}
   * (else its only {@code .onnx} file), with external-data files beside it.
   */
  static Path modelFile(String modelPath) {
    Path p = Path.of(modelPath);
    if (!Files.isDirectory(p)) {
      return p;
    }
    Path named = p.resolve("model.onnx");
    if (Files.isRegularFile(named)) {
      return named;
    }
    List<Path> onnx;
    try (Stream<Path> s = Files.list(p)) {
      onnx = s.filter(f -> f.getFileName().toString().endsWith(".onnx")).sorted().toList();
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot list model directory " + p + ": " + e, e);
    }
    if (onnx.size() != 1) {
      throw new IllegalArgumentException(
          "Invalid "
              + EncoderConfig.MODEL_PATH
              + ": "
              + p
              + " (a directory must hold model.onnx or exactly one .onnx file; found "
              + onnx.stream().map(f -> f.getFileName().toString()).toList()
              + ")");
    }
    return onnx.get(0);
  }

  /**
   * The context length for {@code config}: its {@code max_length} when set (refused above a hard
   * limit, naming both numbers), else what the model states.
   */
  static Settled<Integer> contextLength(EncoderConfig config, OnnxGraphInspector.Limits limits) {
    return contextLength(config.modelPath(), config.tokenizerPath(), config.maxLength(), limits);
  }

  static Settled<Integer> contextLength(
      String modelPath, String tokenizerPath, int maxLength, OnnxGraphInspector.Limits limits) {
    Path model = modelFile(modelPath);
    long hard = -1;
    String hardSource = null;
    if (limits.maxPositions() > 0) {
      hard = limits.maxPositions();
      hardSource = "the position table " + limits.positionTable() + " of " + model;
    }
    long meta = positive(limits.metadata().get(META_CONTEXT_LENGTH));
    if (meta > 0 && (hard < 0 || meta < hard)) {
      hard = meta;
      hardSource = "the ONNX metadata " + META_CONTEXT_LENGTH + " of " + model;
    }
    if (maxLength > 0) {
      if (hard > 0 && maxLength > hard) {
        throw new IllegalArgumentException(
            "Invalid "
                + EncoderConfig.MAX_LENGTH
                + ": "
                + maxLength
                + " (must be <= "
                + hard
                + ", the context length stated by "
                + hardSource
                + "; leave it unset to use the model's own)");
      }
      return new Settled<>(maxLength, EncoderConfig.MAX_LENGTH + " as set");
    }
    Path tokenizer = Path.of(tokenizerPath);
    Path dir = tokenizer.toAbsolutePath().getParent();
    List<Settled<Long>> stated = new ArrayList<>();
    if (meta > 0) {
      stated.add(new Settled<>(meta, "the ONNX metadata " + META_CONTEXT_LENGTH + " of " + model));
    }
    if (dir != null) {
      Path st = dir.resolve("sentence_bert_config.json");
      stated.add(new Settled<>(jsonLong(st, "max_seq_length"), st + " max_seq_length"));
      Path tc = dir.resolve("tokenizer_config.json");
      stated.add(new Settled<>(jsonLong(tc, "model_max_length"), tc + " model_max_length"));
    }
    stated.add(
        new Settled<>(
            jsonLong(tokenizer, "truncation", "max_length"), tokenizer + " truncation.max_length"));
    if (limits.maxPositions() > 0) {
      stated.add(new Settled<>(limits.maxPositions(), hardSource));
    }
    for (Settled<Long> s : stated) {
      long v = s.value();
      if (v >= 2 && v < NO_LIMIT) {
        if (hard > 0 && v > hard) {
          return new Settled<>(
              (int) hard, s.source() + " (" + v + "), cut to " + hard + " by " + hardSource);
        }
        return new Settled<>((int) v, s.source());
      }
    }
    return new Settled<>(
        EncoderConfig.MAX_LENGTH_DEFAULT,
        "the default of "
            + EncoderConfig.MAX_LENGTH
            + " (neither the model nor its tokenizer states a context length)");
  }

  /** The pooling for {@code requested}: itself unless {@code auto}. */
  static Settled<Pooling> pooling(
      Pooling requested,
      Map<String, NodeInfo> outputs,
      OnnxGraphInspector.Limits limits,
      String model) {
    if (requested.kind() != Pooling.Kind.AUTO) {
      return new Settled<>(requested, EncoderConfig.POOLING + " as set");
    }
    String meta = limits.metadata().get(META_POOLING);
    if (meta != null && !meta.isBlank()) {
      Pooling p;
      try {
        p = Pooling.parse(meta);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Model " + model + ": its ONNX metadata " + META_POOLING + " is invalid: " + e, e);
      }
      if (p.kind() != Pooling.Kind.AUTO) {
        return new Settled<>(p, "auto: the ONNX metadata " + META_POOLING);
      }
    }
    List<String> twoD = new ArrayList<>();
    List<String> threeD = new ArrayList<>();
    for (Map.Entry<String, NodeInfo> e : outputs.entrySet()) {
      if (e.getValue().getInfo() instanceof TensorInfo t && FLOAT_TYPES.contains(t.type)) {
        if (t.getShape().length == 2) {
          twoD.add(e.getKey());
        } else if (t.getShape().length == 3) {
          threeD.add(e.getKey());
        }
      }
    }
    for (String name : EMBEDDING_OUTPUTS) {
      if (twoD.contains(name) && !(name.equals("pooler_output") && !threeD.isEmpty())) {
        return new Settled<>(Pooling.output(name), "auto: the model's pooled output " + name);
      }
    }
    if (threeD.contains(Pooling.LAST_HIDDEN_STATE)) {
      return new Settled<>(Pooling.MEAN, "auto: masked mean over the token output");
    }
    if (threeD.size() == 1) {
      return new Settled<>(
          new Pooling(Pooling.Kind.MEAN, threeD.get(0)),
          "auto: masked mean over the only token output");
    }
    if (threeD.isEmpty() && twoD.size() == 1) {
      return new Settled<>(
          Pooling.output(twoD.get(0)), "auto: the model's only output " + twoD.get(0));
    }
    throw new IllegalArgumentException(
        "Model "
            + model
            + ": "
            + EncoderConfig.POOLING
            + "=auto cannot choose among its outputs "
            + outputs.keySet()
            + " (2-D: "
            + twoD
            + ", 3-D: "
            + threeD
            + "); set "
            + EncoderConfig.POOLING
            + "=output:<name> for a pooled output or mean:<name> for a token output");
  }

  private static long positive(String text) {
    if (text == null) {
      return -1;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A whole-number field of a JSON file, or -1 when the file or field is absent. */
  private static long jsonLong(Path file, String... path) {
    if (!Files.isRegularFile(file)) {
      return -1;
    }
    try {
      JsonNode n = new ObjectMapper().readTree(file.toFile());
      for (String p : path) {
        n = n.path(p);
      }
      return n.isNumber() && n.asDouble() < NO_LIMIT ? n.asLong() : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
