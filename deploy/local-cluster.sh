#!/usr/bin/env bash
# A Spark standalone cluster on this machine from the Maven jars alone (no Spark install): a Master
# and N Workers as separate JVMs bound to 127.0.0.1, the same setup as StandaloneClusterTest.
#
#   deploy/local-cluster.sh start [WORKERS=2]   prints the master URL
#   deploy/local-cluster.sh submit <realign command> [options]
#                                               a driver in client mode, like spark-submit: the
#                                               cluster jar on its classpath and on spark.jars
#   deploy/local-cluster.sh status
#   deploy/local-cluster.sh stop                stops what start started, by recorded PID
#
# e.g. deploy/local-cluster.sh start 2 && deploy/local-cluster.sh submit run \
#        --text-embeddings emb/text --image-embeddings emb/img --output /tmp/realign-out
#
# Environment: REALIGN_CLUSTER_DIR (state, logs, work dirs; default target/local-cluster),
# MASTER_PORT (7077), WORKER_CORES (1), WORKER_MEMORY (2g).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${REALIGN_CLUSTER_DIR:-$ROOT/target/local-cluster}"
PORT="${MASTER_PORT:-7077}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
CP_FILE="$ROOT/spark-jobs/target/runtime-classpath.txt"

pids() { cat "$STATE"/*.pid 2>/dev/null || true; }

start() {
  local workers="${1:-2}"
  if [ -n "$(pids)" ]; then
    echo "already started (pids $(pids | tr '\n' ' ')); run: $0 stop" >&2
    exit 1
  fi
  if [ ! -f "$CP_FILE" ]; then
    "$ROOT/realign" help >/dev/null # builds the jars and the runtime classpath
  fi
  mkdir -p "$STATE/spark-home/jars" "$STATE/logs"
  rm -f "$STATE"/spark-home/jars/*.jar
  # Executors start only if SPARK_HOME/jars holds Spark's jars and the Scala version is known.
  tr ':' '\n' < "$CP_FILE" | while read -r jar; do
    [ -n "$jar" ] && ln -sf "$jar" "$STATE/spark-home/jars/$(basename "$jar")"
  done
  read -r -a JVM_OPTS < "$ROOT/spark-jobs/target/classes/realign-jvm.options"
  export SPARK_HOME="$STATE/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 \
    OPT_OUT_TRACKING=true
  local cp="$SPARK_HOME/jars/*"
  nohup "$JAVA" -Xmx512m "${JVM_OPTS[@]}" -cp "$cp" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$PORT" --webui-port 0 > "$STATE/logs/master.log" 2>&1 &
  echo $! > "$STATE/master.pid"
  for i in $(seq 1 "$workers"); do
    mkdir -p "$STATE/work-$i"
    nohup "$JAVA" -Xmx512m "${JVM_OPTS[@]}" -cp "$cp" org.apache.spark.deploy.worker.Worker \
      "spark://127.0.0.1:$PORT" --host 127.0.0.1 --cores "${WORKER_CORES:-1}" \
      --memory "${WORKER_MEMORY:-2g}" --webui-port 0 --work-dir "$STATE/work-$i" \
      > "$STATE/logs/worker-$i.log" 2>&1 &
    echo $! > "$STATE/worker-$i.pid"
  done
  echo "spark://127.0.0.1:$PORT (logs: $STATE/logs)"
}

stop() {
  for f in "$STATE"/*.pid; do
    [ -f "$f" ] || continue
    local pid
    pid="$(cat "$f")"
    # The workers' executors are their children: stop those first, by PID.
    for child in $(pgrep -P "$pid" 2>/dev/null || true); do
      kill "$child" 2>/dev/null || true
    done
    kill "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

submit() {
  [ -f "$STATE/master.pid" ] || { echo "not started; run: $0 start" >&2; exit 1; }
  local jar="$ROOT/spark-jobs/target/realign-cluster.jar"
  [ -f "$jar" ] || (cd "$ROOT" && mvn -q -B -DskipTests -pl spark-jobs -am package)
  read -r -a JVM_OPTS < "$ROOT/spark-jobs/target/classes/realign-jvm.options"
  local command="$1"
  shift
  export SPARK_HOME="$STATE/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 \
    OPT_OUT_TRACKING=true
  exec "$JAVA" -Xmx"${REALIGN_DRIVER_MEMORY:-2g}" "${JVM_OPTS[@]}" \
    -Dspark.jars="$jar" -Dspark.executor.extraJavaOptions="${JVM_OPTS[*]}" \
    -Dspark.executorEnv.OPT_OUT_TRACKING=true -Dspark.ui.enabled=false \
    -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1 \
    -Drealign.home="$ROOT" -Dlog4j2.configurationFile="$ROOT/configs/log4j2.properties" \
    -cp "$jar:$SPARK_HOME/jars/*" dev.realign.cli.RealignCommand \
    "$command" --master "spark://127.0.0.1:$PORT" "$@"
}

status() {
  for f in "$STATE"/*.pid; do
    [ -f "$f" ] || { echo "not started"; return; }
    local pid
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then echo "$(basename "$f" .pid): running ($pid)"
    else echo "$(basename "$f" .pid): gone ($pid)"; fi
  done
}

case "${1:-}" in
  start) start "${2:-2}" ;;
  submit) shift; submit "$@" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [WORKERS] | submit <command> [options] | status | stop" >&2; exit 2 ;;
esac
