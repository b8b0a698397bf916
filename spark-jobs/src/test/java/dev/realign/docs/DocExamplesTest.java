package dev.realign.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.SharedData;
import dev.realign.cli.RealignCommand;
import dev.realign.config.PipelineConfig;
import dev.realign.encode.BundledModel;
import dev.realign.io.Npy;
import dev.realign.job.SparkTestSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every code block a reader would copy from README.md and docs/ runs, and every relative link
 * resolves. A block's info string says how it is checked (a block with none of these fails):
 *
 * <ul>
 *   <li>{@code bash cli}: each {@code ./realign ...} command runs in-process through {@link
 *       RealignCommand#run} and must exit 0, in document order, in one work directory ({@link
 *       #WORK}) holding small inputs under the names the pages use. Demo configs run with fewer
 *       rows ({@link #SMALL_DEMO_ROWS}). The test command ({@code mvn -B -ntp verify}) must be what
 *       .ci/run calls.
 *   <li>{@code python pytest}: run by spark-jobs/src/test/python/test_doc_examples.py, inside
 *       {@link #WORK} after this test has filled it (pytest runs after the Java tests in {@code mvn
 *       verify}).
 *   <li>{@code java test=PATH}: the block is an excerpt of PATH, a test source that a test runs.
 *   <li>{@code yaml config}: resolves as a {@code --config FILE}.
 *   <li>{@code <lang> norun}, {@code text}: not run (a cluster command, placeholders, output).
 * </ul>
 */
class DocExamplesTest {
  /** Where the commands run; the pytest doc examples read it afterwards. */
  static final Path WORK = Path.of("target", "doc-examples").toAbsolutePath();

  /** Appended to a demo command: the same pipeline on a few hundred rows. */
  static final List<String> SMALL_DEMO =
      List.of(
          "--set", "report.sample_rows=200",
          // The generated corpus has 2 bad lines: 1 % of 200 captions.
          "--set", "quality.max_rejected_fraction=0.02",
          "--set", "progress.interval_seconds=0");

  /** Row counts per demo config: captions only where the config encodes them. */
  static final java.util.Map<String, List<String>> SMALL_DEMO_ROWS =
      java.util.Map.of(
          "demo",
          List.of("--set", "demo.captions=200", "--set", "demo.image_rows=500"),
          "demo-embeddings",
          List.of("--set", "demo.text_rows=500", "--set", "demo.image_rows=500"));

  static final Set<String> PATH_FLAGS =
      Set.of(
          "--text-embeddings",
          "--image-embeddings",
          "--text-metadata",
          "--image-metadata",
          "--output",
          "--texts",
          "--input",
          "--model",
          "--tokenizer",
          "--validation-text",
          "--validation-image",
          "--image-stats",
          "--config",
          "--transform");

  static final Set<String> LANGS = Set.of("bash", "python", "java", "yaml", "text");

  static Path root;
  static SparkSession spark;

  @BeforeAll
  static void setUp() throws IOException {
    root = RepoRoot.find();
    System.setProperty("realign.keep.spark", "true");
    // The CLI's JIT warm-ups only compete with the commands for the cores in a test JVM.
    System.setProperty("realign.warmup", "false");
    spark = SparkTestSession.start();
  }

  @AfterAll
  static void tearDown() {
    System.clearProperty("realign.keep.spark");
    System.clearProperty("realign.warmup");
    spark.stop();
  }

  static List<Markdown.Block> allBlocks() {
    List<Markdown.Block> out = new ArrayList<>();
    Markdown.userDocs(root).forEach(f -> out.addAll(Markdown.blocks(f)));
    return out;
  }

  @Test
  void everyCodeBlockSaysHowItIsChecked() {
    List<String> bad = new ArrayList<>();
    int checked = 0;
    for (Markdown.Block b : allBlocks()) {
      boolean ok =
          switch (b.lang()) {
            case "bash" -> b.has("cli") || b.has("norun");
            case "python" -> b.has("pytest") || b.has("norun");
            case "java" -> b.attr("test") != null;
            case "yaml" -> b.has("config") || b.has("norun");
            case "text" -> true;
            default -> false;
          };
      if (!ok) {
        bad.add(b.where() + " (```" + b.lang() + " " + String.join(" ", b.modes()) + ")");
      }
      if (!b.has("norun") && !b.lang().equals("text")) {
        checked++;
      }
    }
    assertThat(bad)
        .as(
            "code blocks without a check: give each a language of %s and a mode (bash cli|norun,"
                + " python pytest|norun, java test=PATH, yaml config|norun)",
            LANGS)
        .isEmpty();
    assertThat(checked).isGreaterThan(10);
  }

  @Test
  void javaBlocksAreExcerptsOfTestedSources() {
    int n = 0;
    for (Markdown.Block b : allBlocks()) {
      if (!b.lang().equals("java")) {
        continue;
      }
      Path source = root.resolve(b.attr("test"));
      assertThat(source.toString()).as(b.where()).contains("/src/test/java/");
      assertThat(source).as(b.where()).isRegularFile();
      assertThat(containsExcerpt(Markdown.lines(source), b.body().split("\n")))
          .as("%s is not an excerpt of %s (copy it from the source again)", b.where(), source)
          .isTrue();
      n++;
    }
    assertThat(n).isGreaterThanOrEqualTo(2);
  }

  /** Whether {@code excerpt}'s lines appear in order and contiguously, indentation aside. */
  static boolean containsExcerpt(List<String> source, String[] excerpt) {
    List<String> want = dedent(List.of(excerpt));
    for (int i = 0; i + want.size() <= source.size(); i++) {
      if (dedent(source.subList(i, i + want.size())).equals(want)) {
        return true;
      }
    }
    return false;
  }

  static List<String> dedent(List<String> lines) {
    int indent =
        lines.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
  }

  @Test
  void excerptsMustMatchLineForLine() {
    List<String> source = List.of("class A {", "  void f() {", "    g();", "  }", "}");
    assertThat(containsExcerpt(source, new String[] {"void f() {", "  g();", "}"})).isTrue();
    assertThat(containsExcerpt(source, new String[] {"void f() {", "  h();", "}"})).isFalse();
  }

  @Test
  void yamlConfigBlocksResolve() throws IOException {
    int n = 0;
    for (Markdown.Block b : allBlocks()) {
      if (b.lang().equals("yaml") && b.has("config")) {
        Path f = Files.createTempFile("doc-config", ".yaml");
        Files.writeString(f, b.body());
        PipelineConfig c = PipelineConfig.builder().file(f).build();
        assertThat(c.asMap()).as(b.where()).isNotEmpty();
        Files.delete(f);
        n++;
      }
    }
    assertThat(n).isPositive();
  }

  @Test
  void readmeTestCommandIsWhatCiRuns() throws IOException {
    String ci = Files.readString(root.resolve(".ci/run"));
    List<String> readme = new ArrayList<>();
    for (Markdown.Block b : Markdown.blocks(root.resolve("README.md"))) {
      for (String l : b.body().split("\n")) {
        if (l.startsWith("mvn ")) {
          readme.add(l.replaceFirst("\\s+#.*$", "").strip());
        }
      }
    }
    assertThat(readme).as("README's test command").contains("mvn -B -ntp verify");
    assertThat(ci.lines().map(String::strip)).contains("mvn -B -ntp verify");
  }

  @Test
  void relativeLinksResolveToFilesAndHeadings() {
    List<Path> files = new ArrayList<>(Markdown.userDocs(root));
    files.add(root.resolve("deploy/README.md"));
    List<String> broken = new ArrayList<>();
    int n = 0;
    for (Path f : files) {
      for (Markdown.Link l : Markdown.relativeLinks(f)) {
        n++;
        String problem = check(f, l.target());
        if (problem != null) {
          broken.add(f + ":" + l.line() + " (" + l.target() + "): " + problem);
        }
      }
    }
    assertThat(broken).as("broken relative links").isEmpty();
    assertThat(n).isGreaterThan(20);
  }

  /** Null when the link resolves, else what is wrong. */
  static String check(Path from, String target) {
    int hash = target.indexOf('#');
    String file = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path to = file.isEmpty() ? from : from.getParent().resolve(file).normalize();
    if (!Files.exists(to)) {
      return "no such file " + to;
    }
    if (anchor != null) {
      if (!to.toString().endsWith(".md")) {
        return "an anchor into a file that is not Markdown";
      }
      Set<String> anchors = Markdown.anchors(to);
      if (!anchors.contains(anchor)) {
        return "no heading #" + anchor + " in " + to + " (there: " + anchors + ")";
      }
    }
    return null;
  }

  @Test
  void theLinkCheckerFindsABrokenFileAndABrokenAnchor() throws IOException {
    Path dir = Files.createTempDirectory("links");
    Path page = dir.resolve("page.md");
    Files.writeString(
        page,
        "# A page\n\n## Two: words, `here`\n\n[ok](#two-words-here) [file](other.md)"
            + " [bad](#nowhere) [gone](missing.md) `[code](missing.md)`\n");
    Files.writeString(dir.resolve("other.md"), "# Other\n");
    List<String> problems = new ArrayList<>();
    for (Markdown.Link l : Markdown.relativeLinks(page)) {
      String p = check(page, l.target());
      if (p != null) {
        problems.add(l.target());
      }
    }
    assertThat(problems).containsExactly("#nowhere", "missing.md");
  }

  @Test
  void cliBlocksRun() throws Exception {
    prepareWork();
    List<String> ran = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    for (Markdown.Block b : allBlocks()) {
      if (!(b.lang().equals("bash") && b.has("cli"))) {
        continue;
      }
      for (String command : commands(b)) {
        if (command.startsWith("mvn ")) {
          // The test command itself: readmeTestCommandIsWhatCiRuns checks it against .ci/run.
          assertThat(command).as(b.where()).isEqualTo("mvn -B -ntp verify");
          continue;
        }
        assertThat(command)
            .as("%s: a cli block holds ./realign commands only", b.where())
            .startsWith("./realign");
        if (!seen.add(command)) {
          ran.add("  again  " + command + " (" + b.where() + ": the same command, run once)");
          continue;
        }
        String[] args = toArgs(command);
        long t0 = System.nanoTime();
        int rc = RealignCommand.run(args);
        double s = (System.nanoTime() - t0) / 1e9;
        assertThat(rc).as("%s: %s (ran as %s)", b.where(), command, List.of(args)).isZero();
        ran.add(String.format(Locale.ROOT, "%5.1f s  %s", s, command));
      }
    }
    System.out.println("doc examples run:\n  " + String.join("\n  ", ran));
    assertThat(ran).hasSizeGreaterThan(10);
    // What the Python examples read (test_doc_examples.py).
    assertThat(WORK.resolve("realign-output/demo/aligned/_manifest.json")).isRegularFile();
    String manifest = Files.readString(WORK.resolve("realign-output/demo/aligned/_manifest.json"));
    assertThat(manifest).contains("\"shard_format\" : \"arrow\"").contains("\"created_by\"");
    assertThat(Files.readString(WORK.resolve("with-report/report/report.json")))
        .contains("\"created_by\" : {")
        .contains("\"git_commit\" : ");
  }

  /** The commands of a block: comments dropped, continuation lines joined. */
  static List<String> commands(Markdown.Block b) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : b.body().split("\n")) {
      String l = line.replaceFirst("\\s+#.*$", "").replaceFirst("^#.*$", "");
      if (l.isBlank() && cur.isEmpty()) {
        continue;
      }
      if (l.endsWith("\\")) {
        cur.append(l, 0, l.length() - 1).append(' ');
        continue;
      }
      cur.append(l);
      out.add(cur.toString().strip().replaceAll("\\s+", " "));
      cur.setLength(0);
    }
    return out;
  }

  /** {@code ./realign ...} as RealignCommand arguments, paths moved into {@link #WORK}. */
  static String[] toArgs(String command) {
    List<String> words = new ArrayList<>(List.of(command.split(" ")));
    words.remove(0);
    List<String> args = new ArrayList<>();
    boolean merge =
        words.size() > 1 && words.get(0).equals("stats") && words.get(1).equals("merge");
    String demo = words.equals(List.of("run")) ? "demo" : null;
    if (demo != null) {
      words.addAll(List.of("--config", "configs/demo.yaml"));
    }
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      String prev = i > 0 ? words.get(i - 1) : "";
      if (PATH_FLAGS.contains(prev)) {
        if (prev.equals("--config") && w.startsWith("configs/demo")) {
          demo = w.substring("configs/".length(), w.length() - ".yaml".length());
        }
        args.add(path(w));
      } else if (prev.equals("--set") && w.matches("[a-z_.]+\\.(dir|path)=.*")) {
        int eq = w.indexOf('=');
        args.add(w.substring(0, eq + 1) + path(w.substring(eq + 1)));
      } else if (merge && i > 1 && !w.startsWith("-") && !prev.startsWith("--")) {
        args.add(path(w)); // the sketches to merge
      } else {
        args.add(w);
      }
    }
    if (demo != null) {
      assertThat(SMALL_DEMO_ROWS).as("a small size for configs/%s.yaml", demo).containsKey(demo);
      args.addAll(SMALL_DEMO_ROWS.get(demo));
      args.addAll(SMALL_DEMO);
      args.addAll(List.of("--set", "output.dir=" + path("realign-output/" + demo)));
    }
    return args.toArray(String[]::new);
  }

  static String path(String p) {
    if (p.startsWith("configs/")) {
      return root.resolve(p).toString();
    }
    return Path.of(p).isAbsolute() ? p : WORK.resolve(p).toString();
  }

  /** The inputs the pages name, small: COCO-500 as .npy and Parquet, a caption file, a model. */
  static void prepareWork() throws IOException {
    if (Files.exists(WORK)) {
      try (Stream<Path> s = Files.walk(WORK)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(WORK);
    SharedData.Coco coco = SharedData.coco();
    int n = SharedData.Coco.N;
    int d = SharedData.Coco.D;
    Npy.write(WORK.resolve("texts.npy"), coco.texts(), n, d);
    Npy.write(WORK.resolve("images.npy"), coco.images(), n, d);
    writeParquet(coco.texts(), n, d, "texts", WORK.resolve("texts-parquet"));
    writeParquet(coco.images(), n, d, "images", WORK.resolve("images-parquet"));

    StringBuilder jsonl = new StringBuilder();
    String[] things = {"a dog", "two cats", "a red bus", "a plate of pasta", "a surfer"};
    String[] places = {"on a beach", "in a kitchen", "on a city street", "next to a tree"};
    for (int i = 0; i < 60; i++) {
      jsonl.append(
          String.format(
              Locale.ROOT,
              "{\"id\": \"c-%d\", \"text\": \"%s %s\"}%n",
              i,
              things[i % things.length],
              places[i % places.length]));
    }
    Files.writeString(WORK.resolve("captions.jsonl"), jsonl, StandardCharsets.UTF_8);

    // An image side in the bundled encoder's dimension: unit rows around one direction.
    int d384 = 384;
    int rows = 200;
    Random r = new Random(26);
    float[] img = new float[rows * d384];
    for (int i = 0; i < rows; i++) {
      double norm = 0;
      for (int j = 0; j < d384; j++) {
        double v = (j == 0 ? 4.0 : 0.0) + r.nextGaussian() * 0.2;
        img[i * d384 + j] = (float) v;
        norm += v * v;
      }
      for (int j = 0; j < d384; j++) {
        img[i * d384 + j] /= (float) Math.sqrt(norm);
      }
    }
    Npy.write(WORK.resolve("images-384.npy"), img, rows, d384);

    BundledModel model = BundledModel.allMiniLmL6V2();
    Files.createDirectories(WORK.resolve("model"));
    Files.copy(model.modelPath(), WORK.resolve("model/model.onnx"));
    Files.copy(model.tokenizerPath(), WORK.resolve("model/tokenizer.json"));
  }

  static void writeParquet(float[] v, int n, int d, String stem, Path to) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Float[] e = new Float[d];
      for (int j = 0; j < d; j++) {
        e[j] = v[i * d + j];
      }
      rows.add(RowFactory.create(stem + "-" + i, e));
    }
    spark
        .createDataFrame(
            rows,
            new StructType()
                .add("id", DataTypes.StringType)
                .add("embedding", DataTypes.createArrayType(DataTypes.FloatType)))
        .coalesce(1)
        .write()
        .parquet(to.toString());
  }

  @Test
  void commandsAreJoinedAndPathsMovedIntoTheWorkDirectory() {
    Markdown.Block b =
        new Markdown.Block(
            Path.of("x.md"),
            1,
            "bash",
            List.of("cli"),
            "# a comment\n./realign run --output out \\\n    --set output.dir=o --mode x  # note\n");
    assertThat(commands(b))
        .containsExactly("./realign run --output out --set output.dir=o --mode x");
    assertThat(List.of(toArgs(commands(b).get(0))))
        .containsExactly(
            "run",
            "--output",
            WORK.resolve("out").toString(),
            "--set",
            "output.dir=" + WORK.resolve("o"),
            "--mode",
            "x");
    assertThat(List.of(toArgs("./realign run")))
        .contains("--config", root.resolve("configs/demo.yaml").toString())
        .containsSequence("--set", "output.dir=" + WORK.resolve("realign-output/demo"));
    assertThatThrownBy(() -> Markdown.blocks(Path.of("does-not-exist.md")))
        .hasMessageContaining("does-not-exist.md");
  }
}
