package dev.realign.encode;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An ONNX Runtime session and its tokenizer, checked against each other once at load.
 *
 * <p>The session is always created from the model's <em>path</em> ({@code
 * OrtEnvironment.createSession(String, options)}), never from bytes: a model over 2 GB keeps its
 * weights in external-data files next to the {@code .onnx} file, and ONNX Runtime resolves them
 * relative to the model's folder only when it knows the path. Ship the {@code .onnx} file and its
 * data files into one folder (e.g. {@code --archives model.tgz#model}, then {@code
 * encode.model_path=model}: a directory is read as its {@code model.onnx}).
 */
final class LoadedModel implements AutoCloseable {
  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";
  private static final Set<String> KNOWN_INPUTS = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

  private final SessionCache.Key key;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HfTokenizer tokenizer;
  private final Map<String, NodeInfo> outputs;
  private final boolean hasTokenTypeIds;
  private final boolean int32Inputs;
  private final OnnxGraphInspector.Limits limits;
  private volatile String sha256;

  private LoadedModel(
      SessionCache.Key key,
      OrtEnvironment env,
      OrtSession session,
      HfTokenizer tokenizer,
      Map<String, NodeInfo> outputs,
      boolean hasTokenTypeIds,
      boolean int32Inputs,
      OnnxGraphInspector.Limits limits) {
    this.key = key;
    this.env = env;
    this.session = session;
    this.tokenizer = tokenizer;
    this.outputs = outputs;
    this.hasTokenTypeIds = hasTokenTypeIds;
    this.int32Inputs = int32Inputs;
    this.limits = limits;
  }

  static LoadedModel load(SessionCache.Key key) {
    Path model = ModelContract.modelFile(key.modelPath());
    if (!Files.isRegularFile(model)) {
      throw new IllegalArgumentException(
          "Model file does not exist: " + model + " (key " + EncoderConfig.MODEL_PATH + ")");
    }
    checkCommandLineLength(readCommandLineLength());
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session = createSession(env, model, key);
    try {
      Map<String, NodeInfo> inputs = session.getInputInfo();
      boolean int32 = checkInputs(model, inputs);
      Map<String, NodeInfo> outputs = new LinkedHashMap<>(session.getOutputInfo());
      HfTokenizer tokenizer = HfTokenizer.load(Path.of(key.tokenizerPath()), key.maxLength());
      OnnxGraphInspector.Limits limits = OnnxGraphInspector.inspect(model);
      if (limits.vocabRows() > 0 && tokenizer.maxTokenId() >= limits.vocabRows()) {
        throw new IllegalArgumentException(
            "Tokenizer "
                + tokenizer.path()
                + " does not fit model "
                + model
                + ": it produces token ids up to "
                + tokenizer.maxTokenId()
                + ", but the model's word-embedding table "
                + limits.embeddingTable()
                + " has "
                + limits.vocabRows()
                + " rows (ids 0.."
                + (limits.vocabRows() - 1)
                + ")");
      }
      // An explicit max_length above the model's stated limit fails here, naming both numbers.
      ModelContract.contextLength(key.modelPath(), key.tokenizerPath(), key.maxLength(), limits);
      return new LoadedModel(
          key, env, session, tokenizer, outputs, inputs.containsKey(TOKEN_TYPE_IDS), int32, limits);
    } catch (OrtException e) {
      closeQuietly(session);
      throw new IllegalArgumentException(
          "Cannot read the inputs and outputs of " + model + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(session);
      throw e;
    }
  }

  /**
   * ONNX Runtime 1.29.0 on Linux crashes the JVM (SIGSEGV, no hs_err file) while creating its
   * environment when the process command line ({@code /proc/self/cmdline}) is about 4 KB or longer
   * (measured here: 3,980 bytes runs, 3,981 crashes; a long {@code -cp} or many {@code -D} options
   * get there). A dead executor with no message is the worst failure, so refuse clearly instead.
   * Keep JVM options in an argument file ({@code java @file}) or in {@code JDK_JAVA_OPTIONS}, which
   * do not count. {@value #SKIP_CMDLINE_CHECK}=true skips the check.
   */
  static final String SKIP_CMDLINE_CHECK = "realign.encode.skipCommandLineCheck";

  static final int MAX_SAFE_COMMAND_LINE = 3900;

  static void checkCommandLineLength(long length) {
    if (length >= MAX_SAFE_COMMAND_LINE && !Boolean.getBoolean(SKIP_CMDLINE_CHECK)) {
      throw new IllegalStateException(
          "This JVM's command line is "
              + length
              + " bytes; ONNX"
              + " Runtime 1.29.0 crashes the process (SIGSEGV) when creating its environment with a"
              + " command line of about 4 KB or more. Move JVM options and the class path into an"
              + " argument file (java @options-file), JDK_JAVA_OPTIONS or a manifest class path (keep"
              + " /proc/self/cmdline under "
              + MAX_SAFE_COMMAND_LINE
              + " bytes), or set -D"
              + SKIP_CMDLINE_CHECK
              + "=true to try anyway");
    }
  }

  /** Length of /proc/self/cmdline, or -1 where there is none (not Linux). */
  static long readCommandLineLength() {
    try {
      return Files.readAllBytes(Path.of("/proc/self/cmdline")).length;
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }

  private static OrtSession createSession(OrtEnvironment env, Path model, SessionCache.Key key) {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setIntraOpNumThreads(key.intraOpThreads());
      options.setInterOpNumThreads(1);
      key.provider().checkAvailable();
      switch (key.provider()) {
        case CUDA -> options.addCUDA(key.deviceId());
        case TENSORRT -> {
          // TensorRT first; the nodes it cannot take fall back to CUDA, then CPU.
          options.addTensorrt(key.deviceId());
          options.addCUDA(key.deviceId());
        }
        case CPU -> {}
        default -> throw new AssertionError(key.provider());
      }
      if (key.provider() != ExecutionProvider.CPU) {
        // The one GPU line of a run: only when execution_provider asks for a GPU (DJL's own CUDA
        // probe is kept quiet by the log configuration; issue 21).
        org.slf4j.LoggerFactory.getLogger(LoadedModel.class)
            .info(
                "encode: ONNX Runtime {} execution provider on GPU device {}",
                key.provider(),
                key.deviceId());
      }
      // By path, so that external-data files next to the model are found (see class comment).
      return env.createSession(model.toString(), options);
    } catch (OrtException e) {
      throw new IllegalArgumentException(
          "Cannot load ONNX model "
              + model
              + " (not a valid ONNX model, or not one ONNX Runtime can run): "
              + e.getMessage(),
          e);
    }
  }

  /** Returns true when the id inputs are int32 (else int64). */
  private static boolean checkInputs(Path model, Map<String, NodeInfo> inputs) {
    Set<String> names = new TreeSet<>(inputs.keySet());
    boolean fits =
        names.contains(INPUT_IDS)
            && names.contains(ATTENTION_MASK)
            && KNOWN_INPUTS.containsAll(names);
    List<String> types = new ArrayList<>();
    boolean int32 = false;
    boolean int64 = false;
    for (NodeInfo info : inputs.values()) {
      if (info.getInfo() instanceof TensorInfo t
          && t.getShape().length == 2
          && (t.type == OnnxJavaType.INT64 || t.type == OnnxJavaType.INT32)) {
        int32 |= t.type == OnnxJavaType.INT32;
        int64 |= t.type == OnnxJavaType.INT64;
      } else {
        fits = false;
      }
      types.add(info.getName() + ": " + info.getInfo());
    }
    if (!fits || (int32 && int64)) {
      throw new IllegalArgumentException(
          "Model "
              + model
              + " does not fit a text encoder: it has"
              + " inputs "
              + names
              + " but expected "
              + INPUT_IDS
              + ", "
              + ATTENTION_MASK
              + " and optionally "
              + TOKEN_TYPE_IDS
              + ", all int64 (or all int32) of shape [batch,"
              + " sequence]; found "
              + types);
    }
    return int32;
  }

  SessionCache.Key key() {
    return key;
  }

  OrtEnvironment env() {
    return env;
  }

  OrtSession session() {
    return session;
  }

  HfTokenizer tokenizer() {
    return tokenizer;
  }

  Map<String, NodeInfo> outputs() {
    return outputs;
  }

  boolean hasTokenTypeIds() {
    return hasTokenTypeIds;
  }

  boolean int32Inputs() {
    return int32Inputs;
  }

  OnnxGraphInspector.Limits limits() {
    return limits;
  }

  /** The path the session was created from (external data resolves against its folder). */
  String sessionSource() {
    return ModelContract.modelFile(key.modelPath()).toString();
  }

  /**
   * SHA-256 of the .onnx file, computed once (with external data, the graph file: it names the data
   * files, their offsets and lengths, but the weights are not hashed).
   */
  String sha256() {
    String s = sha256;
    if (s == null) {
      s = Digests.sha256(ModelContract.modelFile(key.modelPath()));
      sha256 = s;
    }
    return s;
  }

  @Override
  public void close() {
    closeQuietly(session);
  }

  private static void closeQuietly(OrtSession s) {
    try {
      s.close();
    } catch (OrtException | RuntimeException ignored) {
      // Closing is best effort.
    }
  }
}
