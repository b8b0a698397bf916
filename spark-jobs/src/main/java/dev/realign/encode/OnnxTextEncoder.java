package dev.realign.encode;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.realign.align.EncoderIdentity;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Text to embeddings with ONNX Runtime and a Hugging Face {@code tokenizer.json}, engine-free so a
 * Spark job can call it inside {@code mapPartitions}: {@code OnnxTextEncoder.create(config)} per
 * task (cheap: the session is shared per JVM through {@link SessionCache}), then {@link
 * #encode(List)} per chunk of texts. Thread-safe.
 *
 * <p>Per call: texts are tokenised ([CLS] ... [SEP], truncated to {@code max_length}), sorted by
 * token count, cut into batches of {@code batch_size} padded only to the longest text of their
 * batch, and run with {@code input_ids}, {@code attention_mask} and (when the model has it) {@code
 * token_type_ids} fed by name; the pooled rows go back to input order. Pass chunks of several
 * batches (e.g. 16 x batch_size) so that sorting has texts to group.
 *
 * <p><b>DJL never reaches the network</b>: the static initialiser sets the system properties {@code
 * ai.djl.offline=true} and {@code OPT_OUT_TRACKING=true} before any DJL class is used (DJL reads
 * them when a tokenizer is created, where it would otherwise call a cloud-metadata address). DJL is
 * touched only by {@link HfTokenizer}, which only this class's instances reach.
 *
 * <p><b>Tokenizer/model fit</b>: ONNX Runtime's Java API does not expose initializer shapes, so
 * {@link OnnxGraphInspector} reads the word-embedding table's row count from the model file; a
 * tokenizer whose largest id does not fit fails at load, and every call's token ids are checked
 * against the table as well. When the table cannot be found in the graph, an ONNX Runtime error
 * during a run is reported as a likely tokenizer mismatch.
 */
public final class OnnxTextEncoder {
  static {
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("OPT_OUT_TRACKING", "true");
  }

  private final EncoderConfig config;
  private final LoadedModel model;
  private final String outputName;
  private final int dimension;
  private final Settings settings;

  private OnnxTextEncoder(
      EncoderConfig config,
      LoadedModel model,
      String outputName,
      int dimension,
      Settings settings) {
    this.config = config;
    this.model = model;
    this.outputName = outputName;
    this.dimension = dimension;
    this.settings = settings;
  }

  /** True once this class is initialised: DJL's offline properties are then set. */
  static boolean offlinePropertiesSet() {
    return "true".equals(System.getProperty("ai.djl.offline"))
        && "true".equals(System.getProperty("OPT_OUT_TRACKING"));
  }

  /**
   * An encoder for {@code config}, loading (or reusing) the JVM's session for it. An unset {@code
   * max_length} and {@code pooling=auto} are settled from the model ({@link ModelContract}); {@link
   * #config()} is then the settled config, which executors can use as it stands. Fails with a
   * message naming the file and what was expected when the model, tokenizer or pooling do not fit.
   */
  public static OnnxTextEncoder create(EncoderConfig config) {
    ModelContract.Settled<Integer> context =
        new ModelContract.Settled<>(
            config.maxLength(),
            BundledModel.NAME.equals(config.modelName())
                    && config.maxLength() == EncoderConfig.BUNDLED_MAX_LENGTH
                ? "the bundled model's max_seq_length in sentence-transformers, unless set"
                : EncoderConfig.MAX_LENGTH + " as set");
    if (config.maxLength() == 0) {
      Path file = ModelContract.modelFile(config.modelPath());
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(
            "Model file does not exist: " + file + " (key " + EncoderConfig.MODEL_PATH + ")");
      }
      context = ModelContract.contextLength(config, OnnxGraphInspector.inspect(file));
      config = config.toBuilder().maxLength(context.value()).build();
    }
    LoadedModel model = SessionCache.get(config);
    ModelContract.Settled<Pooling> settled =
        ModelContract.pooling(
            config.pooling(), model.outputs(), model.limits(), model.sessionSource());
    Pooling pooling = settled.value();
    if (!pooling.equals(config.pooling())) {
      config = config.toBuilder().pooling(pooling).build();
    }
    NodeInfo out = model.outputs().get(pooling.output());
    String poolingKey = EncoderConfig.POOLING + "=" + pooling;
    if (out == null) {
      String hint =
          pooling.kind() == Pooling.Kind.OUTPUT
              ? "name one of them with output:<name>"
              : "choose output:<name> for a pooled output, or mean:<name> / cls:<name> for another"
                  + " token-level output";
      throw new IllegalArgumentException(
          "Model "
              + config.modelPath()
              + " has no output '"
              + pooling.output()
              + "' needed by "
              + poolingKey
              + "; its outputs are "
              + model.outputs().keySet()
              + " ("
              + hint
              + ")");
    }
    if (!(out.getInfo() instanceof TensorInfo info) || !FLOAT_TYPES.containsKey(info.type)) {
      throw new IllegalArgumentException(
          "Model "
              + config.modelPath()
              + ": output '"
              + pooling.output()
              + "' is "
              + out.getInfo()
              + " (expected a float32, float16 or bfloat16 tensor)");
    }
    int rank = pooling.kind() == Pooling.Kind.OUTPUT ? 2 : 3;
    long[] shape = info.getShape();
    if (shape.length != rank) {
      throw new IllegalArgumentException(
          "Model "
              + config.modelPath()
              + ": output '"
              + pooling.output()
              + "' has shape "
              + Arrays.toString(shape)
              + " but "
              + poolingKey
              + " expects "
              + (rank == 3 ? "[batch, sequence, d]" : "[batch, d]"));
    }
    Settings how = new Settings(context.source(), settled.source(), FLOAT_TYPES.get(info.type));
    long d = shape[rank - 1];
    OnnxTextEncoder probe = new OnnxTextEncoder(config, model, pooling.output(), (int) d, how);
    if (d <= 0) {
      // Symbolic dimension: learn it from one run.
      d = probe.encode(List.of("dimension probe")).dimension();
      probe = new OnnxTextEncoder(config, model, pooling.output(), (int) d, how);
    }
    return probe;
  }

  /** Where the settled context length and pooling came from, and the output's element type. */
  record Settings(String contextSource, String poolingSource, String outputDtype) {}

  private static final Map<OnnxJavaType, String> FLOAT_TYPES =
      Map.of(
          OnnxJavaType.FLOAT, "float32",
          OnnxJavaType.FLOAT16, "float16",
          OnnxJavaType.BFLOAT16, "bfloat16");

  /**
   * One line for the job's plan: context length, pooling and output type, each with where it came
   * from.
   */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "context length %d (%s), pooling %s (%s), output '%s' %s%s%s, %s on %s",
        config.maxLength(),
        settings.contextSource(),
        config.pooling(),
        settings.poolingSource(),
        outputName,
        settings.outputDtype(),
        settings.outputDtype().equals("float32") ? "" : " widened to float32",
        config.normalize() ? ", L2-normalised" : "",
        "d = " + dimension,
        config.provider().name().toLowerCase(Locale.ROOT));
  }

  /** The output's element type: float32, float16 or bfloat16 (always widened to float32). */
  public String outputDtype() {
    return settings.outputDtype();
  }

  /**
   * Runs the model once at its full context length on a batch of two texts, so that a model whose
   * real limit is below {@code max_length} (a shape error in ONNX Runtime) fails here, on the
   * driver, before any task.
   */
  public void checkFullContext() {
    int n = config.maxLength();
    List<String> texts = List.of("a ".repeat(n).trim(), "the b ".repeat(n).trim());
    try {
      EncodeResult r = encode(texts);
      if (r.tokenCount() <= 0) {
        throw new IllegalStateException("no tokens were encoded");
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "Model "
              + config.modelPath()
              + " fails on a batch of 2 texts at its full context length "
              + n
              + " ("
              + settings.contextSource()
              + "), checked before any task; set "
              + EncoderConfig.MAX_LENGTH
              + " to the model's real context length. "
              + e.getMessage(),
          e);
    }
  }

  public EncoderConfig config() {
    return config;
  }

  /** Embedding dimension d. */
  public int dimension() {
    return dimension;
  }

  /** Model name and the SHA-256 of the .onnx file, as recorded in the transform. */
  public EncoderIdentity identity() {
    return new EncoderIdentity(config.modelName(), model.sha256());
  }

  /** Embeds {@code texts}; row i of the result is text i. Never throws for a bad text. */
  public EncodeResult encode(List<String> texts) {
    return encode(texts, batch -> {});
  }

  /**
   * Like {@link #encode(List)}, telling {@code afterBatch} the number of texts of each batch as it
   * finishes (for progress inside long tasks); empty texts are never in a batch.
   */
  public EncodeResult encode(List<String> texts, IntConsumer afterBatch) {
    int n = texts.size();
    EncodeResult.Status[] status = new EncodeResult.Status[n];
    int[] index = new int[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      String t = texts.get(i);
      if (t == null || t.isBlank()) {
        status[i] = EncodeResult.Status.EMPTY;
      } else {
        index[m++] = i;
      }
    }
    String[] valid = new String[m];
    for (int k = 0; k < m; k++) {
      valid[k] = texts.get(index[k]);
    }
    HfTokenizer.Tokens[] tokens =
        m == 0 ? new HfTokenizer.Tokens[0] : model.tokenizer().encode(valid);
    checkTokenIds(tokens);
    // Sort by token count (ties by position): pack (length, k) into one long.
    long[] order = new long[m];
    for (int k = 0; k < m; k++) {
      order[k] = ((long) tokens[k].ids().length << 32) | k;
      status[index[k]] =
          tokens[k].truncated() ? EncodeResult.Status.TRUNCATED : EncodeResult.Status.OK;
    }
    Arrays.sort(order);
    float[] out = new float[n * dimension];
    long realTokens = 0;
    long paddedTokens = 0;
    int bs = config.batchSize();
    for (int start = 0; start < m; start += bs) {
      int end = Math.min(m, start + bs);
      int[] batch = new int[end - start];
      for (int j = start; j < end; j++) {
        batch[j - start] = (int) order[j];
      }
      int len = (int) (order[end - 1] >>> 32);
      runBatch(tokens, batch, len, index, out);
      for (int k : batch) {
        realTokens += tokens[k].ids().length;
      }
      paddedTokens += (long) batch.length * len;
      afterBatch.accept(batch.length);
    }
    return new EncodeResult(dimension, out, status, realTokens, paddedTokens);
  }

  private void checkTokenIds(HfTokenizer.Tokens[] tokens) {
    long rows = model.limits().vocabRows();
    if (rows <= 0) {
      return;
    }
    for (HfTokenizer.Tokens t : tokens) {
      for (long id : t.ids()) {
        if (id < 0 || id >= rows) {
          throw new IllegalStateException(
              "Tokenizer "
                  + config.tokenizerPath()
                  + " does not fit model "
                  + config.modelPath()
                  + ": token id "
                  + id
                  + " is outside the model's vocabulary of "
                  + rows
                  + " rows");
        }
      }
    }
  }

  /** Runs one padded batch and writes its pooled rows to {@code out} at their input positions. */
  private void runBatch(
      HfTokenizer.Tokens[] tokens, int[] batch, int len, int[] index, float[] out) {
    int b = batch.length;
    long[] ids = new long[b * len];
    long[] mask = new long[b * len];
    long[] types = model.hasTokenTypeIds() ? new long[b * len] : null;
    for (int r = 0; r < b; r++) {
      HfTokenizer.Tokens t = tokens[batch[r]];
      long[] tid = t.ids();
      System.arraycopy(tid, 0, ids, r * len, tid.length);
      Arrays.fill(mask, r * len, r * len + tid.length, 1L);
      if (types != null) {
        System.arraycopy(t.typeIds(), 0, types, r * len, tid.length);
      }
    }
    long[] shape = {b, len};
    Map<String, OnnxTensor> inputs = new HashMap<>(4);
    try {
      inputs.put(LoadedModel.INPUT_IDS, tensor(ids, shape));
      inputs.put(LoadedModel.ATTENTION_MASK, tensor(mask, shape));
      if (types != null) {
        inputs.put(LoadedModel.TOKEN_TYPE_IDS, tensor(types, shape));
      }
      try (OrtSession.Result result = model.session().run(inputs, Set.of(outputName))) {
        OnnxValue value = result.get(0);
        OnnxTensor t = (OnnxTensor) value;
        long[] outShape = t.getInfo().getShape();
        // float16 and bfloat16 outputs come back widened to float32 (ONNX Runtime's conversion).
        FloatBuffer fb = t.getFloatBuffer();
        float[] data = new float[fb.remaining()];
        fb.get(data);
        pool(data, outShape, mask, b, len, batch, index, out);
      }
    } catch (OrtException e) {
      String hint =
          model.limits().vocabRows() > 0
              ? ""
              : " (an index error here usually means the tokenizer "
                  + config.tokenizerPath()
                  + " does not fit the model)";
      throw new IllegalStateException(
          "ONNX Runtime failed on model "
              + config.modelPath()
              + " for a batch of "
              + b
              + " texts of up to "
              + len
              + " tokens: "
              + e.getMessage()
              + hint,
          e);
    } finally {
      for (OnnxTensor t : inputs.values()) {
        t.close();
      }
    }
  }

  private OnnxTensor tensor(long[] values, long[] shape) throws OrtException {
    if (model.int32Inputs()) {
      int[] v = new int[values.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = Math.toIntExact(values[i]);
      }
      return OnnxTensor.createTensor(model.env(), IntBuffer.wrap(v), shape);
    }
    return OnnxTensor.createTensor(model.env(), LongBuffer.wrap(values), shape);
  }

  private void pool(
      float[] data,
      long[] shape,
      long[] mask,
      int b,
      int len,
      int[] batch,
      int[] index,
      float[] out) {
    Pooling.Kind kind = config.pooling().kind();
    int rank = kind == Pooling.Kind.OUTPUT ? 2 : 3;
    boolean shapeOk =
        shape.length == rank
            && shape[0] == b
            && shape[rank - 1] == dimension
            && (rank == 2 || shape[1] == len);
    if (!shapeOk) {
      throw new IllegalStateException(
          "Model "
              + config.modelPath()
              + ": output '"
              + outputName
              + "' has shape "
              + Arrays.toString(shape)
              + " for a batch of "
              + b
              + " x "
              + len
              + " tokens (expected "
              + (rank == 3
                  ? "[" + b + ", " + len + ", " + dimension + "]"
                  : "[" + b + ", " + dimension + "]")
              + ")");
    }
    int d = dimension;
    double[] acc = new double[d];
    for (int r = 0; r < b; r++) {
      Arrays.fill(acc, 0.0);
      switch (kind) {
        case MEAN -> {
          int count = 0;
          for (int s = 0; s < len; s++) {
            if (mask[r * len + s] != 0) {
              int off = (r * len + s) * d;
              for (int j = 0; j < d; j++) {
                acc[j] += data[off + j];
              }
              count++;
            }
          }
          for (int j = 0; j < d; j++) {
            acc[j] /= count;
          }
        }
        case CLS -> {
          int off = r * len * d;
          for (int j = 0; j < d; j++) {
            acc[j] = data[off + j];
          }
        }
        case OUTPUT -> {
          int off = r * d;
          for (int j = 0; j < d; j++) {
            acc[j] = data[off + j];
          }
        }
        default -> throw new AssertionError(kind);
      }
      double scale = 1.0;
      if (config.normalize()) {
        double ss = 0.0;
        for (int j = 0; j < d; j++) {
          ss += acc[j] * acc[j];
        }
        double norm = Math.sqrt(ss);
        // A zero or non-finite row is left as is: RowValidator rejects it downstream.
        scale = norm > 0 && Double.isFinite(norm) ? 1.0 / norm : 1.0;
      }
      int dst = index[batch[r]] * d;
      for (int j = 0; j < d; j++) {
        out[dst + j] = (float) (acc[j] * scale);
      }
    }
  }
}
