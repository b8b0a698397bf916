package dev.realign.source;

import dev.realign.vector.RejectReason;

/**
 * A reusable batch of rows read from a split. Rows whose vector has the set's dimension are in
 * {@link #flat} at {@code row * dim}; rows with a structural problem (null vector, wrong length,
 * null id, duplicate id) carry a reason and keep their raw vector in {@link #raw}.
 */
public final class RowBatch {
  public final int dim;
  public final int capacity;
  public int size;
  public final String[] ids;
  public final String[] texts;
  public final float[] flat;
  public final RejectReason[] reasons;
  public final String[] details;
  public final float[][] raw;
  public final long[] rowInFile;

  public RowBatch(int dim, int capacity) {
    this.dim = dim;
    this.capacity = capacity;
    this.ids = new String[capacity];
    this.texts = new String[capacity];
    this.flat = new float[Math.multiplyExact(dim, capacity)];
    this.reasons = new RejectReason[capacity];
    this.details = new String[capacity];
    this.raw = new float[capacity][];
    this.rowInFile = new long[capacity];
  }

  public void clear() {
    for (int i = 0; i < size; i++) {
      reasons[i] = null;
      details[i] = null;
      raw[i] = null;
      texts[i] = null;
    }
    size = 0;
  }

  /** Marks row {@code i} rejected; keeps the first reason a row gets. */
  public void reject(int i, RejectReason reason, String detail) {
    if (reasons[i] == null) {
      reasons[i] = reason;
      details[i] = detail;
    }
  }

  /** The raw vector of row {@code i}, for the rejected dataset (null when there was none). */
  public float[] rawVector(int i) {
    if (raw[i] != null) {
      return raw[i];
    }
    if (reasons[i] == RejectReason.NULL_VECTOR) {
      return null;
    }
    return java.util.Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
  }
}
