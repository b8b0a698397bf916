package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.align.EncoderIdentity;
import dev.realign.config.PipelineConfig;
import dev.realign.encode.EncoderConfig;
import dev.realign.encode.OnnxTextEncoder;
import dev.realign.io.Npy;
import dev.realign.io.TransformFiles;
import dev.realign.sink.ShardManifest;
import dev.realign.spark.StoredSketch;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encode stage through Spark with the bundled model: shards with ids, texts and embeddings
 * equal to in-process encoding; rejects with file:line; a failed task resumed to the same bytes;
 * and run --texts end to end with the encoder's identity in the transform.
 */
class EncodeJobTest {
  static SparkSession spark;
  @TempDir static Path dir;
  static Path corpus;

  @BeforeAll
  static void setUp() throws Exception {
    spark = SparkTestSession.start();
    corpus = dir.resolve("corpus");
    Files.createDirectories(corpus);
    StringBuilder a = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      a.append("{\"id\": \"a")
          .append(i)
          .append("\", \"text\": \"a photo of a cat number ")
          .append(i)
          .append(" on a sofa\"}\n");
    }
    a.append("{\"id\": \"broken\", \"text\": \n");
    a.append("{\"id\": \"empty\", \"text\": \"\"}\n");
    Files.writeString(corpus.resolve("a.jsonl"), a.toString());
    try (OutputStream out =
        new GZIPOutputStream(Files.newOutputStream(corpus.resolve("b.txt.gz")))) {
      for (int i = 0; i < 30; i++) {
        out.write(
            ("a dog running on the beach, take " + i + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    Files.write(
        corpus.resolve("c.txt"),
        new byte[] {'o', 'k', '\n', (byte) 0xC3, (byte) 0x28, '\n', 'f', 'i', 'n', 'e', '\n'});
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static PipelineConfig config(Path out, String... kv) {
    PipelineConfig.Builder b =
        PipelineConfig.builder()
            .set("encode.input", corpus.toString())
            .set("output.dir", out.toString())
            .set("progress.interval_seconds", "0")
            .set("quality.max_rejected_fraction", "0.1")
            .set("report.in_run", "false");
    for (int i = 0; i < kv.length; i += 2) {
      b.set(kv[i], kv[i + 1]);
    }
    return b.build();
  }

  @Test
  void encodesEveryFileIntoItsShardAndQuarantinesBadTexts() throws Exception {
    Path out = dir.resolve("enc");
    EncodeJob.Outcome o = AlignJobs.encode(new JobContext(spark, config(out)));
    ShardManifest m = o.manifest();
    assertThat(o.dim()).isEqualTo(384);
    assertThat(m.shards())
        .extracting(s -> s.name())
        .containsExactly(
            "part-00000-of-00003.parquet",
            "part-00001-of-00003.parquet",
            "part-00002-of-00003.parquet");
    assertThat(m.rows()).isEqualTo(40 + 30 + 2);
    assertThat(m.rejectedRows()).isEqualTo(3);
    assertThat(m.inputs().get("text").byReason())
        .containsEntry("unreadable_text", 2L)
        .containsEntry("empty_text", 1L);
    assertThat(m.provenance()).containsEntry("encoder", "all-MiniLM-L6-v2");
    assertThat(out.resolve("_manifest.json")).isRegularFile();

    List<Row> rows =
        spark.read().parquet(out.resolve("part-00000-of-00003.parquet").toString()).collectAsList();
    assertThat(rows).hasSize(40);
    assertThat(rows.get(7).getString(0)).isEqualTo("a7");
    assertThat(rows.get(7).getString(1)).isEqualTo("a photo of a cat number 7 on a sofa");
    float[] expected =
        OnnxTextEncoder.create(EncoderConfig.bundled())
            .encode(List.of("a photo of a cat number 7 on a sofa"))
            .row(0);
    float[] got = PipelineFixture.embedding(rows.get(7));
    double dot = 0;
    for (int j = 0; j < got.length; j++) {
      dot += (double) got[j] * expected[j];
    }
    assertThat(dot).isGreaterThan(0.99999);

    List<String> rejects =
        spark.read().parquet(out.resolve("rejected").toString()).collectAsList().stream()
            .map(
                r ->
                    r.getString(r.fieldIndex("reason")) + " " + r.getString(r.fieldIndex("detail")))
            .toList();
    assertThat(rejects).hasSize(3);
    assertThat(rejects).anySatisfy(r -> assertThat(r).startsWith("unreadable_text a.jsonl:41"));
    assertThat(rejects).anySatisfy(r -> assertThat(r).startsWith("empty_text a.jsonl:42"));
    assertThat(rejects).anySatisfy(r -> assertThat(r).startsWith("unreadable_text c.txt:2"));
  }

  @Test
  void aFailedTaskIsResumedToTheSameBytes() throws Exception {
    Path clean = dir.resolve("clean");
    AlignJobs.encode(new JobContext(spark, config(clean)));
    Path broken = dir.resolve("broken");
    assertThatThrownBy(
            () ->
                FailureAndResumeTest.withFault(
                    FaultSeam.FAIL_ENCODE_SPLIT,
                    1,
                    () -> AlignJobs.encode(new JobContext(spark, config(broken)))))
        .hasStackTraceContaining("Injected failure after writing shard part-00001-of-00003");
    assertThat(broken.resolve("_manifest.json")).doesNotExist();
    assertThatThrownBy(() -> AlignJobs.encode(new JobContext(spark, config(broken))))
        .hasMessageContaining("already holds shards");
    AlignJobs.encode(new JobContext(spark, config(broken, "output.mode", "resume")));
    assertThat(FailureAndResumeTest.tree(broken)).isEqualTo(FailureAndResumeTest.tree(clean));
  }

  @Test
  void oneFileCutIntoByteRangesGivesTheSameRowsInShardsOfItsSplits() throws Exception {
    Path whole = dir.resolve("whole");
    AlignJobs.encode(new JobContext(spark, config(whole)));
    Path cut = dir.resolve("cut");
    // a.jsonl (about 2.6 KB) becomes several ranges; b.txt.gz stays whole; c.txt is small.
    EncodeJob.Outcome o =
        AlignJobs.encode(new JobContext(spark, config(cut, "encode.split_bytes", "400")));
    ShardManifest m = o.manifest();
    long aBytes = Files.size(corpus.resolve("a.jsonl"));
    int aSplits = (int) ((aBytes + 399) / 400);
    assertThat(aSplits).isGreaterThan(4);
    assertThat(m.shards()).hasSize(aSplits + 2);
    assertThat(m.shards().get(0).name())
        .isEqualTo(String.format("part-%05d-of-%05d.parquet", 0, aSplits + 2));
    assertThat(m.rows()).isEqualTo(72);
    assertThat(m.rejectedRows()).isEqualTo(3);

    List<Row> a = shards(whole);
    List<Row> b = shards(cut);
    assertThat(b)
        .extracting(r -> r.getString(0))
        .containsExactlyElementsOf(a.stream().map(r -> r.getString(0)).toList());
    assertThat(b)
        .extracting(r -> r.getString(1))
        .containsExactlyElementsOf(a.stream().map(r -> r.getString(1)).toList());
    for (int i = 0; i < a.size(); i++) {
      // Batches differ between cuts, and ONNX Runtime's kernels may round by batch shape.
      float[] x = PipelineFixture.embedding(a.get(i));
      float[] y = PipelineFixture.embedding(b.get(i));
      double dot = 0;
      for (int j = 0; j < x.length; j++) {
        dot += (double) x[j] * y[j];
      }
      assertThat(dot).isGreaterThan(0.99999);
    }
    // Every range holds the lines that start in it, in order: shard k = split k.
    int next = 0;
    for (int k = 0; k < aSplits; k++) {
      List<Row> shard =
          spark.read().parquet(cut.resolve(m.shards().get(k).name()).toString()).collectAsList();
      for (Row r : shard) {
        assertThat(r.getString(0)).isEqualTo("a" + next++);
      }
    }
    assertThat(next).isEqualTo(40);
    List<String> rejects =
        spark.read().parquet(cut.resolve("rejected").toString()).collectAsList().stream()
            .map(
                r ->
                    r.getString(r.fieldIndex("reason")) + " " + r.getString(r.fieldIndex("detail")))
            .toList();
    assertThat(rejects).anySatisfy(r -> assertThat(r).startsWith("unreadable_text a.jsonl:41"));
    assertThat(rejects).anySatisfy(r -> assertThat(r).startsWith("empty_text a.jsonl:42"));
  }

  @Test
  void aLineLongerThanSeveralSplitsIsReadOnceAndLeavesEmptyShards() throws Exception {
    Path one = dir.resolve("long");
    Files.createDirectories(one);
    String longText = "a very long caption about a cat " + "and another cat ".repeat(60);
    Files.writeString(one.resolve("l.txt"), "short one\r\n" + longText + "\r\nshort two");
    Path out = dir.resolve("long-out");
    EncodeJob.Outcome o =
        AlignJobs.encode(
            new JobContext(
                spark, config(out, "encode.input", one.toString(), "encode.split_bytes", "200")));
    long bytes = Files.size(one.resolve("l.txt"));
    assertThat(o.manifest().shards()).hasSize((int) ((bytes + 199) / 200));
    assertThat(o.manifest().shards()).filteredOn(s -> s.rows() == 0).hasSizeGreaterThan(2);
    List<Row> rows = shards(out);
    String prefix = dev.realign.source.StableIds.filePrefix("l.txt");
    assertThat(rows)
        .extracting(r -> r.getString(0))
        .containsExactly(prefix + "-1", prefix + "-2", prefix + "-3");
    assertThat(rows)
        .extracting(r -> r.getString(1))
        .containsExactly("short one", longText, "short two");
  }

  /** The rows of an encode output's shards, in manifest (= split) order. */
  static List<Row> shards(Path out) throws Exception {
    List<Row> rows = new java.util.ArrayList<>();
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(out.toString(), "_manifest.json");
    ShardManifest m =
        ShardManifest.read(
            dev.realign.source.HadoopFiles.fs(p, new org.apache.hadoop.conf.Configuration()), p);
    for (var s : m.shards()) {
      rows.addAll(spark.read().parquet(out.resolve(s.name()).toString()).collectAsList());
    }
    return rows;
  }

  @Test
  void aFailedTaskOfACutFileIsResumedToTheSameBytes() throws Exception {
    Path clean = dir.resolve("cut-clean");
    AlignJobs.encode(new JobContext(spark, config(clean, "encode.split_bytes", "700")));
    Path broken = dir.resolve("cut-broken");
    assertThatThrownBy(
            () ->
                FailureAndResumeTest.withFault(
                    FaultSeam.FAIL_ENCODE_SPLIT,
                    2,
                    () ->
                        AlignJobs.encode(
                            new JobContext(spark, config(broken, "encode.split_bytes", "700")))))
        .isInstanceOf(Exception.class)
        .hasStackTraceContaining("Injected failure after writing shard part-00002-of-");
    AlignJobs.encode(
        new JobContext(
            spark, config(broken, "encode.split_bytes", "700", "output.mode", "resume")));
    assertThat(FailureAndResumeTest.tree(broken)).isEqualTo(FailureAndResumeTest.tree(clean));
  }

  @Test
  void runWithTextsEncodesFitsAndAlignsAndRecordsTheEncoder() throws Exception {
    Path images = dir.resolve("images.npy");
    Npy.write(images, PipelineFixture.randomRows(4, 500, 384, 1.0), 500, 384);
    Path out = dir.resolve("run");
    AlignPipeline.Outcome o =
        AlignJobs.run(new JobContext(spark, config(out, "input.image.path", images.toString())));
    assertThat(o.manifest().rows()).isEqualTo(72);
    assertThat(o.transform().encoder().name()).isEqualTo("all-MiniLM-L6-v2");
    assertThat(o.transform().encoder().sha256()).hasSize(64);
    assertThat(TransformFiles.read(out.resolve("realign-transform.json")).encoder())
        .isEqualTo(o.transform().encoder());
    assertThat(out.resolve("encoded/_manifest.json")).isRegularFile();
    assertThat(PipelineFixture.readShards(spark, out).get(0).getString(0)).isEqualTo("a0");

    // The full identity (name, SHA-256, pooling, context length, output dtype) of the encode
    // manifest is the one in the text sketch's sidecar, the transform and the aligned manifest.
    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
    EncoderIdentity encoded = EncodeJob.recordedIdentity(out.resolve("encoded").toString(), conf);
    assertThat(encoded.hasSettings()).isTrue();
    assertThat(encoded.name()).isEqualTo("all-MiniLM-L6-v2");
    java.util.Map<String, String> prov =
        ShardManifest.read(
                org.apache.hadoop.fs.FileSystem.getLocal(conf),
                new org.apache.hadoop.fs.Path(out.resolve("encoded/_manifest.json").toUri()))
            .provenance();
    assertThat(encoded.settings())
        .isEqualTo(
            new EncoderIdentity.Settings(
                prov.get("encoder_pooling"),
                Integer.parseInt(prov.get("encoder_context_length")),
                prov.get("encoder_output_dtype")));
    assertThat(encoded.settings().outputDtype()).isEqualTo("float32");
    assertThat(o.transform().encoder()).isEqualTo(encoded);
    StoredSketch text = StoredSketch.read(out.toString(), "text", conf);
    assertThat(text.encoder()).isEqualTo(encoded);
    assertThat(Files.readString(out.resolve("stats/text.sketch.json")))
        .contains("\"format_version\" : 2")
        .contains("\"context_length\" : " + encoded.settings().contextLength());
    assertThat(StoredSketch.read(out.toString(), "image", conf).encoder())
        .isEqualTo(EncoderIdentity.PRECOMPUTED);
    assertThat(Files.readString(out.resolve("stats/image.sketch.json")))
        .contains("\"format_version\" : 1");
    assertThat(o.manifest().provenance())
        .containsEntry("encoder_pooling", encoded.settings().pooling())
        .containsEntry("encoder_output_dtype", "float32");

    // Separate stats and fit over the encode output carry it too: stats reads the encode manifest,
    // fit the text sidecar.
    Path split = dir.resolve("run-split");
    JobContext ctx =
        new JobContext(
            spark,
            config(
                split,
                "input.image.path",
                images.toString(),
                "input.text.path",
                out.resolve("encoded").toString(),
                "input.text.format",
                "parquet"));
    AlignJobs.stats(ctx);
    assertThat(StoredSketch.read(split.toString(), "text", conf).encoder()).isEqualTo(encoded);
    assertThat(AlignJobs.fit(ctx).encoder()).isEqualTo(encoded);
    assertThat(TransformFiles.read(split.resolve("realign-transform.json")).encoder())
        .isEqualTo(encoded);
  }

  @Test
  void aMissingCorpusOrModelFailsBeforeAnyWork() throws Exception {
    assertThatThrownBy(
            () ->
                AlignJobs.encode(
                    new JobContext(
                        spark,
                        config(dir.resolve("x"), "encode.input", dir.resolve("nope").toString()))))
        .hasMessageContaining("nope");
    Path notOnnx = dir.resolve("model.onnx");
    Files.writeString(notOnnx, "not a model");
    Path tok = dir.resolve("tokenizer.json");
    Files.writeString(tok, "{}");
    assertThatThrownBy(
            () ->
                AlignJobs.encode(
                    new JobContext(
                        spark,
                        config(
                            dir.resolve("y"),
                            "encode.model_path",
                            notOnnx.toString(),
                            "encode.tokenizer_path",
                            tok.toString()))))
        .hasMessageContaining(notOnnx.toString());
    assertThat(dir.resolve("y").resolve("_manifest.json")).doesNotExist();
  }
}
