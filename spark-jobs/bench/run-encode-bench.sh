#!/usr/bin/env bash
# Encode throughput of the bundled all-MiniLM-L6-v2: langchain4j embedAll vs OnnxTextEncoder at
# several batch sizes, in one JVM. Usage (from anywhere):
#   spark-jobs/bench/run-encode-bench.sh [captions=20000] [sweepCaptions=captions] [16,32,64,128,256]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
cp_file="spark-jobs/target/bench.classpath"
mvn -q -B -pl spark-jobs -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$root/$cp_file" -Dmdep.includeScope=test
export OPT_OUT_TRACKING=true
# The class path goes through an argument file: ONNX Runtime 1.29.0 segfaults when the process
# command line is ~4 KB or more (see LoadedModel.checkCommandLineLength).
args_file="spark-jobs/target/bench.args"
printf -- '-cp\n"%s"\n' \
  "spark-jobs/target/test-classes:spark-jobs/target/classes:realign-udf/target/classes:$(cat "$cp_file")" \
  > "$args_file"
exec java -Xmx3g -Dai.djl.offline=true -DOPT_OUT_TRACKING=true "@$args_file" \
  dev.realign.bench.EncodeBench "$@"
