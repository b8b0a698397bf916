#!/usr/bin/env bash
# Single-thread shard I/O beside pyarrow, in one run, alternating so both see the same load:
# realign's column-level writer and reader (ShardWriterBench, no Spark) against pyarrow 25
# writing and reading the same number of float32 rows as list<float> (uncompressed), and
# realign's reader on the pyarrow-written file.
#
# Usage: spark-jobs/bench/run-shard-micro-bench.sh [WORKDIR] (default /tmp/realign-micro-bench)
# Environment: ROWS (default 50000), DIM (default 1280), ROUNDS (default 2), REPEATS (default 2).
set -euo pipefail
cd "$(dirname "$0")/../.."
W="${1:-/tmp/realign-micro-bench}"
ROWS="${ROWS:-50000}"; DIM="${DIM:-1280}"; ROUNDS="${ROUNDS:-2}"; REPEATS="${REPEATS:-2}"
mkdir -p "$W"
mvn -B -ntp -q -o -DskipClusterJar -pl spark-jobs -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$W/cp.txt" -Dmdep.includeScope=test >/dev/null
CP="spark-jobs/target/test-classes:spark-jobs/target/classes:realign-udf/target/classes:$(cat "$W/cp.txt")"
for round in $(seq "$ROUNDS"); do
  echo "== round $round: $ROWS x $DIM float32 = $((ROWS * DIM * 4 / 1000000)) MB"
  python3 - "$W" "$ROWS" "$DIM" "$REPEATS" <<'PY'
import sys, time
import numpy as np, pyarrow as pa, pyarrow.parquet as pq
w, n, d, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
pa.set_cpu_count(1); pa.set_io_thread_count(1)
x = (np.random.default_rng(7).standard_normal((n, d)) / np.sqrt(d)).astype(np.float32)
lists = pa.ListArray.from_arrays(pa.array(np.arange(0, n * d + 1, d, dtype=np.int32)),
                                 pa.array(x.ravel()))
t = pa.table({"id": [f"id-{i}" for i in range(n)], "embedding": lists})
mb = n * d * 4 / 1e6
for codec in ("none", "snappy", "zstd"):
    bw = br = 1e9
    for _ in range(repeats):
        t0 = time.perf_counter(); pq.write_table(t, f"{w}/pyarrow-{codec}.parquet", compression=codec)
        bw = min(bw, time.perf_counter() - t0)
        t0 = time.perf_counter(); pq.read_table(f"{w}/pyarrow-{codec}.parquet", use_threads=False)
        br = min(br, time.perf_counter() - t0)
    print(f"pyarrow write {codec:18s} {mb / bw:8.0f} MB/s")
    print(f"pyarrow read  {codec:18s} {mb / br:8.0f} MB/s")
PY
  java -Xmx3g -cp "$CP" dev.realign.sink.ShardWriterBench "$ROWS" "$DIM" "$W/realign" "$REPEATS" \
    "$W/pyarrow-none.parquet" "$W/pyarrow-snappy.parquet" 2>/dev/null
done
