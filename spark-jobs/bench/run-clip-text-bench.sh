#!/usr/bin/env bash
# Issue 23 part 5: a CLIP ViT-B/32-sized text tower (HF CLIPTextModelWithProjection: 12 layers,
# width 512, 77 tokens; seeded random weights, exported by deploy/export/export_clip_text.py) over
# N generated captions: `realign encode` (local[2], only --model and --tokenizer) against in-process
# ONNX Runtime and torch on the CPU, same texts, same threads (clip-text-bench.py).
#   spark-jobs/bench/run-clip-text-bench.sh [N=20000] [WORKDIR=/tmp/realign-clip-bench] [THREADS=2]
# Needs the Python packages of deploy/export (torch, transformers, onnx, onnxruntime, tokenizers,
# open-clip-torch for the BPE vocabulary).
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-20000}"
W="${2:-/tmp/realign-clip-bench}"
T="${3:-2}"
mkdir -p "$W"
[[ -f "$W/clip-b32/model.onnx" ]] ||
  python3 deploy/export/export_clip_text.py hf --random --out "$W/clip-b32" 2>&1 | grep -v -i warn | tail -1
./realign generate --output "$W" --set demo.captions="$N" --set demo.image_rows=1 \
  --set demo.dim=384 --set demo.files=4 >/dev/null 2>&1
cat "$W"/demo-input/captions/*.jsonl > "$W/captions.jsonl"
start=$(date +%s.%N)
./realign encode --input "$W/demo-input/captions" --output "$W/encoded" --master "local[$T]" \
  --model "$W/clip-b32" --tokenizer "$W/clip-b32/tokenizer.json" \
  --mode overwrite --set progress.interval_seconds=0 2>&1 | grep -E "encode: (done|[0-9]|context)"
end=$(date +%s.%N)
python3 -c "print('realign encode job, wall incl. JVM + Spark + model start: %.1f s = %.0f texts/s' % ($end - $start, $N / ($end - $start)))"
python3 spark-jobs/bench/clip-text-bench.py "$W/clip-b32" "$W/captions.jsonl" "$T" 32 "${TORCH:-1}" 2>&1 |
  grep -v -i -E "warn|^note"
