package dev.realign.align;

import static dev.realign.Checks.checkArgument;

import java.util.Objects;

/**
 * Which encoder produced the embeddings a sketch or transform was fitted on: a model name and the
 * SHA-256 of the model file, or {@link #PRECOMPUTED} when the embeddings were given as input; and,
 * when realign encoded them, the {@link Settings} the model ran with (pooling, context length,
 * output dtype), the same values as the encode manifest's {@code encoder_*} provenance.
 *
 * <p>Settings are {@code null} for precomputed embeddings and for sidecars and transforms written
 * before they were recorded (format version 1): such an identity is only a name and a SHA-256.
 */
public record EncoderIdentity(String name, String sha256, Settings settings) {
  public static final EncoderIdentity PRECOMPUTED = new EncoderIdentity("precomputed", null);

  /**
   * How the model was run: its pooling ({@code Pooling}'s parse form, e.g. {@code
   * output:text_embeds} or {@code mean}), the context length in tokens, and the element type of its
   * output before widening to float32 ({@code float32}, {@code float16} or {@code bfloat16}).
   */
  public record Settings(String pooling, int contextLength, String outputDtype) {
    public Settings {
      Objects.requireNonNull(pooling, "pooling");
      Objects.requireNonNull(outputDtype, "output dtype");
      checkArgument(!pooling.isEmpty(), "Invalid encoder pooling: \"\" (must be non-empty)");
      checkArgument(
          contextLength > 0, "Invalid encoder context length: %s (must be > 0)", contextLength);
      checkArgument(
          !outputDtype.isEmpty(), "Invalid encoder output dtype: \"\" (must be non-empty)");
    }

    @Override
    public String toString() {
      return "pooling " + pooling + ", context length " + contextLength + ", output " + outputDtype;
    }
  }

  public EncoderIdentity {
    Objects.requireNonNull(name, "encoder name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("Invalid encoder name: \"\" (must be non-empty)");
    }
  }

  /** An identity without recorded settings (precomputed embeddings, or format version 1). */
  public EncoderIdentity(String name, String sha256) {
    this(name, sha256, null);
  }

  public EncoderIdentity withSettings(Settings s) {
    return new EncoderIdentity(name, sha256, Objects.requireNonNull(s, "settings"));
  }

  public boolean hasSettings() {
    return settings != null;
  }

  /**
   * Whether embeddings from {@code other} may be combined with embeddings from this encoder: the
   * same name and SHA-256, and the same settings where both sides record them (an identity written
   * before settings were recorded leaves them unknown).
   */
  public boolean compatibleWith(EncoderIdentity other) {
    return name.equals(other.name)
        && Objects.equals(sha256, other.sha256)
        && (settings == null || other.settings == null || settings.equals(other.settings));
  }

  /** Of two compatible identities, the one that records more (settings when either has them). */
  public EncoderIdentity mostSpecific(EncoderIdentity other) {
    return settings == null && other.settings != null ? other : this;
  }

  /** For messages: {@code name (sha256 S; pooling P, context length N, output T)}. */
  public String describe() {
    if (sha256 == null && settings == null) {
      return name;
    }
    StringBuilder b = new StringBuilder(name).append(" (");
    if (sha256 != null) {
      b.append("sha256 ").append(sha256);
    }
    if (settings != null) {
      b.append(sha256 != null ? "; " : "").append(settings);
    }
    return b.append(')').toString();
  }
}
