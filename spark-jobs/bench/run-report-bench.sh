#!/usr/bin/env bash
# Issue 9 part 2 benchmark: the gap report's cost inside `realign run` at d = 1280 (local[2]),
# measured side by side: `run` without the report (report.in_run=false), `run` with it (defaults),
# and the report's own elapsed time and stage timings (report.json timings_ms). With BASE set to a
# checkout of the previous code, the same `run` with its report is measured there too (before).
#
# Usage: spark-jobs/bench/run-report-bench.sh [WORKDIR] (default /tmp/realign-report-bench)
# Environment: ROWS (default "200000"; e.g. "50000 200000 800000" for the linear-cost check), DIM
# (default 1280), MASTER (default local[2]), BASE (optional: a second checkout, the "before"),
# REPEATS (default 1: interleaved rounds of the runs; the summary gives each pair's difference).
set -euo pipefail
cd "$(dirname "$0")/../.."
W="${1:-/tmp/realign-report-bench}"
ROWS="${ROWS:-200000}"
DIM="${DIM:-1280}"
MASTER="${MASTER:-local[2]}"
REPEATS="${REPEATS:-1}"
mkdir -p "$W"
: > "$W/results.txt"

measure() { # name, launcher dir, args...
  local name="$1" dir="$2"; shift 2
  /usr/bin/time -f "%e %M" -o "$W/$name.time" "$dir/realign" "$@" --master "$MASTER" \
    --mode overwrite --set progress.interval_seconds=0 > "$W/$name.log" 2>&1 \
    || { cat "$W/$name.log"; exit 1; }
  read -r secs kb < "$W/$name.time"
  local rep
  rep=$(grep -o 'report.json ([0-9.]* s)' "$W/$name.log" | tail -1 | grep -o '[0-9.]* s' || echo "- s")
  printf "%-22s run %8.1f s  report %8s  %6d MB peak RSS\n" "$name" "$secs" "$rep" "$((kb / 1024))"
  echo "$name $secs ${rep% s} $kb" >> "$W/results.txt"
}

for n in $ROWS; do
  G="$W/gen-$n"
  if [ ! -d "$G/demo-input" ]; then
    ./realign generate --output "$G" --set demo.text_rows="$n" --set demo.image_rows="$n" \
      --set demo.dim="$DIM" --set demo.files=4 > /dev/null
  fi
  IN=(--text-embeddings "$G/demo-input/text" --image-embeddings "$G/demo-input/image")
  echo "== $n text + $n image rows x $DIM ($((n * DIM * 4 / 1000000)) MB a modality)"
  find "$G/demo-input" -type f -exec cat {} + > /dev/null # cached inputs for every run
  for rep in $(seq "$REPEATS"); do
    measure "run-noreport-$n" . run "${IN[@]}" --output "$W/out-$n" --set report.in_run=false
    measure "run-report-$n" . run "${IN[@]}" --output "$W/out-$n"
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('   timings_ms', r['timings_ms'])" \
      "$W/out-$n/report/report.json"
    if [ -n "${BASE:-}" ]; then
      measure "before-run-report-$n" "$BASE" run "${IN[@]}" --output "$W/out-before-$n"
    fi
  done
done

python3 - "$W/results.txt" <<'PY'
import collections, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, secs, rep, kb = line.split()
    runs[name].append((float(secs), rep))
print("== summary: each pair's whole cost of the report (run with it - run without it)")
for name in [k for k in runs if k.startswith("run-report-")]:
    n = name.rsplit("-", 1)[1]
    pairs = list(zip(runs["run-noreport-" + n], runs[name]))
    diffs = sorted(r[0] - o[0] for o, r in pairs)
    shares = sorted(float(r[1]) / r[0] for o, r in pairs if r[1] != "-")
    stage = (f"report stage {shares[0]:.0%}-{shares[-1]:.0%} of the run" if shares
             else "no report time in the logs")
    print(f"{n} rows: runs {', '.join(f'{r[0]:.1f}' for o, r in pairs)} s with the report,"
          f" {', '.join(f'{o[0]:.1f}' for o, r in pairs)} s without; whole cost"
          f" {diffs[0]:.1f}-{diffs[-1]:.1f} s; {stage}")
PY
