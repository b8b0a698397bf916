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
import java.util.List;
import java.util.Map;

/**
 * {@code stats/summary.json}: the row accounting of the stats pass (the manifest's own counts
 * format), read by later jobs.
 */
public record StatsSummary(Map<String, ModalityCounts> counts, List<ShardInfo> rejectedFiles) {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    ShardManifest.putCounts(root.putObject("inputs"), counts);
    ShardManifest.putShards(root.putArray("rejected_files"), rejectedFiles);
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static StatsSummary fromJson(String json) {
    try {
      JsonNode root = MAPPER.readTree(json);
      return new StatsSummary(ShardManifest.readCounts(root.path("inputs")),
          ShardManifest.readShards(root.path("rejected_files")));
    } catch (IOException e) {
      throw new IllegalArgumentException("Invalid stats summary: not JSON", e);
    }
  }
}
