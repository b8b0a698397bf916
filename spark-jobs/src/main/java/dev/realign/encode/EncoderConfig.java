package dev.realign.encode;

import static dev.realign.Checks.checkArgument;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable settings of one {@link OnnxTextEncoder} (built with {@link EncoderConfigBuilder}, or
 * read from string options by {@link EncoderOptions}). Serializable (plain strings and numbers) so
 * a Spark job can ship it to executors; equal configs share one ONNX Runtime session per JVM.
 *
 * <p>Keys (for {@link #fromOptions}) are the constants below, each with its {@code _DEFAULT}:
 *
 * <ul>
 *   <li>{@code max_length} 0 (unset): the model's own context length ({@link ModelContract}: its
 *       ONNX metadata, tokenizer files or position table), else {@value #MAX_LENGTH_DEFAULT}. The
 *       bundled all-MiniLM-L6-v2 uses {@value #BUNDLED_MAX_LENGTH}, its {@code max_seq_length} in
 *       sentence-transformers, so the default model embeds like the reference Python library; its
 *       {@code tokenizer.json} says 128 (its training length), which would silently cut texts
 *       sentence-transformers keeps. Longer texts are truncated and counted, never dropped.
 *   <li>{@code pooling} {@code auto}: the model's own ({@link Pooling}, {@link ModelContract}).
 *   <li>{@code batch_size} 32: the best of 16..256 on 2 CPU cores with length sorting, one caller
 *       per core as Spark runs tasks (about 405 texts per 2 CPU-seconds against 393 at 16, 372 at
 *       64, 340 at 128, 291 at 256: bigger batches pad more and leave the caches; see {@code
 *       spark-jobs/bench/}). On a GPU, raise it.
 *   <li>{@code intra_op_threads} 1: a Spark executor runs one task per {@code spark.task.cpus}
 *       core, and each task calls the shared session from its own thread; the job passes {@code
 *       spark.task.cpus}.
 * </ul>
 */
public final class EncoderConfig implements Serializable {
  // A class, not a record: Spark's Kryo (4.x) cannot serialise records.
  private static final long serialVersionUID = 1L;

  public static final String MODEL_PATH = "model_path";
  public static final String TOKENIZER_PATH = "tokenizer_path";
  public static final String MODEL_NAME = "model_name";
  public static final String MAX_LENGTH = "max_length";

  /** Used when {@code max_length} is unset and nothing in the model states a context length. */
  public static final int MAX_LENGTH_DEFAULT = 256;

  /** The bundled all-MiniLM-L6-v2's {@code max_seq_length} in sentence-transformers. */
  public static final int BUNDLED_MAX_LENGTH = 256;

  public static final String POOLING = "pooling";
  public static final Pooling POOLING_DEFAULT = Pooling.AUTO;
  public static final String NORMALIZE = "normalize";
  public static final boolean NORMALIZE_DEFAULT = true;
  public static final String BATCH_SIZE = "batch_size";
  public static final int BATCH_SIZE_DEFAULT = 32;
  public static final String INTRA_OP_THREADS = "intra_op_threads";
  public static final int INTRA_OP_THREADS_DEFAULT = 1;
  public static final String EXECUTION_PROVIDER = "execution_provider";
  public static final ExecutionProvider EXECUTION_PROVIDER_DEFAULT = ExecutionProvider.CPU;
  public static final String DEVICE_ID = "device_id";
  public static final int DEVICE_ID_DEFAULT = 0;

  /** Every option key. */
  static final Set<String> KEYS =
      Set.of(
          MODEL_PATH,
          TOKENIZER_PATH,
          MODEL_NAME,
          MAX_LENGTH,
          POOLING,
          NORMALIZE,
          BATCH_SIZE,
          INTRA_OP_THREADS,
          EXECUTION_PROVIDER,
          DEVICE_ID);

  private final String modelPath;
  private final String tokenizerPath;
  private final String modelName;
  private final int maxLength;
  private final Pooling pooling;
  private final boolean normalize;
  private final int batchSize;
  private final int intraOpThreads;
  private final ExecutionProvider provider;
  private final int deviceId;

  public EncoderConfig(
      String modelPath,
      String tokenizerPath,
      String modelName,
      int maxLength,
      Pooling pooling,
      boolean normalize,
      int batchSize,
      int intraOpThreads,
      ExecutionProvider provider,
      int deviceId) {
    Objects.requireNonNull(modelPath, MODEL_PATH);
    Objects.requireNonNull(tokenizerPath, TOKENIZER_PATH);
    Objects.requireNonNull(pooling, POOLING);
    Objects.requireNonNull(provider, EXECUTION_PROVIDER);
    if (modelName == null || modelName.isEmpty()) {
      modelName = defaultName(modelPath);
    }
    checkArgument(
        maxLength == 0 || maxLength >= 2,
        "Invalid %s: %s (must be >= 2: [CLS] and [SEP]; or 0: the model's own)",
        MAX_LENGTH,
        maxLength);
    checkArgument(batchSize > 0, "Invalid %s: %s (must be > 0)", BATCH_SIZE, batchSize);
    checkArgument(
        intraOpThreads >= 0,
        "Invalid %s: %s (must be >= 0; 0 = ONNX Runtime's default)",
        INTRA_OP_THREADS,
        intraOpThreads);
    checkArgument(deviceId >= 0, "Invalid %s: %s (must be >= 0)", DEVICE_ID, deviceId);
    this.modelPath = modelPath;
    this.tokenizerPath = tokenizerPath;
    this.modelName = modelName;
    this.maxLength = maxLength;
    this.pooling = pooling;
    this.normalize = normalize;
    this.batchSize = batchSize;
    this.intraOpThreads = intraOpThreads;
    this.provider = provider;
    this.deviceId = deviceId;
  }

  public String modelPath() {
    return modelPath;
  }

  public String tokenizerPath() {
    return tokenizerPath;
  }

  /** Name recorded in the encoder identity (default: the model file name without .onnx). */
  public String modelName() {
    return modelName;
  }

  /** Tokens per text, specials included; 0 = unset (settled from the model when loaded). */
  public int maxLength() {
    return maxLength;
  }

  public Pooling pooling() {
    return pooling;
  }

  public boolean normalize() {
    return normalize;
  }

  public int batchSize() {
    return batchSize;
  }

  public int intraOpThreads() {
    return intraOpThreads;
  }

  public ExecutionProvider provider() {
    return provider;
  }

  public int deviceId() {
    return deviceId;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncoderConfig c
        && modelPath.equals(c.modelPath)
        && tokenizerPath.equals(c.tokenizerPath)
        && modelName.equals(c.modelName)
        && maxLength == c.maxLength
        && pooling.equals(c.pooling)
        && normalize == c.normalize
        && batchSize == c.batchSize
        && intraOpThreads == c.intraOpThreads
        && provider == c.provider
        && deviceId == c.deviceId;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        modelPath,
        tokenizerPath,
        modelName,
        maxLength,
        pooling,
        normalize,
        batchSize,
        intraOpThreads,
        provider,
        deviceId);
  }

  @Override
  public String toString() {
    return "EncoderConfig{"
        + MODEL_PATH
        + "="
        + modelPath
        + ", "
        + TOKENIZER_PATH
        + "="
        + tokenizerPath
        + ", "
        + MODEL_NAME
        + "="
        + modelName
        + ", "
        + MAX_LENGTH
        + "="
        + maxLength
        + ", "
        + POOLING
        + "="
        + pooling
        + ", "
        + NORMALIZE
        + "="
        + normalize
        + ", "
        + BATCH_SIZE
        + "="
        + batchSize
        + ", "
        + INTRA_OP_THREADS
        + "="
        + intraOpThreads
        + ", "
        + EXECUTION_PROVIDER
        + "="
        + provider
        + ", "
        + DEVICE_ID
        + "="
        + deviceId
        + "}";
  }

  /** The default model (all-MiniLM-L6-v2 from the langchain4j jar) with default settings. */
  public static EncoderConfig bundled() {
    return builder().bundledModel().build();
  }

  public static EncoderConfigBuilder builder() {
    return new EncoderConfigBuilder();
  }

  public EncoderConfigBuilder toBuilder() {
    return new EncoderConfigBuilder()
        .model(modelPath, modelName)
        .tokenizer(tokenizerPath)
        .maxLength(maxLength)
        .pooling(pooling)
        .normalize(normalize)
        .batchSize(batchSize)
        .intraOpThreads(intraOpThreads)
        .provider(provider, deviceId);
  }

  /** Reads a config from string options (YAML or command line); see {@link EncoderOptions}. */
  public static EncoderConfig fromOptions(Map<String, String> options) {
    return EncoderOptions.parse(options);
  }

  private static String defaultName(String modelPath) {
    String file = Path.of(modelPath).getFileName().toString();
    return file.endsWith(".onnx") ? file.substring(0, file.length() - 5) : file;
  }
}
