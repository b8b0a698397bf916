package dev.realign.encode;

import static dev.realign.Checks.checkArgument;
import static dev.realign.encode.EncoderConfig.BATCH_SIZE;
import static dev.realign.encode.EncoderConfig.BATCH_SIZE_DEFAULT;
import static dev.realign.encode.EncoderConfig.DEVICE_ID;
import static dev.realign.encode.EncoderConfig.DEVICE_ID_DEFAULT;
import static dev.realign.encode.EncoderConfig.EXECUTION_PROVIDER;
import static dev.realign.encode.EncoderConfig.EXECUTION_PROVIDER_DEFAULT;
import static dev.realign.encode.EncoderConfig.INTRA_OP_THREADS;
import static dev.realign.encode.EncoderConfig.INTRA_OP_THREADS_DEFAULT;
import static dev.realign.encode.EncoderConfig.KEYS;
import static dev.realign.encode.EncoderConfig.MAX_LENGTH;
import static dev.realign.encode.EncoderConfig.MODEL_NAME;
import static dev.realign.encode.EncoderConfig.MODEL_PATH;
import static dev.realign.encode.EncoderConfig.NORMALIZE;
import static dev.realign.encode.EncoderConfig.POOLING;
import static dev.realign.encode.EncoderConfig.TOKENIZER_PATH;

import java.util.Locale;
import java.util.Map;

/** An {@link EncoderConfig} from string options (YAML or command line), keyed by its constants. */
final class EncoderOptions {
  private EncoderOptions() {}

  /**
   * Reads a config from string options (YAML or command line). Without {@code model_path} the
   * bundled model is used, and then {@code tokenizer_path} must be absent too. Unknown keys fail
   * naming the key and the allowed keys.
   */
  static EncoderConfig parse(Map<String, String> options) {
    for (String key : options.keySet()) {
      checkArgument(
          KEYS.contains(key),
          "Invalid encoder option: %s (must be one of %s)",
          key,
          KEYS.stream().sorted().toList());
    }
    EncoderConfigBuilder b = EncoderConfig.builder();
    String model = options.get(MODEL_PATH);
    String tokenizer = options.get(TOKENIZER_PATH);
    if (model == null) {
      checkArgument(
          tokenizer == null,
          "Invalid %s: %s (set only together with %s)",
          TOKENIZER_PATH,
          tokenizer,
          MODEL_PATH);
      b.bundledModel();
      if (options.containsKey(MODEL_NAME)) {
        b.modelName(options.get(MODEL_NAME));
      }
    } else {
      checkArgument(
          tokenizer != null, "Missing %s (required with %s=%s)", TOKENIZER_PATH, MODEL_PATH, model);
      b.model(model, options.get(MODEL_NAME)).tokenizer(tokenizer);
    }
    b.maxLength(intOption(options, MAX_LENGTH, 0));
    if (options.containsKey(POOLING)) {
      b.pooling(Pooling.parse(options.get(POOLING)));
    }
    if (options.containsKey(NORMALIZE)) {
      String v = options.get(NORMALIZE).trim().toLowerCase(Locale.ROOT);
      checkArgument(
          v.equals("true") || v.equals("false"),
          "Invalid %s: %s (must be true or false)",
          NORMALIZE,
          options.get(NORMALIZE));
      b.normalize(Boolean.parseBoolean(v));
    }
    b.batchSize(intOption(options, BATCH_SIZE, BATCH_SIZE_DEFAULT));
    b.intraOpThreads(intOption(options, INTRA_OP_THREADS, INTRA_OP_THREADS_DEFAULT));
    ExecutionProvider provider =
        options.containsKey(EXECUTION_PROVIDER)
            ? ExecutionProvider.parse(options.get(EXECUTION_PROVIDER))
            : EXECUTION_PROVIDER_DEFAULT;
    b.provider(provider, intOption(options, DEVICE_ID, DEVICE_ID_DEFAULT));
    return b.build();
  }

  private static int intOption(Map<String, String> options, String key, int dflt) {
    String v = options.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid " + key + ": " + v + " (must be an integer)", e);
    }
  }
}
