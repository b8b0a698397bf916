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
import org.apache.spark.SparkException;
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

  /** Runs {@code job} with a fault seam set (a system property, never a config key). */
  static void withFault(String property, int split, Runnable job) {
    System.setProperty(property, Integer.toString(split));
    try {
      job.run();
    } finally {
      System.clearProperty(property);
    }
  }

  /**
   * Runs the pipeline on the test inputs into {@code out} with {@code input.partitions}, + keys.
   */
  static void run(Path out, int partitions, String... more) {
    String[] kv = new String[2 + more.length];
    kv[0] = "input.partitions";
    kv[1] = Integer.toString(partitions);
    System.arraycopy(more, 0, kv, 2, more.length);
    PipelineFixture.run(
        spark,
        PipelineFixture.config(dir.resolve("texts.npy"), dir.resolve("images.npy"), out, kv));
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
    PipelineFixture.run(
        spark,
        PipelineFixture.config(
            dir.resolve("texts.npy"), dir.resolve("images.npy"), clean, "input.partitions", "4"));

    Path broken = dir.resolve("broken");
    assertThatThrownBy(
            () ->
                withFault(
                    FaultSeam.FAIL_APPLY_SPLIT,
                    2,
                    () ->
                        PipelineFixture.run(
                            spark,
                            PipelineFixture.config(
                                dir.resolve("texts.npy"),
                                dir.resolve("images.npy"),
                                broken,
                                "input.partitions",
                                "4"))))
        .isInstanceOf(SparkException.class)
        .hasMessageContaining("Injected failure after writing shard part-00002-of-00004");
    assertThat(broken.resolve("aligned/_manifest.json")).doesNotExist();
    assertThat(broken.resolve("aligned/_staging/part-00002-of-00004.parquet")).exists();
    Path staged = broken.resolve("aligned/_staging/part-00002-of-00004.parquet");
    long stagedModified = Files.getLastModifiedTime(staged).toMillis();

    PipelineFixture.run(
        spark,
        PipelineFixture.config(
            dir.resolve("texts.npy"),
            dir.resolve("images.npy"),
            broken,
            "input.partitions",
            "4",
            "output.mode",
            "resume"));

    assertThat(tree(broken)).isEqualTo(tree(clean));
    assertThat(broken.resolve("aligned/_staging")).doesNotExist();
    // The shard written before the failure was verified and kept, not rewritten.
    assertThat(
            Files.getLastModifiedTime(broken.resolve("aligned/part-00002-of-00004.parquet"))
                .toMillis())
        .isEqualTo(stagedModified);
  }

  @Test
  void resumingACompleteRunChangesNothingAndACorruptShardIsRedone() throws Exception {
    Path out = dir.resolve("twice");
    PipelineFixture.run(
        spark,
        PipelineFixture.config(
            dir.resolve("texts.npy"), dir.resolve("images.npy"), out, "input.partitions", "3"));
    Map<String, String> first = tree(out);
    // A resumed run whose staging is gone recomputes every shard: the bytes must not change.
    PipelineFixture.run(
        spark,
        PipelineFixture.config(
            dir.resolve("texts.npy"),
            dir.resolve("images.npy"),
            out,
            "input.partitions",
            "3",
            "output.mode",
            "resume"));
    assertThat(tree(out)).isEqualTo(first);

    // A failed run whose staged shard is then corrupted: resume must notice and redo it.
    Path broken = dir.resolve("corrupt");
    assertThatThrownBy(
            () ->
                withFault(
                    FaultSeam.FAIL_APPLY_SPLIT,
                    0,
                    () ->
                        PipelineFixture.run(
                            spark,
                            PipelineFixture.config(
                                dir.resolve("texts.npy"),
                                dir.resolve("images.npy"),
                                broken,
                                "input.partitions",
                                "3"))))
        .isInstanceOf(SparkException.class)
        .hasMessageContaining("Injected failure after writing shard part-00000-of-00003")
        .hasMessageContaining(FaultSeam.FAIL_APPLY_SPLIT + " = 0");
    Path staged = broken.resolve("aligned/_staging/part-00000-of-00003.parquet");
    byte[] bytes = Files.readAllBytes(staged);
    bytes[bytes.length / 2] ^= 0x5A;
    Files.write(staged, bytes);
    PipelineFixture.run(
        spark,
        PipelineFixture.config(
            dir.resolve("texts.npy"),
            dir.resolve("images.npy"),
            broken,
            "input.partitions",
            "3",
            "output.mode",
            "resume"));
    assertThat(tree(broken)).isEqualTo(first);
  }

  /**
   * A completion record holds for its split's rows only: one whose row range is not the plan's (as
   * a shard staged by an older version, which cut a file differently, reads) is not trusted, and
   * the shard is written again.
   */
  @Test
  void aStagedShardOfAnotherCutIsWrittenAgain() throws Exception {
    Path clean = dir.resolve("cut-clean");
    run(clean, 2);
    Path broken = dir.resolve("cut-broken");
    assertThatThrownBy(() -> withFault(FaultSeam.FAIL_APPLY_SPLIT, 0, () -> run(broken, 2)))
        .isInstanceOf(SparkException.class);
    Path record = broken.resolve("aligned/_staging/part-00000-of-00002.parquet.done.json");
    String json = Files.readString(record);
    assertThat(json).contains("texts.npy#0+2000");
    Files.writeString(record, json.replace("texts.npy#0+2000", "texts.npy#0+2048"));
    Path staged = broken.resolve("aligned/_staging/part-00000-of-00002.parquet");
    Files.setLastModifiedTime(staged, java.nio.file.attribute.FileTime.fromMillis(0));

    run(broken, 2, "output.mode", "resume");

    assertThat(tree(broken)).isEqualTo(tree(clean));
    assertThat(
            Files.getLastModifiedTime(broken.resolve("aligned/part-00000-of-00002.parquet"))
                .toMillis())
        .as("written again, not kept")
        .isGreaterThan(0);
  }

  /**
   * A disk that fills up while a shard is written (Hadoop's FSError, an Error, from a file system
   * that runs out of space after 4 KB): nothing is committed, and the one line the CLI prints names
   * the shard, the path and the cause, with no stack trace.
   */
  @Test
  void aFullDiskDuringApplyFailsInOneLineNamingTheShardThePathAndTheCause() {
    org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    hadoop.set("fs.fulldisk.impl", org.apache.hadoop.fs.FullDiskFileSystem.class.getName());
    hadoop.setBoolean("fs.fulldisk.impl.disable.cache", true);
    Path full = dir.resolve("full");
    try {
      assertThatThrownBy(
              () ->
                  PipelineFixture.run(
                      spark,
                      PipelineFixture.config(
                          dir.resolve("texts.npy"),
                          dir.resolve("images.npy"),
                          Path.of("/"),
                          "output.dir",
                          "fulldisk:" + full,
                          "input.partitions",
                          "4")))
          .isInstanceOf(SparkException.class)
          .satisfies(
              e ->
                  assertThat(Failures.oneLine(e))
                      .isEqualTo(
                          "Cannot write shard"
                              + " part-00001-of-00004.parquet of text split 1 to fulldisk:"
                              + full
                              + "/aligned/_staging/part-00001-of-00004.parquet: No space left on device"));
    } finally {
      hadoop.unset("fs.fulldisk.impl");
    }
    assertThat(full.resolve("aligned/_manifest.json")).doesNotExist();
    assertThat(full.resolve("aligned/part-00000-of-00004.parquet")).doesNotExist();
  }

  /**
   * Issue 22: a completion record naming {@code ../../../moved.txt} made {@code --mode resume} move
   * a file from outside the output into a directory above it, and an absolute name deleted the file
   * it named. A record whose name is not its split's shard is refused, naming the record; nothing
   * outside the output is moved or deleted.
   */
  @Test
  void aCompletionRecordNamingAPathOutsideTheOutputIsRefusedAndNothingMoves() throws Exception {
    Path root = dir.resolve("escape");
    Path out = root.resolve("out");
    assertThatThrownBy(() -> withFault(FaultSeam.FAIL_APPLY_SPLIT, 0, () -> run(out, 2)))
        .isInstanceOf(SparkException.class);
    Path record = out.resolve("aligned/_staging/part-00000-of-00002.parquet.done.json");
    ShardResult clean = ShardResult.fromJson(Files.readString(record));
    // staging/../../../moved.txt is root/moved.txt; aligned/../../../moved.txt is its parent's.
    Path moved = Files.writeString(root.resolve("moved.txt"), "not realign's");
    Path victim = Files.writeString(root.resolve("victim.txt"), "not realign's either");
    for (String name : new String[] {"../../../moved.txt", victim.toAbsolutePath().toString()}) {
      Files.writeString(record, withName(clean, name).toJson());
      assertThatThrownBy(() -> run(out, 2, "output.mode", "resume"))
          .satisfies(
              e ->
                  assertThat(Failures.oneLine(e))
                      .contains("Invalid completion record " + record)
                      .contains("shard '" + name + "' of split 0")
                      .contains("(must be 'part-00000-of-00002.parquet' of split 0"));
      assertThat(Files.readString(moved)).isEqualTo("not realign's");
      assertThat(Files.readString(victim)).isEqualTo("not realign's either");
      assertThat(dir.resolve("moved.txt")).doesNotExist();
      assertThat(out.resolve("aligned/_manifest.json")).doesNotExist();
    }
  }

  private static ShardResult withName(ShardResult r, String name) {
    return new ShardResult(
        r.split(),
        new dev.realign.sink.ShardInfo(
            name, r.shard().rows(), r.shard().bytes(), r.shard().sha256()),
        r.rejected(),
        r.transformSha256(),
        r.outputSketch(),
        r.truncated(),
        r.rejectFile());
  }
}
