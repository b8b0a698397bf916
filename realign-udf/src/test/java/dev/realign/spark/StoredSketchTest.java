package dev.realign.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.align.EncoderIdentity;
import dev.realign.align.ReAlignFitter;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.SketchCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sketch assets: exact merges, sidecars, and refusals that name both sides. */
class StoredSketchTest {
  static final int D = 16;
  static final Configuration CONF = new Configuration();
  static final EncoderIdentity CLIP = new EncoderIdentity("clip-vit-b16", "ab12");
  static final EncoderIdentity.Settings CLIP_77 =
      new EncoderIdentity.Settings("output:text_embeds", 77, "float32");
  static final EncoderIdentity CLIP_FULL = CLIP.withSettings(CLIP_77);
  @TempDir Path dir;

  static float[] rows(long seed, int n, int d) {
    Random r = new Random(seed);
    float[] out = new float[n * d];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) r.nextGaussian();
    }
    return out;
  }

  String store(String sub, MomentSnapshot s, EncoderIdentity e) throws Exception {
    Path file = dir.resolve(sub).resolve("image.sketch");
    Files.createDirectories(file.getParent());
    StoredSketch.write(new org.apache.hadoop.fs.Path(file.toUri()), "image", s, e, CONF);
    return file.toString();
  }

  @Test
  void mergedPartsEqualTheSketchOfTheUnionByteForByte() throws Exception {
    float[] all = rows(1, 3000, D);
    StoredSketch a =
        StoredSketch.read(
            store("a", ReAlignFitter.sketch(Arrays.copyOfRange(all, 0, 1000 * D), D), CLIP),
            "image",
            CONF);
    StoredSketch b =
        StoredSketch.read(
            store("b", ReAlignFitter.sketch(Arrays.copyOfRange(all, 1000 * D, 2200 * D), D), CLIP),
            "image",
            CONF);
    // A stats directory works as well as the file.
    store("c", ReAlignFitter.sketch(Arrays.copyOfRange(all, 2200 * D, all.length), D), CLIP);
    StoredSketch c = StoredSketch.read(dir.resolve("c").toString(), "image", CONF);
    assertThat(a.encoder()).isEqualTo(CLIP);

    StoredSketch merged = StoredSketch.merge(List.of(c, a, b), "merged");
    byte[] union = SketchCodec.encode(ReAlignFitter.sketch(all, D));
    assertThat(SketchCodec.encode(merged.snapshot())).isEqualTo(union);
    assertThat(merged.encoder()).isEqualTo(CLIP);
    // Control: the naive double mean of the parts' means differs in the last bits somewhere.
    double[] weighted = new double[D];
    for (StoredSketch p : List.of(c, a, b)) {
      double[] m = p.snapshot().mean();
      for (int j = 0; j < D; j++) {
        weighted[j] += m[j] * p.snapshot().count() / 3000.0;
      }
    }
    assertThat(weighted).isNotEqualTo(merged.snapshot().mean());
  }

  @Test
  void aSketchWithoutSidecarIsPrecomputedAndAMismatchedSidecarIsRefused() throws Exception {
    MomentSnapshot s = ReAlignFitter.sketch(rows(2, 50, D), D);
    String file = store("x", s, CLIP);
    Path info = Path.of(file + ".json");
    Files.delete(info);
    Files.deleteIfExists(info.resolveSibling(".image.sketch.json.crc"));
    assertThat(StoredSketch.read(file, "image", CONF).encoder())
        .isEqualTo(EncoderIdentity.PRECOMPUTED);
    String other = store("y", ReAlignFitter.sketch(rows(3, 50, D), D), CLIP);
    Files.copy(Path.of(other + ".json"), info);
    assertThatThrownBy(() -> StoredSketch.read(file, "image", CONF))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Sketch info mismatch: ")
        .hasMessageContaining(info.toString())
        .hasMessageContaining(SketchCodec.fingerprint(s));
  }

  /**
   * Issue 22's fuzz: a sidecar whose encoder name was emptied failed without naming the sidecar;
   * one whose dim or count differs from the sketch beside it was read.
   */
  @Test
  void aSidecarWithABadEncoderNameOrAnotherDimOrCountFailsNamingTheSidecar() throws Exception {
    MomentSnapshot s = ReAlignFitter.sketch(rows(4, 50, D), D);
    String file = store("z", s, CLIP);
    Path info = Path.of(file + ".json");
    Files.deleteIfExists(info.resolveSibling(".image.sketch.json.crc"));
    String clean = Files.readString(info);
    Files.writeString(info, clean.replace("\"clip-vit-b16\"", "\"\""));
    assertThatThrownBy(() -> StoredSketch.read(file, "image", CONF))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid sketch info " + info + ": Invalid encoder name");
    Files.writeString(info, clean.replace("\"count\" : 50", "\"count\" : 51"));
    assertThatThrownBy(() -> StoredSketch.read(file, "image", CONF))
        .hasMessage(
            "Sketch info mismatch: "
                + info
                + " says dim 16 and count 51, the sketch beside it has dim 16 and count 50"
                + " (copy a sketch together with its .json)");
  }

  @Test
  void mergesOfAnotherDimensionEncoderOrVersionAreRefusedNamingBothSides() throws Exception {
    String a = store("a", ReAlignFitter.sketch(rows(4, 40, D), D), CLIP);
    String wide = store("wide", ReAlignFitter.sketch(rows(5, 40, D + 1), D + 1), CLIP);
    String minilm =
        store(
            "minilm",
            ReAlignFitter.sketch(rows(6, 40, D), D),
            new EncoderIdentity("all-MiniLM-L6-v2", "cd34"));
    StoredSketch sa = StoredSketch.read(a, "image", CONF);
    assertThatThrownBy(
            () -> StoredSketch.merge(List.of(sa, StoredSketch.read(wide, "image", CONF)), "out"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid sketches to merge: "
                + a
                + " has dimension 16, "
                + wide
                + " has dimension 17 (must be equal)");
    assertThatThrownBy(
            () -> StoredSketch.merge(List.of(sa, StoredSketch.read(minilm, "image", CONF)), "out"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid sketches to merge: "
                + a
                + " comes from encoder clip-vit-b16 (sha256"
                + " ab12), "
                + minilm
                + " from encoder all-MiniLM-L6-v2 (sha256 cd34) (must be the"
                + " same encoder)");
    // A sketch written by a newer codec: the version is refused with both numbers and the file.
    byte[] bytes = Files.readAllBytes(Path.of(a));
    bytes[5] = 2;
    Path v2 = dir.resolve("v2/image.sketch");
    Files.createDirectories(v2.getParent());
    Files.write(v2, bytes);
    assertThatThrownBy(() -> StoredSketch.read(v2.toString(), "image", CONF))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Sketch serial version mismatch: expected 1, actual 2 (written by a newer"
                + " realign; upgrade to read it) [in "
                + v2
                + "]");
  }

  @Test
  void aFitAgainstASketchChecksDimensionAndKnownEncoders() throws Exception {
    StoredSketch s =
        StoredSketch.read(store("a", ReAlignFitter.sketch(rows(7, 40, D), D), CLIP), "image", CONF);
    s.requireFits(D, EncoderIdentity.PRECOMPUTED, "texts");
    s.requireFits(D, CLIP, "texts");
    assertThatThrownBy(() -> s.requireFits(D + 1, CLIP, "texts.npy"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid image sketch "
                + s.path()
                + ": dimension 16, the text embeddings"
                + " texts.npy have dimension 17 (must be equal: both modalities come from one"
                + " encoder)");
    assertThatThrownBy(() -> s.requireFits(D, new EncoderIdentity("minilm", null), "texts.npy"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid image sketch "
                + s.path()
                + ": encoder clip-vit-b16 (sha256 ab12),"
                + " the text embeddings texts.npy come from encoder minilm (must be the same"
                + " encoder)");
    assertThatThrownBy(() -> StoredSketch.read(dir.resolve("none").toString(), "image", CONF))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Missing image sketch: " + dir.resolve("none") + " does not exist");
  }

  @Test
  void theFullEncoderIdentityRoundTripsThroughAVersion2Sidecar() throws Exception {
    MomentSnapshot s = ReAlignFitter.sketch(rows(8, 40, D), D);
    String file = store("full", s, CLIP_FULL);
    String json = Files.readString(Path.of(file + ".json"));
    assertThat(json)
        .contains("\"format_version\" : 2")
        .contains("\"pooling\" : \"output:text_embeds\"")
        .contains("\"context_length\" : 77")
        .contains("\"output_dtype\" : \"float32\"");
    StoredSketch read = StoredSketch.read(file, "image", CONF);
    assertThat(read.encoder()).isEqualTo(CLIP_FULL);
    assertThat(read.encoder().settings()).isEqualTo(CLIP_77);
  }

  @Test
  void aVersion1SidecarIsStillWrittenWithoutSettingsAndReadsAsBefore() throws Exception {
    MomentSnapshot s = ReAlignFitter.sketch(rows(9, 40, D), D);
    String file = store("old", s, CLIP);
    // The version 1 bytes, as written before settings were recorded (and by older realigns).
    String v1 =
        "{\n"
            + "  \"format\" : \"realign-sketch-info\",\n"
            + "  \"format_version\" : 1,\n"
            + "  \"role\" : \"image\",\n"
            + "  \"dim\" : 16,\n"
            + "  \"count\" : 40,\n"
            + "  \"codec_version\" : 1,\n"
            + "  \"sketch_sha256\" : \""
            + SketchCodec.fingerprint(s)
            + "\",\n"
            + "  \"encoder\" : {\n"
            + "    \"name\" : \"clip-vit-b16\",\n"
            + "    \"sha256\" : \"ab12\"\n"
            + "  }\n"
            + "}\n";
    assertThat(Files.readString(Path.of(file + ".json"))).isEqualTo(v1);
    StoredSketch read = StoredSketch.read(file, "image", CONF);
    assertThat(read.encoder()).isEqualTo(CLIP);
    assertThat(read.encoder().hasSettings()).isFalse();
  }

  @Test
  void aSidecarOfANewerVersionOrWithoutItsSettingsIsRefusedNamingTheFile() throws Exception {
    String file = store("v", ReAlignFitter.sketch(rows(10, 40, D), D), CLIP_FULL);
    Path info = Path.of(file + ".json");
    String json = Files.readString(info);
    Files.deleteIfExists(info.resolveSibling(".image.sketch.json.crc"));
    Files.writeString(info, json.replace("\"format_version\" : 2", "\"format_version\" : 3"));
    assertThatThrownBy(() -> StoredSketch.read(file, "image", CONF))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Sketch info format mismatch in "
                + info
                + ": expected realign-sketch-info version 1 to 2, actual realign-sketch-info"
                + " version 3 (written by a newer realign; upgrade to read it)");
    Files.writeString(info, json.replace("\"context_length\" : 77", "\"context_length\" : \"77\""));
    assertThatThrownBy(() -> StoredSketch.read(file, "image", CONF))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid sketch info "
                + info
                + ": encoder.context_length is \"77\" (must be an integer in format version 2)");
  }

  @Test
  void mergesAndFitsOfSketchesWhoseEncoderSettingsDifferAreRefusedNamingBothSides()
      throws Exception {
    EncoderIdentity clip64 =
        CLIP.withSettings(new EncoderIdentity.Settings("output:text_embeds", 64, "float32"));
    EncoderIdentity clipHalf =
        CLIP.withSettings(new EncoderIdentity.Settings("output:text_embeds", 77, "float16"));
    StoredSketch full =
        StoredSketch.read(
            store("full", ReAlignFitter.sketch(rows(11, 40, D), D), CLIP_FULL), "image", CONF);
    StoredSketch old =
        StoredSketch.read(
            store("old", ReAlignFitter.sketch(rows(12, 40, D), D), CLIP), "image", CONF);
    StoredSketch short64 =
        StoredSketch.read(
            store("short", ReAlignFitter.sketch(rows(13, 40, D), D), clip64), "image", CONF);

    assertThatThrownBy(() -> StoredSketch.merge(List.of(full, short64), "out"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid sketches to merge: "
                + full.path()
                + " comes from encoder clip-vit-b16 (sha256 ab12; pooling output:text_embeds,"
                + " context length 77, output float32), "
                + short64.path()
                + " from encoder clip-vit-b16 (sha256 ab12; pooling output:text_embeds, context"
                + " length 64, output float32) (must be the same encoder)");
    // A sidecar without settings (version 1) is compatible with either, and the merge keeps the
    // settings; but it cannot bridge two that differ: the conflict names the two with settings.
    StoredSketch merged = StoredSketch.merge(List.of(old, full), "out");
    assertThat(merged.encoder()).isEqualTo(CLIP_FULL);
    assertThatThrownBy(() -> StoredSketch.merge(List.of(old, full, short64), "out"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid sketches to merge: " + full.path() + " comes from")
        .hasMessageContaining(", " + short64.path() + " from encoder");

    full.requireFits(D, CLIP_FULL, "texts");
    full.requireFits(D, CLIP, "texts");
    assertThatThrownBy(() -> full.requireFits(D, clipHalf, "encoded/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid image sketch "
                + full.path()
                + ": encoder clip-vit-b16 (sha256 ab12; pooling output:text_embeds, context length"
                + " 77, output float32), the text embeddings encoded/ come from encoder"
                + " clip-vit-b16 (sha256 ab12; pooling output:text_embeds, context length 77,"
                + " output float16) (must be the same encoder)");
  }
}
