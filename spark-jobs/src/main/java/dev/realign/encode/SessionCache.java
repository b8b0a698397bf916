package dev.realign.encode;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One loaded model (ONNX Runtime session + tokenizer) per JVM per configuration, created lazily on
 * first use and shared by every thread: {@code OrtSession.run} and the Hugging Face tokenizer are
 * safe to call concurrently, so the tasks of one Spark executor share one copy of the weights. The
 * GPU is part of the key: an executor with several GPUs holds one session per GPU its tasks were
 * given. Sessions live until the JVM exits (an executor's lifetime); {@link #clear()} is for tests.
 *
 * <p>A failed load is not cached: the next call tries again and fails with the same message.
 */
final class SessionCache {
  /** What a session and tokenizer depend on; pooling, normalisation and batch size do not. */
  record Key(
      String modelPath,
      String tokenizerPath,
      int maxLength,
      int intraOpThreads,
      ExecutionProvider provider,
      int deviceId) {
    static Key of(EncoderConfig c) {
      return new Key(
          c.modelPath(),
          c.tokenizerPath(),
          c.maxLength(),
          c.intraOpThreads(),
          c.provider(),
          c.deviceId());
    }
  }

  private static final Map<Key, LoadedModel> MODELS = new ConcurrentHashMap<>();

  private SessionCache() {}

  static LoadedModel get(EncoderConfig config) {
    return MODELS.computeIfAbsent(Key.of(config), LoadedModel::load);
  }

  static int size() {
    return MODELS.size();
  }

  /** Closes and forgets every session (tests only: a running encoder would fail). */
  static synchronized void clear() {
    for (Key k : MODELS.keySet()) {
      LoadedModel m = MODELS.remove(k);
      if (m != null) {
        m.close();
      }
    }
  }
}
