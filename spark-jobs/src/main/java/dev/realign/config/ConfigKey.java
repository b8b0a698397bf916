package dev.realign.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration key, declared once: name, value type, default, what is allowed and the doc.
 * Every read of the key goes through {@link #parse}, so the range or the choices are written only
 * here (and a value that passes the config check is the value the job uses). The default is kept in
 * the form a config file would hold it, and must itself parse.
 *
 * @param <T> the type a getter returns
 */
public final class ConfigKey<T> {
  private final String name;
  private final Class<?> type;
  private final String typeName;
  private final String defaultValue;
  private final String allowed;
  private final String doc;
  private final Function<String, T> parser;

  private ConfigKey(
      String name,
      Class<?> type,
      String typeName,
      String defaultValue,
      String allowed,
      String doc,
      Function<String, T> parser) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = type;
    this.typeName = typeName;
    this.defaultValue = Objects.requireNonNull(defaultValue, "defaultValue");
    this.allowed = allowed;
    this.doc = Objects.requireNonNull(doc, "doc");
    this.parser = parser;
    parse(defaultValue); // a default that does not parse is a bug in the declaration
  }

  /** Free text; {@code allowed} is empty (anything goes, the reader checks paths and names). */
  public static ConfigKey<String> string(String name, String defaultValue, String doc) {
    return new ConfigKey<>(name, String.class, "string", defaultValue, "", doc, s -> s);
  }

  /** {@code true} or {@code false}, case-insensitive; nothing else (no yes/no, no 1/0). */
  public static ConfigKey<Boolean> bool(String name, boolean defaultValue, String doc) {
    return new ConfigKey<>(
        name,
        Boolean.class,
        "boolean",
        Boolean.toString(defaultValue),
        "true or false",
        doc,
        s ->
            switch (s.trim().toLowerCase(Locale.ROOT)) {
              case "true" -> Boolean.TRUE;
              case "false" -> Boolean.FALSE;
              default -> null;
            });
  }

  /** An int in {@code [min, max]} ({@code _} separators allowed: {@code 65_536}). */
  public static ConfigKey<Integer> integer(
      String name, int defaultValue, int min, int max, String doc) {
    return new ConfigKey<>(
        name,
        Integer.class,
        "int",
        Integer.toString(defaultValue),
        "an integer in [" + min + ", " + max + "]",
        doc,
        s -> {
          Long v = parseLong(s);
          return v != null && v >= min && v <= max ? Integer.valueOf(v.intValue()) : null;
        });
  }

  /** A long in {@code [min, max]}. */
  public static ConfigKey<Long> longInteger(
      String name, long defaultValue, long min, long max, String doc) {
    return new ConfigKey<>(
        name,
        Long.class,
        "long",
        Long.toString(defaultValue),
        "an integer in [" + min + ", " + max + "]",
        doc,
        s -> {
          Long v = parseLong(s);
          return v != null && v >= min && v <= max ? v : null;
        });
  }

  /** A finite double in {@code [min, max]}. */
  public static ConfigKey<Double> number(
      String name, double defaultValue, double min, double max, String doc) {
    return new ConfigKey<>(
        name,
        Double.class,
        "double",
        Double.toString(defaultValue),
        "a number in [" + min + ", " + max + "]",
        doc,
        s -> {
          double v;
          try {
            v = Double.parseDouble(s.trim());
          } catch (NumberFormatException e) {
            return null;
          }
          return v >= min && v <= max ? v : null; // also false for NaN
        });
  }

  /** One of fixed strings (exact), for values that are not (yet) an enum, such as {@code auto}. */
  public static ConfigKey<String> choice(
      String name, String defaultValue, List<String> choices, String doc) {
    List<String> copy = List.copyOf(choices);
    return new ConfigKey<>(
        name,
        String.class,
        "choice",
        defaultValue,
        "one of " + copy,
        doc,
        s -> copy.contains(s.trim()) ? s.trim() : null);
  }

  /**
   * An enum constant by its config id ({@code id}, matched case-insensitively), e.g. {@code
   * anchor-trace} for {@code Variant.ANCHOR_TRACE}.
   */
  public static <E extends Enum<E>> ConfigKey<E> enumeration(
      String name, E defaultValue, Function<E, String> id, String doc) {
    Class<E> type = defaultValue.getDeclaringClass();
    return new ConfigKey<>(
        name,
        type,
        "enum",
        id.apply(defaultValue),
        "one of " + ids(type, id),
        doc,
        s -> fromId(type, id, s));
  }

  /** A comma-separated list of enum ids (blank entries ignored; may be empty). */
  public static <E extends Enum<E>> ConfigKey<List<E>> enumList(
      String name, List<E> defaultValue, Class<E> type, Function<E, String> id, String doc) {
    String dflt = String.join(",", defaultValue.stream().map(id).toList());
    return new ConfigKey<>(
        name,
        List.class,
        "list",
        dflt,
        "a comma-separated list of " + ids(type, id),
        doc,
        s -> {
          List<E> out = new ArrayList<>();
          for (String part : s.split(",")) {
            if (!part.isBlank()) {
              E e = fromId(type, id, part);
              if (e == null) {
                return null;
              }
              out.add(e);
            }
          }
          return List.copyOf(out);
        });
  }

  /**
   * A value with its own parser, which throws {@link IllegalArgumentException} for a bad value;
   * {@code allowed} says in words what it accepts.
   */
  public static <T> ConfigKey<T> parsed(
      String name,
      Class<T> type,
      String defaultValue,
      String allowed,
      Function<String, T> parser,
      String doc) {
    return new ConfigKey<>(
        name,
        type,
        type.getSimpleName().toLowerCase(Locale.ROOT),
        defaultValue,
        allowed,
        doc,
        s -> {
          try {
            return parser.apply(s);
          } catch (IllegalArgumentException e) {
            return null;
          }
        });
  }

  /**
   * The typed value of {@code raw}, or "Invalid value for KEY: "raw" (must be ALLOWED)". Null reads
   * as the empty string.
   */
  public T parse(String raw) {
    String s = raw == null ? "" : raw;
    T v = parser.apply(s);
    if (v == null) {
      throw new IllegalArgumentException(
          "Invalid value for " + name + ": \"" + s.trim() + "\" (must be " + allowed + ")");
    }
    return v;
  }

  public String name() {
    return name;
  }

  /** The Java type of the parsed value ({@code Integer}, an enum class, {@code List}, ...). */
  public Class<?> type() {
    return type;
  }

  /** The type as listed by {@code realign config}: int, long, double, boolean, enum, ... */
  public String typeName() {
    return typeName;
  }

  public String defaultValue() {
    return defaultValue;
  }

  /** What a value must be, in words ("an integer in [0, 16]", "one of [a, b]"); empty: any text. */
  public String allowed() {
    return allowed;
  }

  public String doc() {
    return doc;
  }

  @Override
  public String toString() {
    return name;
  }

  private static Long parseLong(String s) {
    try {
      return Long.parseLong(s.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static <E extends Enum<E>> List<String> ids(Class<E> type, Function<E, String> id) {
    return Arrays.stream(type.getEnumConstants()).map(id).toList();
  }

  private static <E extends Enum<E>> E fromId(Class<E> type, Function<E, String> id, String s) {
    String want = s.trim();
    for (E e : type.getEnumConstants()) {
      if (id.apply(e).equalsIgnoreCase(want)) {
        return e;
      }
    }
    return null;
  }
}
