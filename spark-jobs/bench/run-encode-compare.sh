#!/usr/bin/env bash
# Issue 4 benchmark, in one run on the same cores: `realign encode` (JSONL in, Parquet out,
# local[2]) on N generated captions, then langchain4j's embedAll and in-process OnnxTextEncoder at
# several batch sizes on the very same texts.
#   spark-jobs/bench/run-encode-compare.sh [N=20000] [WORKDIR=/tmp/realign-encode-bench]
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-20000}"
W="${2:-/tmp/realign-encode-bench}"
./realign generate --output "$W" --set demo.captions="$N" --set demo.image_rows=1 \
  --set demo.dim=384 --set demo.files=4 >/dev/null 2>&1
start=$(date +%s.%N)
./realign encode --input "$W/demo-input/captions" --output "$W/encoded" --master 'local[2]' \
  --mode overwrite --set progress.interval_seconds=0 2>&1 | grep -E "encode: (done|[0-9])"
end=$(date +%s.%N)
python3 -c "print('realign encode job, wall incl. JVM + Spark + model start: %.1f s = %.0f texts/s' % ($end - $start, $N / ($end - $start)))"
spark-jobs/bench/run-encode-bench.sh "$N" 4000 16,32,64 "$W/demo-input/captions" 2>&1 | grep -v WARN
