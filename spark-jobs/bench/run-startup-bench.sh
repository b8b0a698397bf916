#!/usr/bin/env bash
# Issue 25 item 1: the fixed cost of `./realign run` on the 500-row COCO input (d = 512, .npy, one
# file a modality, report off), with the launcher's class-data sharing archive (REALIGN_CDS=1)
# and without it (REALIGN_CDS=0), interleaved. Each run: seconds from launch to the first plan line
# ("text embeddings: ...") and to exit, user+sys CPU, peak RSS, the machine's load, the JVM uptime
# at each phase (-Drealign.startup.log=true) and the classes loaded (-Xlog:class+load), with how
# many came from a CDS archive. CPU and class counts move little with the machine's load; wall
# times do.
#
# Usage: spark-jobs/bench/run-startup-bench.sh [WORKDIR] (default /tmp/realign-startup-bench)
# Environment: REPEATS (default 3), MODES (default "0 1": the REALIGN_CDS values to alternate).
set -euo pipefail
cd "$(dirname "$0")/../.."
W="${1:-/tmp/realign-startup-bench}"
REPEATS="${REPEATS:-3}"
MODES="${MODES:-0 1}"
mkdir -p "$W"
rm -rf "$W/out-cds0" "$W/out-cds1" # outputs of this invocation only (an old one is another build's)
python3 - "$W" <<'PY'
import sys, numpy as np
a = np.load("realign-udf/src/test/resources/modality-gap-2022/features_clip.npy")  # [2, 500, 512]
np.save(sys.argv[1] + "/image.npy", np.ascontiguousarray(a[0]))
np.save(sys.argv[1] + "/text.npy", np.ascontiguousarray(a[1]))
PY
# shellcheck source=archive-first.sh
. spark-jobs/bench/archive-first.sh
ensure_archive "$W" # the build and the archive, outside the figures, as the other benches do

run_once() { # REALIGN_CDS value, round
  local cds="$1" round="$2" log="$W/run-cds$1-$2.log" out="$W/out-cds$1"
  rm -rf "$out"
  sync # no writeback of an earlier output during this run
  local start end first
  start=$(date +%s%N)
  REALIGN_CDS="$cds" REALIGN_JAVA_OPTS="-Drealign.startup.log=true -Xlog:class+load:file=$W/classes.log" \
    /usr/bin/time -f "%U %S %M" -o "$W/time.txt" ./realign run --text-embeddings "$W/text.npy" \
    --image-embeddings "$W/image.npy" --output "$out" --set report.in_run=false 2>&1 \
    | while IFS= read -r line; do echo "$(( ($(date +%s%N) - start) / 1000000 )) $line"; done > "$log"
  end=$(( ($(date +%s%N) - start) / 1000000 ))
  first=$(grep -m1 'text embeddings:' "$log" | cut -d' ' -f1)
  read -r user sys kb < "$W/time.txt"
  printf "cds=%s round %s: first plan line %5d ms, exit %5d ms, cpu %5.2f s, rss %4d MB, load %s, classes %d (%d shared)\n" \
    "$cds" "$round" "$first" "$end" "$(echo "$user + $sys" | bc)" "$((kb / 1024))" \
    "$(cut -d' ' -f1 /proc/loadavg)" "$(wc -l < "$W/classes.log")" \
    "$(grep -c 'shared objects file' "$W/classes.log")"
  grep 'startup:' "$log" | sed 's/^[0-9]* /    /'
}

for round in $(seq 1 "$REPEATS"); do
  for cds in $MODES; do
    run_once "$cds" "$round"
  done
done | tee "$W/results.txt"
# The outputs of both modes are the same bytes.
if [ -d "$W/out-cds0" ] && [ -d "$W/out-cds1" ]; then
  if diff -r "$W/out-cds0" "$W/out-cds1" > /dev/null; then verdict=identical; else verdict=DIFFER; fi
  echo "outputs of cds=0 and cds=1: $verdict" | tee -a "$W/results.txt"
fi
