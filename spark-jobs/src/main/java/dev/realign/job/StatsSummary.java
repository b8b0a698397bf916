package dev.realign.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realign.sink.ShardInfo;
import dev.realign.sink.ShardManifest;
import dev.realign.sink.ShardManifest.ModalityCounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code stats/summary.json}: the row accounting of the stats pass (the manifest's own counts
 * format), its verdict and the fingerprints of the sketches it wrote, read by later jobs. The stats
 * job writes it before the sketches, so {@code fit} and {@code apply} can refuse the sketches of a
 * failed stats (too many rejected rows) or sketches that are not the ones it counted.
 *
 * @param failure why the stats stage failed (the rejected-row limit), or null when it passed
 * @param sketches role to {@link dev.realign.stats.SketchCodec#fingerprint} of its sketch
 */
public record StatsSummary(
    Map<String, ModalityCounts> counts,
    List<ShardInfo> rejectedFiles,
    String failure,
    Map<String, String> sketches) {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final String PASSED = "passed";
  static final String FAILED = "failed";

  public boolean passed() {
    return failure == null;
  }

  String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("verdict", passed() ? PASSED : FAILED);
    if (!passed()) {
      root.put("failure", failure);
    }
    ObjectNode fp = root.putObject("sketch_sha256");
    sketches.forEach(fp::put);
    ShardManifest.putCounts(root.putObject("inputs"), counts);
    ShardManifest.putShards(root.putArray("rejected_files"), rejectedFiles);
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static StatsSummary fromJson(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Invalid stats summary: not JSON (" + Failures.message(e) + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("Invalid stats summary: not a JSON object");
    }
    String verdict = root.path("verdict").asText("");
    if (!verdict.equals(PASSED) && !verdict.equals(FAILED)) {
      throw new IllegalArgumentException(
          "Invalid stats summary: verdict \""
              + verdict
              + "\" (must be passed or failed; a summary without one predates the verdict: rerun"
              + " stats)");
    }
    Map<String, String> sketches = new LinkedHashMap<>();
    root.path("sketch_sha256")
        .fields()
        .forEachRemaining(e -> sketches.put(e.getKey(), e.getValue().asText()));
    return new StatsSummary(
        ShardManifest.readCounts(root.path("inputs")),
        ShardManifest.readShards(root.path("rejected_files"), "the stats summary"),
        verdict.equals(FAILED) ? root.path("failure").asText("(no reason recorded)") : null,
        sketches);
  }
}
