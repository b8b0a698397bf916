package dev.realign.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realign.sink.ShardInfo;
import dev.realign.sink.ShardManifest.ModalityCounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code stats/summary.json}: the row accounting of the stats pass, read by later jobs. */
record StatsSummary(Map<String, ModalityCounts> counts, List<ShardInfo> rejectedFiles) {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode c = root.putObject("inputs");
    counts.forEach((role, m) -> {
      ObjectNode n = c.putObject(role);
      n.put("rows", m.rows());
      n.put("used", m.used());
      n.put("rejected", m.rejected());
      ObjectNode r = n.putObject("rejected_by_reason");
      m.byReason().forEach(r::put);
    });
    var files = root.putArray("rejected_files");
    rejectedFiles.forEach(s -> files.addObject().put("name", s.name()).put("rows", s.rows())
        .put("bytes", s.bytes()).put("sha256", s.sha256()));
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static StatsSummary fromJson(String json) {
    try {
      JsonNode root = MAPPER.readTree(json);
      Map<String, ModalityCounts> counts = new LinkedHashMap<>();
      root.path("inputs").fields().forEachRemaining(e -> {
        Map<String, Long> by = new LinkedHashMap<>();
        e.getValue().path("rejected_by_reason").fields()
            .forEachRemaining(r -> by.put(r.getKey(), r.getValue().asLong()));
        counts.put(e.getKey(), new ModalityCounts(e.getValue().path("rows").asLong(),
            e.getValue().path("used").asLong(), e.getValue().path("rejected").asLong(), by));
      });
      List<ShardInfo> files = new ArrayList<>();
      for (JsonNode n : root.path("rejected_files")) {
        files.add(new ShardInfo(n.path("name").asText(), n.path("rows").asLong(),
            n.path("bytes").asLong(), n.path("sha256").asText()));
      }
      return new StatsSummary(counts, files);
    } catch (IOException e) {
      throw new IllegalArgumentException("Invalid stats summary: not JSON", e);
    }
  }
}
