package dev.realign.encode;

import java.util.Arrays;
import java.util.Locale;

/** Where ONNX Runtime runs the model. */
public enum ExecutionProvider {
  CPU,
  /** NVIDIA GPU: needs {@code com.microsoft.onnxruntime:onnxruntime_gpu} instead of the CPU jar. */
  CUDA;

  public static ExecutionProvider parse(String text) {
    for (ExecutionProvider p : values()) {
      if (p.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "Invalid execution_provider: "
            + text
            + " (must be one of "
            + Arrays.stream(values()).map(p -> p.name().toLowerCase(Locale.ROOT)).toList()
            + ")");
  }
}
