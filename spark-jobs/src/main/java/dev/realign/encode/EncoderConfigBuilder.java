package dev.realign.encode;

import static dev.realign.Checks.checkArgument;

import java.nio.file.Path;

/** Mutable builder of an {@link EncoderConfig}; {@link #build()} validates. */
public final class EncoderConfigBuilder {
  private String modelPath;
  private String tokenizerPath;
  private String modelName;
  private int maxLength = 0;
  private boolean bundled;
  private Pooling pooling = EncoderConfig.POOLING_DEFAULT;
  private boolean normalize = EncoderConfig.NORMALIZE_DEFAULT;
  private int batchSize = EncoderConfig.BATCH_SIZE_DEFAULT;
  private int intraOpThreads = EncoderConfig.INTRA_OP_THREADS_DEFAULT;
  private ExecutionProvider provider = EncoderConfig.EXECUTION_PROVIDER_DEFAULT;
  private int deviceId = EncoderConfig.DEVICE_ID_DEFAULT;

  EncoderConfigBuilder() {}

  /** Uses all-MiniLM-L6-v2 from the langchain4j artifact, copied once to a local cache. */
  public EncoderConfigBuilder bundledModel() {
    BundledModel m = BundledModel.allMiniLmL6V2();
    this.modelPath = m.modelPath().toString();
    this.tokenizerPath = m.tokenizerPath().toString();
    this.modelName = m.name();
    this.bundled = true;
    return this;
  }

  public EncoderConfigBuilder model(Path path) {
    return model(path.toString(), null);
  }

  /** A model file; {@code name} null = the file name without {@code .onnx}. */
  public EncoderConfigBuilder model(String path, String name) {
    this.modelPath = path;
    this.modelName = name;
    this.bundled = false;
    return this;
  }

  public EncoderConfigBuilder tokenizer(Path path) {
    return tokenizer(path.toString());
  }

  public EncoderConfigBuilder tokenizer(String path) {
    this.tokenizerPath = path;
    return this;
  }

  /** Tokens per text; 0 (the default) = the model's own context length. */
  public EncoderConfigBuilder maxLength(int maxLength) {
    this.maxLength = maxLength;
    return this;
  }

  public EncoderConfigBuilder pooling(Pooling pooling) {
    this.pooling = pooling;
    return this;
  }

  public EncoderConfigBuilder normalize(boolean normalize) {
    this.normalize = normalize;
    return this;
  }

  /** The name recorded in the encoder identity, keeping the model path. */
  EncoderConfigBuilder modelName(String name) {
    this.modelName = name;
    return this;
  }

  public EncoderConfigBuilder batchSize(int batchSize) {
    this.batchSize = batchSize;
    return this;
  }

  public EncoderConfigBuilder intraOpThreads(int threads) {
    this.intraOpThreads = threads;
    return this;
  }

  public EncoderConfigBuilder provider(ExecutionProvider provider, int deviceId) {
    this.provider = provider;
    this.deviceId = deviceId;
    return this;
  }

  public EncoderConfig build() {
    checkArgument(
        modelPath != null, "Missing %s (or use the bundled model)", EncoderConfig.MODEL_PATH);
    checkArgument(
        tokenizerPath != null,
        "Missing %s (required with %s=%s)",
        EncoderConfig.TOKENIZER_PATH,
        EncoderConfig.MODEL_PATH,
        modelPath);
    return new EncoderConfig(
        modelPath,
        tokenizerPath,
        modelName,
        maxLength == 0 && bundled ? EncoderConfig.BUNDLED_MAX_LENGTH : maxLength,
        pooling,
        normalize,
        batchSize,
        intraOpThreads,
        provider,
        deviceId);
  }
}
