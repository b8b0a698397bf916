#!/usr/bin/env bash
# Issue 9 part 3, one big file: `./realign encode` (local[2]) on ONE N-line JSONL file and on its
# first M lines, beside langchain4j embedAll and in-process OnnxTextEncoder (2 callers x 1 thread)
# on the very same texts, R rounds. Each system's marginal rate is (N - M) / (t_N - t_M): start-up
# (JVM, Spark, model load) cancels out. Prints wall and CPU figures per round and the best round.
#   spark-jobs/bench/run-encode-onefile.sh [N=20000] [M=2000] [R=2] [WORKDIR=/tmp/realign-encode-onefile]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
N="${1:-20000}"
M="${2:-2000}"
R="${3:-2}"
W="${4:-/tmp/realign-encode-onefile}"
mkdir -p "$W"
./realign generate --output "$W/gen" --set demo.captions="$N" --set demo.image_rows=1 \
  --set demo.dim=384 --set demo.files=1 >/dev/null 2>&1
cp "$W/gen/demo-input/captions/captions-000.jsonl" "$W/big.jsonl"
head -n "$M" "$W/big.jsonl" > "$W/small.jsonl"
echo "big: $(wc -l < "$W/big.jsonl") lines, $(stat -c %s "$W/big.jsonl") bytes; small: $M lines"

cp_file="spark-jobs/target/bench.classpath"
mvn -q -B -pl spark-jobs -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$root/$cp_file" -Dmdep.includeScope=test -DskipClusterJar
args_file="spark-jobs/target/bench.args"
printf -- '-cp\n"%s"\n' \
  "spark-jobs/target/test-classes:spark-jobs/target/classes:realign-udf/target/classes:$(cat "$cp_file")" \
  > "$args_file"
export OPT_OUT_TRACKING=true

python3 - "$W" "$R" "$N" "$M" "$args_file" <<'PY'
import os, re, resource, subprocess, sys, time
w, rounds, n, m, args_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]

def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def realign(size):
    cmd = ["./realign", "encode", "--input", f"{w}/{size}.jsonl", "--output", f"{w}/out-{size}",
           "--master", "local[2]", "--mode", "overwrite", "--set", "progress.interval_seconds=0"]
    t, c = time.time(), child_cpu()
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("realign encode failed:\n" + out.stdout[-3000:] + out.stderr[-3000:])
    plan = [l for l in (out.stdout + out.stderr).splitlines() if "cut into" in l]
    return time.time() - t, child_cpu() - c, plan

def inprocess():
    cmd = ["java", "-Xmx3g", "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "@" + args_file,
           "dev.realign.bench.EncodeBench", "marginal", f"{w}/small.jsonl", f"{w}/big.jsonl"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("EncodeBench failed:\n" + out.stdout[-3000:] + out.stderr[-3000:])
    # Each system reports the small corpus first, then the big one; their text counts exclude the
    # generator's deliberately bad lines, so key by position, not by count.
    res, seen = {}, {}
    for line in out.stdout.splitlines():
        if line.startswith("MARGINAL "):
            _, system, texts, wall, cpu = line.split()
            k = seen.get(system, 0)
            seen[system] = k + 1
            res[(system, (m, n)[k])] = (float(wall), float(cpu))
    return res

best = {}
for r in range(rounds):
    load = open("/proc/loadavg").read().split()[:3]
    fig = {}
    for size, lines in (("small", m), ("big", n)):
        wall, cpu, plan = realign(size)
        fig[("realign-encode", lines)] = (wall, cpu)
        if plan:
            print("  " + plan[0].strip())
    fig.update(inprocess())
    print(f"round {r + 1} (load average before: {' '.join(load)}):")
    rates = {}
    for system in ("realign-encode", "langchain4j", "onnxruntime-in-process"):
        (ws, cs), (wb, cb) = fig[(system, m)], fig[(system, n)]
        wall_rate = (n - m) / (wb - ws) if wb > ws else float("nan")
        cpu_rate = (n - m) / (cb - cs) * 2 if cb > cs else float("nan")
        rates[system] = (wall_rate, cpu_rate)
        print(f"  {system:24s} {m:>6d}: {ws:7.1f} s wall {cs:7.1f} s cpu | {n:>6d}: {wb:7.1f} s"
              f" wall {cb:7.1f} s cpu | marginal {wall_rate:6.1f} texts/s wall,"
              f" {cpu_rate:6.1f} per 2 CPU-s")
        b = best.get(system)
        if b is None or wall_rate > b[0]:
            best[system] = (wall_rate, max(cpu_rate, b[1] if b else 0))
        elif cpu_rate > b[1]:
            best[system] = (b[0], cpu_rate)
    l4j, ort, ours = rates["langchain4j"], rates["onnxruntime-in-process"], rates["realign-encode"]
    print(f"  realign/langchain4j: {ours[0] / l4j[0]:.2f}x wall, {ours[1] / l4j[1]:.2f}x CPU;"
          f" realign/in-process ONNX Runtime: {ours[0] / ort[0]:.2f}x wall, {ours[1] / ort[1]:.2f}x CPU")
print(f"best of {rounds} (marginal texts/s wall, per 2 CPU-s):")
for system, (wr, cr) in best.items():
    print(f"  {system:24s} {wr:6.1f} wall {cr:6.1f} CPU")
l4j, ort, ours = best["langchain4j"], best["onnxruntime-in-process"], best["realign-encode"]
print(f"  realign/langchain4j: {ours[0] / l4j[0]:.2f}x wall, {ours[1] / l4j[1]:.2f}x CPU;"
      f" realign/in-process ONNX Runtime: {ours[0] / ort[0]:.2f}x wall, {ours[1] / ort[1]:.2f}x CPU")
PY
