package dev.realign.align;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code realign-transform.json}: the persisted transform, loadable with {@code json} + {@code
 * numpy} by the GPU stage. Files are {@link dev.realign.io.TransformFiles}' business: this package
 * never touches them. Doubles are written in Java's shortest round-trip decimal form, so they read
 * back bit-exact; the {@code sha256} field is recomputed on read and must match.
 *
 * <pre>
 * {
 *   "format": "realign-transform", "format_version": 1,
 *   "variant": "realign", "dim": 512,
 *   "counts": {"text": n_t, "image": n_i}, "traces": {"text": T_t, "image": T_i},
 *   "scale": s, "mu_text": [...], "mu_image": [...],
 *   "mu_hat": [[...], ...],            // one centroid per centroid step, applied in order
 *   "encoder": {"name": ..., "sha256": ... | null},  // version 2 adds "pooling": ...,
 *                                                    // "context_length": n, "output_dtype": ...
 *   "inputs": {"text_sketch_sha256": ..., "image_sketch_sha256": ..., "centroid_sketch_sha256": [...]},
 *   "sha256": "..."
 * }
 * </pre>
 *
 * Format version 2 is written only when the encoder records its settings ({@link
 * EncoderIdentity.Settings}: realign encoded the texts); its canonical SHA-256 appends them after
 * everything version 1 hashes. A transform of precomputed embeddings is still version 1, byte for
 * byte.
 *
 * <p>Applying it: {@code y = t/|t|; e = normalize(mu_image + scale*(y - mu_text)); for c in mu_hat:
 * e = normalize(e - c + mu_image)}.
 */
public final class TransformJson {
  public static final String FORMAT = "realign-transform";

  /** The newest version, written when the encoder has settings. */
  public static final int FORMAT_VERSION = 2;

  /** The version without encoder settings, still written for precomputed embeddings. */
  public static final int FORMAT_VERSION_NO_SETTINGS = 1;

  public static final String FILE_NAME = "realign-transform.json";

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TransformJson() {}

  /** The lowest format version that holds {@code encoder}. */
  public static int versionFor(EncoderIdentity encoder) {
    return encoder.hasSettings() ? FORMAT_VERSION : FORMAT_VERSION_NO_SETTINGS;
  }

  public static String toJson(ReAlignTransform t) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("format_version", versionFor(t.encoder()));
    root.put("variant", t.variant().id());
    root.put("dim", t.dimension());
    ObjectNode counts = root.putObject("counts");
    counts.put("text", t.textCount());
    counts.put("image", t.imageCount());
    ObjectNode traces = root.putObject("traces");
    traces.put("text", t.textTrace());
    traces.put("image", t.imageTrace());
    root.put("scale", t.scale());
    putVector(root.putArray("mu_text"), t.muText());
    putVector(root.putArray("mu_image"), t.muImage());
    ArrayNode hats = root.putArray("mu_hat");
    for (double[] h : t.muHat()) {
      putVector(hats.addArray(), h);
    }
    ObjectNode enc = root.putObject("encoder");
    enc.put("name", t.encoder().name());
    enc.put("sha256", t.encoder().sha256());
    if (t.encoder().hasSettings()) {
      enc.put("pooling", t.encoder().settings().pooling());
      enc.put("context_length", t.encoder().settings().contextLength());
      enc.put("output_dtype", t.encoder().settings().outputDtype());
    }
    ObjectNode inputs = root.putObject("inputs");
    inputs.put("text_sketch_sha256", t.inputs().textSketchSha256());
    inputs.put("image_sketch_sha256", t.inputs().imageSketchSha256());
    ArrayNode cs = inputs.putArray("centroid_sketch_sha256");
    t.inputs().centroidSketchSha256().forEach(cs::add);
    root.put("sha256", t.sha256());
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialise the transform", e);
    }
  }

  private static void putVector(ArrayNode arr, double[] v) {
    for (double x : v) {
      arr.add(x);
    }
  }

  public static ReAlignTransform fromJson(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "Invalid transform: not JSON (" + e.getOriginalMessage() + ")", e);
    }
    String format = text(root, "format");
    if (!FORMAT.equals(format)) {
      throw new IllegalArgumentException(
          "Invalid transform format: expected \"" + FORMAT + "\", actual \"" + format + "\"");
    }
    int version = required(root, "format_version").intValue();
    if (version < FORMAT_VERSION_NO_SETTINGS || version > FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "Transform format version mismatch: expected "
              + FORMAT_VERSION_NO_SETTINGS
              + " to "
              + FORMAT_VERSION
              + ", actual "
              + version
              + (version > FORMAT_VERSION
                  ? " (written by a newer realign; upgrade to read it)"
                  : ""));
    }
    Variant variant = Variant.fromId(text(root, "variant"));
    int dim = required(root, "dim").intValue();
    if (dim <= 0) {
      throw new IllegalArgumentException("Invalid transform dim: " + dim + " (must be > 0)");
    }
    double[] muText = vector(root, "mu_text", dim);
    double[] muImage = vector(root, "mu_image", dim);
    List<double[]> hats = new ArrayList<>();
    for (JsonNode h : required(root, "mu_hat")) {
      hats.add(vector(h, "mu_hat[" + hats.size() + "]", dim));
    }
    JsonNode enc = required(root, "encoder");
    JsonNode encSha = enc.get("sha256");
    EncoderIdentity encoder =
        new EncoderIdentity(
            text(enc, "name"), encSha == null || encSha.isNull() ? null : encSha.asText());
    if (version >= FORMAT_VERSION) {
      encoder =
          encoder.withSettings(
              new EncoderIdentity.Settings(
                  text(enc, "pooling"),
                  required(enc, "context_length").intValue(),
                  text(enc, "output_dtype")));
    }
    JsonNode in = required(root, "inputs");
    List<String> centroidShas = new ArrayList<>();
    for (JsonNode s : required(in, "centroid_sketch_sha256")) {
      centroidShas.add(s.asText());
    }
    ReAlignTransform t =
        new ReAlignTransform(
            variant,
            required(required(root, "counts"), "text").longValue(),
            required(required(root, "counts"), "image").longValue(),
            number(required(root, "traces"), "text"),
            number(required(root, "traces"), "image"),
            new AlignmentKernel(number(root, "scale"), muText, muImage, hats),
            encoder,
            new ReAlignTransform.Inputs(
                text(in, "text_sketch_sha256"), text(in, "image_sketch_sha256"), centroidShas));
    String recorded = text(root, "sha256");
    if (!recorded.equals(t.sha256())) {
      throw new IllegalArgumentException(
          "Transform checksum mismatch: expected "
              + recorded
              + " (recorded), actual "
              + t.sha256()
              + " (recomputed): the file was edited or corrupted");
    }
    return t;
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("Invalid transform: missing field \"" + field + "\"");
    }
    return v;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = required(node, field);
    if (!v.isTextual()) {
      throw new IllegalArgumentException(
          "Invalid transform field \"" + field + "\": " + v + " (must be a string)");
    }
    return v.asText();
  }

  private static double number(JsonNode node, String field) {
    JsonNode v = required(node, field);
    if (!v.isNumber()) {
      throw new IllegalArgumentException(
          "Invalid transform field \"" + field + "\": " + v + " (must be a number)");
    }
    return v.doubleValue();
  }

  private static double[] vector(JsonNode node, String field, int dim) {
    JsonNode arr = node.isArray() ? node : required(node, field);
    if (!arr.isArray() || arr.size() != dim) {
      throw new IllegalArgumentException(
          "Invalid transform field \""
              + field
              + "\": "
              + (arr.isArray() ? arr.size() + " values" : arr.getNodeType().toString())
              + " (must be an array of dim = "
              + dim
              + " numbers)");
    }
    double[] v = new double[dim];
    for (int j = 0; j < dim; j++) {
      JsonNode x = arr.get(j);
      if (!x.isNumber()) {
        throw new IllegalArgumentException(
            "Invalid transform field \"" + field + "\"[" + j + "]: " + x + " (must be a number)");
      }
      v[j] = x.doubleValue();
    }
    return v;
  }
}
