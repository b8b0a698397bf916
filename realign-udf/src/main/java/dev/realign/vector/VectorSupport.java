package dev.realign.vector;

/**
 * Whether the Vector API kernels ({@link VectorLanes}) run here. Holds no vector type, so reading
 * the flags never loads {@code jdk.incubator.vector}: a JVM started without {@code
 * --add-modules=jdk.incubator.vector} (a user's own job) gets the scalar loops, with the same bits.
 *
 * <p>Two flags, because their code is paid for differently: the passes' per-row kernels ({@link
 * #ENABLED}: sketches, alignment) are compiled on every executor and earn that back only on large
 * inputs, while the metrics' loops over in-memory samples ({@link #METRICS}) run on the driver with
 * the report, whose own warm-up compiles them.
 */
public final class VectorSupport {
  /** Turns every Vector API kernel off when {@code false}. */
  public static final String PROPERTY = "realign.vector";

  /**
   * Turns the passes' per-row kernels off when {@code false} (the CLI sets it for a small local
   * run); {@link #PROPERTY} {@code =false} turns them off too.
   */
  public static final String ROWS_PROPERTY = "realign.vector.rows";

  /**
   * The passes' per-row kernels (sketches, alignment): {@link #METRICS}, unless the system property
   * {@link #ROWS_PROPERTY} is {@code false}.
   */
  public static final boolean ENABLED;

  /**
   * The metrics' kernels over in-memory samples ({@code dev.realign.metrics}): true when the module
   * is present, the CPU has 256-bit double vectors, and the system property {@link #PROPERTY} is
   * not {@code false}.
   */
  public static final boolean METRICS;

  static {
    METRICS = detect();
    ENABLED = METRICS && Boolean.parseBoolean(System.getProperty(ROWS_PROPERTY, "true"));
  }

  private VectorSupport() {}

  private static boolean detect() {
    if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
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
