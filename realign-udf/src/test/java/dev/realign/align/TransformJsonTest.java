package dev.realign.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realign.RowFixtures;
import dev.realign.io.TransformFiles;
import dev.realign.stats.RejectListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code realign-transform.json} reads back bit-exact, and every damaged file fails clearly. In
 * package {@code align} to build transforms from adversarial doubles through the package-private
 * constructors.
 */
class TransformJsonTest {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final String SHA = "0".repeat(63) + "1";

  @TempDir Path dir;

  static ReAlignTransform fitted(Variant v, int refinements) {
    Random rnd = new Random(71);
    FitOptions o =
        FitOptions.of(v).withEncoder(new EncoderIdentity("clip-vit-b-16", "ab".repeat(32)));
    if (refinements > 0) {
      o = o.withRefinementIterations(refinements);
    }
    return ReAlignFitter.fitInMemory(
        o,
        RowFixtures.randomRowsAround(rnd, 300, 32, 0.5),
        RowFixtures.randomRowsAround(rnd, 200, 32, -0.4),
        32);
  }

  /** Finite doubles that are hard to print and parse exactly. */
  static double adversarial(Random rnd, int i) {
    double[] specials = {
      0.1,
      1.0 / 3,
      -0.0,
      0.0,
      Double.MIN_VALUE,
      -Double.MIN_VALUE,
      Double.MIN_NORMAL,
      Math.nextDown(Double.MIN_NORMAL),
      3 * Double.MIN_VALUE,
      Double.MAX_VALUE,
      -Double.MAX_VALUE,
      Math.nextUp(1.0),
      Math.nextDown(1.0),
      2.0 / 3,
      1e-300,
      123456789.123456789,
      5e-324,
      0x1.fffffffffffffp-1023,
      9007199254740993.0,
      Math.PI,
      -Math.E,
      1e23,
      8.41e21,
      2.2250738585072012e-308
    };
    if (i < specials.length) {
      return specials[i];
    }
    while (true) {
      double d = Double.longBitsToDouble(rnd.nextLong());
      if (Double.isFinite(d)) {
        return d;
      }
    }
  }

  static ReAlignTransform adversarialTransform(long seed, int dim, int hats) {
    Random rnd = new Random(seed);
    int[] k = {0};
    double[] muText = new double[dim];
    double[] muImage = new double[dim];
    for (int j = 0; j < dim; j++) {
      muText[j] = adversarial(rnd, k[0]++);
      muImage[j] = adversarial(rnd, k[0]++);
    }
    List<double[]> centroids = new ArrayList<>();
    for (int c = 0; c < hats; c++) {
      double[] h = new double[dim];
      for (int j = 0; j < dim; j++) {
        h[j] = adversarial(rnd, k[0]++);
      }
      centroids.add(h);
    }
    double scale = Math.abs(adversarial(rnd, 1000));
    AlignmentKernel kernel = new AlignmentKernel(scale, muText, muImage, centroids);
    return new ReAlignTransform(
        Variant.REALIGN,
        1 + rnd.nextInt(Integer.MAX_VALUE),
        Long.MAX_VALUE,
        adversarial(rnd, 1000),
        -0.0,
        kernel,
        new EncoderIdentity("m\u00e9t\"a\\l \u2603", null),
        new ReAlignTransform.Inputs(SHA, SHA.replace('1', '2'), List.of("c".repeat(64))));
  }

  static void assertBitExact(ReAlignTransform expected, ReAlignTransform actual) {
    assertThat(actual.sha256()).isEqualTo(expected.sha256());
    assertThat(actual).isEqualTo(expected);
    assertThat(actual.variant()).isEqualTo(expected.variant());
    assertThat(actual.textCount()).isEqualTo(expected.textCount());
    assertThat(actual.imageCount()).isEqualTo(expected.imageCount());
    assertThat(raw(actual.textTrace())).isEqualTo(raw(expected.textTrace()));
    assertThat(raw(actual.imageTrace())).isEqualTo(raw(expected.imageTrace()));
    assertThat(raw(actual.scale())).isEqualTo(raw(expected.scale()));
    assertThat(raw(actual.muText())).isEqualTo(raw(expected.muText()));
    assertThat(raw(actual.muImage())).isEqualTo(raw(expected.muImage()));
    assertThat(actual.muHat()).hasSameDimensionsAs(expected.muHat());
    for (int c = 0; c < expected.muHat().length; c++) {
      assertThat(raw(actual.muHat()[c])).isEqualTo(raw(expected.muHat()[c]));
    }
    assertThat(actual.encoder()).isEqualTo(expected.encoder());
    assertThat(actual.inputs()).isEqualTo(expected.inputs());
  }

  @Test
  void fittedTransformsOfEveryVariantSaveAndLoadBitExact() {
    List<ReAlignTransform> all =
        List.of(
            fitted(Variant.ANCHOR, 0),
            fitted(Variant.ANCHOR_TRACE, 0),
            fitted(Variant.REALIGN, 0),
            fitted(Variant.REALIGN, 3));
    for (ReAlignTransform t : all) {
      Path file = dir.resolve(t.variant().id() + t.muHat().length + ".json");
      TransformFiles.write(t, file);
      ReAlignTransform back = TransformFiles.read(file);
      assertBitExact(t, back);
      assertThat(TransformJson.toJson(back)).isEqualTo(TransformJson.toJson(t));
    }
  }

  @Test
  void adversarialDoublesReadBackBitExact() {
    for (long seed = 0; seed < 20; seed++) {
      ReAlignTransform t = adversarialTransform(seed, 40, 1 + (int) (seed % 3));
      assertBitExact(t, TransformJson.fromJson(TransformJson.toJson(t)));
    }
  }

  @Test
  void negativeZeroIsNotPositiveZero() {
    ReAlignTransform t = adversarialTransform(1, 40, 1);
    assertThat(raw(t.muText()[1])).isEqualTo(raw(-0.0));
    ReAlignTransform back = TransformJson.fromJson(TransformJson.toJson(t));
    assertThat(raw(back.muText()[1])).isEqualTo(raw(-0.0)).isNotEqualTo(raw(0.0));
    assertThat(raw(back.imageTrace())).isEqualTo(raw(-0.0));
  }

  @Test
  void theDocumentHasTheDocumentedFields() throws Exception {
    ReAlignTransform t = fitted(Variant.REALIGN, 0);
    ObjectNode root = (ObjectNode) MAPPER.readTree(TransformJson.toJson(t));
    assertThat(root.get("format").asText()).isEqualTo("realign-transform");
    assertThat(root.get("format_version").asInt()).isEqualTo(1);
    assertThat(root.get("variant").asText()).isEqualTo("realign");
    assertThat(root.get("dim").asInt()).isEqualTo(32);
    assertThat(root.get("counts").get("text").asLong()).isEqualTo(300);
    assertThat(root.get("counts").get("image").asLong()).isEqualTo(200);
    assertThat(root.get("mu_text")).hasSize(32);
    assertThat(root.get("mu_hat")).hasSize(1);
    assertThat(root.get("encoder").get("name").asText()).isEqualTo("clip-vit-b-16");
    assertThat(root.get("inputs").get("centroid_sketch_sha256")).hasSize(1);
    assertThat(root.get("sha256").asText()).isEqualTo(t.sha256()).hasSize(64);
  }

  // ---------------------------------------------------------------- damaged files

  @Test
  void anEditedDigitFailsTheChecksum() {
    ReAlignTransform t = fitted(Variant.REALIGN, 0);
    String json = TransformJson.toJson(t);
    int start = json.indexOf("\"mu_text\"");
    int i = start;
    while (json.charAt(i) < '1' || json.charAt(i) > '8') {
      i++;
    }
    String edited = json.substring(0, i) + (char) (json.charAt(i) + 1) + json.substring(i + 1);
    assertThat(edited).isNotEqualTo(json);
    assertThatThrownBy(() -> TransformJson.fromJson(edited))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Transform checksum mismatch: expected " + t.sha256() + " (recorded), actual ")
        .hasMessageEndingWith("(recomputed): the file was edited or corrupted");
  }

  @Test
  void aNewerFormatVersionFails() throws Exception {
    ObjectNode root = tree();
    root.put("format_version", 3);
    assertThatThrownBy(() -> TransformJson.fromJson(root.toString()))
        .hasMessage(
            "Transform format version mismatch: expected 1 to 2, actual 3 (written by a newer"
                + " realign; upgrade to read it)");
  }

  @Test
  void theEncoderSettingsMakeAVersion2TransformThatReadsBackAndHashesThem() throws Exception {
    ReAlignTransform plain = fitted(Variant.REALIGN, 0);
    EncoderIdentity.Settings settings = new EncoderIdentity.Settings("mean", 512, "float16");
    ReAlignTransform full =
        ReAlignFitter.fitInMemory(
            FitOptions.of(Variant.REALIGN).withEncoder(plain.encoder().withSettings(settings)),
            RowFixtures.randomRowsAround(new Random(71), 300, 32, 0.5),
            RowFixtures.randomRowsAround(new Random(71), 200, 32, -0.4),
            32);
    String json = TransformJson.toJson(full);
    ObjectNode root = (ObjectNode) MAPPER.readTree(json);
    assertThat(root.get("format_version").intValue()).isEqualTo(2);
    assertThat(root.get("encoder").get("pooling").textValue()).isEqualTo("mean");
    assertThat(root.get("encoder").get("context_length").intValue()).isEqualTo(512);
    assertThat(root.get("encoder").get("output_dtype").textValue()).isEqualTo("float16");
    ReAlignTransform back = TransformJson.fromJson(json);
    assertBitExact(full, back);
    assertThat(back.encoder().settings()).isEqualTo(settings);
    assertThat(TransformJson.toJson(back)).isEqualTo(json);
    // Without settings the same model is version 1; the settings are part of the hash.
    assertThat(MAPPER.readTree(TransformJson.toJson(plain)).get("format_version").intValue())
        .isEqualTo(1);
    EncoderIdentity.Settings other = new EncoderIdentity.Settings("mean", 256, "float16");
    ReAlignTransform shorter =
        ReAlignFitter.fitInMemory(
            FitOptions.of(Variant.REALIGN).withEncoder(plain.encoder().withSettings(other)),
            RowFixtures.randomRowsAround(new Random(71), 300, 32, 0.5),
            RowFixtures.randomRowsAround(new Random(71), 200, 32, -0.4),
            32);
    assertThat(shorter.sha256()).isNotEqualTo(full.sha256());
    // A version 2 file whose settings were edited fails its checksum.
    ((ObjectNode) root.get("encoder")).put("context_length", 256);
    assertThatThrownBy(() -> TransformJson.fromJson(root.toString()))
        .hasMessageStartingWith("Transform checksum mismatch: expected " + full.sha256());
    ((ObjectNode) root.get("encoder")).remove("context_length");
    assertThatThrownBy(() -> TransformJson.fromJson(root.toString()))
        .hasMessage("Invalid transform: missing field \"context_length\"");
  }

  @Test
  void aWrongFormatFails() throws Exception {
    ObjectNode root = tree();
    root.put("format", "something-else");
    assertThatThrownBy(() -> TransformJson.fromJson(root.toString()))
        .hasMessage(
            "Invalid transform format: expected \"realign-transform\", actual"
                + " \"something-else\"");
  }

  @Test
  void aVectorOfTheWrongLengthFails() throws Exception {
    ObjectNode root = tree();
    ((ArrayNode) root.get("mu_image")).remove(0);
    assertThatThrownBy(() -> TransformJson.fromJson(root.toString()))
        .hasMessage(
            "Invalid transform field \"mu_image\": 31 values (must be an array of dim = 32"
                + " numbers)");
    ObjectNode hat = tree();
    ((ArrayNode) hat.get("mu_hat").get(0)).add(1.0);
    assertThatThrownBy(() -> TransformJson.fromJson(hat.toString()))
        .hasMessageContaining("\"mu_hat[0]\": 33 values")
        .hasMessageContaining("dim = 32");
    ObjectNode notNumber = tree();
    ((ArrayNode) notNumber.get("mu_text")).set(3, "0.5");
    assertThatThrownBy(() -> TransformJson.fromJson(notNumber.toString()))
        .hasMessageContaining("\"mu_text\"[3]")
        .hasMessageContaining("must be a number");
  }

  @Test
  void aMissingFieldFailsNamingIt() throws Exception {
    for (String field :
        List.of("scale", "mu_text", "mu_hat", "dim", "sha256", "inputs", "format_version")) {
      ObjectNode root = tree();
      root.remove(field);
      assertThatThrownBy(() -> TransformJson.fromJson(root.toString()))
          .as(field)
          .hasMessage("Invalid transform: missing field \"" + field + "\"");
    }
    ObjectNode nested = tree();
    ((ObjectNode) nested.get("counts")).remove("image");
    assertThatThrownBy(() -> TransformJson.fromJson(nested.toString()))
        .hasMessage("Invalid transform: missing field \"image\"");
  }

  @Test
  void nonJsonFails() {
    for (String text : List.of("", "not json", "{\"format\": ", "[1, 2")) {
      assertThatThrownBy(() -> TransformJson.fromJson(text))
          .as(text)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(
              text.isEmpty() ? "Invalid transform" : "Invalid transform: not" + " JSON");
    }
  }

  @Test
  void readNamesTheFile() throws Exception {
    Path file = dir.resolve(TransformJson.FILE_NAME);
    Files.writeString(file, "{ broken");
    assertThatThrownBy(() -> TransformFiles.read(file))
        .hasMessageContaining("not JSON")
        .hasMessageContaining(file.toString());
  }

  // ---------------------------------------------------------------- Java serialisation

  @Test
  void theKernelSurvivesJavaSerialisationAndAppliesIdentically() throws Exception {
    for (ReAlignTransform t : List.of(fitted(Variant.ANCHOR, 0), fitted(Variant.REALIGN, 2))) {
      AlignmentKernel k = t.kernel();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(k);
      }
      AlignmentKernel back;
      try (ObjectInputStream in =
          new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        back = (AlignmentKernel) in.readObject();
      }
      assertThat(back.dimension()).isEqualTo(k.dimension());
      assertThat(back.centroidSteps()).isEqualTo(k.centroidSteps());
      float[] rows = RowFixtures.randomRowsAround(new Random(5), 100, 32, 0.2);
      float[] a = new float[rows.length];
      float[] b = new float[rows.length];
      k.applyBatch(rows, 0, 100, a, 0, k.newScratch(), RejectListener.IGNORE);
      back.applyBatch(rows, 0, 100, b, 0, back.newScratch(), RejectListener.IGNORE);
      assertThat(raw(b)).isEqualTo(raw(a));
    }
  }

  // ---------------------------------------------------------------- helpers

  ObjectNode tree() throws Exception {
    return (ObjectNode) MAPPER.readTree(TransformJson.toJson(fitted(Variant.REALIGN, 0)));
  }

  static long raw(double d) {
    return Double.doubleToRawLongBits(d);
  }

  static long[] raw(double[] v) {
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Double.doubleToRawLongBits(v[i]);
    }
    return out;
  }

  static int[] raw(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }
}
