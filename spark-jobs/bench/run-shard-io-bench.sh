#!/usr/bin/env bash
# Issue 9 part 1 benchmark: shard I/O at column level, side by side with pyarrow in one run.
#  - apply (read + align + write, the stage's own time) and copy (read + write) in MB/s of float32
#    per core, realign on local[2], from .npy inputs; beside pyarrow (one thread) writing and
#    reading the same rows as list<float> Parquet;
#  - the whole run (stats + fit + apply; the gap report is measured elsewhere) on pyarrow-written
#    list<float> Parquet input against the same run on .npy input;
#  - one big file per modality and 4 files per modality.
#
# Usage: spark-jobs/bench/run-shard-io-bench.sh [WORKDIR] (default /tmp/realign-io-bench)
# Environment: ROWS (default 200000 a modality), DIM (default 1280), MASTER (default local[2]),
# REPEATS (default 2; best of N is reported), CODEC (default uncompressed), FILES (default "1 4":
# files a modality), JOBS (default "copy-npy run-npy copy-pq run-pq": which runs), KEEP_OUTPUTS
# (default 0: each run's output is deleted once measured, so the disk holds one output at a time).
set -euo pipefail
cd "$(dirname "$0")/../.."
W="${1:-/tmp/realign-io-bench}"
ROWS="${ROWS:-200000}"
DIM="${DIM:-1280}"
MASTER="${MASTER:-local[2]}"
REPEATS="${REPEATS:-2}"
CODEC="${CODEC:-uncompressed}"
FILES="${FILES:-1 4}"
JOBS="${JOBS:-copy-npy run-npy copy-pq run-pq}"
KEEP_OUTPUTS="${KEEP_OUTPUTS:-0}"
CORES=$(echo "$MASTER" | sed -n 's/^local\[\([0-9]*\)\]$/\1/p'); CORES="${CORES:-1}"
mkdir -p "$W"
R=./realign
MB=$(python3 -c "print($ROWS * $DIM * 4 / 1e6)")

for files in $FILES; do
  if [ ! -d "$W/gen$files/demo-input/text" ]; then
    $R generate --output "$W/gen$files" --set demo.text_rows="$ROWS" \
      --set demo.image_rows="$ROWS" --set demo.dim="$DIM" --set demo.files=$files >/dev/null
  fi
done

: > "$W/results.txt"
echo "== pyarrow $(python3 -c 'import pyarrow; print(pyarrow.__version__)'), one thread: the same rows as list<float>"
PQ_INPUTS=0
case " $JOBS " in *-pq" "*) PQ_INPUTS=1 ;; esac
python3 - "$W" "$REPEATS" "$PQ_INPUTS" $FILES <<'PY'
import glob, os, sys, time
import numpy as np, pyarrow as pa, pyarrow.parquet as pq
w, repeats, pq_inputs = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
counts = [int(f) for f in sys.argv[4:]]
pa.set_cpu_count(1); pa.set_io_thread_count(1)

def table(m, k, x):
    n, d = x.shape
    lists = pa.ListArray.from_arrays(pa.array(np.arange(0, n * d + 1, d, dtype=np.int32)),
                                     pa.array(x.ravel()))
    return pa.table({"id": [f"{m}-{k}-{i}" for i in range(n)], "embedding": lists})

for files in counts:
    for m in ("text", "image"):
        out = f"{w}/pq{files}/{m}"
        os.makedirs(out, exist_ok=True)
        for k, f in enumerate(sorted(glob.glob(f"{w}/gen{files}/demo-input/{m}/*.npy"))):
            first = files == counts[0] and m == "text" and k == 0
            dst = f"{out}/{os.path.basename(f)[:-4]}.parquet"
            n = np.load(f, mmap_mode="r").shape[0]
            # The Parquet inputs are written once and kept. Rewritten (4 GB) before every round,
            # the first timed runs of each round came out slow: whichever shape ran first missed
            # the stage target in three rounds out of three, and no run after it did.
            have = os.path.exists(dst) and pq.ParquetFile(dst).metadata.num_rows == n
            if not first and (have or not pq_inputs):
                continue
            t = table(m, k, np.load(f))
            if pq_inputs and not have:
                pq.write_table(t, dst, compression="none", use_dictionary=["id"])
            if not first:
                continue
            # The reference figures, on a scratch copy of the first file (then deleted).
            scratch = f"{w}/pyarrow-reference.parquet"
            best_w = best_r = 1e9
            for _ in range(repeats):
                t0 = time.perf_counter()
                pq.write_table(t, scratch, compression="none", use_dictionary=["id"])
                best_w = min(best_w, time.perf_counter() - t0)
                t0 = time.perf_counter()
                back = pq.read_table(scratch, use_threads=False)
                best_r = min(best_r, time.perf_counter() - t0)
            os.remove(scratch)
            d = np.load(f, mmap_mode="r").shape[1]
            mb = n * d * 4 / 1e6
            print(f"pyarrow write {n} x {d} ({mb:.0f} MB) list<float> uncompressed: {mb / best_w:.0f} MB/s;"
                  f" read: {mb / best_r:.0f} MB/s (one thread, best of {repeats})")
            with open(f"{w}/results.txt", "a") as r:
                r.write(f"pyarrow-write {mb / best_w:.1f}\npyarrow-read {mb / best_r:.1f}\n")
PY

# Parquet inputs just written (GBs, on the first round) would otherwise be flushed to disk during
# the first runs.
sync

stage_seconds() { # log, stage -> seconds of "<stage>: done, N rows in X s"
  sed -n "s/.*$2: done, [0-9,]* rows in \([0-9.]*\) s.*/\1/p" "$1" | tail -1
}

# The job's inputs are read into the page cache before its timed runs, as pyarrow's reference
# reads a file it has just written. Without it the first run of each job measured the disk instead
# (a run after the authors' script, whose 9.6 GB evict the cache: the first copy and apply of each
# kind took 2.0-2.9 s, the second 1.4-2.0 s).
cache_inputs() { # args... (the values of --text-embeddings and --image-embeddings)
  local next=""
  for a in "$@"; do
    if [ -n "$next" ]; then find "$a" -type f -exec cat {} + > /dev/null; next=""; fi
    case "$a" in --text-embeddings|--image-embeddings) next=1 ;; esac
  done
}

measure() { # name, args...
  local name="$1"; shift
  local best=""
  cache_inputs "$@"
  for rep in $(seq "$REPEATS"); do
    # Each run starts without the previous one's writeback pending (outputs are 1-2 GB).
    sync
    /usr/bin/time -f "%e %M" -o "$W/$name.time" "$R" "$@" --master "$MASTER" --mode overwrite \
      --set output.parquet.codec="$CODEC" --set progress.interval_seconds=0 \
      > "$W/$name.log" 2>&1 || { cat "$W/$name.log"; exit 1; }
    read -r secs kb < "$W/$name.time"
    local stage=""
    case "$name" in
      copy-*) stage=$(stage_seconds "$W/$name.log" copy) ;;
      run-*) stage=$(stage_seconds "$W/$name.log" apply) ;;
    esac
    printf "%-12s rep %d: %7.1f s wall, %6.0f MB peak RSS, %s stage %s s\n" "$name" "$rep" \
      "$secs" "$((kb / 1024))" "${name%%-*}" "${stage:-?}"
    echo "$name $secs $kb ${stage:-0}" >> "$W/results.txt"
    [ "$KEEP_OUTPUTS" = 1 ] || rm -rf "$W/out-$name"
  done
}
wanted() { case " $JOBS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

echo "== realign ($MASTER, codec $CODEC): $ROWS x $DIM float32 = $MB MB a modality"
for files in $FILES; do
  ! wanted copy-npy || measure "copy-npy$files" copy \
    --text-embeddings "$W/gen$files/demo-input/text" --output "$W/out-copy-npy$files"
  ! wanted run-npy || measure "run-npy$files" run --set report.in_run=false \
    --text-embeddings "$W/gen$files/demo-input/text" \
    --image-embeddings "$W/gen$files/demo-input/image" --output "$W/out-run-npy$files"
  ! wanted copy-pq || measure "copy-pq$files" copy --text-embeddings "$W/pq$files/text" \
    --output "$W/out-copy-pq$files"
  ! wanted run-pq || measure "run-pq$files" run --set report.in_run=false \
    --text-embeddings "$W/pq$files/text" --image-embeddings "$W/pq$files/image" \
    --output "$W/out-run-pq$files"
done

python3 - "$W/results.txt" "$MB" "$CORES" $FILES <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
mb, cores, counts = float(sys.argv[2]), int(sys.argv[3]), [int(f) for f in sys.argv[4:]]
best = {}
for r in rows:
    if r[0].startswith("pyarrow"):
        best[r[0]] = max(best.get(r[0], 0), float(r[1]))
    else:
        wall, stage = float(r[1]), float(r[3])
        b = best.get(r[0])
        if b is None or wall < b[0]:
            best[r[0]] = (wall, stage, int(r[2]))
print("== summary (best of repeats; per core = MB/s / %d)" % cores)
for files in counts:
    for job in ("copy", "run"):
        for fmt in ("npy", "pq"):
            k = f"{job}-{fmt}{files}"
            if k not in best:
                continue
            wall, stage, kb = best[k]
            what = "copy stage" if job == "copy" else "apply stage"
            print(f"{k:10s} {files} file(s): wall {wall:6.1f} s, {what} {stage:5.1f} s ="
                  f" {mb / stage / cores if stage else 0:6.0f} MB/s per core, RSS {kb / 1024:.0f} MB")
    if f"run-pq{files}" in best and f"run-npy{files}" in best:
        print(f"  run on pyarrow Parquet / run on .npy ({files} file(s)): "
              f"{best[f'run-pq{files}'][0] / best[f'run-npy{files}'][0]:.2f} (target <= 1.3)")
print(f"pyarrow one thread: write {best['pyarrow-write']:.0f} MB/s, read {best['pyarrow-read']:.0f} MB/s")
PY
