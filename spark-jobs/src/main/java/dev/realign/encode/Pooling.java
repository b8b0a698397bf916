package dev.realign.encode;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * How one row of token vectors becomes one text vector.
 *
 * <ul>
 *   <li>{@code auto} (the default): the model's own choice, settled when the model is loaded
 *       ({@link ModelContract}): the pooling its ONNX metadata states ({@code realign.pooling},
 *       written by {@code deploy/export/}); else a 2-D output {@code [batch, d]} used as is (by
 *       name when there are several: {@code text_embeds}, {@code sentence_embedding}, ...); else
 *       masked mean over the 3-D token output.
 *   <li>{@code mean}: attention-masked mean over the output {@code last_hidden_state} ({@code
 *       [batch, seq, d]}); {@code mean:<output>} names another 3-D output.
 *   <li>{@code cls}: the first token's vector of {@code last_hidden_state} ({@code cls:<output>}
 *       likewise).
 *   <li>{@code output:<name>}: the model's own pooled output {@code [batch, d]}, used as is.
 * </ul>
 */
public final class Pooling implements Serializable {
  // A class, not a record: Spark's Kryo (4.x) cannot serialise records.
  private static final long serialVersionUID = 1L;

  /** The output that {@code mean} and {@code cls} read unless another is named. */
  public static final String LAST_HIDDEN_STATE = "last_hidden_state";

  public static final Pooling MEAN = new Pooling(Kind.MEAN, LAST_HIDDEN_STATE);
  public static final Pooling CLS = new Pooling(Kind.CLS, LAST_HIDDEN_STATE);

  /** Settled per model at load ({@link ModelContract}); never reaches the pooling code. */
  public static final Pooling AUTO = new Pooling(Kind.AUTO, "*");

  public enum Kind {
    AUTO,
    MEAN,
    CLS,
    OUTPUT
  }

  private final Kind kind;
  private final String output;

  public Pooling(Kind kind, String output) {
    Objects.requireNonNull(kind, "pooling kind");
    if (output == null || output.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid pooling output name: \"" + output + "\" (must be non-empty)");
    }
    this.kind = kind;
    this.output = output;
  }

  public Kind kind() {
    return kind;
  }

  /** The model output this pooling reads. */
  public String output() {
    return output;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Pooling p && kind == p.kind && output.equals(p.output);
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + output.hashCode();
  }

  public static Pooling output(String name) {
    return new Pooling(Kind.OUTPUT, name);
  }

  /**
   * Parses {@code auto}, {@code mean}, {@code cls}, {@code mean:<output>}, {@code cls:<output>} or
   * {@code output:<name>}.
   */
  public static Pooling parse(String text) {
    Objects.requireNonNull(text, "pooling");
    String s = text.trim();
    int colon = s.indexOf(':');
    String head = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
    String name = colon < 0 ? null : s.substring(colon + 1);
    if (colon >= 0 && name.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid pooling: " + text + " (an output name must follow the colon)");
    }
    switch (head) {
      case "auto":
        if (name != null) {
          throw new IllegalArgumentException(
              "Invalid pooling: " + text + " (auto takes no output name)");
        }
        return AUTO;
      case "mean":
        return name == null ? MEAN : new Pooling(Kind.MEAN, name);
      case "cls":
        return name == null ? CLS : new Pooling(Kind.CLS, name);
      case "output":
        if (name == null) {
          throw new IllegalArgumentException(
              "Invalid pooling: "
                  + text
                  + " (output pooling names the model output: output:<name>)");
        }
        return output(name);
      default:
        throw new IllegalArgumentException(
            "Invalid pooling: "
                + text
                + " (must be one of auto, mean, cls, output:<name>, mean:<output>, cls:<output>)");
    }
  }

  /** The form {@link #parse} reads back. */
  @Override
  public String toString() {
    String head = kind.name().toLowerCase(Locale.ROOT);
    if (kind == Kind.AUTO) {
      return head;
    }
    if (kind != Kind.OUTPUT && LAST_HIDDEN_STATE.equals(output)) {
      return head;
    }
    return head + ":" + output;
  }
}
