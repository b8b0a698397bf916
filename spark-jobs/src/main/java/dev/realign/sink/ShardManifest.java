package dev.realign.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code _manifest.json}, the commit point of a shard directory: readers trust it, not a directory
 * listing. It holds no timestamps, so the same inputs and transform give the same manifest bytes.
 *
 * @param rows rows written, the sum over shards
 * @param transformSha256 the transform that produced the rows ("none" for copies and encodings)
 * @param rejectedRows rows of this output's input that were rejected
 * @param inputs per modality: rows read, rows used, rows rejected by reason
 * @param rejectedFiles the rejected-row files, relative to the output root
 * @param extra further figures (centroid gap before/after), written as given
 * @param provenance what produced the rows (e.g. the encoder's name and model SHA-256)
 * @param shardFormat the shards' file format, {@code parquet} or {@code arrow} (JSON {@code
 *     shard_format}: the key {@code format} already names the manifest's own format)
 * @param createdBy what wrote the dataset (JSON object {@code created_by}: realign's version and
 *     git commit, the Spark, Scala and Java versions; {@code BuildInfo.createdBy()}); empty: not
 *     written. It is the one part of the manifest that depends on the build and the JVM.
 */
public record ShardManifest(
    long rows,
    int dim,
    String dtype,
    String transformSha256,
    long rejectedRows,
    Map<String, ModalityCounts> inputs,
    List<ShardInfo> rejectedFiles,
    Map<String, Double> extra,
    List<ShardInfo> shards,
    Map<String, String> provenance,
    String shardFormat,
    Map<String, String> createdBy) {

  /** A manifest without {@code created_by}. */
  public ShardManifest(
      long rows,
      int dim,
      String dtype,
      String transformSha256,
      long rejectedRows,
      Map<String, ModalityCounts> inputs,
      List<ShardInfo> rejectedFiles,
      Map<String, Double> extra,
      List<ShardInfo> shards,
      Map<String, String> provenance,
      String shardFormat) {
    this(
        rows,
        dim,
        dtype,
        transformSha256,
        rejectedRows,
        inputs,
        rejectedFiles,
        extra,
        shards,
        provenance,
        shardFormat,
        Map.of());
  }

  /** This manifest with {@code created_by} set (see {@code dev.realign.build.BuildInfo}). */
  public ShardManifest withCreatedBy(Map<String, String> by) {
    return new ShardManifest(
        rows,
        dim,
        dtype,
        transformSha256,
        rejectedRows,
        inputs,
        rejectedFiles,
        extra,
        shards,
        provenance,
        shardFormat,
        Map.copyOf(by));
  }

  /** A manifest of Parquet shards. */
  public ShardManifest(
      long rows,
      int dim,
      String dtype,
      String transformSha256,
      long rejectedRows,
      Map<String, ModalityCounts> inputs,
      List<ShardInfo> rejectedFiles,
      Map<String, Double> extra,
      List<ShardInfo> shards,
      Map<String, String> provenance) {
    this(
        rows,
        dim,
        dtype,
        transformSha256,
        rejectedRows,
        inputs,
        rejectedFiles,
        extra,
        shards,
        provenance,
        "parquet");
  }

  public static final int FORMAT_VERSION = 1;
  public static final String FORMAT = "realign-shards";
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Row counts of one modality's input: rows = used + rejected. */
  public record ModalityCounts(long rows, long used, long rejected, Map<String, Long> byReason)
      implements java.io.Serializable {}

  public String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("format_version", FORMAT_VERSION);
    if (!createdBy.isEmpty()) {
      ObjectNode by = root.putObject("created_by");
      // Sorted, as provenance: the bytes must not depend on a map's iteration order.
      new java.util.TreeMap<>(createdBy).forEach(by::put);
    }
    root.put("rows", rows);
    root.put("dim", dim);
    root.put("dtype", dtype);
    root.put("shard_format", shardFormat);
    root.put(
        "layout",
        shardFormat.equals("arrow")
            ? "embedding: fixed_size_list<"
                + (dtype.equals("float16") ? "halffloat" : "float")
                + ", dim> non-null, Arrow IPC stream"
            : "embedding: list<"
                + (dtype.equals("float16") ? "halffloat (Parquet FLOAT16)" : "float")
                + "> of exactly dim non-null values");
    root.put("transform_sha256", transformSha256);
    root.put("rejected_rows", rejectedRows);
    putCounts(root.putObject("inputs"), inputs);
    ArrayNode rej = root.putArray("rejected_files");
    rejectedFiles.forEach(s -> putShard(rej.addObject(), s));
    ObjectNode ex = root.putObject("figures");
    extra.forEach(ex::put);
    ObjectNode pv = root.putObject("provenance");
    // Sorted: Map.of iterates in a per-JVM random order, and the manifest must be reproducible.
    new java.util.TreeMap<>(provenance).forEach(pv::put);
    ArrayNode sh = root.putArray("shards");
    shards.forEach(s -> putShard(sh.addObject(), s));
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes per-modality counts: {@code {role: {rows, used, rejected, rejected_by_reason}}}. */
  public static void putCounts(ObjectNode into, Map<String, ModalityCounts> counts) {
    counts.forEach(
        (role, c) -> {
          ObjectNode n = into.putObject(role);
          n.put("rows", c.rows());
          n.put("used", c.used());
          n.put("rejected", c.rejected());
          ObjectNode r = n.putObject("rejected_by_reason");
          new java.util.TreeMap<>(c.byReason()).forEach(r::put);
        });
  }

  /** Reads what {@link #putCounts} wrote. */
  public static Map<String, ModalityCounts> readCounts(JsonNode node) {
    Map<String, ModalityCounts> counts = new LinkedHashMap<>();
    node.fields()
        .forEachRemaining(
            e -> {
              Map<String, Long> by = new java.util.TreeMap<>();
              e.getValue()
                  .path("rejected_by_reason")
                  .fields()
                  .forEachRemaining(r -> by.put(r.getKey(), r.getValue().asLong()));
              counts.put(
                  e.getKey(),
                  new ModalityCounts(
                      e.getValue().path("rows").asLong(),
                      e.getValue().path("used").asLong(),
                      e.getValue().path("rejected").asLong(),
                      by));
            });
    return counts;
  }

  /** Writes shard entries: {@code [{name, rows, bytes, sha256}]}. */
  public static void putShards(
      com.fasterxml.jackson.databind.node.ArrayNode into, List<ShardInfo> shards) {
    shards.forEach(s -> putShard(into.addObject(), s));
  }

  /** Reads what {@link #putShards} wrote. */
  public static List<ShardInfo> readShards(JsonNode arr, String where) {
    return shardList(arr, where, true);
  }

  private static void putShard(ObjectNode n, ShardInfo s) {
    n.put("name", s.name());
    n.put("rows", s.rows());
    n.put("bytes", s.bytes());
    n.put("sha256", s.sha256());
  }

  public static ShardManifest fromJson(String json, String where) {
    try {
      JsonNode root = MAPPER.readTree(json);
      int version = root.path("format_version").asInt(-1);
      if (!FORMAT.equals(root.path("format").asText()) || version != FORMAT_VERSION) {
        throw new IllegalArgumentException(
            "Invalid manifest "
                + where
                + ": format expected "
                + FORMAT
                + " v"
                + FORMAT_VERSION
                + ", actual "
                + root.path("format").asText()
                + " v"
                + version);
      }
      Map<String, ModalityCounts> inputs = readCounts(root.path("inputs"));
      Map<String, Double> extra = new LinkedHashMap<>();
      root.path("figures")
          .fields()
          .forEachRemaining(e -> extra.put(e.getKey(), e.getValue().asDouble()));
      Map<String, String> provenance = new LinkedHashMap<>();
      root.path("provenance")
          .fields()
          .forEachRemaining(e -> provenance.put(e.getKey(), e.getValue().asText()));
      Map<String, String> createdBy = new LinkedHashMap<>();
      root.path("created_by")
          .fields()
          .forEachRemaining(e -> createdBy.put(e.getKey(), e.getValue().asText()));
      return new ShardManifest(
          root.path("rows").asLong(),
          root.path("dim").asInt(),
          root.path("dtype").asText(),
          root.path("transform_sha256").asText(),
          root.path("rejected_rows").asLong(),
          inputs,
          shardList(root.path("rejected_files"), where, true),
          extra,
          shardList(root.path("shards"), where, false),
          provenance,
          root.path("shard_format").asText("parquet"),
          createdBy.isEmpty() ? Map.of() : Map.copyOf(createdBy));
    } catch (IOException e) {
      throw new IllegalArgumentException("Invalid manifest " + where + ": not JSON", e);
    }
  }

  /** Shards are plain names in the manifest's directory; rejected files are relative paths. */
  private static List<ShardInfo> shardList(JsonNode arr, String where, boolean relative) {
    List<ShardInfo> out = new ArrayList<>();
    for (JsonNode n : arr) {
      String name = n.path("name").asText();
      out.add(
          new ShardInfo(
              relative
                  ? ShardInfo.requireRelativeName(name, where)
                  : ShardInfo.requirePlainName(name, where),
              n.path("rows").asLong(),
              n.path("bytes").asLong(),
              n.path("sha256").asText()));
    }
    return out;
  }

  /** Writes to a temporary name and renames, so the manifest appears whole or not at all. */
  public void write(FileSystem fs, Path path) {
    writeAtomically(fs, path, toJson());
  }

  public static void writeAtomically(FileSystem fs, Path path, String content) {
    AtomicFiles.write(fs, path, content.getBytes(StandardCharsets.UTF_8));
  }

  public static ShardManifest read(FileSystem fs, Path path) {
    try (InputStream in = fs.open(path)) {
      return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), path.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read manifest " + path, e);
    }
  }

  /** SHA-256 of a file, streamed. */
  public static String sha256(FileSystem fs, Path path) {
    try (InputStream in = fs.open(path)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + path, e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Checks every shard listed against the files in {@code dir}: present, same size, same SHA-256.
   *
   * @throws IllegalStateException naming the first shard that does not match
   */
  public void verify(FileSystem fs, Path dir) {
    for (ShardInfo s : shards) {
      Path p = new Path(dir, s.name());
      try {
        if (!fs.exists(p)) {
          throw new IllegalStateException("Shard " + p + " listed in the manifest is missing");
        }
        long len = fs.getFileStatus(p).getLen();
        if (len != s.bytes()) {
          throw new IllegalStateException(
              "Shard " + p + ": size expected " + s.bytes() + " bytes, actual " + len);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot check shard " + p, e);
      }
      String sha = sha256(fs, p);
      if (!sha.equals(s.sha256())) {
        throw new IllegalStateException(
            "Shard " + p + ": sha256 expected " + s.sha256() + ", actual " + sha);
      }
    }
  }
}
