#!/usr/bin/env bash
# Issue 25 item 2: `./realign run` (report off) on the same embeddings as .npy and as Parquet written
# by pyarrow with its default row groups (one file a modality; columns id: string, embedding:
# list<float>), uncompressed and with pyarrow's default Snappy, alternated, every run reported:
# wall, user+sys CPU, peak RSS, the stages' own "run finished in" and the load.
#
# Usage: spark-jobs/bench/run-parquet-input-bench.sh [WORKDIR] (default /tmp/realign-parquet-bench)
# Environment: ROWS (default 200000 a modality), DIM (default 1280), MASTER (default local[2]),
# REPEATS (default 3 rounds), FORMATS (default "npy none snappy"). Needs python3 with pyarrow.
set -euo pipefail
cd "$(dirname "$0")/../.."
W="${1:-/tmp/realign-parquet-bench}"
ROWS="${ROWS:-200000}"
DIM="${DIM:-1280}"
MASTER="${MASTER:-local[2]}"
REPEATS="${REPEATS:-3}"
FORMATS="${FORMATS:-npy none snappy}"
mkdir -p "$W"
# shellcheck source=archive-first.sh
. spark-jobs/bench/archive-first.sh
ensure_archive "$W"
gen="$W/gen$ROWS"
if [ ! -d "$gen/demo-input/text" ]; then
  ./realign generate --output "$gen" --set demo.text_rows="$ROWS" --set demo.image_rows="$ROWS" \
    --set demo.dim="$DIM" --set demo.files=1 > /dev/null
fi
for role in text image; do
  npy=$(find "$gen/demo-input/$role" -name '*.npy' | head -1)
  for c in none snappy; do
    mkdir -p "$W/parquet-$c/$role"
    [ -f "$W/parquet-$c/$role/part-0.parquet" ] || python3 - "$npy" "$W/parquet-$c/$role/part-0.parquet" "$c" <<'PY'
import sys, numpy as np, pyarrow as pa, pyarrow.parquet as pq
a = np.load(sys.argv[1], mmap_mode="r")
n, d = a.shape
ids = pa.array([str(i) for i in range(n)])
emb = pa.FixedSizeListArray.from_arrays(pa.array(np.ascontiguousarray(a).reshape(-1)), d).cast(pa.list_(pa.float32()))
pq.write_table(pa.table({"id": ids, "embedding": emb}), sys.argv[2], compression=sys.argv[3])
print(sys.argv[2], pq.ParquetFile(sys.argv[2]).metadata.num_row_groups, "row group(s)", file=sys.stderr)
PY
  done
done
: > "$W/results.txt"
for rep in $(seq "$REPEATS"); do
  for f in $FORMATS; do
    if [ "$f" = npy ]; then
      text=$(find "$gen/demo-input/text" -name '*.npy' | head -1)
      image=$(find "$gen/demo-input/image" -name '*.npy' | head -1)
    else
      text="$W/parquet-$f/text"
      image="$W/parquet-$f/image"
    fi
    cat "$text" "$image" "$text"/* "$image"/* > /dev/null 2>&1 || true # page cache warm
    rm -rf "$W/out"
    sync # no writeback of the previous run's output during this one
    /usr/bin/time -f "%e %U %S %M" -o "$W/time.txt" ./realign run --master "$MASTER" \
      --text-embeddings "$text" --image-embeddings "$image" --output "$W/out" \
      --set report.in_run=false --set progress.interval_seconds=0 > "$W/run.log" 2>&1 \
      || { tail -20 "$W/run.log"; exit 1; }
    read -r wall user sys kb < "$W/time.txt"
    printf "%-7s round %d: %6.2f s wall, %6.2f s cpu, %5d MB peak RSS, %s, load %s\n" "$f" "$rep" \
      "$wall" "$(echo "$user + $sys" | bc)" "$((kb / 1024))" \
      "$(grep -o 'run finished in .*' "$W/run.log")" "$(cut -d' ' -f1 /proc/loadavg)" \
      | tee -a "$W/results.txt"
  done
done
rm -rf "$W/out"
