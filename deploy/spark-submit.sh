#!/usr/bin/env bash
# realign on a Spark cluster: the real spark-submit invocation.
#
#   deploy/spark-submit.sh [submit options] -- <realign command> [realign options]
#
#   deploy/spark-submit.sh --master spark://host:7077 --executor-memory 4g -- \
#       run --text-embeddings hdfs:///emb/text --image-embeddings hdfs:///emb/img \
#           --output hdfs:///datasets/realign/corpus=v7/run=2026-11-26
#
# Everything before `--` goes to spark-submit (--master, --deploy-mode, --executor-memory,
# --num-executors, --conf ...); everything after it goes to realign (see `realign help`).
#
# Environment:
#   SPARK_HOME          a Spark 4.2 (Scala 2.13) install: $SPARK_HOME/bin/spark-submit is used
#   REALIGN_JAR         the cluster jar (default: spark-jobs/target/realign-cluster.jar,
#                       built by `mvn -pl spark-jobs -am package`); a URI such as
#                       local:///opt/realign/realign-cluster.jar (inside the image) also works
#   REALIGN_MODEL_FILES comma-separated model files (encode stage: model.onnx, tokenizer.json)
#                       shipped with --files; executors find them in their working directory
#   REALIGN_EXTRA_JAVA_OPTS  more JVM options for the driver and the executors
#   DRY_RUN=1           print the command instead of running it
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="${REALIGN_JAR:-$ROOT/spark-jobs/target/realign-cluster.jar}"
MAIN_CLASS=dev.realign.cli.RealignCommand

if [ -z "${SPARK_HOME:-}" ] || [ ! -x "$SPARK_HOME/bin/spark-submit" ]; then
  echo "deploy/spark-submit.sh: set SPARK_HOME to a Spark 4.2 install (found: '${SPARK_HOME:-}')" >&2
  [ "${DRY_RUN:-0}" = 1 ] || exit 2
fi
# A local path must exist here; a URI (local:///opt/..., hdfs://, s3a://) is resolved by Spark.
if [[ "$JAR" != *://* ]] && [ ! -f "$JAR" ] && [ "${DRY_RUN:-0}" != 1 ]; then
  echo "deploy/spark-submit.sh: missing $JAR (build it: mvn -pl spark-jobs -am package -DskipTests)" >&2
  exit 2
fi

# Spark's --add-opens list for Java 17+ plus the vector module (one source: the parent pom,
# filtered into spark-jobs/src/main/resources/realign-jvm.options), and DJL's offline switches:
# DJL phones home unless both are set before its classes load (docs/design.md section 6).
JVM_OPTS="-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector"
for pkg in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util \
    java.util.concurrent java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs \
    sun.security.action sun.util.calendar; do
  JVM_OPTS="$JVM_OPTS --add-opens=java.base/$pkg=ALL-UNNAMED"
done
JVM_OPTS="$JVM_OPTS --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED"
JVM_OPTS="$JVM_OPTS -Dio.netty.tryReflectionSetAccessible=true"
JVM_OPTS="$JVM_OPTS -Dai.djl.offline=true -DOPT_OUT_TRACKING=true ${REALIGN_EXTRA_JAVA_OPTS:-}"

SUBMIT=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  SUBMIT+=("$1")
  shift
done
if [ $# -eq 0 ]; then
  echo "usage: deploy/spark-submit.sh [spark-submit options] -- <realign command> [options]" >&2
  exit 2
fi
shift # the --

FILES=()
if [ -n "${REALIGN_MODEL_FILES:-}" ]; then
  FILES=(--files "$REALIGN_MODEL_FILES")
fi

CMD=("${SPARK_HOME:-/opt/spark}/bin/spark-submit"
  --class "$MAIN_CLASS"
  --name "realign-$1"
  "${FILES[@]}"
  --conf "spark.driver.extraJavaOptions=$JVM_OPTS"
  --conf "spark.executor.extraJavaOptions=$JVM_OPTS"
  --conf "spark.executorEnv.OPT_OUT_TRACKING=true"
  --conf "spark.yarn.appMasterEnv.OPT_OUT_TRACKING=true"
  --conf "spark.kubernetes.driverEnv.OPT_OUT_TRACKING=true"
  "${SUBMIT[@]}"
  "$JAR" "$@")

if [ "${DRY_RUN:-0}" = 1 ]; then
  printf '%q ' "${CMD[@]}"
  echo
  exit 0
fi
export OPT_OUT_TRACKING=true
exec "${CMD[@]}"
