package dev.realign.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Resolved configuration: an immutable map of known keys to string values with typed getters. Built
 * by layering sources in the documented order (see {@link ConfigKeys}); unknown keys and bad values
 * fail with the key, the value and what is allowed.
 */
public final class PipelineConfig implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final String SPARK_CONF_PREFIX = "spark.realign.";

  private final Map<String, String> values;

  private PipelineConfig(Map<String, String> values) {
    // A TreeMap, not Map.copyOf: Kryo cannot rebuild immutable JDK collections.
    this.values = new TreeMap<>(values);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Layers sources over the defaults; each {@code set} overrides what came before. */
  public static final class Builder {
    private final Map<String, String> values = new LinkedHashMap<>(ConfigKeys.defaults());

    public Builder set(String key, String value) {
      if (!ConfigKeys.isKnown(key)) {
        throw new IllegalArgumentException("Invalid config key: " + key + " (must be one of "
            + new TreeMap<>(ConfigKeys.defaults()).keySet() + ")");
      }
      values.put(key, value == null ? "" : value);
      return this;
    }

    public Builder setAll(Map<String, String> entries) {
      entries.forEach(this::set);
      return this;
    }

    /** A YAML or JSON file of nested maps ({@code input: {text: {path: ...}}}) or dotted keys. */
    public Builder file(Path file) {
      JsonNode root;
      try {
        root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read config file " + file, e);
      }
      if (root == null || root.isNull() || root.isMissingNode()) {
        return this;
      }
      if (!root.isObject()) {
        throw new IllegalArgumentException("Invalid config file " + file
            + ": top level is " + root.getNodeType() + " (must be a map of keys)");
      }
      Map<String, String> flat = new LinkedHashMap<>();
      flatten("", root, flat, file);
      try {
        return setAll(flat);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage() + " [in " + file + "]", e);
      }
    }

    /** {@code spark.realign.<key>} entries of a Spark conf. */
    public Builder sparkConf(Map<String, String> sparkConf) {
      sparkConf.forEach((k, v) -> {
        if (k.startsWith(SPARK_CONF_PREFIX)) {
          set(k.substring(SPARK_CONF_PREFIX.length()), v);
        }
      });
      return this;
    }

    public PipelineConfig build() {
      PipelineConfig c = new PipelineConfig(values);
      c.validate();
      return c;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String k = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
        JsonNode v = e.getValue();
        if (v.isObject()) {
          flatten(k, v, out, file);
        } else if (v.isArray()) {
          throw new IllegalArgumentException("Invalid config value for " + k + " in " + file
              + ": a list (must be a single value)");
        } else {
          out.put(k, v.isNull() ? "" : v.asText());
        }
      }
    }
  }

  private void validate() {
    oneOf(ConfigKeys.OUTPUT_MODE, "error", "overwrite", "resume");
    oneOf(ConfigKeys.TEXT_FORMAT, "auto", "npy", "parquet");
    oneOf(ConfigKeys.IMAGE_FORMAT, "auto", "npy", "parquet");
    oneOf(ConfigKeys.VARIANT, "anchor", "anchor-trace", "realign");
    // arrow
    oneOf(ConfigKeys.OUTPUT_FORMAT, "parquet", "arrow");
    oneOf(ConfigKeys.OUTPUT_DTYPE, "float32", "float16");
    getInt(ConfigKeys.OUTPUT_ARROW_BATCH_ROWS, 1, 1 << 24);
    getInt(ConfigKeys.SPLIT_ROWS, 1, Integer.MAX_VALUE);
    getInt(ConfigKeys.PARTITIONS, 0, 1_000_000);
    getInt(ConfigKeys.REFINEMENT_ITERATIONS, 0, 16);
    getDouble(ConfigKeys.MAX_REJECTED_FRACTION, 0.0, 1.0);
    getInt(ConfigKeys.PROGRESS_INTERVAL, 0, 86_400);
    getBoolean(ConfigKeys.CHECK_DUPLICATE_IDS);
    getBoolean(ConfigKeys.DEMO_GENERATE);
    getBoolean(ConfigKeys.REPORT_IN_RUN);
    getBoolean(ConfigKeys.ENCODE_NORMALIZE);
    oneOf(ConfigKeys.ENCODE_FORMAT, "auto", "jsonl", "text", "parquet");
    oneOf(ConfigKeys.ENCODE_PROVIDER, "cpu", "cuda");
    getInt(ConfigKeys.ENCODE_THREADS, 0, 1024);
    getBoolean(ConfigKeys.REPORT_SPECTRA);
    getInt(ConfigKeys.REPORT_SAMPLE_ROWS, 2, 1_000_000);
    for (String v : get(ConfigKeys.REPORT_VARIANTS).split(",")) {
      if (!v.isBlank() && !java.util.List.of("anchor", "anchor-trace", "realign")
          .contains(v.trim())) {
        throw new IllegalArgumentException("Invalid value for " + ConfigKeys.REPORT_VARIANTS
            + ": \"" + v.trim() + "\" (must be a comma-separated list of [anchor, anchor-trace,"
            + " realign])");
      }
    }
  }

  public String get(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException("Invalid config key: " + key + " (not a known key)");
    }
    return v;
  }

  public String require(String key) {
    String v = get(key);
    if (v.isBlank()) {
      throw new IllegalArgumentException("Missing config value: " + key + " ("
          + ConfigKeys.docs().get(key) + ")");
    }
    return v;
  }

  public int getInt(String key, int min, int max) {
    long v = getLong(key, min, max);
    return (int) v;
  }

  public long getLong(String key, long min, long max) {
    String raw = get(key).trim();
    long v;
    try {
      v = Long.parseLong(raw.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid value for " + key + ": \"" + raw
          + "\" (must be an integer in [" + min + ", " + max + "])");
    }
    if (v < min || v > max) {
      throw new IllegalArgumentException("Invalid value for " + key + ": " + v
          + " (must be in [" + min + ", " + max + "])");
    }
    return v;
  }

  public double getDouble(String key, double min, double max) {
    String raw = get(key).trim();
    double v;
    try {
      v = Double.parseDouble(raw);
    } catch (NumberFormatException e) {
      v = Double.NaN;
    }
    if (!(v >= min && v <= max)) {
      throw new IllegalArgumentException("Invalid value for " + key + ": \"" + raw
          + "\" (must be a number in [" + min + ", " + max + "])");
    }
    return v;
  }

  public boolean getBoolean(String key) {
    String raw = get(key).trim().toLowerCase(java.util.Locale.ROOT);
    return switch (raw) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException("Invalid value for " + key + ": \"" + raw
          + "\" (must be true or false)");
    };
  }

  public String oneOf(String key, String... allowed) {
    String v = get(key).trim();
    if (!Arrays.asList(allowed).contains(v)) {
      throw new IllegalArgumentException("Invalid value for " + key + ": \"" + v
          + "\" (must be one of " + List.of(allowed) + ")");
    }
    return v;
  }

  public Map<String, String> asMap() {
    return new TreeMap<>(values);
  }
}
