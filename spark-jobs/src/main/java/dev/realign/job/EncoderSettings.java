package dev.realign.job;

import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.encode.EncoderConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** The encoder settings of a pipeline config: the {@code encode.*} keys to an EncoderConfig. */
final class EncoderSettings {
  private EncoderSettings() {}

  /** {@code taskCpus} is the intra-op thread count unless {@code encode.intra_op_threads} is set. */
  static EncoderConfig of(PipelineConfig c, int taskCpus) {
    Map<String, String> o = new LinkedHashMap<>();
    if (!c.get(ConfigKeys.ENCODE_MODEL).isBlank()) {
      o.put(EncoderConfig.MODEL_PATH, c.get(ConfigKeys.ENCODE_MODEL));
      o.put(EncoderConfig.TOKENIZER_PATH, c.require(ConfigKeys.ENCODE_TOKENIZER));
    } else if (!c.get(ConfigKeys.ENCODE_TOKENIZER).isBlank()) {
      throw new IllegalArgumentException("Invalid " + ConfigKeys.ENCODE_TOKENIZER + ": "
          + c.get(ConfigKeys.ENCODE_TOKENIZER) + " (set only together with "
          + ConfigKeys.ENCODE_MODEL + ")");
    }
    if (!c.get(ConfigKeys.ENCODE_MODEL_NAME).isBlank()) {
      o.put(EncoderConfig.MODEL_NAME, c.get(ConfigKeys.ENCODE_MODEL_NAME));
    }
    o.put(EncoderConfig.MAX_LENGTH, c.get(ConfigKeys.ENCODE_MAX_LENGTH));
    o.put(EncoderConfig.POOLING, c.get(ConfigKeys.ENCODE_POOLING));
    o.put(EncoderConfig.NORMALIZE, c.get(ConfigKeys.ENCODE_NORMALIZE));
    o.put(EncoderConfig.BATCH_SIZE, c.get(ConfigKeys.ENCODE_BATCH_SIZE));
    int threads = c.getInt(ConfigKeys.ENCODE_THREADS, 0, 1024);
    o.put(EncoderConfig.INTRA_OP_THREADS, Integer.toString(threads > 0 ? threads : taskCpus));
    o.put(EncoderConfig.EXECUTION_PROVIDER, c.get(ConfigKeys.ENCODE_PROVIDER));
    return EncoderConfig.fromOptions(o);
  }
}
