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
 * Resolved configuration: an immutable map of known keys to string values, read through the typed
 * getters ({@link #getInt(String)}, {@link #getEnum}, ...), which parse each value by its one
 * {@link ConfigKey} declaration. Built by layering sources in the documented order (see {@link
 * ConfigKeys}); {@link Builder#build} parses every value, so unknown keys and bad values fail
 * there, with the key, the value and what is allowed, before any job starts.
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
      ConfigKeys.declaration(key); // throws "Invalid config key: ..." naming the known keys
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
        throw new IllegalArgumentException(
            "Invalid config file "
                + file
                + ": top level is "
                + root.getNodeType()
                + " (must be a map of keys)");
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
      sparkConf.forEach(
          (k, v) -> {
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
          throw new IllegalArgumentException(
              "Invalid config value for "
                  + k
                  + " in "
                  + file
                  + ": a list (must be a single value)");
        } else {
          out.put(k, v.isNull() ? "" : v.asText());
        }
      }
    }
  }

  /** Parses every value through its declaration: a bad value fails here, naming its key. */
  private void validate() {
    for (ConfigKey<?> k : ConfigKeys.all()) {
      k.parse(values.get(k.name()));
    }
  }

  /** The raw value as resolved (trimmed by nothing); see the typed getters below. */
  public String get(String key) {
    String v = values.get(key);
    if (v == null) {
      ConfigKeys.declaration(key); // throws "Invalid config key: ..." naming the known keys
      throw new IllegalStateException("Config key without a value: " + key);
    }
    return v;
  }

  public String require(String key) {
    String v = get(key);
    if (v.isBlank()) {
      throw new IllegalArgumentException(
          "Missing config value: " + key + " (" + ConfigKeys.declaration(key).doc() + ")");
    }
    return v;
  }

  /** The value of {@code key} parsed by its declaration, which must be of {@code type}. */
  public <T> T getTyped(String key, Class<T> type) {
    ConfigKey<?> k = ConfigKeys.declaration(key);
    Object v = k.parse(get(key));
    if (!type.isInstance(v)) {
      throw new IllegalStateException(
          "Config key "
              + key
              + " is declared as "
              + k.typeName()
              + " ("
              + k.type().getSimpleName()
              + "), read as "
              + type.getSimpleName());
    }
    return type.cast(v);
  }

  /** A string or choice key, as its declaration reads it (a choice comes back trimmed). */
  public String getString(String key) {
    return getTyped(key, String.class);
  }

  public int getInt(String key) {
    return getTyped(key, Integer.class);
  }

  /** A long or int key. */
  public long getLong(String key) {
    return getTyped(key, Number.class).longValue();
  }

  public double getDouble(String key) {
    return getTyped(key, Double.class);
  }

  public boolean getBoolean(String key) {
    return getTyped(key, Boolean.class);
  }

  public <E extends Enum<E>> E getEnum(String key, Class<E> type) {
    return getTyped(key, type);
  }

  /** A list key ({@link ConfigKey#enumList}) of {@code element}s. */
  public <E> List<E> getList(String key, Class<E> element) {
    List<?> list = getTyped(key, List.class);
    return list.stream().map(element::cast).toList();
  }

  public OutputMode outputMode() {
    return getEnum(ConfigKeys.OUTPUT_MODE, OutputMode.class);
  }

  /**
   * Older call style, kept for call sites not yet ported: the key's declared type and range apply
   * (checked when the config was built), then {@code [min, max]} as well. For a typed key, prefer
   * {@link #getInt(String)}: the range belongs to the declaration.
   *
   * @deprecated declare the key with its range ({@link ConfigKey#integer}) and call {@link
   *     #getInt(String)}
   */
  @Deprecated
  public int getInt(String key, int min, int max) {
    return (int) getLong(key, min, max);
  }

  /**
   * See {@link #getInt(String, int, int)}.
   *
   * @deprecated declare the key with its range and call {@link #getLong(String)}
   */
  @Deprecated
  public long getLong(String key, long min, long max) {
    ConfigKey<?> k = ConfigKeys.declaration(key);
    String raw = get(key).trim();
    long v;
    if (Number.class.isAssignableFrom(k.type()) && k.type() != Double.class) {
      v = getLong(key);
    } else {
      try {
        v = Long.parseLong(raw.replace("_", ""));
      } catch (NumberFormatException e) {
        throw outOfRange(key, raw, min, max);
      }
    }
    if (v < min || v > max) {
      throw outOfRange(key, raw, min, max);
    }
    return v;
  }

  private static IllegalArgumentException outOfRange(String key, String raw, long min, long max) {
    return new IllegalArgumentException(
        "Invalid value for "
            + key
            + ": \""
            + raw
            + "\" (must be an integer in ["
            + min
            + ", "
            + max
            + "])");
  }

  /**
   * See {@link #getInt(String, int, int)}.
   *
   * @deprecated declare the key with its range ({@link ConfigKey#number}) and call {@link
   *     #getDouble(String)}
   */
  @Deprecated
  public double getDouble(String key, double min, double max) {
    ConfigKey<?> k = ConfigKeys.declaration(key);
    String raw = get(key).trim();
    double v;
    if (k.type() == Double.class) {
      v = getDouble(key);
    } else {
      try {
        v = Double.parseDouble(raw);
      } catch (NumberFormatException e) {
        v = Double.NaN;
      }
    }
    if (!(v >= min && v <= max)) {
      throw new IllegalArgumentException(
          "Invalid value for "
              + key
              + ": \""
              + raw
              + "\" (must be a number in ["
              + min
              + ", "
              + max
              + "])");
    }
    return v;
  }

  /**
   * Older call style for a string key with fixed choices.
   *
   * @deprecated declare the key with {@link ConfigKey#choice} or {@link ConfigKey#enumeration}
   */
  @Deprecated
  public String oneOf(String key, String... allowed) {
    String v = get(key).trim();
    if (!Arrays.asList(allowed).contains(v)) {
      throw new IllegalArgumentException(
          "Invalid value for " + key + ": \"" + v + "\" (must be one of " + List.of(allowed) + ")");
    }
    return v;
  }

  /**
   * What {@code realign config} prints: every declared key with its type, default, what is allowed,
   * the resolved value and the doc.
   */
  public String describe() {
    StringBuilder b = new StringBuilder();
    for (ConfigKey<?> k : ConfigKeys.all()) {
      b.append(k.name()).append(" = ").append(values.get(k.name())).append('\n');
      b.append("    ")
          .append(k.typeName())
          .append(", default \"")
          .append(k.defaultValue())
          .append('"');
      if (!k.allowed().isEmpty()) {
        b.append(", ").append(k.allowed());
      }
      b.append('\n').append("    ").append(k.doc()).append('\n');
    }
    return b.toString();
  }

  public Map<String, String> asMap() {
    return new TreeMap<>(values);
  }
}
