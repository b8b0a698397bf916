package dev.realign.vector;

/**
 * Whether the Vector API kernels ({@link VectorLanes}) run here. Holds no vector type, so reading
 * the flag never loads {@code jdk.incubator.vector}: a JVM started without {@code
 * --add-modules=jdk.incubator.vector} (a user's own job) gets the scalar loops, with the same bits.
 */
public final class VectorSupport {
  /**
   * True when the module is present, the CPU has 256-bit double vectors, and the system property
   * {@code realign.vector} is not {@code false}.
   */
  public static final boolean ENABLED = detect();

  private VectorSupport() {}

  private static boolean detect() {
    if (!Boolean.parseBoolean(System.getProperty("realign.vector", "true"))) {
      return false;
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return false;
    }
    try {
      return VectorLanes.preferredBits() >= 256;
    } catch (LinkageError e) {
      return false;
    }
  }
}
