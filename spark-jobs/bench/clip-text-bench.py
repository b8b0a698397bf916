#!/usr/bin/env python3
"""The in-process side of run-clip-text-bench.sh: the same captions through ONNX Runtime (Python,
the exported model.onnx) and through the torch model, both on the CPU with THREADS intra-op threads,
batches of BATCH texts sorted by token count (as realign batches them), padded per batch.

    clip-text-bench.py MODEL_DIR CAPTIONS_JSONL [THREADS=2] [BATCH=32] [TORCH=1]

MODEL_DIR is what export_clip_text.py wrote; the torch model is rebuilt from the same seed (the
export's --random), so both compute the same function. Prints texts/s of each (wall, after a warm-up
batch) and the min cosine between them."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy" / "export"))
import common  # noqa: E402

common.text_only_torch()

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import torch  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402


def batches(ids, batch):
    order = sorted(range(len(ids)), key=lambda i: (len(ids[i]), i))
    for s in range(0, len(order), batch):
        idx = order[s : s + batch]
        n = max(len(ids[i]) for i in idx)
        x = np.zeros((len(idx), n), np.int64)
        m = np.zeros_like(x)
        for r, i in enumerate(idx):
            x[r, : len(ids[i])] = ids[i]
            m[r, : len(ids[i])] = 1
        yield idx, x, m


def run(fn, ids, batch, d):
    out = np.zeros((len(ids), d), np.float32)
    first = next(batches(ids, batch))
    fn(first[1], first[2])  # warm-up
    t0 = time.perf_counter()
    for idx, x, m in batches(ids, batch):
        out[idx] = fn(x, m)
    dt = time.perf_counter() - t0
    return out / np.linalg.norm(out, axis=1, keepdims=True), len(ids) / dt


def main():
    model_dir, captions = Path(sys.argv[1]), sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 32
    with_torch = (sys.argv[5] if len(sys.argv) > 5 else "1") == "1"
    texts = []
    with open(captions, "rb") as f:  # the lines realign would reject are skipped, as it does
        for raw in f:
            try:
                t = json.loads(raw.decode("utf-8"))["text"]
            except (UnicodeDecodeError, ValueError, KeyError, TypeError):
                continue
            if isinstance(t, str) and t.strip():
                texts.append(t)
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    ids = [e.ids for e in tok.encode_batch(texts)]
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(model_dir / "model.onnx"), so, providers=["CPUExecutionProvider"])
    d = sess.get_outputs()[0].shape[-1]
    o, rate = run(lambda x, m: sess.run(None, {"input_ids": x, "attention_mask": m})[0], ids, batch, d)
    print(f"onnxruntime (python {ort.__version__}, {threads} threads, batch {batch}): "
          f"{len(texts)} texts in {len(texts) / rate:.1f} s = {rate:.0f} texts/s")
    if with_torch:
        import export_clip_text

        torch.set_num_threads(threads)
        args = export_clip_text.parser().parse_args(["hf", "--random", "--out", "/dev/null"])
        tower = export_clip_text.hf_model(args)[0]
        with torch.no_grad():
            t, trate = run(lambda x, m: tower(torch.from_numpy(x), torch.from_numpy(m)).numpy(),
                           ids, batch, d)
        print(f"torch (CPU {torch.__version__}, {threads} threads, batch {batch}, eager attention): "
              f"{len(texts)} texts in {len(texts) / trate:.1f} s = {trate:.0f} texts/s; "
              f"min cosine vs onnxruntime {float((o * t).sum(1).min()):.7f}")


if __name__ == "__main__":
    main()
