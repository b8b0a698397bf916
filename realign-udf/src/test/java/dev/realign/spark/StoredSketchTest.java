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
}
