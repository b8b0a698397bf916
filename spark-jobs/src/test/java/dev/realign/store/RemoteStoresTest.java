package dev.realign.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realign.cli.RealignCommand;
import dev.realign.config.OutputMode;
import dev.realign.io.Npy;
import dev.realign.job.CommitPlanProbe;
import dev.realign.job.LateAttemptProbe;
import dev.realign.job.OutputLease;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.StorageStatistics;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * realign against real storage servers, through the CLI entry point in-process: inputs read from
 * the store, outputs written to it, and every file byte for byte what a run on local disk writes.
 * Each test runs on HDFS (MiniDFSCluster) and on S3 (s3proxy through S3A), both on 127.0.0.1 and
 * started once for the class, with one Spark session; the inputs are small, so a test is a few
 * seconds of work per store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteStoresTest {
  static final int D = 16;
  static final int TEXTS = 1_500;
  static final int IMAGES = 600;

  /** The bundled encoder's (all-MiniLM-L6-v2) dimension, for the run that encodes a corpus. */
  static final int ENCODER_DIM = 384;

  @TempDir static Path dir;
  SparkSession spark;
  final Map<String, RemoteStore> stores = new TreeMap<>();
  Configuration conf;
  private Map<String, String> localRun;

  Stream<String> stores() {
    return Stream.of("hdfs", "s3");
  }

  @BeforeAll
  void setUp() throws IOException {
    // Warm-ups would compete with the tests for the cores; each CLI call would start them.
    System.setProperty("realign.warmup", "false");
    stores.put("s3", S3Server.start(Files.createDirectories(dir.resolve("s3"))));
    stores.put("hdfs", MiniHdfs.start(Files.createDirectories(dir.resolve("hdfs"))));
    SparkSession.Builder b =
        SparkSession.builder()
            .master("local[2]")
            .appName("realign-store-test")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1");
    for (RemoteStore store : stores.values()) {
      for (Map.Entry<String, String> e : store.hadoopConf().entrySet()) {
        b = b.config("spark.hadoop." + e.getKey(), e.getValue());
      }
    }
    spark = b.getOrCreate();
    conf = spark.sparkContext().hadoopConfiguration();
    // The CLI joins this session and leaves it running (RealignCommand stops its own otherwise).
    System.setProperty("realign.keep.spark", "true");
    Path local = Files.createDirectories(dir.resolve("inputs"));
    Npy.write(local.resolve("texts.npy"), rows(5, TEXTS, 1.0), TEXTS, D);
    Npy.write(local.resolve("images.npy"), rows(6, IMAGES, -1.0), IMAGES, D);
    StringBuilder corpus = new StringBuilder();
    for (int i = 0; i < 24; i++) {
      corpus.append("{\"id\": \"c").append(i).append("\", \"text\": \"a photo of a cat number ");
      corpus.append(i).append(" on a sofa\"}\n");
    }
    // Two rejected texts, so that the encode stage writes a rejected-row file too.
    corpus.append("{\"id\": \"c-empty\", \"text\": \"\"}\n{not json\n");
    Files.writeString(local.resolve("corpus.jsonl"), corpus.toString());
    Npy.write(local.resolve("images384.npy"), rows384(7, 64), 64, ENCODER_DIM);
    float[] bad = rows(6, IMAGES, -1.0);
    java.util.Arrays.fill(bad, 5 * D, 6 * D, 0f); // one image row the stats pass rejects
    Npy.write(local.resolve("images-bad.npy"), bad, IMAGES, D);
    for (String store : stores.keySet()) {
      for (String name :
          List.of("texts.npy", "images.npy", "corpus.jsonl", "images384.npy", "images-bad.npy")) {
        String uri = input(store, name);
        fs(uri)
            .copyFromLocalFile(
                new org.apache.hadoop.fs.Path(local.resolve(name).toUri()),
                new org.apache.hadoop.fs.Path(uri));
      }
    }
  }

  String input(String store, String name) {
    return stores.get(store).root() + "/inputs/" + name;
  }

  String texts(String store) {
    return input(store, "texts.npy");
  }

  String images(String store) {
    return input(store, "images.npy");
  }

  /** The reference: the same run on local disk, once for the class. */
  synchronized Map<String, String> localRun() throws IOException {
    if (localRun == null) {
      realign(
          runArgs(
              dir.resolve("inputs/texts.npy").toString(),
              dir.resolve("inputs/images.npy").toString(),
              local("run")));
      localRun = tree(local("run"));
    }
    return new TreeMap<>(localRun);
  }

  @AfterAll
  void tearDown() {
    System.clearProperty("realign.keep.spark");
    System.clearProperty("realign.warmup");
    if (spark != null) {
      spark.stop();
    }
    stores.values().forEach(RemoteStore::close);
  }

  FileSystem fs(String uri) {
    try {
      return new org.apache.hadoop.fs.Path(uri).getFileSystem(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the file system of " + uri, e);
    }
  }

  String local(String name) {
    return dir.resolve("local").resolve(name).toString();
  }

  String remote(String store, String name) {
    return stores.get(store).root() + "/out/" + name;
  }

  /** {@code realign ARGS} in-process; fails the test with its stderr unless it exits 0. */
  static void realign(String... args) {
    int code = realignCode(args);
    assertThat(code).as("realign %s", String.join(" ", args)).isZero();
  }

  static int realignCode(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--set",
            "progress.interval_seconds=0",
            "--set",
            "report.in_run=false",
            "--master",
            "local[2]"));
    PrintStream err = System.err;
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int code = RealignCommand.run(all.toArray(String[]::new));
      if (code != 0) {
        err.println(e.toString(StandardCharsets.UTF_8));
      }
      return code;
    } finally {
      System.setErr(err);
    }
  }

  /**
   * Relative path -> SHA-256 of every file under {@code root}, hidden names ({@code .}) skipped;
   * the manifest's top-level {@code created_by} (which names the writing build) is left out.
   */
  Map<String, String> tree(String root) throws IOException {
    FileSystem fs = fs(root);
    org.apache.hadoop.fs.Path base = fs.makeQualified(new org.apache.hadoop.fs.Path(root));
    Map<String, String> out = new TreeMap<>();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(base, true);
    while (it.hasNext()) {
      LocatedFileStatus st = it.next();
      String rel = base.toUri().relativize(st.getPath().toUri()).getPath();
      if (st.getPath().getName().startsWith(".")) {
        continue;
      }
      byte[] bytes;
      try (InputStream in = fs.open(st.getPath())) {
        bytes = in.readAllBytes();
      }
      if (st.getPath().getName().equals("_manifest.json")) {
        ObjectNode m = (ObjectNode) new ObjectMapper().readTree(bytes);
        m.remove("created_by");
        bytes = m.toString().getBytes(StandardCharsets.UTF_8);
      }
      out.put(rel, sha256(bytes));
    }
    return out;
  }

  String read(String uri) throws IOException {
    try (InputStream in = fs(uri).open(new org.apache.hadoop.fs.Path(uri))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static float[] rows384(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] out = new float[n * ENCODER_DIM];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (r.nextDouble() - 0.5);
    }
    return out;
  }

  static float[] rows(long seed, int n, double offset) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] out = new float[n * D];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < D; j++) {
        out[i * D + j] = (float) ((j == (int) (seed % D) ? offset : 0.0) + r.nextDouble() - 0.5);
      }
    }
    return out;
  }

  String[] runArgs(String textsPath, String imagesPath, String out) {
    return new String[] {
      "run",
      "--text-embeddings",
      textsPath,
      "--image-embeddings",
      imagesPath,
      "--output",
      out,
      "--partitions",
      "3"
    };
  }

  /** What {@link #localRun} holds, without the file that names the inputs (by design). */
  Map<String, String> withoutInputs(Map<String, String> tree) {
    tree.remove("stats/inputs.json");
    return tree;
  }

  @ParameterizedTest
  @MethodSource("stores")
  void runOnTheStoreWritesTheBytesOfALocalRun(String store) throws IOException {
    String out = remote(store, "run");
    realign(runArgs(texts(store), images(store), out));
    Map<String, String> expected = localRun();
    assertThat(expected).containsKeys("aligned/_manifest.json", "realign-transform.json");
    // The one file that differs by design: the report's record of which inputs were read.
    assertThat(read(out + "/stats/inputs.json")).contains(texts(store)).contains(images(store));
    assertThat(withoutInputs(tree(out))).isEqualTo(withoutInputs(expected));
  }

  @ParameterizedTest
  @MethodSource("stores")
  void statsFitAndApplyAloneWriteTheBytesOfRun(String store) throws IOException {
    String out = remote(store, "staged");
    String texts = texts(store);
    realign(
        "stats", "--text-embeddings", texts, "--image-embeddings", images(store), "--output", out);
    realign("fit", "--text-embeddings", texts, "--output", out, "--partitions", "3");
    realign("apply", "--text-embeddings", texts, "--output", out, "--partitions", "3");
    Map<String, String> staged = tree(out);
    Map<String, String> run = localRun();
    for (String file :
        List.of(
            "realign-transform.json",
            "stats/text.sketch",
            "stats/image.sketch",
            "aligned/_manifest.json",
            "aligned/part-00000-of-00003.parquet",
            "aligned/part-00002-of-00003.parquet")) {
      assertThat(staged.get(file)).as(file).isNotNull().isEqualTo(run.get(file));
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void aKilledApplyTaskResumesToTheBytesOfAnUninterruptedRun(String store) throws IOException {
    String broken = remote(store, "broken");
    String[] args = runArgs(texts(store), images(store), broken);
    System.setProperty("realign.testing.fail_apply_split", "1");
    try {
      assertThat(realignCode(args)).isEqualTo(1);
    } finally {
      System.clearProperty("realign.testing.fail_apply_split");
    }
    assertThat(fs(broken).exists(new org.apache.hadoop.fs.Path(broken, "aligned/_manifest.json")))
        .as("no manifest after a failed run")
        .isFalse();
    List<String> resume = new ArrayList<>(List.of(args));
    resume.addAll(List.of("--mode", "resume"));
    realign(resume.toArray(String[]::new));
    assertThat(withoutInputs(tree(broken))).isEqualTo(withoutInputs(localRun()));
  }

  @ParameterizedTest
  @MethodSource("stores")
  void aMissingInputIsNamedByItsUri(String store) {
    String missing = stores.get(store).root() + "/inputs/nothing-here.npy";
    assertThatThrownBy(
            () -> dev.realign.source.HadoopFiles.listInputs(missing, conf, n -> true, "text"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing);
  }

  @ParameterizedTest
  @MethodSource("stores")
  void aRunOnAnOutputBeingWrittenIsRefusedNamingTheOtherRun(String store) throws Exception {
    String out = remote(store, "overlap");
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(out);
    try (OutputLease other =
        OutputLease.acquire(fs(out), root, "application_other_0042", OutputMode.ERROR, 600_000)) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      PrintStream saved = System.err;
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code;
      try {
        code = realignCode(runArgs(texts(store), images(store), out));
      } finally {
        System.setErr(saved);
      }
      assertThat(code).isEqualTo(1);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("is being written by another run: application application_other_0042");
      // Refused before it wrote anything: the lease is all there is.
      assertThat(fs(out).listStatus(root))
          .extracting(st -> st.getPath().getName())
          .containsExactly(OutputLease.NAME);
    }
    assertThat(fs(out).exists(new org.apache.hadoop.fs.Path(root, OutputLease.NAME))).isFalse();
  }

  @ParameterizedTest
  @MethodSource("stores")
  void ofRacingRunsExactlyOneTakesTheLease(String store) throws Exception {
    String out = remote(store, "race");
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(out);
    int takers = 4;
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(takers);
    List<java.util.concurrent.Future<OutputLease>> tries = new ArrayList<>();
    for (int i = 0; i < takers; i++) {
      String app = "application_race_" + i;
      tries.add(
          pool.submit(
              () -> {
                go.await();
                try {
                  return OutputLease.acquire(fs(out), root, app, OutputMode.ERROR, 600_000);
                } catch (IllegalStateException refused) {
                  return null;
                }
              }));
    }
    go.countDown();
    List<OutputLease> won = new ArrayList<>();
    for (java.util.concurrent.Future<OutputLease> f : tries) {
      if (f.get() != null) {
        won.add(f.get());
      }
    }
    pool.shutdown();
    won.forEach(OutputLease::close);
    assertThat(won).hasSize(1);
  }

  @Test
  void onS3ShardsAreWrittenInPlaceAndTheCommitCopiesNoBytes() throws Exception {
    String s3 = remote("s3", "direct");
    String hdfs = remote("hdfs", "direct");
    // The test server is faithful where the lease and the manifest rely on it.
    assertThat(((S3Server) stores.get("s3")).refusesIfNoneMatchOnExistingKey("probe/if-none-match"))
        .as("s3proxy answers 412 to If-None-Match: * on an existing key")
        .isTrue();
    assertThat(CommitPlanProbe.declared(fs(s3), s3)).isEqualTo("DIRECT");
    assertThat(CommitPlanProbe.declared(fs(hdfs), hdfs)).isEqualTo("RENAME");
    localRun();
    String transform = local("run") + "/realign-transform.json";
    StorageStatistics stats = fs(s3).getStorageStatistics();
    long copiedBefore = stats.getLong("files_copied_bytes");
    long copiesBefore = stats.getLong("object_copy_requests");
    realign(
        "apply",
        "--text-embeddings",
        texts("s3"),
        "--output",
        s3,
        "--transform",
        transform,
        "--partitions",
        "3");
    long copied = stats.getLong("files_copied_bytes") - copiedBefore;
    long copies = stats.getLong("object_copy_requests") - copiesBefore;
    System.out.printf("[store-test] S3 apply: %d copy requests, %d bytes copied%n", copies, copied);
    assertThat(copies).as("S3 copy requests during apply").isZero();
    assertThat(copied).as("bytes copied during apply").isZero();
    Map<String, String> reference = localRun();
    Map<String, String> direct = tree(s3);
    for (String shard :
        List.of(
            "aligned/part-00000-of-00003.parquet",
            "aligned/part-00001-of-00003.parquet",
            "aligned/part-00002-of-00003.parquet")) {
      assertThat(direct.get(shard)).as(shard).isNotNull().isEqualTo(reference.get(shard));
    }
    assertThat(direct).doesNotContainKey("aligned/_staging/part-00000-of-00003.parquet.done.json");

    // A late attempt (a losing speculative task, a zombie) of split 1 finishing after the commit:
    // it rewrites the same bytes under the same key and leaves no _staging/ behind.
    LateAttemptProbe.applyAgain(texts("s3"), s3, transform, TEXTS / 3, 1, conf);
    assertThat(tree(s3)).isEqualTo(direct);
  }

  /**
   * {@code run --texts} on the store: the bytes of the local run, rejected-row files included (of
   * the encode stage and of the stats pass); on S3 the whole run, encode stage included, copies no
   * byte (its shards and rejects are written once under their final names).
   */
  @ParameterizedTest
  @MethodSource("stores")
  void aRunThatEncodesACorpusOnTheStoreWritesTheBytesOfALocalRun(String store) throws IOException {
    String localOut = local("encoded-run-" + store);
    realign(
        encodedRunArgs(
            dir.resolve("inputs/corpus.jsonl").toString(),
            dir.resolve("inputs/images384.npy").toString(),
            localOut));
    String out = remote(store, "encoded-run");
    long[] before = s3Copies(store);
    realign(encodedRunArgs(input(store, "corpus.jsonl"), input(store, "images384.npy"), out));
    Map<String, String> expected = withoutInputs(tree(localOut));
    assertThat(expected)
        .containsKeys(
            "encoded/_manifest.json",
            "encoded/part-00000-of-00001.parquet",
            "encoded/rejected/part-00000-of-00001.parquet",
            "aligned/_manifest.json");
    assertThat(withoutInputs(tree(out))).isEqualTo(expected);
    requireNoCopies(store, before, "run --texts");
  }

  /**
   * The stats pass's rejected-row file: on S3 written once under its final name (no copy); on each
   * store with the rows of a local pass. (Its bytes name the input file's URI, by design, so the
   * file itself differs from the local one.)
   */
  @ParameterizedTest
  @MethodSource("stores")
  void rejectedRowsOfTheStatsPassAreWrittenWithoutACopyOnS3(String store) throws IOException {
    String out = remote(store, "stats-rejects");
    long[] before = s3Copies(store);
    realign(
        "stats",
        "--text-embeddings",
        texts(store),
        "--image-embeddings",
        input(store, "images-bad.npy"),
        "--output",
        out,
        "--set",
        "quality.max_rejected_fraction=0.1");
    requireNoCopies(store, before, "stats");
    Map<String, String> files = tree(out);
    assertThat(files.keySet())
        .filteredOn(f -> f.startsWith("rejected/"))
        .containsExactly("rejected/image/part-00000-of-00001.parquet");
    long rows = spark.read().parquet(out + "/rejected/image/part-00000-of-00001.parquet").count();
    assertThat(rows).as("rejected image rows").isEqualTo(1);
  }

  /** S3A's copy counters (requests, bytes) now; null for other stores. */
  long[] s3Copies(String store) {
    if (!store.equals("s3")) {
      return null;
    }
    StorageStatistics stats = fs(remote("s3", "x")).getStorageStatistics();
    return new long[] {stats.getLong("object_copy_requests"), stats.getLong("files_copied_bytes")};
  }

  void requireNoCopies(String store, long[] before, String what) {
    if (before == null) {
      return;
    }
    long[] now = s3Copies(store);
    long copies = now[0] - before[0];
    long copied = now[1] - before[1];
    System.out.printf(
        "[store-test] S3 %s: %d copy requests, %d bytes copied%n", what, copies, copied);
    assertThat(copies).as("S3 copy requests during %s", what).isZero();
    assertThat(copied).as("bytes copied during %s", what).isZero();
  }

  String[] encodedRunArgs(String texts, String images, String out) {
    return new String[] {
      "run",
      "--texts",
      texts,
      "--image-embeddings",
      images,
      "--output",
      out,
      "--set",
      "quality.max_rejected_fraction=0.1"
    };
  }
}
