package dev.realign.encode;

import dev.realign.vector.RejectReason;
import java.util.Arrays;

/**
 * Embeddings of one {@link OnnxTextEncoder#encode} call, in input order: a flat {@code float[]} of
 * {@code rows x dimension} and one {@link Status} per row. Rows whose status is {@link
 * Status#EMPTY} hold zeros and must go to the rejected dataset ({@link #rejectReason}); truncated
 * rows are embedded from their first {@code max_length} tokens and counted.
 */
public final class EncodeResult {
  /** What happened to one input text. */
  public enum Status {
    /** Embedded in full. */
    OK,
    /** Longer than {@code max_length} tokens: embedded from its first {@code max_length} tokens. */
    TRUNCATED,
    /** Null, empty or whitespace only: not embedded (reason {@link RejectReason#EMPTY_TEXT}). */
    EMPTY
  }

  private final int dimension;
  private final float[] embeddings;
  private final Status[] status;
  private final int truncated;
  private final int rejected;
  private final long tokens;
  private final long paddedTokens;

  EncodeResult(int dimension, float[] embeddings, Status[] status, long tokens, long paddedTokens) {
    this.dimension = dimension;
    this.embeddings = embeddings;
    this.status = status;
    int t = 0;
    int r = 0;
    for (Status s : status) {
      t += s == Status.TRUNCATED ? 1 : 0;
      r += s == Status.EMPTY ? 1 : 0;
    }
    this.truncated = t;
    this.rejected = r;
    this.tokens = tokens;
    this.paddedTokens = paddedTokens;
  }

  public int rows() {
    return status.length;
  }

  public int dimension() {
    return dimension;
  }

  /**
   * The flat row-major embeddings, {@code rows() x dimension()}; owned by the caller, not copied.
   */
  public float[] embeddings() {
    return embeddings;
  }

  /** A copy of row {@code i}. */
  public float[] row(int i) {
    return Arrays.copyOfRange(embeddings, i * dimension, (i + 1) * dimension);
  }

  public Status status(int i) {
    return status[i];
  }

  /** True when row {@code i} holds an embedding (status OK or TRUNCATED). */
  public boolean embedded(int i) {
    return status[i] != Status.EMPTY;
  }

  /** Why row {@code i} was not embedded, or null when it was. */
  public RejectReason rejectReason(int i) {
    return status[i] == Status.EMPTY ? RejectReason.EMPTY_TEXT : null;
  }

  public int truncatedCount() {
    return truncated;
  }

  public int rejectedCount() {
    return rejected;
  }

  /** Real tokens fed to the model (special tokens included). */
  public long tokenCount() {
    return tokens;
  }

  /**
   * Tokens fed including padding; {@code paddedTokenCount() / tokenCount()} is the padding cost.
   */
  public long paddedTokenCount() {
    return paddedTokens;
  }
}
