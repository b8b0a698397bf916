#!/usr/bin/env bash
# One task's copy and apply work on one thread, no Spark (ShardStageBench): every split of a .npy
# text input read, copied or aligned, written as a shard with its SHA-256 (and, for apply, the
# exact sketch of the output), in wall and thread-CPU MB/s of float32; best of REPEATS. The CPU
# rate is the per-core figure the stage rates of run-shard-io-bench.sh approach on an idle machine
# and the one that stays meaningful when the machine is loaded.
#
# Usage: spark-jobs/bench/run-shard-stage-bench.sh TEXT_NPY IMAGE_NPY [WORKDIR]
#   (WORKDIR default /tmp/realign-stage-bench; the shards written there are deleted at the end)
# Environment: REPEATS (default 3), SPLIT_ROWS (default 50000: the planner's 4 splits of 200,000).
# BENCH_OPTS: extra JVM options (e.g. a JFR recording); STAGE_THREADS (default 2): first, in the
# cold JVM, each stage as local[N] runs it (N task threads over the splits), with the process CPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEXT="$1"; IMAGE="$2"; W="${3:-/tmp/realign-stage-bench}"
REPEATS="${REPEATS:-3}"; SPLIT_ROWS="${SPLIT_ROWS:-50000}"
mkdir -p "$W"
mvn -B -ntp -q -o -DskipClusterJar -pl spark-jobs -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$W/cp.txt" -Dmdep.includeScope=test >/dev/null
CP="spark-jobs/target/test-classes:spark-jobs/target/classes:realign-udf/target/classes:$(cat "$W/cp.txt")"
java -Xmx3g -Dstage.threads="${STAGE_THREADS:-2}" -Dstage.rounds="${STAGE_ROUNDS:-1}" ${BENCH_OPTS:-} --add-modules=jdk.incubator.vector -cp "$CP" dev.realign.job.ShardStageBench \
  "$TEXT" "$IMAGE" "$W/out" "$REPEATS" "$SPLIT_ROWS" 2>&1 | grep -v "^WARNING: Using incubator"
rm -rf "$W/out"
