#!/usr/bin/env python3
"""Exports a CLIP text tower to realign's encoder format: OUT/model.onnx + OUT/tokenizer.json.

    # a Hugging Face checkpoint directory (CLIPTextModelWithProjection, or a full CLIPModel)
    python3 export_clip_text.py hf --model /models/clip-vit-base-patch32 --out clip-b32
    # an open_clip model with its weights file
    python3 export_clip_text.py open_clip --arch ViT-B-32 --weights /models/b32.bin --out clip-b32
    # seeded random weights of the real architecture (tests; --tiny for a 2-layer width-32 tower)
    python3 export_clip_text.py hf --random --tiny --out /tmp/clip-tiny

The ONNX graph takes input_ids and attention_mask (int64 [batch, sequence]) and has one output,
text_embeds [batch, d]: the projected EOS state, not normalised (realign normalises). The context
length (77), the pooling and the dimension go into the ONNX metadata, so `realign encode --model OUT
--tokenizer OUT/tokenizer.json` needs no other setting. tokenizer.json is built from the CLIP BPE
vocabulary in the open_clip wheel (common.clip_tokenizer_json). Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

common.text_only_torch()

CLIP_VOCAB = 49408


class HfTower(torch.nn.Module):
    """CLIPTextModelWithProjection -> text_embeds."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids=input_ids, attention_mask=attention_mask).text_embeds


class OpenClipTower(torch.nn.Module):
    """open_clip's text tower -> its projected EOT state. The tower only runs on exactly
    `context` tokens (its causal mask is a fixed [77, 77] buffer), so the graph pads the ids with 0
    to that length, as open_clip's tokenizer does. The tower takes no mask: causal attention and
    pooling at the end-of-text token make the padding after a text irrelevant, and its EOT id
    (49407) is the largest, so argmax pooling finds it in a padded row too. The mask stays an input
    because realign feeds it; it is multiplied by zero so the exporter keeps it."""

    def __init__(self, tower, context=77):
        super().__init__()
        self.tower = tower
        self.context = context

    def forward(self, input_ids, attention_mask):
        pad = self.context - input_ids.shape[1]
        input_ids = torch.nn.functional.pad(input_ids, (0, pad), value=0)
        out = self.tower(input_ids)
        if isinstance(out, tuple):
            out = out[0]
        return out + 0.0 * attention_mask[:, :1].to(out.dtype)


def hf_model(args):
    from transformers import CLIPTextConfig, CLIPTextModelWithProjection

    if args.random:
        common.seed_everything(args.seed)
        if args.tiny:
            cfg = CLIPTextConfig(vocab_size=CLIP_VOCAB, hidden_size=32, intermediate_size=64,
                                 num_hidden_layers=2, num_attention_heads=4, projection_dim=24,
                                 max_position_embeddings=77, eos_token_id=49407,
                                 bos_token_id=49406, pad_token_id=1)
        else:  # ViT-B/32's text tower: 12 layers, width 512, 8 heads, 77 positions
            cfg = CLIPTextConfig(vocab_size=CLIP_VOCAB, hidden_size=512, intermediate_size=2048,
                                 num_hidden_layers=12, num_attention_heads=8, projection_dim=512,
                                 max_position_embeddings=77, eos_token_id=49407,
                                 bos_token_id=49406, pad_token_id=1)
        cfg._attn_implementation = "eager"
        model = CLIPTextModelWithProjection(cfg)
        name, revision = "random-" + ("tiny-" if args.tiny else "") + "clip-text", f"seed={args.seed}"
    else:
        model = CLIPTextModelWithProjection.from_pretrained(args.model, attn_implementation="eager")
        name = args.name or args.model
        revision = args.revision or getattr(model.config, "_commit_hash", None) or "unknown"
    model.eval()
    return HfTower(model), model.config.max_position_embeddings, model.config.projection_dim, \
        name, revision


def open_clip_model(args):
    import open_clip  # needs a torchvision that matches torch

    if args.random:
        common.seed_everything(args.seed)
        if args.tiny:
            from open_clip.transformer import TextTransformer

            tower = TextTransformer(context_length=77, vocab_size=CLIP_VOCAB, width=32, heads=4,
                                    layers=2, output_dim=24)
            name = "random-tiny-open_clip-text"
        else:
            model = open_clip.create_model(args.arch, pretrained=None)
            tower = TextOnly(model)
            name = "random-open_clip-" + args.arch
        revision = f"seed={args.seed}"
    else:
        model = open_clip.create_model(args.arch, pretrained=args.weights)
        tower = TextOnly(model)
        name = args.name or args.arch
        revision = args.revision or Path(args.weights).name
    tower.eval()
    dim = OpenClipTower(tower)(torch.tensor([[49406, 320, 49407]]),
                               torch.ones(1, 3, dtype=torch.long)).shape[-1]
    return OpenClipTower(tower), 77, dim, name, revision


class TextOnly(torch.nn.Module):
    """A full open_clip CLIP model reduced to encode_text (unnormalised)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, text):
        return self.model.encode_text(text, normalize=False)


def export(args) -> Path:
    out = Path(args.out)
    tower, context, dim, name, revision = (hf_model if args.source == "hf" else open_clip_model)(args)
    out.mkdir(parents=True, exist_ok=True)
    ids = torch.tensor([[49406, 320, 1125, 49407, 0], [49406, 320, 1125, 539, 49407]])
    mask = (ids != 0).long()
    mask[1, :] = 1
    raw = out / "model.raw.onnx"
    with torch.no_grad():
        torch.onnx.export(tower, (ids, mask), str(raw), dynamo=False, opset_version=17,
                          input_names=["input_ids", "attention_mask"], output_names=["text_embeds"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "sequence"},
                                        "attention_mask": {0: "batch", 1: "sequence"},
                                        "text_embeds": {0: "batch"}})
    import onnx

    model = onnx.load(str(raw))
    raw.unlink()
    common.set_metadata(model, **{
        common.META_CONTEXT_LENGTH: context,
        common.META_POOLING: "output:text_embeds",
        common.META_DIMENSION: dim,
        common.META_SOURCE_MODEL: name,
        common.META_SOURCE_REVISION: revision,
    })
    if args.float16:
        common.float16_weights(model)
    path = common.save(model, out, args.external_data)
    common.clip_tokenizer_json(context, out / "tokenizer.json")
    print(f"{path}: {name} ({revision}), context {context}, d {dim}, pooling output:text_embeds")
    return path, tower


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("source", choices=["hf", "open_clip"])
    p.add_argument("--model", help="hf: a local checkpoint directory")
    p.add_argument("--arch", default="ViT-B-32", help="open_clip: architecture name")
    p.add_argument("--weights", help="open_clip: local weights file")
    p.add_argument("--random", action="store_true", help="seeded random weights (no checkpoint)")
    p.add_argument("--tiny", action="store_true", help="with --random: 2 layers, width 32")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--name", help="source model name recorded in the metadata")
    p.add_argument("--revision", help="source model revision recorded in the metadata")
    p.add_argument("--float16", action="store_true", help="float16 weights (float32 arithmetic)")
    p.add_argument("--external-data", action="store_true", help="weights in model.onnx.data")
    p.add_argument("--out", required=True)
    return p


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    if not args.random and args.source == "hf" and not args.model:
        p.error("hf needs --model DIR (or --random)")
    if not args.random and args.source == "open_clip" and not args.weights:
        p.error("open_clip needs --weights FILE (or --random)")
    export(args)


if __name__ == "__main__":
    main()
