package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.io.Npy;
import dev.realign.sink.ShardManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * realign where snappy-java's native library does not load (as under a {@code noexec} or missing
 * java.io.tmpdir), through the CLI in forked JVMs with snappy-java's bundled libraries turned off
 * ({@code org.xerial.snappy.disable.bundled.libs}) or its unpack directory missing: the real
 * library, really failing to load. A run that needs no codec keeps its rejected rows (their files
 * are uncompressed); a Snappy input and a Snappy output fail with exit 1 and a message that says
 * why and names the file or the key.
 */
class NativeCodecMissingTest {
  private static final String NO_SNAPPY = "-Dorg.xerial.snappy.disable.bundled.libs=true";

  private static final String CAUSE = "the SNAPPY codec's native library did not load in this JVM";

  private static final int ROWS = 300;

  private static final int D = 64;

  @TempDir Path dir;

  @Test
  void rejectedRowsAreKeptWithoutSnappyAndSnappyInputsAndOutputsFailSayingWhy() throws Exception {
    float[] texts = PipelineFixture.randomRows(31, ROWS, D, 1.0);
    float[] images = PipelineFixture.randomRows(32, ROWS, D, 1.0);
    texts[7 * D + 3] = Float.NaN;
    java.util.Arrays.fill(images, 11 * D, 12 * D, 0f);
    Npy.write(dir.resolve("texts.npy"), texts, ROWS, D);
    Npy.write(dir.resolve("images.npy"), images, ROWS, D);
    ForkedCli cli = new ForkedCli(dir);

    // No codec needed: it runs, and both bad rows are quarantined (before: the rejected-row files
    // were Snappy, and the job died at the first one with an unrelated footer error).
    Path kept = dir.resolve("kept");
    cli.run(
        "rejects",
        List.of(NO_SNAPPY),
        ForkedCli.runArgs(dir, kept, 2, "--set", "quality.max_rejected_fraction=0.01"));
    ShardManifest m =
        ShardManifest.read(
            FileSystem.getLocal(new Configuration()),
            new org.apache.hadoop.fs.Path(kept.resolve("aligned/_manifest.json").toString()));
    assertThat(m.rows()).isEqualTo(ROWS - 1);
    assertThat(m.inputs().get("text").rejected()).isEqualTo(1);
    assertThat(m.inputs().get("image").rejected()).isEqualTo(1);
    assertThat(m.rejectedFiles()).hasSize(2);
    try (Stream<Path> files = Files.walk(kept.resolve("rejected"))) {
      List<Path> parts =
          files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
      assertThat(parts).hasSize(2);
      for (Path p : parts) {
        assertThat(codecs(p)).as("codecs of %s", p).containsOnly("UNCOMPRESSED");
      }
    }

    // A Snappy Parquet input (pyarrow's default codec): exit 1 naming the file, nothing written.
    Path snappy = dir.resolve("snappy.parquet");
    Files.copy(resource("third-party-parquet/pyarrow-list-snappy.parquet"), snappy);
    Path none = dir.resolve("none");
    String log =
        failsWithoutSnappy(
            cli,
            "snappy-input",
            "--text-embeddings",
            snappy,
            "--image-embeddings",
            dir.resolve("images.npy"),
            "--output",
            none);
    assertThat(log).contains("failed: Cannot read Parquet file file:" + snappy + ": " + CAUSE);
    assertThat(log).contains("org.xerial.snappy.tempdir").doesNotContain("Invalid Parquet file");
    assertThat(none.resolve("aligned/_manifest.json")).doesNotExist();

    // output.parquet.codec=snappy, snappy-java's bundled library on but its unpack directory not
    // one that can be made (as a read-only tmp): exit 1 before any pass, naming the cause.
    Path out = dir.resolve("snappy-out");
    Path notADirectory = Files.writeString(dir.resolve("a-file"), "x"); // nothing is made under it
    log =
        failing(
            cli,
            "snappy-output",
            List.of("-Dorg.xerial.snappy.tempdir=" + notADirectory.resolve("tmp")),
            ForkedCli.runArgs(dir, out, 2, "--set", "output.parquet.codec=snappy"));
    assertThat(log).contains(CAUSE).doesNotContain("stats text:");
    assertThat(out.resolve("aligned/_manifest.json")).doesNotExist();
  }

  @Test
  void snappyFilesThatParquetMrReadsFailNamingTheFile() throws Exception {
    Npy.write(dir.resolve("texts.npy"), PipelineFixture.randomRows(33, ROWS, D, 1.0), ROWS, D);
    Npy.write(dir.resolve("images.npy"), PipelineFixture.randomRows(34, ROWS, D, 1.0), ROWS, D);
    ForkedCli cli = new ForkedCli(dir);

    // The ids and texts of a .npy input, from a Snappy metadata file (Spark's and pyarrow's default
    // codec). Before: exit 1 with only "no snappyjava in java.library.path: ...".
    Path meta = snappyIdsAndTexts(dir.resolve("texts-meta.parquet"), ROWS);
    Path metaOut = dir.resolve("meta-out");
    String log =
        failsWithoutSnappy(
            cli,
            "snappy-metadata",
            "--text-embeddings",
            dir.resolve("texts.npy"),
            "--text-metadata",
            meta,
            "--image-embeddings",
            dir.resolve("images.npy"),
            "--output",
            metaOut);
    assertThat(log).contains("failed: Cannot read Parquet file file:" + meta + ": " + CAUSE);
    assertThat(log).contains("org.xerial.snappy.tempdir");
    assertThat(metaOut.resolve("aligned/_manifest.json")).doesNotExist();

    // A Snappy Parquet corpus to encode (the bundled model, d = 384).
    int bundledDim = 384;
    Npy.write(
        dir.resolve("images-384.npy"),
        PipelineFixture.randomRows(35, 40, bundledDim, 1.0),
        40,
        bundledDim);
    Path corpus = snappyIdsAndTexts(dir.resolve("corpus.parquet"), 40);
    Path corpusOut = dir.resolve("corpus-out");
    log =
        failsWithoutSnappy(
            cli,
            "snappy-corpus",
            "--texts",
            corpus,
            "--image-embeddings",
            dir.resolve("images-384.npy"),
            "--output",
            corpusOut);
    assertThat(log).contains("failed: Cannot read Parquet file file:" + corpus + ": " + CAUSE);
    assertThat(corpusOut.resolve("aligned/_manifest.json")).doesNotExist();
  }

  /** A Snappy Parquet file of {@code rows} string ids and texts, written by parquet-mr. */
  private static Path snappyIdsAndTexts(Path file, int rows) throws Exception {
    org.apache.parquet.schema.MessageType schema =
        org.apache.parquet.schema.MessageTypeParser.parseMessageType(
            "message m { required binary id (STRING); required binary text (STRING); }");
    try (org.apache.parquet.hadoop.ParquetWriter<org.apache.parquet.example.data.Group> w =
        org.apache.parquet.hadoop.example.ExampleParquetWriter.builder(
                new org.apache.hadoop.fs.Path(file.toUri()))
            .withType(schema)
            .withConf(new Configuration())
            .withCompressionCodec(org.apache.parquet.hadoop.metadata.CompressionCodecName.SNAPPY)
            .build()) {
      org.apache.parquet.example.data.simple.SimpleGroupFactory f =
          new org.apache.parquet.example.data.simple.SimpleGroupFactory(schema);
      for (int i = 0; i < rows; i++) {
        w.write(f.newGroup().append("id", "doc-" + i).append("text", "a photo of thing " + i));
      }
    }
    assertThat(codecs(file)).as("codecs of %s", file).containsOnly("SNAPPY");
    return file;
  }

  /** The arguments {@code run <args> --set report.in_run=false}. */
  private static List<String> runWithoutReport(Object... args) {
    List<String> cli = new java.util.ArrayList<>();
    cli.add("run");
    for (Object a : args) {
      cli.add(a.toString());
    }
    cli.add("--set");
    cli.add("report.in_run=false");
    return cli;
  }

  /** Runs {@code realign run <args>} (report off) without snappy-java's bundled library. */
  private static String failsWithoutSnappy(ForkedCli cli, String name, Object... args)
      throws Exception {
    return failing(cli, name, List.of(NO_SNAPPY), runWithoutReport(args));
  }

  /** Runs the CLI with the JVM {@code flags}; asserts exit 1 and returns its output. */
  private static String failing(ForkedCli cli, String name, List<String> flags, List<String> args)
      throws Exception {
    Process p = cli.start(name, flags, args);
    assertThat(p.waitFor(ForkedCli.RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    String log = Files.readString(cli.log(name), StandardCharsets.UTF_8);
    assertThat(p.exitValue())
        .as("exit code of %s; log:%n%s", name, ForkedCli.tail(log))
        .isEqualTo(1);
    return log;
  }

  /** The page codecs of every column chunk of a Parquet file, from its footer. */
  private static List<String> codecs(Path file) throws Exception {
    try (org.apache.parquet.hadoop.ParquetFileReader r =
        org.apache.parquet.hadoop.ParquetFileReader.open(
            org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toString()), new Configuration()))) {
      return r.getFooter().getBlocks().stream()
          .flatMap(b -> b.getColumns().stream())
          .map(c -> c.getCodec().name())
          .toList();
    }
  }

  private static Path resource(String name) throws Exception {
    return Path.of(NativeCodecMissingTest.class.getResource("/" + name).toURI());
  }
}
