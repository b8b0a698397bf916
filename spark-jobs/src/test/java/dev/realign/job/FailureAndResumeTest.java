package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task failure after some shards were written leaves no manifest; a rerun (resume) completes and
 * gives exactly the bytes of an uninterrupted run, reusing the verified shards.
 */
class FailureAndResumeTest {
  static final int D = 32;
  static final int ROWS = 4_000;
  static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.start();
    Npy.write(dir.resolve("texts.npy"), PipelineFixture.randomRows(5, ROWS, D, 1.0), ROWS, D);
    Npy.write(dir.resolve("images.npy"), PipelineFixture.randomRows(6, 1000, D, -1.0), 1000, D);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  /** Relative path -> SHA-256 of every file under the output, except the hidden temporaries. */
  static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        String rel = root.relativize(p).toString();
        if (!p.getFileName().toString().startsWith(".")) {
          out.put(rel, PipelineFixture.sha256(p));
        }
      }
    }
    return out;
  }

  @Test
  void aFailedApplyLeavesNoManifestAndAResumeGivesTheSameBytes() throws Exception {
    Path clean = dir.resolve("clean");
    PipelineFixture.run(spark, PipelineFixture.config(dir.resolve("texts.npy"),
        dir.resolve("images.npy"), clean, "input.partitions", "4"));

    Path broken = dir.resolve("broken");
    assertThatThrownBy(() -> PipelineFixture.run(spark, PipelineFixture.config(
        dir.resolve("texts.npy"), dir.resolve("images.npy"), broken, "input.partitions", "4",
        "testing.fail_apply_split", "2")))
        .hasStackTraceContaining("Injected failure after writing shard part-00002-of-00004");
    assertThat(broken.resolve("aligned/_manifest.json")).doesNotExist();
    assertThat(broken.resolve("aligned/_staging/part-00002-of-00004.parquet")).exists();
    Path staged = broken.resolve("aligned/_staging/part-00002-of-00004.parquet");
    long stagedModified = Files.getLastModifiedTime(staged).toMillis();

    PipelineFixture.run(spark, PipelineFixture.config(dir.resolve("texts.npy"),
        dir.resolve("images.npy"), broken, "input.partitions", "4", "output.mode", "resume"));

    assertThat(tree(broken)).isEqualTo(tree(clean));
    assertThat(broken.resolve("aligned/_staging")).doesNotExist();
    // The shard written before the failure was verified and kept, not rewritten.
    assertThat(Files.getLastModifiedTime(broken.resolve("aligned/part-00002-of-00004.parquet"))
        .toMillis()).isEqualTo(stagedModified);
  }

  @Test
  void resumingACompleteRunChangesNothingAndACorruptShardIsRedone() throws Exception {
    Path out = dir.resolve("twice");
    PipelineFixture.run(spark, PipelineFixture.config(dir.resolve("texts.npy"),
        dir.resolve("images.npy"), out, "input.partitions", "3"));
    Map<String, String> first = tree(out);
    // A resumed run whose staging is gone recomputes every shard: the bytes must not change.
    PipelineFixture.run(spark, PipelineFixture.config(dir.resolve("texts.npy"),
        dir.resolve("images.npy"), out, "input.partitions", "3", "output.mode", "resume"));
    assertThat(tree(out)).isEqualTo(first);

    // A failed run whose staged shard is then corrupted: resume must notice and redo it.
    Path broken = dir.resolve("corrupt");
    assertThatThrownBy(() -> PipelineFixture.run(spark, PipelineFixture.config(
        dir.resolve("texts.npy"), dir.resolve("images.npy"), broken, "input.partitions", "3",
        "testing.fail_apply_split", "0")));
    Path staged = broken.resolve("aligned/_staging/part-00000-of-00003.parquet");
    byte[] bytes = Files.readAllBytes(staged);
    bytes[bytes.length / 2] ^= 0x5A;
    Files.write(staged, bytes);
    PipelineFixture.run(spark, PipelineFixture.config(dir.resolve("texts.npy"),
        dir.resolve("images.npy"), broken, "input.partitions", "3", "output.mode", "resume"));
    assertThat(tree(broken)).isEqualTo(first);
  }
}
