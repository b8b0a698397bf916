package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.fuzz.Mutator;
import dev.realign.sink.ShardInfo;
import dev.realign.sink.ShardManifest;
import dev.realign.stats.MomentSnapshot;
import dev.realign.stats.SketchCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated completion records and manifests, what {@code --mode resume} and the commit read back
 * from an output directory. A damaged record is ignored (the split is redone), an intact one is
 * kept, a record that names another shard is refused naming the record; a crafted record (valid
 * checksum, hostile field) never makes the commit move, write or delete anything outside the output
 * directory. A manifest is refused naming itself or keeps every shard name inside its directory.
 */
class ResumeFuzzTest {
  private static final long SEED = 22_005;
  private static final String NAME = "part-00000-of-00002.parquet";
  private static final String KEY = "t0 texts.npy#0+10";

  @TempDir Path dir;

  @Test
  void mutatedOrCraftedCompletionRecordsNeverReachOutsideTheOutput() throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    byte[] shard = new byte[4096];
    new Random(1).nextBytes(shard);
    ShardResult clean =
        new ShardResult(
            0,
            new ShardInfo(NAME, 10, shard.length, sha256(shard)),
            2,
            KEY,
            SketchCodec.encode(MomentSnapshot.empty(4)));
    String cleanJson = clean.toJson();
    int iterations = Mutator.iterations(400);
    Random rnd = new Random(SEED);
    Map<String, Integer> outcomes = new TreeMap<>();
    for (int i = 0; i < iterations; i++) {
      Path root = dir.resolve("i" + i);
      Path out = root.resolve("a/b/out");
      Path staging = Files.createDirectories(out.resolve("aligned/_staging"));
      Files.write(staging.resolve(NAME), shard);
      // What a record escaping the output would reach: staging/../../../x is a/b/x.
      Files.writeString(root.resolve("a/b/moved.txt"), "outside");
      Path victim = Files.writeString(root.resolve("victim.txt"), "outside");
      boolean crafted = rnd.nextInt(3) == 0;
      String json =
          crafted
              ? craft(clean, rnd, victim).toJson()
              : new String(
                  Mutator.mutate(cleanJson.getBytes(StandardCharsets.UTF_8), rnd, true),
                  StandardCharsets.UTF_8);
      Path done = staging.resolve(NAME + ".done.json");
      Files.writeString(done, json);
      Map<String, String> outside = filesOutside(root, out);
      String where = "seed " + SEED + " iteration " + i + " record " + json;
      int iteration = i;
      String outcome;
      try {
        ShardResult r =
            Mutator.watched(
                () ->
                    ApplyPass.verifiedCompletion(
                        fs,
                        hadoop(staging),
                        hadoop(out.resolve("aligned")),
                        NAME,
                        0,
                        hadoop(done),
                        KEY),
                SEED,
                iteration);
        if (r == null) {
          outcome = "redone";
        } else {
          if (!crafted) {
            assertThat(r.toJson()).as(where).isEqualTo(cleanJson);
          }
          assertThat(r.shard().name()).as(where).isEqualTo(NAME);
          ShardManifest manifest =
              new ShardManifest(
                  r.shard().rows(),
                  4,
                  "float32",
                  KEY,
                  0,
                  Map.of(),
                  List.of(),
                  Map.of(),
                  List.of(r.shard()),
                  Map.of());
          Mutator.watched(
              () -> {
                StagedCommit.commit(fs, hadoop(out.resolve("aligned")), hadoop(staging), manifest);
                return null;
              },
              SEED,
              iteration);
          assertThat(Files.readAllBytes(out.resolve("aligned").resolve(NAME)))
              .as(where)
              .isEqualTo(shard);
          outcome = "kept";
        }
      } catch (IllegalArgumentException e) {
        Mutator.requireCleanError(e, done.toString(), SEED, i);
        outcome = "refused";
      } catch (IllegalStateException e) {
        // A crafted size: the commit compares every shard with its recorded size.
        assertThat(crafted).as(where).isTrue();
        assertThat(e.getMessage()).as(where).startsWith("Shard " + NAME + ": size expected");
        outcome = "refused at commit";
      }
      assertThat(filesOutside(root, out)).as(where).isEqualTo(outside);
      outcomes.merge((crafted ? "crafted " : "damaged ") + outcome, 1, Integer::sum);
      deleteTree(root);
    }
    System.out.printf("Completion record fuzz: %d executions, %s%n", iterations, outcomes);
  }

  @Test
  void mutatedManifestsAreRefusedNamingThemOrKeepEveryNameInTheirDirectory() {
    ShardManifest clean =
        new ShardManifest(
            7,
            4,
            "float32",
            "ab".repeat(32),
            1,
            Map.of(),
            List.of(new ShardInfo("rejected/text/" + NAME, 1, 100, "cd".repeat(32))),
            Map.of(),
            List.of(
                new ShardInfo(NAME, 3, 1000, "ef".repeat(32)),
                new ShardInfo("part-00001-of-00002.parquet", 4, 1100, "01".repeat(32))),
            Map.of("realign_version", "test"));
    byte[] json = clean.toJson().getBytes(StandardCharsets.UTF_8);
    String where = "/out/aligned/_manifest.json";
    int iterations = Mutator.iterations(1500);
    Random rnd = new Random(SEED + 1);
    int refused = 0;
    int read = 0;
    for (int i = 0; i < iterations; i++) {
      String mutated = new String(Mutator.mutate(json, rnd, true), StandardCharsets.UTF_8);
      ShardManifest m;
      try {
        m = Mutator.watched(() -> ShardManifest.fromJson(mutated, where), SEED + 1, i);
      } catch (IllegalArgumentException e) {
        Mutator.requireCleanError(e, where, SEED + 1, i);
        refused++;
        continue;
      }
      for (ShardInfo s : m.shards()) {
        assertThat(ShardInfo.requirePlainName(s.name(), where)).isEqualTo(s.name());
      }
      for (ShardInfo s : m.rejectedFiles()) {
        assertThat(ShardInfo.requireRelativeName(s.name(), where)).isEqualTo(s.name());
      }
      read++;
    }
    System.out.printf(
        "Manifest fuzz: %d executions, %d refused naming the manifest, %d read with every name"
            + " inside the directory%n",
        iterations, refused, read);
    assertThat(refused + read).isEqualTo(iterations);
  }

  @Test
  void aStagedShardThatIsASymbolicLinkIsNotKept() throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    byte[] shard = "shard bytes".getBytes(StandardCharsets.UTF_8);
    Path elsewhere = Files.write(dir.resolve("elsewhere.parquet"), shard);
    Path staging = Files.createDirectories(dir.resolve("out/aligned/_staging"));
    Files.createSymbolicLink(staging.resolve(NAME), elsewhere);
    Path done = staging.resolve(NAME + ".done.json");
    ShardResult r =
        new ShardResult(
            0,
            new ShardInfo(NAME, 1, shard.length, sha256(shard)),
            0,
            KEY,
            SketchCodec.encode(MomentSnapshot.empty(4)));
    Files.writeString(done, r.toJson());
    org.apache.hadoop.fs.Path aligned = hadoop(dir.resolve("out/aligned"));
    assertThat(
            ApplyPass.verifiedCompletion(fs, hadoop(staging), aligned, NAME, 0, hadoop(done), KEY))
        .as("a link is written again, not kept")
        .isNull();
    // The control: the same bytes as a regular file are kept.
    Files.delete(staging.resolve(NAME));
    Files.write(staging.resolve(NAME), shard);
    assertThat(
            ApplyPass.verifiedCompletion(fs, hadoop(staging), aligned, NAME, 0, hadoop(done), KEY))
        .isNotNull();
  }

  /** The clean record with one field set to a hostile value, its checksum recomputed. */
  private static ShardResult craft(ShardResult r, Random rnd, Path victim) {
    ShardInfo s = r.shard();
    String[] names = {
      "../../../moved.txt",
      victim.toAbsolutePath().toString(),
      "a/" + NAME,
      "..",
      "",
      "part-00001-of-00002.parquet",
      "file:" + victim.toAbsolutePath()
    };
    return switch (rnd.nextInt(7)) {
      case 0, 1 ->
          new ShardResult(
              r.split(),
              new ShardInfo(names[rnd.nextInt(names.length)], s.rows(), s.bytes(), s.sha256()),
              r.rejected(),
              r.transformSha256(),
              r.outputSketch());
      case 2 ->
          new ShardResult(
              rnd.nextBoolean() ? 1 : -1, s, r.rejected(), r.transformSha256(), r.outputSketch());
      case 3 ->
          new ShardResult(
              r.split(),
              new ShardInfo(s.name(), s.rows(), s.bytes(), "00".repeat(32)),
              r.rejected(),
              r.transformSha256(),
              r.outputSketch());
      case 4 -> new ShardResult(r.split(), s, r.rejected(), "other " + KEY, r.outputSketch());
      case 5 ->
          new ShardResult(
              r.split(),
              new ShardInfo(s.name(), s.rows(), s.bytes() + 1, s.sha256()),
              r.rejected(),
              r.transformSha256(),
              r.outputSketch());
      default ->
          new ShardResult(
              r.split(),
              s,
              r.rejected(),
              r.transformSha256(),
              r.outputSketch(),
              0,
              new ShardInfo(names[rnd.nextInt(names.length)], 1, 1, "00"));
    };
  }

  private static org.apache.hadoop.fs.Path hadoop(Path p) {
    return new org.apache.hadoop.fs.Path(p.toUri());
  }

  /** Relative path -> SHA-256 of every file under {@code root} but outside {@code out}. */
  private static Map<String, String> filesOutside(Path root, Path out) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).filter(p -> !p.startsWith(out)).toList()) {
        files.put(root.relativize(p).toString(), sha256(Files.readAllBytes(p)));
      }
    }
    return files;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
