package dev.realign.job;

import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.encode.EncoderConfig;
import dev.realign.encode.ExecutionProvider;
import dev.realign.encode.Pooling;
import java.util.LinkedHashMap;
import java.util.Map;

/** The encoder settings of a pipeline config: the {@code encode.*} keys to an EncoderConfig. */
final class EncoderSettings {
  private EncoderSettings() {}

  /**
   * {@code taskCpus} is the intra-op thread count unless {@code encode.intra_op_threads} is set.
   */
  static EncoderConfig of(PipelineConfig c, int taskCpus) {
    Map<String, String> o = new LinkedHashMap<>();
    if (!c.get(ConfigKeys.ENCODE_MODEL).isBlank()) {
      o.put(EncoderConfig.MODEL_PATH, c.get(ConfigKeys.ENCODE_MODEL));
      o.put(EncoderConfig.TOKENIZER_PATH, c.require(ConfigKeys.ENCODE_TOKENIZER));
    } else if (!c.get(ConfigKeys.ENCODE_TOKENIZER).isBlank()) {
      throw new IllegalArgumentException(
          "Invalid "
              + ConfigKeys.ENCODE_TOKENIZER
              + ": "
              + c.get(ConfigKeys.ENCODE_TOKENIZER)
              + " (set only together with "
              + ConfigKeys.ENCODE_MODEL
              + ")");
    }
    if (!c.get(ConfigKeys.ENCODE_MODEL_NAME).isBlank()) {
      o.put(EncoderConfig.MODEL_NAME, c.get(ConfigKeys.ENCODE_MODEL_NAME));
    }
    // Typed values, written back in canonical form: what passed the config check is what the
    // encoder reads (no second parser that disagrees).
    o.put(EncoderConfig.MAX_LENGTH, Integer.toString(c.getInt(ConfigKeys.ENCODE_MAX_LENGTH)));
    o.put(EncoderConfig.POOLING, c.getTyped(ConfigKeys.ENCODE_POOLING, Pooling.class).toString());
    o.put(EncoderConfig.NORMALIZE, Boolean.toString(c.getBoolean(ConfigKeys.ENCODE_NORMALIZE)));
    o.put(EncoderConfig.BATCH_SIZE, Integer.toString(c.getInt(ConfigKeys.ENCODE_BATCH_SIZE)));
    int threads = c.getInt(ConfigKeys.ENCODE_THREADS);
    o.put(EncoderConfig.INTRA_OP_THREADS, Integer.toString(threads > 0 ? threads : taskCpus));
    o.put(
        EncoderConfig.EXECUTION_PROVIDER,
        c.getEnum(ConfigKeys.ENCODE_PROVIDER, ExecutionProvider.class).name());
    return EncoderConfig.fromOptions(o);
  }
}
