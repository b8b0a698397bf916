package dev.realign.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files under {@code deploy/}: the Kubernetes SparkApplication and image recipe
 * (parsed, required fields), the Airflow DAG (py_compile and an ast-based check, since Airflow
 * cannot be installed here) and spark-submit.sh (its dry run).
 */
class DeployFilesTest {
  static final String MAIN_CLASS = "dev.realign.cli.RealignCommand";
  static final List<String> DJL_FLAGS = List.of("-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true");

  @TempDir Path tmp;

  static Path deploy() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("deploy")) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p.resolve("deploy");
      }
    }
    throw new IllegalStateException("No deploy/ above " + Path.of("").toAbsolutePath());
  }

  /** The JVM options of the parent pom, as the build filtered them. */
  static List<String> pomJvmOptions() throws Exception {
    Path p =
        Path.of(DeployFilesTest.class.getClassLoader().getResource("realign-jvm.options").toURI());
    return Arrays.asList(Files.readString(p).trim().split("\\s+"));
  }

  @Test
  void theSparkApplicationHasEveryRequiredField() throws Exception {
    JsonNode app =
        new ObjectMapper(new YAMLFactory())
            .readTree(deploy().resolve("k8s/realign-sparkapplication.yaml").toFile());
    assertThat(app.path("apiVersion").asText()).isEqualTo("sparkoperator.k8s.io/v1beta2");
    assertThat(app.path("kind").asText()).isEqualTo("SparkApplication");
    JsonNode spec = app.path("spec");
    assertThat(spec.path("type").asText()).isEqualTo("Java");
    assertThat(spec.path("mode").asText()).isEqualTo("cluster");
    assertThat(spec.path("mainClass").asText()).isEqualTo(MAIN_CLASS);
    assertThat(spec.path("mainApplicationFile").asText())
        .isEqualTo("local:///opt/realign/realign-cluster.jar");
    assertThat(spec.path("sparkVersion").asText()).startsWith("4.2");
    assertThat(spec.path("image").asText()).isNotBlank();
    assertThat(spec.path("restartPolicy").path("type").asText())
        .isIn("Never", "OnFailure", "Always");
    List<String> args = new ArrayList<>();
    spec.path("arguments").forEach(a -> args.add(a.asText()));
    assertThat(args.get(0)).isEqualTo("run");
    assertThat(args.get(args.indexOf("--output") + 1)).contains("corpus=").contains("run=");
    assertThat(args.get(args.indexOf("--mode") + 1)).isEqualTo("error");
    for (String role : List.of("driver", "executor")) {
      JsonNode r = spec.path(role);
      List<String> opts = Arrays.asList(r.path("javaOptions").asText().trim().split("\\s+"));
      assertThat(opts)
          .as(role + ".javaOptions")
          .containsAll(DJL_FLAGS)
          .containsAll(pomJvmOptions());
      assertThat(r.path("memory").asText()).as(role + ".memory").isNotBlank();
      assertThat(r.path("cores").asInt()).as(role + ".cores").isPositive();
      assertThat(r.path("env").toString()).as(role + ".env").contains("OPT_OUT_TRACKING");
    }
    assertThat(spec.path("sparkConf").path("spark.executorEnv.OPT_OUT_TRACKING").asText())
        .isEqualTo("true");
  }

  @Test
  void theImageRecipeStartsFromSpark42AndAddsTheJarAndTheModel() throws IOException {
    String docker = Files.readString(deploy().resolve("k8s/Dockerfile"));
    assertThat(docker)
        .containsPattern("ARG SPARK_IMAGE=spark:4\\.2\\.\\d+-scala2\\.13-java17")
        .contains("FROM ${SPARK_IMAGE}")
        .contains("COPY spark-jobs/target/realign-cluster.jar /opt/realign/realign-cluster.jar")
        .contains("/opt/realign/model/")
        .contains("OPT_OUT_TRACKING=true");
    assertThat(deploy().resolve("k8s/model")).isDirectory();
  }

  @Test
  void theAirflowDagCompilesAndHasTheStagesInOrder() throws Exception {
    Path dag = deploy().resolve("airflow/realign_dag.py");
    Result compiled = run(List.of("python3", "-m", "py_compile", dag.toString()));
    assertThat(compiled.code).as(compiled.output).isZero();
    Result checked =
        run(
            List.of(
                "python3", deploy().resolve("airflow/check_dag.py").toString(), dag.toString()));
    assertThat(checked.code).as(checked.output).isZero();
    assertThat(checked.output).contains("ok (tasks encode >> stats >> fit >> apply >> report");
  }

  @Test
  void theDagPassesThePomsJvmOptionsAndTheDjlSwitchesToDriverAndExecutors() throws Exception {
    String dag = Files.readString(deploy().resolve("airflow/realign_dag.py"));
    // JVM_OPTIONS is built from the _OPENS package list; expand it the way the DAG does.
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("_OPENS = \\[(.*?)\\]", java.util.regex.Pattern.DOTALL)
            .matcher(dag);
    assertThat(m.find()).as("_OPENS list in the DAG").isTrue();
    List<String> expanded = new ArrayList<>();
    for (String pkg : m.group(1).split(",")) {
      String p = pkg.trim().replace("\"", "");
      if (!p.isEmpty()) {
        expanded.add("--add-opens=java.base/" + p + "=ALL-UNNAMED");
      }
    }
    for (String opt : pomJvmOptions()) {
      if (opt.startsWith("--add-opens=java.base/")) {
        assertThat(expanded).as("DAG _OPENS").contains(opt);
      } else {
        assertThat(dag).as("DAG JVM_OPTIONS").contains("\"" + opt + "\"");
      }
    }
    assertThat(dag)
        .contains("\"-Dai.djl.offline=true\", \"-DOPT_OUT_TRACKING=true\"")
        .contains("\"spark.driver.extraJavaOptions\": JVM_OPTIONS")
        .contains("\"spark.executor.extraJavaOptions\": JVM_OPTIONS")
        .contains("\"spark.executorEnv.OPT_OUT_TRACKING\": \"true\"");
  }

  @Test
  void theDagCheckRejectsAWrongChainAndAWrongMainClass() throws Exception {
    String dag = Files.readString(deploy().resolve("airflow/realign_dag.py"));
    Path broken = tmp.resolve("broken_dag.py");
    Files.writeString(
        broken,
        dag.replace("encode >> stats >> fit >> apply >> report", "encode >> fit >> stats >> apply")
            .replace("MAIN_CLASS = \"dev.realign.cli.RealignCommand\"", "MAIN_CLASS = \"Other\""));
    Result checked =
        run(
            List.of(
                "python3", deploy().resolve("airflow/check_dag.py").toString(), broken.toString()));
    assertThat(checked.code).as(checked.output).isEqualTo(1);
    assertThat(checked.output).contains("dependencies: expected").contains("MAIN_CLASS: expected");
  }

  @Test
  void sparkSubmitPassesTheJarTheMainClassTheJvmOptionsAndTheArguments() throws Exception {
    Result dry =
        run(
            List.of(
                "bash",
                deploy().resolve("spark-submit.sh").toString(),
                "--master",
                "spark://cluster:7077",
                "--",
                "run",
                "--output",
                "/data/out",
                "--mode",
                "resume"),
            Map.of(
                "DRY_RUN",
                "1",
                "SPARK_HOME",
                tmp.toString(),
                "REALIGN_JAR",
                "/opt/realign/realign-cluster.jar",
                "REALIGN_MODEL_FILES",
                "/m/model.onnx,/m/tok.json"));
    assertThat(dry.code).as(dry.output).isZero();
    String cmd = dry.output;
    assertThat(cmd)
        .contains("/bin/spark-submit")
        .contains("--class " + MAIN_CLASS)
        .contains("--files /m/model.onnx\\,/m/tok.json")
        .contains("--master spark://cluster:7077")
        .contains("spark.executorEnv.OPT_OUT_TRACKING=true")
        .contains("/opt/realign/realign-cluster.jar run --output /data/out --mode resume");
    assertThat(cmd)
        .contains("spark.driver.extraJavaOptions")
        .contains("spark.executor.extraJavaOptions");
    String unquoted = cmd.replace("\\ ", " ").replace("\\=", "=");
    for (String opt : pomJvmOptions()) {
      assertThat(unquoted).as("JVM option %s", opt).contains(opt);
    }
    for (String flag : DJL_FLAGS) {
      assertThat(unquoted).contains(flag);
    }
  }

  record Result(int code, String output) {}

  Result run(List<String> command) throws Exception {
    return run(command, Map.of());
  }

  Result run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    // Bytecode caches go to the temp folder, never next to the DAG in the source tree.
    pb.environment().put("PYTHONPYCACHEPREFIX", tmp.resolve("pycache").toString());
    pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    Process p = pb.start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      return new Result(p.exitValue(), out);
    } finally {
      p.destroyForcibly();
    }
  }
}
