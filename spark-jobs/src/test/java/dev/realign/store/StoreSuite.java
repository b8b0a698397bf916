package dev.realign.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realign.cli.RealignCommand;
import dev.realign.io.Npy;
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
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * realign against a real storage server, through the CLI entry point in-process: inputs read from
 * the store, outputs written to it, and every file byte for byte what a run on local disk writes.
 * One suite per store ({@link HdfsStoreTest}, {@link S3StoreTest}); small inputs, so each stays a
 * few seconds of work beyond the server's start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StoreSuite {
  static final int D = 16;
  static final int TEXTS = 1_500;
  static final int IMAGES = 600;

  @TempDir static Path dir;
  SparkSession spark;
  RemoteStore store;
  Configuration conf;
  String texts;
  String images;

  abstract RemoteStore startStore(Path dir);

  @BeforeAll
  void setUp() throws IOException {
    store = startStore(Files.createDirectories(dir.resolve("server")));
    SparkSession.Builder b =
        SparkSession.builder()
            .master("local[2]")
            .appName("realign-store-test")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1");
    for (Map.Entry<String, String> e : store.hadoopConf().entrySet()) {
      b = b.config("spark.hadoop." + e.getKey(), e.getValue());
    }
    spark = b.getOrCreate();
    conf = spark.sparkContext().hadoopConfiguration();
    // The CLI joins this session and leaves it running (RealignCommand stops its own otherwise).
    System.setProperty("realign.keep.spark", "true");
    Path local = Files.createDirectories(dir.resolve("inputs"));
    Npy.write(local.resolve("texts.npy"), rows(5, TEXTS, 1.0), TEXTS, D);
    Npy.write(local.resolve("images.npy"), rows(6, IMAGES, -1.0), IMAGES, D);
    texts = store.root() + "/inputs/texts.npy";
    images = store.root() + "/inputs/images.npy";
    FileSystem fs = fs(texts);
    fs.copyFromLocalFile(
        new org.apache.hadoop.fs.Path(local.resolve("texts.npy").toUri()),
        new org.apache.hadoop.fs.Path(texts));
    fs.copyFromLocalFile(
        new org.apache.hadoop.fs.Path(local.resolve("images.npy").toUri()),
        new org.apache.hadoop.fs.Path(images));
  }

  @AfterAll
  void tearDown() {
    System.clearProperty("realign.keep.spark");
    if (spark != null) {
      spark.stop();
    }
    if (store != null) {
      store.close();
    }
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

  String remote(String name) {
    return store.root() + "/out/" + name;
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

  @Test
  void runOnTheStoreWritesTheBytesOfALocalRun() throws IOException {
    String localTexts = dir.resolve("inputs/texts.npy").toString();
    String localImages = dir.resolve("inputs/images.npy").toString();
    realign(runArgs(localTexts, localImages, local("run")));
    realign(runArgs(texts, images, remote("run")));
    Map<String, String> expected = tree(local("run"));
    Map<String, String> actual = tree(remote("run"));
    assertThat(expected).containsKeys("aligned/_manifest.json", "realign-transform.json");
    // The one file that differs by design: the report's record of which inputs were read.
    assertThat(read(remote("run") + "/stats/inputs.json")).contains(texts).contains(images);
    expected.remove("stats/inputs.json");
    actual.remove("stats/inputs.json");
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void statsFitAndApplyAloneWriteTheBytesOfRun() throws IOException {
    String out = remote("staged");
    realign("stats", "--text-embeddings", texts, "--image-embeddings", images, "--output", out);
    realign("fit", "--text-embeddings", texts, "--output", out, "--partitions", "3");
    realign("apply", "--text-embeddings", texts, "--output", out, "--partitions", "3");
    Map<String, String> staged = tree(out);
    String whole = local("staged-reference");
    realign(
        runArgs(
            dir.resolve("inputs/texts.npy").toString(),
            dir.resolve("inputs/images.npy").toString(),
            whole));
    Map<String, String> run = tree(whole);
    for (String file :
        List.of(
            "realign-transform.json",
            "stats/text.sketch",
            "stats/image.sketch",
            "aligned/_manifest.json")) {
      assertThat(staged.get(file)).as(file).isNotNull().isEqualTo(run.get(file));
    }
  }

  @Test
  void aKilledApplyTaskResumesToTheBytesOfAnUninterruptedRun() throws IOException {
    String clean = remote("clean");
    realign(runArgs(texts, images, clean));
    String broken = remote("broken");
    System.setProperty("realign.testing.fail_apply_split", "1");
    try {
      assertThat(realignCode(runArgs(texts, images, broken))).isEqualTo(1);
    } finally {
      System.clearProperty("realign.testing.fail_apply_split");
    }
    assertThat(fs(broken).exists(new org.apache.hadoop.fs.Path(broken, "aligned/_manifest.json")))
        .as("no manifest after a failed run")
        .isFalse();
    List<String> resume = new ArrayList<>(List.of(runArgs(texts, images, broken)));
    resume.addAll(List.of("--mode", "resume"));
    realign(resume.toArray(String[]::new));
    assertThat(tree(broken)).isEqualTo(tree(clean));
  }

  @Test
  void aMissingInputIsNamedByItsUri() {
    String missing = store.root() + "/inputs/nothing-here.npy";
    assertThatThrownBy(
            () -> dev.realign.source.HadoopFiles.listInputs(missing, conf, n -> true, "text"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing);
  }
}
