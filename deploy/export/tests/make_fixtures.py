#!/usr/bin/env python3
"""Test fixtures for dev.realign.encode.ExportedEncodersTest (run by it in `mvn test`):

    python3 make_fixtures.py OUT

exports three tiny models with seeded random weights of the real architectures, through the export
scripts' own code paths, and the torch model's embeddings of the same texts as references:

    OUT/texts.jsonl                     {"id", "text"}: ASCII, unicode, emoji, and texts longer
                                        than each model's context
    OUT/<model>/model.onnx (+ .data)    hf_clip (CLIPTextModelWithProjection), open_clip (its text
    OUT/<model>/tokenizer.json          tower), llm2clip_fp16 (bidirectional Llama + masked mean +
    OUT/<model>/reference.npy           adapter to 1280, float16 weights/output, external data)
    OUT/<model>/reference_tokens.json   token count of each text before truncation
    OUT/hf_clip_bf16/                   hf_clip with a bfloat16 output
    OUT/llm2clip_nometa/                llm2clip_fp16 without any metadata (exported elsewhere)
    OUT/hf_clip_hidden_limit/           hf_clip, position table renamed, metadata claiming 107

References are computed one text at a time (no padding) in float32, tokenised with the same
tokenizer.json (truncated to the model's context length) and L2-normalised.
"""

from __future__ import annotations

import json
import sys
import time
from argparse import Namespace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import common  # noqa: E402

common.text_only_torch()

import numpy as np  # noqa: E402
import torch  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

import export_clip_text  # noqa: E402
import export_llm2clip  # noqa: E402


def texts() -> list[str]:
    base = [
        "a photo of a dog",
        "Two cats sleeping on a red sofa.",
        "A man riding a bicycle down a busy city street at night",
        "une photo d'un chat noir sur le toit",
        "ein Hund spielt im Schnee",
        "海辺を走る犬の写真",
        "🐶 on a skateboard 🛹 — so cool!!",
        "numbers 0123456789 and punctuation ?!.,;:'\"()",
        "ÇA VA? Ünïcödé ñ ß ø å",
        "x",
    ]
    long_text = " ".join(f"word{i} and the quick brown fox number {i}" for i in range(40))
    longer = " ".join(["a photo of a very long caption"] * 60)
    mixed = " ".join(["café 🐶 海辺"] * 50)
    return base + [long_text, longer, mixed]


def reference(tower, tokenizer_path: Path, context: int, items: list[str], fp16_out: bool):
    tok = Tokenizer.from_file(str(tokenizer_path))
    tok.no_truncation()
    full = [len(tok.encode(t).ids) for t in items]
    tok.enable_truncation(max_length=context)
    rows = []
    with torch.no_grad():
        for t in items:
            ids = torch.tensor([tok.encode(t).ids], dtype=torch.long)
            v = tower(ids, torch.ones_like(ids))[0].to(torch.float32)
            if fp16_out:
                v = v.to(torch.float16).to(torch.float32)
            rows.append(v.numpy())
    raw = np.stack(rows).astype(np.float32)
    return raw / np.linalg.norm(raw, axis=1, keepdims=True), full, raw


def main(out: Path) -> None:
    start = time.time()
    out.mkdir(parents=True, exist_ok=True)
    items = texts()
    with open(out / "texts.jsonl", "w", encoding="utf-8") as f:
        for i, t in enumerate(items):
            f.write(json.dumps({"id": f"t{i:02d}", "text": t}, ensure_ascii=False) + "\n")
    jobs = [
        ("hf_clip", 77, False,
         lambda d: export_clip_text_export(["hf", "--random", "--tiny", "--out", str(d)])),
        ("open_clip", 77, False,
         lambda d: export_clip_text_export(["open_clip", "--random", "--tiny", "--out", str(d)])),
        ("llm2clip_fp16", 64, True,
         lambda d: export_llm2clip.export(Namespace(
             random=True, tiny=True, seed=0, dimension=1280, context_length=None, name=None,
             revision=None, float16=True, out=str(d), model=None, adapter=None, tokenizer=None))),
    ]
    for name, context, fp16, run in jobs:
        d = out / name
        _, tower = run(d)
        ref, full, raw = reference(tower, d / "tokenizer.json", context, items, fp16)
        np.save(d / "reference.npy", ref)
        np.save(d / "unnormalised.npy", raw)
        (d / "reference_tokens.json").write_text(json.dumps(full) + "\n")
        longest = max(full)
        assert longest > context, f"{name}: no text is longer than the context ({longest})"
        print(f"{name}: {len(items)} texts, longest {longest} tokens > context {context}")
    # The same chain as another tool would export it: no realign metadata at all.
    import shutil

    import onnx

    src, dst = out / "llm2clip_fp16", out / "llm2clip_nometa"
    dst.mkdir(exist_ok=True)
    m = onnx.load(str(src / "model.onnx"), load_external_data=False)
    del m.metadata_props[:]
    onnx.save_model(m, str(dst / "model.onnx"))
    for f in ("model.onnx.data", "tokenizer.json", "reference.npy", "reference_tokens.json",
              "unnormalised.npy"):
        shutil.copyfile(src / f, dst / f)
    # The CLIP tower with a bfloat16 output (realign widens it); the reference rounds alike.
    from onnx import TensorProto

    src, dst = out / "hf_clip", out / "hf_clip_bf16"
    dst.mkdir(exist_ok=True)
    m = onnx.load(str(src / "model.onnx"))
    common.cast_output(m, "text_embeds", TensorProto.BFLOAT16)
    common.save(m, dst, external_data=False)
    shutil.copyfile(src / "tokenizer.json", dst / "tokenizer.json")
    shutil.copyfile(src / "reference_tokens.json", dst / "reference_tokens.json")
    ref = np.load(src / "unnormalised.npy")
    ref = torch.from_numpy(ref).to(torch.bfloat16).to(torch.float32)
    np.save(dst / "reference.npy", (ref / ref.norm(dim=1, keepdim=True)).numpy())
    # A tower whose position table is hidden (renamed) and whose metadata claims 107 tokens: only
    # running it at its full stated length shows that it has 77 (the "broadcast 77 by 107").
    src, dst = out / "hf_clip", out / "hf_clip_hidden_limit"
    dst.mkdir(exist_ok=True)
    m = onnx.load(str(src / "model.onnx"))
    old = next(i.name for i in m.graph.initializer if i.name.endswith("position_embedding.weight"))
    for init in m.graph.initializer:
        if init.name == old:
            init.name = "opaque_table"
    for node in m.graph.node:
        for k, name in enumerate(node.input):
            if name == old:
                node.input[k] = "opaque_table"
    common.set_metadata(m, **{common.META_CONTEXT_LENGTH: 107})
    common.save(m, dst, external_data=False)
    shutil.copyfile(src / "tokenizer.json", dst / "tokenizer.json")
    check_bidirectional()
    print(f"fixtures in {out} ({time.time() - start:.1f} s)")


def check_bidirectional() -> None:
    """The chain's first token must see the last one (LLM2Vec), which a causal Llama would not."""
    chain, _, _, _ = export_llm2clip.build(Namespace(random=True, tiny=True, seed=0, dimension=1280,
                                                     context_length=None))
    a, b = torch.tensor([[1, 5, 6, 7]]), torch.tensor([[1, 5, 6, 8]])
    bias = torch.zeros(1, 1, 1, 4)
    with torch.no_grad():
        ha = chain.llama(input_ids=a, attention_mask=bias, use_cache=False).last_hidden_state
        hb = chain.llama(input_ids=b, attention_mask=bias, use_cache=False).last_hidden_state
    assert (ha[0, 0] - hb[0, 0]).abs().max() > 1e-3, "the Llama encoder is not bidirectional"


def export_clip_text_export(argv):
    p = export_clip_text.parser()
    args = p.parse_args(argv)
    return export_clip_text.export(args)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_fixtures.py OUT")
    main(Path(sys.argv[1]))
