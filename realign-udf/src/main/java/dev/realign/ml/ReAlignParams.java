package dev.realign.ml;

import dev.realign.align.FitOptions;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import scala.runtime.AbstractFunction1;

/**
 * The Params shared by {@link ReAlign} and {@link ReAlignModel}, with their defaults and rules.
 * Each Param's validator throws the project's own message ("Invalid X: value (must be ...)"), so a
 * bad value is refused with the same text through a setter, a ParamMap or a loaded pipeline.
 */
public interface ReAlignParams extends Params {
  String[] VARIANTS = {"anchor", "anchor-trace", "realign"};
  String[] HANDLE_INVALID = {"error", "skip", "keep"};

  /** The embedding column: array&lt;float&gt;, array&lt;double&gt; or ml.linalg.Vector. */
  Param<String> inputCol();

  /** The aligned column, of the input column's type. */
  Param<String> outputCol();

  /** The column saying which modality a row is; optional when every row is a text. */
  Param<String> modalityCol();

  Param<String> textValue();

  Param<String> imageValue();

  Param<String> variant();

  IntParam refinementIterations();

  /** A stored image sketch (file or stats directory); empty: fit from the input's image rows. */
  Param<String> imageStatsPath();

  Param<String> handleInvalid();

  default String getInputCol() {
    return getOrDefault(inputCol());
  }

  default String getOutputCol() {
    return getOrDefault(outputCol());
  }

  default String getModalityCol() {
    return getOrDefault(modalityCol());
  }

  default String getTextValue() {
    return getOrDefault(textValue());
  }

  default String getImageValue() {
    return getOrDefault(imageValue());
  }

  default String getVariant() {
    return getOrDefault(variant());
  }

  default int getRefinementIterations() {
    return (Integer) getOrDefault(refinementIterations());
  }

  default String getImageStatsPath() {
    return getOrDefault(imageStatsPath());
  }

  default String getHandleInvalid() {
    return getOrDefault(handleInvalid());
  }

  /** The declarations, created once per instance (a Param needs its parent's uid). */
  final class Declared implements Serializable {
    private static final long serialVersionUID = 1L;

    final Param<String> inputCol;
    final Param<String> outputCol;
    final Param<String> modalityCol;
    final Param<String> textValue;
    final Param<String> imageValue;
    final Param<String> variant;
    final IntParam refinementIterations;
    final Param<String> imageStatsPath;
    final Param<String> handleInvalid;

    Declared(Params parent) {
      inputCol =
          new Param<>(
              parent,
              "inputCol",
              "embedding column: array<float>, array<double>" + " or ml.linalg.Vector",
              rule(v -> columnName("inputCol", v)));
      outputCol =
          new Param<>(
              parent,
              "outputCol",
              "aligned column (the input column's type)",
              rule(v -> columnName("outputCol", v)));
      modalityCol =
          new Param<>(
              parent,
              "modalityCol",
              "column holding each row's modality;" + " absent: every row is a text",
              rule(v -> columnName("modalityCol", v)));
      textValue =
          new Param<>(
              parent,
              "textValue",
              "modality value of text rows",
              rule(v -> nonEmpty("textValue", v)));
      imageValue =
          new Param<>(
              parent,
              "imageValue",
              "modality value of image rows",
              rule(v -> nonEmpty("imageValue", v)));
      variant =
          new Param<>(
              parent,
              "variant",
              "anchor | anchor-trace | realign",
              rule(v -> oneOf("variant", v, VARIANTS)));
      refinementIterations =
          new IntParam(
              parent,
              "refinementIterations",
              "extra centroid steps" + " after the first (0 = the paper's method; realign only)",
              rule((Object v) -> refinement(v)));
      imageStatsPath =
          new Param<>(
              parent,
              "imageStatsPath",
              "stored image sketch (a .sketch file"
                  + " or a stats directory); empty: fit from the input's image rows",
              rule(v -> notNull("imageStatsPath", v)));
      handleInvalid =
          new Param<>(
              parent,
              "handleInvalid",
              "rows with a NaN/Inf, zero or"
                  + " wrong-length vector, or an unknown modality: error (fail), skip (leave out) or keep"
                  + " (fit: leave out of the statistics; transform: output null)",
              rule(v -> oneOf("handleInvalid", v, HANDLE_INVALID)));
    }
  }

  /** Wraps a check that throws into the predicate a Param wants. */
  static <T> Rule<T> rule(SerializableConsumer<T> check) {
    return new Rule<>(check);
  }

  /** A serialisable Param validator that throws the check's own message. */
  final class Rule<T> extends AbstractFunction1<T, Object> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final SerializableConsumer<T> check;

    Rule(SerializableConsumer<T> check) {
      this.check = check;
    }

    @Override
    public Object apply(T value) {
      check.accept(value);
      return Boolean.TRUE;
    }
  }

  interface SerializableConsumer<T> extends Consumer<T>, Serializable {}

  static void notNull(String name, String v) {
    if (v == null) {
      throw new IllegalArgumentException("Invalid " + name + ": null (must be a string)");
    }
  }

  static void nonEmpty(String name, String v) {
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("Invalid " + name + ": \"" + v + "\" (must be non-empty)");
    }
  }

  static void columnName(String name, String v) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(
          "Invalid " + name + ": \"" + v + "\" (must be a non-empty column name)");
    }
  }

  static void oneOf(String name, String v, String[] allowed) {
    if (v == null || !Arrays.asList(allowed).contains(v)) {
      throw new IllegalArgumentException(
          "Invalid " + name + ": \"" + v + "\" (must be one of " + Arrays.toString(allowed) + ")");
    }
  }

  static void refinement(Object v) {
    int n = v instanceof Number x ? x.intValue() : -1;
    if (!(v instanceof Integer) || n < 0 || n > FitOptions.MAX_REFINEMENT_ITERATIONS) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "Invalid refinementIterations: %s (must be in [0, %d])",
              v,
              FitOptions.MAX_REFINEMENT_ITERATIONS));
    }
  }
}
