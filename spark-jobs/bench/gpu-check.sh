#!/usr/bin/env bash
# GPU check of the encode stage (issue 23): the same captions through ONNX Runtime's CPU provider
# and through CUDA (or TensorRT) in one JVM; every row's cosine must be >= 0.9999; prints texts/s of
# each. Exit code 0 = OK, 1 = a cosine below the bar, 2 = setup problem.
#
# Run it on a machine with an NVIDIA GPU, its driver, CUDA 12 and cuDNN 9 (what ONNX Runtime's
# onnxruntime_gpu 1.29 jar is built against), Java 17 and Maven:
#   spark-jobs/bench/gpu-check.sh [cuda|tensorrt] [DEVICE=0] [CAPTIONS=20000] [BATCH=256] [ROUNDS=2] \
#       [MODEL TOKENIZER]
# without MODEL/TOKENIZER: the bundled all-MiniLM-L6-v2; a model directory from deploy/export works.
# The GPU jar replaces the CPU one on the class path: it is fetched from Maven Central by mvn, or
# taken from ORT_GPU_JAR=/path/onnxruntime_gpu-<version>.jar on a machine without internet.
# Nothing else in the build depends on a GPU.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
provider="${1:-cuda}"
command -v nvidia-smi >/dev/null && nvidia-smi -L || echo "note: nvidia-smi not found" >&2
version=$(mvn -q -B -N help:evaluate -Dexpression=onnxruntime.version -DforceStdout)
cp_file="spark-jobs/target/gpu-check.classpath"
mvn -q -B -pl spark-jobs -am -DskipClusterJar test-compile dependency:build-classpath \
  -Dmdep.outputFile="$root/$cp_file" -Dmdep.includeScope=test
gpu_jar="${ORT_GPU_JAR:-}"
if [[ -z "$gpu_jar" ]]; then
  mvn -q -B dependency:get -Dartifact="com.microsoft.onnxruntime:onnxruntime_gpu:$version" -Dtransitive=false
  gpu_jar="$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime_gpu/$version/onnxruntime_gpu-$version.jar"
fi
[[ -f "$gpu_jar" ]] || { echo "Invalid ORT_GPU_JAR: $gpu_jar (must be onnxruntime_gpu-$version.jar)" >&2; exit 2; }
# The CPU jar out, the GPU jar in (both hold the same ai.onnxruntime classes).
cp=$(tr ':' '\n' < "$cp_file" | grep -v "/onnxruntime/$version/onnxruntime-$version.jar" | paste -sd:)
export OPT_OUT_TRACKING=true
# The class path goes through an argument file: ONNX Runtime crashes on a command line of ~4 KB.
args_file="spark-jobs/target/gpu-check.args"
printf -- '-cp\n"%s"\n' \
  "spark-jobs/target/test-classes:spark-jobs/target/classes:realign-udf/target/classes:$gpu_jar:$cp" \
  > "$args_file"
exec java -Xmx6g -Dai.djl.offline=true -DOPT_OUT_TRACKING=true "@$args_file" \
  dev.realign.bench.GpuCheck "$provider" "${2:-0}" "${3:-20000}" "${4:-256}" "${5:-2}" ${6:+"$6"} ${7:+"$7"}
