#!/usr/bin/env bash
# Issue 3 benchmark: wall time and peak RSS of `realign run` (stats + fit + apply) against a copy
# job (read the text embeddings, write them back unchanged in the same shard format), on local[2],
# for .npy and for Parquet inputs.
#
# Usage: spark-jobs/bench/run-pipeline-bench.sh [WORKDIR] (default /tmp/realign-bench)
# Environment: ROWS (default 200000 a modality), DIM (default 1280), MASTER (default local[2]).
set -euo pipefail
cd "$(dirname "$0")/../.."
W="${1:-/tmp/realign-bench}"
ROWS="${ROWS:-200000}"
DIM="${DIM:-1280}"
MASTER="${MASTER:-local[2]}"
mkdir -p "$W"
R=./realign

echo "== generating $ROWS text + $ROWS image rows at d=$DIM under $W"
$R generate --output "$W/gen" --set demo.text_rows="$ROWS" --set demo.image_rows="$ROWS" \
  --set demo.dim="$DIM" --set demo.files=4
for m in text image; do
  if [ ! -f "$W/pq-$m/aligned/_manifest.json" ]; then
    $R copy --master "$MASTER" --text-embeddings "$W/gen/demo-input/$m" --output "$W/pq-$m" \
      --mode overwrite --set progress.interval_seconds=0 >/dev/null
  fi
done

measure() { # name, args...
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$W/$name.time" "$R" "$@" --master "$MASTER" --mode overwrite \
    --set progress.interval_seconds=0 > "$W/$name.log" 2>&1 || { cat "$W/$name.log"; exit 1; }
  read -r secs kb < "$W/$name.time"
  printf "%-14s %8.1f s %8.0f MB peak RSS\n" "$name" "$secs" "$((kb / 1024))"
  echo "$name $secs $kb" >> "$W/results.txt"
}

: > "$W/results.txt"
echo "== measuring (input: $ROWS x $DIM float32 = $((ROWS * DIM * 4 / 1000000)) MB a modality)"
measure copy-npy  copy --text-embeddings "$W/gen/demo-input/text" --output "$W/out-copy-npy"
# (a) is stats + fit + apply: the gap report (report.in_run) is measured on its own, not here.
measure run-npy   run  --set report.in_run=false --text-embeddings "$W/gen/demo-input/text" \
  --image-embeddings "$W/gen/demo-input/image" --output "$W/out-run-npy"
measure copy-pq   copy --text-embeddings "$W/pq-text/aligned" --output "$W/out-copy-pq"
measure run-pq    run  --set report.in_run=false --text-embeddings "$W/pq-text/aligned" \
  --image-embeddings "$W/pq-image/aligned" --output "$W/out-run-pq"

python3 - "$W/results.txt" <<'PY'
import sys
r = {l.split()[0]: (float(l.split()[1]), int(l.split()[2])) for l in open(sys.argv[1])}
for fmt in ("npy", "pq"):
    a, b = r["run-" + fmt], r["copy-" + fmt]
    print("%-4s run/copy wall = %.2f (target <= 1.5), run = %.1f s (target <= 20), run RSS = %.2f GB"
          " (target <= 3)" % (fmt, a[0] / b[0], a[0], a[1] / 1024 / 1024))
PY
