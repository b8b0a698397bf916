#!/usr/bin/env bash
# Issue 25 item 3: `./realign run` without the report against the single-process numpy + pyarrow
# script (bench/reference/numpy-realign.py) on the same .npy inputs (one file a modality, d = 1280,
# page cache warm), alternated, every run reported: wall, user+sys CPU, peak RSS and the load.
#
# Usage: spark-jobs/bench/run-reference-bench.sh [WORKDIR] (default /tmp/realign-reference-bench)
# Environment: ROWS (default "50000 200000 800000": rows a modality), DIM (default 1280), MASTER
# (default local[2]), REPEATS (default 3 pairs a size). Needs python3 with numpy and pyarrow.
# The inputs (ROWS x DIM x 4 bytes a modality) are generated once and kept; outputs are deleted
# once measured. Both write only the aligned texts (ROWS x DIM x 4 bytes of vectors); realign drops
# the generator's 40 bad text rows (non-finite, zero), the script does not check rows.
set -euo pipefail
cd "$(dirname "$0")/../.."
W="${1:-/tmp/realign-reference-bench}"
ROWS="${ROWS:-50000 200000 800000}"
DIM="${DIM:-1280}"
MASTER="${MASTER:-local[2]}"
REPEATS="${REPEATS:-3}"
mkdir -p "$W"
: > "$W/results.txt"
# shellcheck source=archive-first.sh
. spark-jobs/bench/archive-first.sh
ensure_archive "$W"

measure() { # label, rows, command...
  local label="$1" rows="$2"; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$W/time.txt" "$@" > "$W/$label.log" 2>&1 \
    || { tail -20 "$W/$label.log"; exit 1; }
  read -r wall user sys kb < "$W/time.txt"
  printf "%-8s %7d rows: %6.2f s wall, %6.2f s cpu, %5d MB peak RSS, load %s\n" "$label" "$rows" \
    "$wall" "$(echo "$user + $sys" | bc)" "$((kb / 1024))" "$(cut -d' ' -f1 /proc/loadavg)" \
    | tee -a "$W/results.txt"
}

for rows in $ROWS; do
  gen="$W/gen$rows"
  if [ ! -d "$gen/demo-input/text" ]; then
    ./realign generate --output "$gen" --set demo.text_rows="$rows" --set demo.image_rows="$rows" \
      --set demo.dim="$DIM" --set demo.files=1 > /dev/null
  fi
  text=$(find "$gen/demo-input/text" -name '*.npy' | head -1)
  image=$(find "$gen/demo-input/image" -name '*.npy' | head -1)
  for rep in $(seq "$REPEATS"); do
    # Page cache warm before each run: at 800k the script's 11 GB peak RSS and the outputs (realign
    # writes 4.1 GB) push the other program's inputs out of a 24 GB machine's page cache. And the
    # previous run's output written back first: its writeback kept the disk at 100 % iowait into
    # the next run.
    cat "$text" "$image" > /dev/null
    rm -rf "$W/out-realign"
    sync # no writeback of the previous run's output during this one
    measure realign "$rows" ./realign run --master "$MASTER" --text-embeddings "$text" \
      --image-embeddings "$image" --output "$W/out-realign" --set report.in_run=false \
      --set progress.interval_seconds=0
    rm -rf "$W/out-realign"
    cat "$text" "$image" > /dev/null
    sync
    measure numpy "$rows" python3 spark-jobs/bench/reference/numpy-realign.py "$text" "$image" \
      "$W/out-numpy.parquet"
    rm -f "$W/out-numpy.parquet"
  done
done
