package dev.realign.sink;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.Path;

/**
 * Where everything lives under the output directory.
 *
 * <pre>
 * OUTPUT/
 *   realign-transform.json
 *   stats/text.sketch, stats/image.sketch, stats/summary.json
 *   aligned/part-00000-of-00064.parquet ... aligned/_manifest.json (written last)
 *   aligned/_staging/   (shards and completion records before the commit)
 *   rejected/text/part-....parquet, rejected/image/part-....parquet
 *   report/report.json, report/report.html
 *   demo-input/         (generated demo embeddings, only for the demo)
 * </pre>
 */
public record OutputLayout(String root) implements Serializable {
  /** Children a run owns; {@code overwrite} deletes these and nothing else. */
  public static final List<String> OWNED =
      List.of("realign-transform.json", "stats", "aligned", "rejected", "report", "encoded");

  public Path rootPath() {
    return new Path(root);
  }

  public Path transform() {
    return new Path(root, "realign-transform.json");
  }

  public Path stats() {
    return new Path(root, "stats");
  }

  public Path sketch(String role) {
    return new Path(stats(), role + ".sketch");
  }

  public Path statsSummary() {
    return new Path(stats(), "summary.json");
  }

  public Path aligned() {
    return new Path(root, "aligned");
  }

  public Path staging() {
    return new Path(aligned(), "_staging");
  }

  public Path manifest() {
    return new Path(aligned(), "_manifest.json");
  }

  public Path rejected(String role) {
    return new Path(new Path(root, "rejected"), role);
  }

  public Path report() {
    return new Path(root, "report");
  }

  public Path demoInput() {
    return new Path(root, "demo-input");
  }

  /** {@code part-00003-of-00064.parquet}: deterministic, zero padded, no UUIDs. */
  public static String shardName(int index, int count) {
    return shardName(index, count, "parquet");
  }

  /** {@code part-00003-of-00064.<extension>}. */
  public static String shardName(int index, int count, String extension) {
    int width = Math.max(5, Integer.toString(count).length());
    return String.format(
        Locale.ROOT, "part-%0" + width + "d-of-%0" + width + "d.%s", index, count, extension);
  }
}
