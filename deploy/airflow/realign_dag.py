"""Airflow DAG: realign, one SparkSubmitOperator task per stage.

    encode -> stats -> fit -> apply -> report

Every scheduled run writes into its own versioned output folder,

    {output_root}/corpus={corpus_version}/run={ds}/

so a run never touches another run's dataset. The first try of a task uses output mode `error`
(an output that already holds a committed dataset is refused, never overwritten); retries of the
same task in the same run use `resume`, which keeps the verified shards of the failed try and
redoes the rest (the result is byte-identical to an uninterrupted run).

The stages invoke the one CLI of the cluster jar (`realign <command>`), like
deploy/spark-submit.sh; Airflow's `spark_default` connection names the master (YARN, standalone
or Kubernetes). Parameters (trigger with `--conf '{"corpus_version": "v8"}'` to override):

    corpus_version   the corpus the texts come from; part of the output path
    texts            the raw texts (JSONL/Parquet/text) the encode stage reads
    image_embeddings precomputed image embeddings of the same encoder
    output_root      where versioned outputs live
    partitions       input splits (0: by input.split_rows)
"""

from __future__ import annotations

import pendulum

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

APPLICATION = "/opt/realign/realign-cluster.jar"
MAIN_CLASS = "dev.realign.cli.RealignCommand"
MODEL_FILES = "/opt/realign/model/model.onnx,/opt/realign/model/tokenizer.json"

# Spark's --add-opens list for Java 17+ and DJL's offline switches (docs/design.md sections 6 and 7);
# the same list as deploy/spark-submit.sh and the parent pom's spark.jvm.options.
_OPENS = [
    "java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio",
    "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref",
    "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar",
]
JVM_OPTIONS = " ".join(
    ["-XX:+IgnoreUnrecognizedVMOptions", "--add-modules=jdk.incubator.vector"]
    + [f"--add-opens=java.base/{p}=ALL-UNNAMED" for p in _OPENS]
    + ["--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
       "-Dio.netty.tryReflectionSetAccessible=true",
       "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true"])

SPARK_CONF = {
    "spark.driver.extraJavaOptions": JVM_OPTIONS,
    "spark.executor.extraJavaOptions": JVM_OPTIONS,
    "spark.executorEnv.OPT_OUT_TRACKING": "true",
    "spark.yarn.appMasterEnv.OPT_OUT_TRACKING": "true",
    "spark.kubernetes.driverEnv.OPT_OUT_TRACKING": "true",
}

# The run's own output folder: versioned by corpus and run date (Jinja, rendered per run).
OUTPUT = "{{ params.output_root }}/corpus={{ params.corpus_version }}/run={{ ds }}"
# The first stage opens the run's folder: on its first try it refuses a folder that already holds
# a run (mode error: a committed dataset is never overwritten); a retry continues its own output.
FIRST_TRY_ERROR = "{{ 'error' if ti.try_number <= 1 else 'resume' }}"
# Later stages continue the folder the first stage opened; apply keeps verified shards on retry.
CONTINUE = "resume"
# The encode stage writes the text embeddings of the run under OUTPUT/encoded (OutputLayout).
ENCODED = OUTPUT + "/encoded"


def realign_args(command: str, *options: str, mode: str = CONTINUE,
                 output: str = OUTPUT) -> list[str]:
    """The realign command line of one stage: the command, its inputs, its output folder."""
    return [command, *options, "--output", output, "--mode", mode,
            "--partitions", "{{ params.partitions }}"]


EMBEDDINGS = ("--text-embeddings", ENCODED, "--image-embeddings", "{{ params.image_embeddings }}")

with DAG(
    dag_id="realign",
    description="ReAlign pseudo-image embeddings from an unpaired text corpus",
    schedule="@weekly",
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params={
        "corpus_version": "v1",
        "texts": "hdfs:///data/corpus/texts",
        "image_embeddings": "hdfs:///data/images/image-embeddings",
        "output_root": "hdfs:///datasets/realign",
        "partitions": 0,
    },
    default_args={
        "retries": 2,
        "retry_delay": pendulum.duration(minutes=5),
        "conn_id": "spark_default",
        "application": APPLICATION,
        "java_class": MAIN_CLASS,
        "conf": SPARK_CONF,
        "env_vars": {"OPT_OUT_TRACKING": "true"},
        "verbose": False,
    },
    tags=["realign", "spark"],
) as dag:
    encode = SparkSubmitOperator(
        task_id="encode",
        name="realign-encode",
        files=MODEL_FILES,
        # encode's --output is its shard folder: the run's OUTPUT/encoded.
        application_args=realign_args("encode", "--input", "{{ params.texts }}",
                                      mode=FIRST_TRY_ERROR, output=ENCODED),
    )
    stats = SparkSubmitOperator(
        task_id="stats",
        name="realign-stats",
        application_args=realign_args("stats", *EMBEDDINGS),
    )
    fit = SparkSubmitOperator(
        task_id="fit",
        name="realign-fit",
        application_args=realign_args("fit", *EMBEDDINGS),
    )
    apply = SparkSubmitOperator(
        task_id="apply",
        name="realign-apply",
        application_args=realign_args("apply", *EMBEDDINGS),
    )
    report = SparkSubmitOperator(
        task_id="report",
        name="realign-report",
        application_args=["report", "--output", OUTPUT],
    )

    encode >> stats >> fit >> apply >> report
