package dev.realign.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * docs/configuration.md, rendered from {@link ConfigKeys}: one table per key group (the part of the
 * name before the first dot), in declaration order. The page is generated, never edited by hand;
 * {@code ConfigurationPageTest} fails when the committed page differs and names the command that
 * rewrites it ({@link #REGENERATE}).
 */
public final class ConfigurationPage {
  private ConfigurationPage() {}

  /** The one command that rewrites docs/configuration.md from the code. */
  public static final String REGENERATE =
      "mvn -B -ntp -q -pl spark-jobs -am -DskipClusterJar -DskipReaderTests"
          + " -Dtest=ConfigurationPageTest -Dsurefire.failIfNoSpecifiedTests=false"
          + " -Drealign.test.excludedGroups=none -Dgroups=golden-generator test";

  /** The page's Markdown, ending in a newline. */
  public static String render() {
    return render(ConfigKeys.all());
  }

  static String render(List<ConfigKey<?>> keys) {
    Map<String, StringBuilder> groups = new LinkedHashMap<>();
    for (ConfigKey<?> k : keys) {
      String name = k.name();
      String group = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
      StringBuilder t =
          groups.computeIfAbsent(
              group,
              g ->
                  new StringBuilder("| key | type | default | allowed | what it does |\n")
                      .append("|---|---|---|---|---|\n"));
      t.append("| `")
          .append(name)
          .append("` | ")
          .append(k.typeName())
          .append(" | ")
          .append(k.defaultValue().isEmpty() ? "(empty)" : "`" + cell(k.defaultValue()) + "`")
          .append(" | ")
          .append(k.allowed().isEmpty() ? "any text" : text(k.allowed()))
          .append(" | ")
          .append(text(k.doc()))
          .append(" |\n");
    }
    StringBuilder b = new StringBuilder();
    b.append("# Configuration keys\n\n")
        .append(
            "<!-- GENERATED from dev.realign.config.ConfigKeys by ConfigurationPage: do not edit.")
        .append(" Regenerate with:\n")
        .append(REGENERATE)
        .append("\n-->\n\n")
        .append("Every key is declared once, in `ConfigKeys` (type, default, allowed values, doc);")
        .append(" this page is generated from\nthose declarations and a test fails when it")
        .append(" differs from them. Values resolve in this order, later\nwins: these defaults,")
        .append(" `--config FILE` (YAML), Spark conf `spark.realign.<key>`, the command line\n")
        .append("(`--set key=value` and the direct flags such as `--output`). The resolved")
        .append(" configuration is checked\nbefore any work: an unknown key, a value of the wrong")
        .append(" type, out of range or not one of the choices\nfails naming the key; booleans are")
        .append(" `true` or `false`. `./realign config` prints every key with its\nresolved")
        .append(" value.\n\n")
        .append("Groups:");
    groups.keySet().forEach(g -> b.append(" [").append(g).append("](#").append(g).append(')'));
    b.append(".\n");
    groups.forEach((g, table) -> b.append("\n## ").append(g).append("\n\n").append(table));
    return b.toString();
  }

  /** A cell of prose: also {@code <} and {@code >} escaped, which Markdown would read as HTML. */
  private static String text(String s) {
    return cell(s).replace("<", "&lt;").replace(">", "&gt;");
  }

  /** A table cell: pipes escaped, line breaks flattened. */
  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
