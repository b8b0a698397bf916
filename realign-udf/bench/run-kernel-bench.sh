#!/usr/bin/env bash
# Single-thread JMH benchmarks of the realign-udf kernels (KernelBench): exact sketch add, a naive
# float64 sum (baseline) and the realign apply, at d = 512 and 1280. Prints JMH's table in rows/s
# and then GB/s of float32 input (rows/s x d x 4 bytes) and the exact/naive ratio.
#
# Usage: realign-udf/bench/run-kernel-bench.sh [extra JMH args, e.g. -p d=1280]
# Defaults are modest (-f 1 -wi 3 -i 5 -w 1s -r 1s); override with JMH_ARGS.
set -euo pipefail
cd "$(dirname "$0")/../.."
module=realign-udf
cp_file="$module/target/bench-classpath.txt"
mvn -q -B -pl "$module" test-compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/$cp_file" -Dmdep.includeScope=test
if [ ! -f "$module/target/test-classes/META-INF/BenchmarkList" ]; then
  echo "JMH annotation processor did not run: $module/target/test-classes/META-INF/BenchmarkList missing" >&2
  exit 1
fi
cp="$module/target/test-classes:$module/target/classes:$(cat "$cp_file")"
json="$module/target/kernel-bench.json"
# The forks inherit --add-modules, so the kernels take their Vector API path (VectorSupport); with
# SCALAR=1 a second run measures the scalar fallback (-Drealign.vector=false) beside it.
# shellcheck disable=SC2086
java --add-modules=jdk.incubator.vector -cp "$cp" org.openjdk.jmh.Main \
  'dev.realign.bench.KernelBench' ${JMH_ARGS:--f 1 -wi 3 -i 5 -w 1s -r 1s} -t 1 -rf json \
  -rff "$json" "$@"
if [ "${SCALAR:-0}" = 1 ]; then
  # shellcheck disable=SC2086
  java --add-modules=jdk.incubator.vector -cp "$cp" org.openjdk.jmh.Main \
    'dev.realign.bench.KernelBench.(exactSketchAddAll|realignApplyBatch)' \
    ${JMH_ARGS:--f 1 -wi 3 -i 5 -w 1s -r 1s} -t 1 -rf json -rff "$json.scalar" \
    -jvmArgsAppend -Drealign.vector=false "$@"
  python3 - "$json" "$json.scalar" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))
for r in json.load(open(sys.argv[2])):
    r["benchmark"] += "Scalar"
    runs.append(r)
json.dump(runs, open(sys.argv[1], "w"))
PY
fi

python3 - "$json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))
mean, best = {}, {}
# The machine may be shared: besides JMH's mean, print the best measurement iteration, which is
# the least disturbed by other processes.
print("load average: %s" % open("/proc/loadavg").read().split()[:3])
print("\n%-26s %6s %12s %8s %8s %12s %8s" % ("benchmark", "d", "rows/s", "GB/s", "+-GB/s",
                                            "best rows/s", "GB/s"))
for r in runs:
    name = r["benchmark"].rsplit(".", 1)[1]
    d = int(r["params"]["d"])
    m = r["primaryMetric"]
    rows, err = m["score"], m["scoreError"]
    err = 0.0 if err != err else err  # NaN when too few iterations
    top = max(x for fork in m["rawData"] for x in fork)
    mean[(name, d)], best[(name, d)] = rows, top
    gb = lambda x: x * d * 4 / 1e9
    print("%-26s %6d %12.0f %8.3f %8.3f %12.0f %8.3f" % (name, d, rows, gb(rows), gb(err), top,
                                                          gb(top)))
for d in sorted({d for _, d in mean}):
    for name in ("exactSketchAddAll", "exactSketchAddAllScalar", "realignApplyBatch",
                 "realignApplyBatchScalar"):
        k = (name, d), ("naiveDoubleSum", d)
        if all(x in mean for x in k):
            print("d=%d %s/naive throughput ratio: %.2f (means), %.2f (best iterations)"
                  % (d, name, mean[k[0]] / mean[k[1]], best[k[0]] / best[k[1]]))
PY
