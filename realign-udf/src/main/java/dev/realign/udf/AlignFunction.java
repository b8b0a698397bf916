package dev.realign.udf;

import dev.realign.align.AlignmentKernel;
import dev.realign.spark.VectorType;
import dev.realign.vector.RejectReason;
import java.io.Serializable;

/**
 * The body of the SQL UDF: what a task ships is the transform's path and sha256, not the transform;
 * the kernel comes from {@link TransformCache}, once per executor JVM.
 */
final class AlignFunction implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String sha256;
  private final int dim;
  private final boolean nullOnInvalid;
  private transient AlignmentKernel kernel;
  private transient double[] scratch;

  AlignFunction(String path, String sha256, int dim, boolean nullOnInvalid) {
    this.path = path;
    this.sha256 = sha256;
    this.dim = dim;
    this.nullOnInvalid = nullOnInvalid;
  }

  float[] align(Object vector) {
    if (kernel == null) {
      kernel = TransformCache.kernel(path, sha256);
      scratch = kernel.newScratch();
    }
    float[] in = VectorType.toFloats(vector);
    RejectReason reason =
        in == null
            ? RejectReason.NULL_VECTOR
            : in.length != dim ? RejectReason.WRONG_DIMENSION : null;
    float[] out = null;
    if (reason == null) {
      out = new float[dim];
      reason = kernel.apply(in, 0, out, 0, scratch);
    }
    if (reason == null) {
      return out;
    }
    if (nullOnInvalid) {
      return null;
    }
    throw new IllegalArgumentException(
        "Invalid row for realign_align: "
            + reason.code()
            + " ("
            + (reason == RejectReason.WRONG_DIMENSION
                ? "length " + in.length + ", expected " + dim
                : reason == RejectReason.NULL_VECTOR
                    ? "null vector"
                    : reason == RejectReason.NON_FINITE
                        ? "NaN or infinite component"
                        : "L2 norm below 1e-10")
            + "); set "
            + RealignUdfs.ON_INVALID_CONF
            + "=null to get null for such rows");
  }
}
