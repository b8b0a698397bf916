package dev.realign.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realign.sink.ShardInfo;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Base64;

/**
 * What one apply task produced: its shard, its rejected-row count and the exact sketch of its
 * output rows. Also the completion record ({@code _staging/<shard>.done.json}) that lets a resumed
 * run keep a verified shard instead of redoing it.
 */
final class ShardResult implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final int split;
  private final ShardInfo shard;
  private final long rejected;
  private final String transformSha256;
  private final byte[] outputSketch;
  private final long truncated;
  private final ShardInfo rejectFile;

  ShardResult(
      int split, ShardInfo shard, long rejected, String transformSha256, byte[] outputSketch) {
    this(split, shard, rejected, transformSha256, outputSketch, 0, null);
  }

  /**
   * @param truncated texts truncated to the encoder's max length (encode only)
   * @param rejectFile the split's rejected-row file, or null (encode only)
   */
  ShardResult(
      int split,
      ShardInfo shard,
      long rejected,
      String transformSha256,
      byte[] outputSketch,
      long truncated,
      ShardInfo rejectFile) {
    this.truncated = truncated;
    this.rejectFile = rejectFile;
    this.split = split;
    this.shard = shard;
    this.rejected = rejected;
    this.transformSha256 = transformSha256;
    this.outputSketch = outputSketch;
  }

  int split() {
    return split;
  }

  ShardInfo shard() {
    return shard;
  }

  long rejected() {
    return rejected;
  }

  String transformSha256() {
    return transformSha256;
  }

  byte[] outputSketch() {
    return outputSketch;
  }

  long truncated() {
    return truncated;
  }

  ShardInfo rejectFile() {
    return rejectFile;
  }

  String toJson() {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("split", split);
    n.put("name", shard.name());
    n.put("rows", shard.rows());
    n.put("bytes", shard.bytes());
    n.put("sha256", shard.sha256());
    n.put("rejected", rejected);
    n.put("transform_sha256", transformSha256);
    n.put("output_sketch", Base64.getEncoder().encodeToString(outputSketch));
    n.put("truncated", truncated);
    if (rejectFile != null) {
      n.putObject("reject_file")
          .put("name", rejectFile.name())
          .put("rows", rejectFile.rows())
          .put("bytes", rejectFile.bytes())
          .put("sha256", rejectFile.sha256());
    }
    try {
      n.put(RECORD_SHA256, sha256(MAPPER.writeValueAsString(n)));
      return MAPPER.writeValueAsString(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The record's own checksum: SHA-256 of the record written without it. A damaged count, key or
   * sketch would otherwise be trusted on resume (the shard's own hash covers the shard only) and
   * give a different manifest or report with no error.
   */
  static final String RECORD_SHA256 = "record_sha256";

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static ShardResult fromJson(String json) {
    try {
      JsonNode n = MAPPER.readTree(json);
      if (!(n instanceof ObjectNode o) || !o.path(RECORD_SHA256).isTextual()) {
        throw new IllegalArgumentException("no " + RECORD_SHA256);
      }
      String check = o.remove(RECORD_SHA256).asText();
      if (!check.equals(sha256(MAPPER.writeValueAsString(o)))) {
        throw new IllegalArgumentException(RECORD_SHA256 + " does not match the record (damaged)");
      }
      return new ShardResult(
          n.get("split").asInt(),
          new ShardInfo(
              n.get("name").asText(),
              n.get("rows").asLong(),
              n.get("bytes").asLong(),
              n.get("sha256").asText()),
          n.get("rejected").asLong(),
          n.get("transform_sha256").asText(),
          Base64.getDecoder().decode(n.get("output_sketch").asText()),
          n.path("truncated").asLong(0),
          n.has("reject_file")
              ? new ShardInfo(
                  n.get("reject_file").get("name").asText(),
                  n.get("reject_file").get("rows").asLong(),
                  n.get("reject_file").get("bytes").asLong(),
                  n.get("reject_file").get("sha256").asText())
              : null);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Invalid completion record: " + e.getMessage(), e);
    }
  }
}
