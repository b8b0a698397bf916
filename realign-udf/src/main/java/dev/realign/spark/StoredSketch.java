package dev.realign.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realign.align.EncoderIdentity;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.SketchCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A sketch stored as an asset: {@code <role>.sketch} (the {@link SketchCodec} bytes) plus its
 * sidecar {@code <role>.sketch.json}, which records the encoder that produced the embeddings:
 *
 * <pre>
 * {"format": "realign-sketch-info", "format_version": 1, "role": "image", "dim": 512,
 *  "count": 500, "codec_version": 1, "sketch_sha256": "...",
 *  "encoder": {"name": "precomputed", "sha256": null}}
 * </pre>
 *
 * Format version 2 adds the settings realign encoded the texts with ({@link
 * EncoderIdentity.Settings}) to {@code encoder}: {@code "pooling": "output:text_embeds",
 * "context_length": 77, "output_dtype": "float32"}. A sidecar is written in the lowest version that
 * holds its encoder: version 1 when there are no settings (precomputed embeddings), so those bytes
 * are unchanged; a version 1 sidecar reads as an encoder without settings.
 *
 * <p>A sketch without a sidecar (written before sidecars existed) has the encoder "precomputed".
 * The sidecar's {@code sketch_sha256} must match the sketch bytes, so the two cannot be mixed up.
 * Paths are Hadoop paths (local, HDFS, S3...), so the same assets serve the CLI and the ML stage.
 */
public record StoredSketch(MomentSnapshot snapshot, EncoderIdentity encoder, String path) {
  public static final String FORMAT = "realign-sketch-info";

  /** The newest sidecar version, written when the encoder has settings. */
  public static final int FORMAT_VERSION = 2;

  /** The version without encoder settings, still written for precomputed embeddings. */
  public static final int FORMAT_VERSION_NO_SETTINGS = 1;

  public static final String SKETCH_SUFFIX = ".sketch";
  public static final String INFO_SUFFIX = ".sketch.json";
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public StoredSketch {
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(path, "path");
  }

  /**
   * Reads the {@code role} sketch at {@code location}: a {@code .sketch} file, a stats directory
   * holding {@code <role>.sketch}, or an output directory holding {@code stats/<role>.sketch}.
   *
   * @throws IllegalArgumentException naming the file when it is missing or invalid
   */
  public static StoredSketch read(String location, String role, Configuration conf) {
    Path file = resolve(location, role, conf);
    FileSystem fs = fs(file, conf);
    MomentSnapshot snapshot;
    try {
      snapshot = SketchCodec.decode(readAll(fs, file));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " [in " + file + "]", e);
    }
    Path info = infoPath(file);
    EncoderIdentity encoder = EncoderIdentity.PRECOMPUTED;
    try {
      if (fs.exists(info)) {
        encoder = parseInfo(new String(readAll(fs, info), StandardCharsets.UTF_8), snapshot, info);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + info, e);
    }
    return new StoredSketch(snapshot, encoder, file.toString());
  }

  static Path resolve(String location, String role, Configuration conf) {
    Path p = new Path(location);
    FileSystem fs = fs(p, conf);
    try {
      if (fs.isDirectory(p)) {
        for (Path candidate :
            List.of(
                new Path(p, role + SKETCH_SUFFIX),
                new Path(new Path(p, "stats"), role + SKETCH_SUFFIX))) {
          if (fs.isFile(candidate)) {
            return candidate;
          }
        }
        throw new IllegalArgumentException(
            "Missing "
                + role
                + " sketch: "
                + p
                + " holds neither "
                + role
                + SKETCH_SUFFIX
                + " nor stats/"
                + role
                + SKETCH_SUFFIX);
      }
      if (!fs.isFile(p)) {
        throw new IllegalArgumentException("Missing " + role + " sketch: " + p + " does not exist");
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + p, e);
    }
  }

  /** Writes {@code file} and its sidecar (each replaced if present). */
  public static void write(
      Path file, String role, MomentSnapshot s, EncoderIdentity encoder, Configuration conf) {
    FileSystem fs = fs(file, conf);
    writeAll(fs, file, SketchCodec.encode(s));
    writeAll(fs, infoPath(file), infoJson(role, s, encoder).getBytes(StandardCharsets.UTF_8));
  }

  /** Writes only the sidecar of a sketch file that is already written. */
  public static void writeInfo(
      Path file, String role, MomentSnapshot s, EncoderIdentity encoder, Configuration conf) {
    writeAll(
        fs(file, conf),
        infoPath(file),
        infoJson(role, s, encoder).getBytes(StandardCharsets.UTF_8));
  }

  /** The sidecar of a sketch file: {@code image.sketch} -> {@code image.sketch.json}. */
  public static Path infoPath(Path sketchFile) {
    return new Path(sketchFile.getParent(), sketchFile.getName() + ".json");
  }

  static String infoJson(String role, MomentSnapshot s, EncoderIdentity encoder) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("format_version", encoder.hasSettings() ? FORMAT_VERSION : FORMAT_VERSION_NO_SETTINGS);
    root.put("role", role);
    root.put("dim", s.dimension());
    root.put("count", s.count());
    root.put("codec_version", SketchCodec.SERIAL_VERSION);
    root.put("sketch_sha256", SketchCodec.fingerprint(s));
    ObjectNode enc = root.putObject("encoder");
    enc.put("name", encoder.name());
    enc.put("sha256", encoder.sha256());
    if (encoder.hasSettings()) {
      enc.put("pooling", encoder.settings().pooling());
      enc.put("context_length", encoder.settings().contextLength());
      enc.put("output_dtype", encoder.settings().outputDtype());
    }
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static EncoderIdentity parseInfo(String json, MomentSnapshot s, Path info) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("Invalid sketch info " + info + ": not JSON", e);
    }
    int version = root.path("format_version").asInt();
    if (!FORMAT.equals(root.path("format").asText())
        || version < FORMAT_VERSION_NO_SETTINGS
        || version > FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "Sketch info format mismatch in "
              + info
              + ": expected "
              + FORMAT
              + " version "
              + FORMAT_VERSION_NO_SETTINGS
              + " to "
              + FORMAT_VERSION
              + ", actual "
              + root.path("format").asText()
              + " version "
              + root.path("format_version").asText()
              + (version > FORMAT_VERSION
                  ? " (written by a newer realign; upgrade to read it)"
                  : ""));
    }
    String recorded = root.path("sketch_sha256").asText();
    String actual = SketchCodec.fingerprint(s);
    if (!recorded.equals(actual)) {
      throw new IllegalArgumentException(
          "Sketch info mismatch: "
              + info
              + " describes a sketch"
              + " with sha256 "
              + recorded
              + ", the sketch beside it has sha256 "
              + actual
              + " (copy a sketch together with its .json)");
    }
    if (root.path("dim").asLong(-1) != s.dimension()
        || root.path("count").asLong(-1) != s.count()) {
      throw new IllegalArgumentException(
          "Sketch info mismatch: "
              + info
              + " says dim "
              + root.path("dim")
              + " and count "
              + root.path("count")
              + ", the sketch beside it has dim "
              + s.dimension()
              + " and count "
              + s.count()
              + " (copy a sketch together with its .json)");
    }
    JsonNode enc = root.path("encoder");
    if (!enc.path("name").isTextual()) {
      throw new IllegalArgumentException(
          "Invalid sketch info " + info + ": encoder name " + enc.path("name") + " (must be text)");
    }
    JsonNode sha = enc.get("sha256");
    EncoderIdentity identity;
    try {
      identity =
          new EncoderIdentity(
              enc.path("name").asText(), sha == null || sha.isNull() ? null : sha.asText());
    } catch (IllegalArgumentException e) {
      // The fuzz test found an empty name failing without the file's name.
      throw new IllegalArgumentException("Invalid sketch info " + info + ": " + e.getMessage(), e);
    }
    if (version == FORMAT_VERSION_NO_SETTINGS) {
      return identity;
    }
    String pooling = settingText(enc, "pooling", info);
    int contextLength = settingInt(enc, "context_length", info);
    String outputDtype = settingText(enc, "output_dtype", info);
    try {
      return identity.withSettings(
          new EncoderIdentity.Settings(pooling, contextLength, outputDtype));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " [in " + info + "]", e);
    }
  }

  private static String settingText(JsonNode enc, String field, Path info) {
    return setting(enc, field, info, JsonNode::isTextual, "a string").asText();
  }

  private static int settingInt(JsonNode enc, String field, Path info) {
    return setting(enc, field, info, JsonNode::isInt, "an integer").intValue();
  }

  private static JsonNode setting(
      JsonNode enc,
      String field,
      Path info,
      java.util.function.Predicate<JsonNode> valid,
      String kind) {
    JsonNode v = enc.get(field);
    if (v == null || !valid.test(v)) {
      throw new IllegalArgumentException(
          "Invalid sketch info "
              + info
              + ": encoder."
              + field
              + " is "
              + v
              + " (must be "
              + kind
              + " in format version "
              + FORMAT_VERSION
              + ")");
    }
    return v;
  }

  /**
   * Merges stored sketches exactly (the merge of the sketches of parts is the sketch of their
   * union, bit for bit).
   *
   * @throws IllegalArgumentException when two sketches differ in dimension or encoder (name,
   *     SHA-256, or settings where both record them), naming both
   */
  public static StoredSketch merge(List<StoredSketch> parts, String outputPath) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("Invalid sketches to merge: none (must be at least one)");
    }
    StoredSketch first = parts.get(0);
    MomentSnapshot merged = first.snapshot;
    // The part whose encoder records the most so far: an old sidecar (no settings) is compatible
    // with any settings, so each part is checked against this one, not only against the first.
    StoredSketch reference = first;
    for (StoredSketch p : parts.subList(1, parts.size())) {
      if (p.snapshot.dimension() != first.snapshot.dimension()) {
        throw new IllegalArgumentException(
            "Invalid sketches to merge: "
                + first.path
                + " has dimension "
                + first.snapshot.dimension()
                + ", "
                + p.path
                + " has dimension "
                + p.snapshot.dimension()
                + " (must be equal)");
      }
      if (!p.encoder.compatibleWith(reference.encoder)) {
        throw new IllegalArgumentException(
            "Invalid sketches to merge: "
                + reference.path
                + " comes from encoder "
                + describe(reference.encoder)
                + ", "
                + p.path
                + " from encoder "
                + describe(p.encoder)
                + " (must be the same encoder)");
      }
      merged = MomentSnapshot.merge(merged, p.snapshot);
      if (reference.encoder.mostSpecific(p.encoder) == p.encoder) {
        reference = p;
      }
    }
    return new StoredSketch(merged, reference.encoder, outputPath);
  }

  /**
   * Checks that this (image) sketch can be fitted against texts of dimension {@code textDim} from
   * {@code textEncoder}. "precomputed" on either side means unknown and is accepted.
   */
  public void requireFits(int textDim, EncoderIdentity textEncoder, String textSource) {
    if (snapshot.dimension() != textDim) {
      throw new IllegalArgumentException(
          "Invalid image sketch "
              + path
              + ": dimension "
              + snapshot.dimension()
              + ", the text embeddings "
              + textSource
              + " have dimension "
              + textDim
              + " (must be equal: both modalities come from one encoder)");
    }
    boolean known =
        !textEncoder.equals(EncoderIdentity.PRECOMPUTED)
            && !encoder.equals(EncoderIdentity.PRECOMPUTED);
    if (known && !textEncoder.compatibleWith(encoder)) {
      throw new IllegalArgumentException(
          "Invalid image sketch "
              + path
              + ": encoder "
              + describe(encoder)
              + ", the text embeddings "
              + textSource
              + " come from encoder "
              + describe(textEncoder)
              + " (must be the same encoder)");
    }
  }

  static String describe(EncoderIdentity e) {
    return e.describe();
  }

  private static FileSystem fs(Path p, Configuration conf) {
    try {
      return p.getFileSystem(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the file system of " + p, e);
    }
  }

  private static byte[] readAll(FileSystem fs, Path p) {
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + p, e);
    }
  }

  private static void writeAll(FileSystem fs, Path p, byte[] bytes) {
    try (OutputStream out = fs.create(p, true)) {
      out.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + p, e);
    }
  }
}
