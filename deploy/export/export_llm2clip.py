#!/usr/bin/env python3
"""Exports an LLM2Vec + LLM2CLIP text chain to realign's encoder format: OUT/model.onnx (+ its
weights in OUT/model.onnx.data) and OUT/tokenizer.json.

The chain is ReVision's text side: a Llama encoder with *bidirectional* attention (LLM2Vec),
mean pooling over the attention mask, then the LLM2CLIP adapter to the CLIP space (1280 for
LLM2CLIP's EVA ViT-L/14). One graph output, `embedding` [batch, 1280], not normalised (realign
normalises). The context length (LLM2Vec's max_length, 512), the pooling and the dimension go into
the ONNX metadata, so `realign encode --model OUT --tokenizer OUT/tokenizer.json` needs no other
setting. With --float16 the weights are stored as float16 (read through Casts: the arithmetic stays
float32, which CPU executors need) and the output is float16, as ReVision stores its features;
realign widens it to float32 before normalising.

    # an LLM2Vec-merged Llama checkpoint directory and an adapter saved with torch.save(module)
    python3 export_llm2clip.py --model /models/llm2vec-llama3-8b --adapter adapter.pt \
        --tokenizer /models/llm2vec-llama3-8b/tokenizer.json --float16 --out llm2clip
    # seeded random weights of the same architecture at a tiny size (tests)
    python3 export_llm2clip.py --random --tiny --float16 --out /tmp/llm2clip-tiny

A model over 2 GB can only be saved with external data, which this script always writes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

common.text_only_torch()

BOS = "<|begin_of_text|>"
EOS = "<|end_of_text|>"
PAD = "<|pad|>"


class Adapter(torch.nn.Module):
    """LLM2CLIP-shaped adapter: residual MLP blocks over the pooled LLM feature, then a linear
    projection to the CLIP dimension."""

    def __init__(self, width: int, out_dim: int = 1280, blocks: int = 2):
        super().__init__()
        self.blocks = torch.nn.ModuleList(
            torch.nn.Sequential(torch.nn.LayerNorm(width), torch.nn.Linear(width, 4 * width),
                                torch.nn.GELU(), torch.nn.Linear(4 * width, width))
            for _ in range(blocks))
        self.norm = torch.nn.LayerNorm(width)
        self.proj = torch.nn.Linear(width, out_dim, bias=False)

    def forward(self, x):
        for b in self.blocks:
            x = x + b(x)
        return self.proj(self.norm(x))


class Chain(torch.nn.Module):
    """input_ids, attention_mask -> bidirectional Llama -> masked mean -> adapter."""

    def __init__(self, llama, adapter):
        super().__init__()
        self.llama = llama
        self.adapter = adapter
        for layer in self.llama.layers:
            layer.self_attn.is_causal = False

    def forward(self, input_ids, attention_mask):
        m = attention_mask.to(torch.float32)
        # A 4-D additive mask is used as given (no causal part): every token sees every real token.
        bias = (1.0 - m)[:, None, None, :] * torch.finfo(torch.float32).min
        h = self.llama(input_ids=input_ids, attention_mask=bias, use_cache=False).last_hidden_state
        pooled = (h * m[:, :, None]).sum(1) / m.sum(1, keepdim=True)
        return self.adapter(pooled)


def tiny_tokenizer(out: Path, seed_texts: list[str]) -> Path:
    """A byte-level BPE (vocabulary 512) trained on `seed_texts`, adding <|begin_of_text|> first as
    Llama-3's tokenizer does. Only for tests: a real export copies the model's own tokenizer.json."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=512, special_tokens=[BOS, EOS, PAD],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(seed_texts, trainer=trainer)
    tok.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B", special_tokens=[(BOS, tok.token_to_id(BOS))])
    tok.save(str(out))
    return out


TRAIN_TEXTS = [
    "a photo of a dog running on the beach", "two cats sleeping on a red sofa",
    "a man riding a bicycle down a busy city street", "the quick brown fox jumps over the lazy dog",
    "une photo d'un chat", "ein Hund im Schnee", "海辺を走る犬の写真", "🐶 on a skateboard 🛹",
    "numbers 0123456789 and punctuation !?.,;:'\"()[]{}", "A LOUD HEADLINE ABOUT THE WEATHER",
] * 20


def build(args):
    from transformers import LlamaConfig, LlamaModel

    if args.random:
        common.seed_everything(args.seed)
        if args.tiny:
            cfg = LlamaConfig(vocab_size=512, hidden_size=64, intermediate_size=128,
                              num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                              max_position_embeddings=2048, rms_norm_eps=1e-5, rope_theta=500000.0)
            context = args.context_length or 64
        else:  # Llama-3-8B's shape
            cfg = LlamaConfig(vocab_size=128256, hidden_size=4096, intermediate_size=14336,
                              num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
                              max_position_embeddings=8192, rope_theta=500000.0)
            context = args.context_length or 512
        cfg._attn_implementation = "eager"
        llama = LlamaModel(cfg)
        adapter = Adapter(cfg.hidden_size, args.dimension)
        # Random init leaves LayerNorm at 1/0 and small weights; spread them so a test sees them.
        with torch.no_grad():
            for p in adapter.parameters():
                p.add_(torch.randn_like(p) * 0.02)
        name = "random-" + ("tiny-" if args.tiny else "") + "llm2vec-llama-llm2clip"
        revision = f"seed={args.seed}"
    else:
        llama = LlamaModel.from_pretrained(args.model, attn_implementation="eager",
                                           torch_dtype=torch.float32)
        adapter = torch.load(args.adapter, weights_only=False)
        context = args.context_length or 512
        name = args.name or args.model
        revision = args.revision or getattr(llama.config, "_commit_hash", None) or "unknown"
    chain = Chain(llama, adapter).eval()
    return chain, context, name, revision


def export(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    chain, context, name, revision = build(args)
    if args.float16:
        # The weights realign will hold are float16; the torch model keeps the same rounded values.
        with torch.no_grad():
            for p in chain.parameters():
                p.copy_(p.to(torch.float16).to(torch.float32))
    ids = torch.tensor([[1, 20, 30, 40, 0], [1, 21, 31, 41, 51]])
    mask = torch.tensor([[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]])
    raw = out / "model.raw.onnx"
    with torch.no_grad():
        torch.onnx.export(chain, (ids, mask), str(raw), dynamo=False, opset_version=17,
                          input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "sequence"},
                                        "attention_mask": {0: "batch", 1: "sequence"},
                                        "embedding": {0: "batch"}})
    import onnx
    from onnx import TensorProto

    model = onnx.load(str(raw))
    raw.unlink()
    common.set_metadata(model, **{
        common.META_CONTEXT_LENGTH: context,
        common.META_POOLING: "output:embedding",
        common.META_DIMENSION: args.dimension,
        common.META_SOURCE_MODEL: name,
        common.META_SOURCE_REVISION: revision,
    })
    if args.float16:
        common.float16_weights(model)
        common.cast_output(model, "embedding", TensorProto.FLOAT16)
    path = common.save(model, out, external_data=True)
    if args.random:
        tiny_tokenizer(out / "tokenizer.json", TRAIN_TEXTS)
    else:
        shutil.copyfile(args.tokenizer, out / "tokenizer.json")
    print(f"{path}: {name} ({revision}), context {context}, d {args.dimension},"
          f" {'float16' if args.float16 else 'float32'}, pooling: bidirectional masked mean + adapter")
    return path, chain


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--model", help="LLM2Vec-merged Llama checkpoint directory")
    p.add_argument("--adapter", help="the LLM2CLIP adapter, saved with torch.save(module)")
    p.add_argument("--tokenizer", help="the Llama tokenizer.json")
    p.add_argument("--random", action="store_true", help="seeded random weights (no checkpoint)")
    p.add_argument("--tiny", action="store_true", help="with --random: 2 layers, width 64")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dimension", type=int, default=1280, help="adapter output (LLM2CLIP: 1280)")
    p.add_argument("--context-length", type=int, help="default 512 (LLM2Vec), 64 with --tiny")
    p.add_argument("--name")
    p.add_argument("--revision")
    p.add_argument("--float16", action="store_true")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    if not args.random and not (args.model and args.adapter and args.tokenizer):
        p.error("needs --model, --adapter and --tokenizer (or --random)")
    export(args)


if __name__ == "__main__":
    main()
