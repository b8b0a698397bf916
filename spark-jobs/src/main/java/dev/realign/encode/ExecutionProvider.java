package dev.realign.encode;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;

/**
 * Where ONNX Runtime runs the model. {@code cuda} and {@code tensorrt} need {@code
 * com.microsoft.onnxruntime:onnxruntime_gpu} on the classpath instead of the CPU jar this build
 * ships, and a GPU; in a Spark job each task takes the GPU that Spark assigned to it ({@code
 * TaskContext.resources().get("gpu")}), one session per GPU per executor.
 */
public enum ExecutionProvider {
  CPU(OrtProvider.CPU),
  /** NVIDIA GPU through CUDA. */
  CUDA(OrtProvider.CUDA),
  /** NVIDIA TensorRT, falling back to CUDA for the nodes it does not take. */
  TENSORRT(OrtProvider.TENSOR_RT);

  private final OrtProvider ort;

  ExecutionProvider(OrtProvider ort) {
    this.ort = ort;
  }

  /** True for the providers that run on a GPU. */
  public boolean gpu() {
    return this != CPU;
  }

  /** Fails naming what is there and what to change when this ONNX Runtime build lacks it. */
  public void checkAvailable() {
    checkAvailable(availableProviders());
  }

  static EnumSet<OrtProvider> availableProviders() {
    return OrtEnvironment.getAvailableProviders();
  }

  void checkAvailable(EnumSet<OrtProvider> available) {
    if (this == CPU || available.contains(ort)) {
      return;
    }
    throw new IllegalStateException(
        "Invalid "
            + EncoderConfig.EXECUTION_PROVIDER
            + ": "
            + name().toLowerCase(Locale.ROOT)
            + " (this ONNX Runtime build has no "
            + ort
            + " execution provider; it has "
            + available
            + "). Put com.microsoft.onnxruntime:onnxruntime_gpu (same version) on the driver's"
            + " and executors' classpath instead of com.microsoft.onnxruntime:onnxruntime, run"
            + " on executors with NVIDIA GPUs, CUDA and cuDNN, or set "
            + EncoderConfig.EXECUTION_PROVIDER
            + "=cpu");
  }

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
