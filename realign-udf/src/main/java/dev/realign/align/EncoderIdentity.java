package dev.realign.align;

import java.util.Objects;

/**
 * Which encoder produced the embeddings a transform was fitted on: a model name and the SHA-256 of
 * the model file, or {@link #PRECOMPUTED} when the embeddings were given as input.
 */
public record EncoderIdentity(String name, String sha256) {
  public static final EncoderIdentity PRECOMPUTED = new EncoderIdentity("precomputed", null);

  public EncoderIdentity {
    Objects.requireNonNull(name, "encoder name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("Invalid encoder name: \"\" (must be non-empty)");
    }
  }
}
