package dev.realign.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.realign.align.EncoderIdentity;
import dev.realign.align.ReAlignTransform;
import dev.realign.align.TransformJson;
import dev.realign.spark.StoredSketch;
import dev.realign.stats.MomentSketch;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.SketchCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated transforms ({@code realign-transform.json}, the golden v1 file) and sketches with their
 * sidecars ({@code text.sketch} + {@code text.sketch.json}). A transform carries its canonical
 * SHA-256 and a sketch its CRC32C, and the sidecar names the sketch's SHA-256, dim and count: every
 * outcome is the clean answer or a clear error (naming the file where a file is read). The
 * sidecar's encoder name and SHA-256 are labels without a checksum: an accepted sidecar must give
 * what its JSON says.
 */
class TransformAndSketchFuzzTest {
  private static final long SEED = 22_004;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  static Path golden(String name) {
    return Path.of(System.getProperty("realign.fixtures.dir")).resolveSibling("golden/" + name);
  }

  @Test
  void mutatedTransformsGiveTheCleanTransformOrAClearError() throws Exception {
    byte[] clean = Files.readAllBytes(golden("realign-transform-v1.json"));
    ReAlignTransform want = TransformJson.fromJson(new String(clean, StandardCharsets.UTF_8));
    int iterations = Mutator.iterations(1500);
    Random rnd = new Random(SEED);
    int errors = 0;
    int same = 0;
    for (int i = 0; i < iterations; i++) {
      String json = new String(Mutator.mutate(clean, rnd, true), StandardCharsets.UTF_8);
      ReAlignTransform got;
      try {
        got = Mutator.watched(() -> TransformJson.fromJson(json), SEED, i);
      } catch (IllegalArgumentException e) {
        // The callers (AlignPipeline.readTransform, the ML stage) append " [in <file>]".
        assertThat(e.getMessage())
            .as("seed %s iteration %s", SEED, i)
            .matches("(?s)(Invalid |Transform (format version|checksum) mismatch).*");
        errors++;
        continue;
      }
      assertThat(got).as("seed %s iteration %s: %s", SEED, i, json).isEqualTo(want);
      assertThat(got.sha256()).isEqualTo(want.sha256());
      same++;
    }
    System.out.printf(
        "TransformJson fuzz: %d executions, %d clear errors, %d the clean transform%n",
        iterations, errors, same);
    assertThat(errors + same).isEqualTo(iterations);
  }

  @Test
  void mutatedSketchesAndSidecarsGiveTheCleanSketchOrAnErrorNamingTheFile() throws Exception {
    Configuration conf = new Configuration();
    MomentSketch acc = new MomentSketch(8);
    Random data = new Random(7);
    for (int r = 0; r < 20; r++) {
      float[] row = new float[8];
      for (int j = 0; j < 8; j++) {
        row[j] = (float) data.nextGaussian();
      }
      acc.add(row, 0);
    }
    MomentSnapshot snapshot = acc.snapshot();
    EncoderIdentity encoder = new EncoderIdentity("clip-vit-b-16", "ab".repeat(32));
    Path clean = dir.resolve("clean.sketch");
    StoredSketch.write(
        new org.apache.hadoop.fs.Path(clean.toUri()), "text", snapshot, encoder, conf);
    byte[] sketch = Files.readAllBytes(clean);
    byte[] info = Files.readAllBytes(dir.resolve("clean.sketch.json"));
    byte[] wantBytes = SketchCodec.encode(snapshot);
    int iterations = Mutator.iterations(800);
    Random rnd = new Random(SEED + 1);
    int errors = 0;
    int same = 0;
    for (int i = 0; i < iterations; i++) {
      boolean sidecar = rnd.nextBoolean();
      Path file = dir.resolve("fuzz-" + i % 8 + ".sketch");
      Path infoFile = dir.resolve("fuzz-" + i % 8 + ".sketch.json");
      byte[] mutatedInfo = sidecar ? Mutator.mutate(info, rnd, true) : info;
      Files.write(file, sidecar ? sketch : Mutator.mutate(sketch, rnd, false));
      Files.write(infoFile, mutatedInfo);
      StoredSketch got;
      try {
        got = Mutator.watched(() -> StoredSketch.read(file.toString(), "text", conf), SEED + 1, i);
      } catch (RuntimeException e) {
        Mutator.requireCleanError(e, (sidecar ? infoFile : file).toString(), SEED + 1, i);
        errors++;
        continue;
      }
      String where = "seed " + (SEED + 1) + " iteration " + i;
      assertThat(SketchCodec.encode(got.snapshot())).as(where).isEqualTo(wantBytes);
      JsonNode enc =
          MAPPER.readTree(new String(mutatedInfo, StandardCharsets.UTF_8)).path("encoder");
      JsonNode sha = enc.get("sha256");
      assertThat(got.encoder())
          .as(where)
          .isEqualTo(
              new EncoderIdentity(
                  enc.path("name").asText(), sha == null || sha.isNull() ? null : sha.asText()));
      same++;
    }
    System.out.printf(
        "Sketch fuzz: %d executions, %d errors naming the file, %d the clean sketch%n",
        iterations, errors, same);
    assertThat(errors + same).isEqualTo(iterations);
  }
}
