package dev.realign.ml;

import dev.realign.align.AlignmentKernel;
import dev.realign.spark.DataFramePasses;
import dev.realign.spark.VectorType;
import dev.realign.vector.RejectReason;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.api.java.UDF2;

/**
 * The per-row function of {@link ReAlignModel#transform}: aligns text rows with the broadcast
 * kernel (not the model: a task ships the broadcast's handle), passes image rows through unchanged,
 * and treats invalid rows by {@code handleInvalid}: error throws, skip and keep return null (skip's
 * rows are then filtered).
 */
final class AlignRowFunction implements UDF2<Object, String, Object> {
  private static final long serialVersionUID = 1L;

  private final Broadcast<AlignmentKernel> broadcast;
  private final VectorType type;
  private final DataFramePasses.Columns cols;
  private final boolean failOnInvalid;
  private transient AlignmentKernel kernel;
  private transient double[] scratch;

  AlignRowFunction(
      Broadcast<AlignmentKernel> kernel,
      VectorType type,
      DataFramePasses.Columns cols,
      boolean failOnInvalid) {
    this.broadcast = kernel;
    this.type = type;
    this.cols = cols;
    this.failOnInvalid = failOnInvalid;
  }

  @Override
  public Object call(Object vector, String modality) {
    if (cols.imageValue().equals(modality)) {
      return vector;
    }
    if (!cols.textValue().equals(modality)) {
      if (failOnInvalid) {
        throw new IllegalArgumentException(
            "Invalid modality in column "
                + cols.modality()
                + ": "
                + (modality == null ? "null" : "\"" + modality + "\"")
                + " (must be \""
                + cols.textValue()
                + "\" or \""
                + cols.imageValue()
                + "\"; set handleInvalid to skip"
                + " or keep)");
      }
      return null;
    }
    if (kernel == null) {
      kernel = broadcast.value();
    }
    int dim = kernel.dimension();
    float[] in = VectorType.toFloats(vector);
    RejectReason reason =
        in == null
            ? RejectReason.NULL_VECTOR
            : in.length != dim ? RejectReason.WRONG_DIMENSION : null;
    float[] out = null;
    if (reason == null) {
      if (scratch == null) {
        scratch = kernel.newScratch();
      }
      out = new float[dim];
      reason = kernel.apply(in, 0, out, 0, scratch);
    }
    if (reason != null) {
      if (failOnInvalid) {
        throw DataFramePasses.invalidRow(cols.vector(), cols.textValue(), reason, in, dim);
      }
      return null;
    }
    return type.fromFloats(out);
  }
}
