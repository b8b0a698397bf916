"""Shared pieces of the export scripts: the CLIP tokenizer.json, ONNX metadata, float16 weights and
external data. Nothing here reaches the network."""

from __future__ import annotations

import gzip
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import types
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# ONNX metadata_props keys that realign's encoder reads (dev.realign.encode.ModelContract).
META_CONTEXT_LENGTH = "realign.context_length"
META_POOLING = "realign.pooling"
META_DIMENSION = "realign.dimension"
META_SOURCE_MODEL = "realign.source_model"
META_SOURCE_REVISION = "realign.source_revision"

CLIP_BOS = "<|startoftext|>"
CLIP_EOS = "<|endoftext|>"
# The pre-tokenizer split of openai/CLIP's SimpleTokenizer (and HF's CLIPTokenizerFast).
CLIP_SPLIT = r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""


def clip_bpe_vocab_file() -> Path:
    """bpe_simple_vocab_16e6.txt.gz as shipped in the open_clip wheel (found without importing
    open_clip: its import needs a working torchvision)."""
    spec = importlib.util.find_spec("open_clip")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "The CLIP BPE vocabulary ships in the open_clip wheel: pip install open-clip-torch"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "bpe_simple_vocab_16e6.txt.gz"
    if not path.is_file():
        raise SystemExit(f"CLIP BPE vocabulary not found: {path} (reinstall open-clip-torch)")
    return path


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP's reversible byte -> printable character map."""
    bs = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def clip_tokenizer_json(context_length: int, out: Path, vocab_file: Path | None = None) -> Path:
    """Writes CLIP's tokenizer.json (49,408 tokens, built as openai/CLIP's SimpleTokenizer builds its
    vocabulary) with the `tokenizers` library: NFC, whitespace squeezed, lower case, CLIP's split,
    byte-level BPE with the end-of-word suffix </w>, then <|startoftext|> ... <|endoftext|>,
    truncated to `context_length` tokens with <|endoftext|> kept last. Unlike SimpleTokenizer it does
    not run ftfy/html unescaping (HF's CLIPTokenizerFast does not either)."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab_file = vocab_file or clip_bpe_vocab_file()
    lines = gzip.open(vocab_file, "rt", encoding="utf-8").read().split("\n")
    merges = [tuple(m.split()) for m in lines[1 : 49152 - 256 - 2 + 1]]
    chars = list(_bytes_to_unicode().values())
    vocab_list = chars + [c + "</w>" for c in chars] + ["".join(m) for m in merges]
    vocab_list += [CLIP_BOS, CLIP_EOS]
    vocab = {t: i for i, t in enumerate(vocab_list)}
    tok = Tokenizer(
        models.BPE(
            vocab=vocab,
            merges=merges,
            unk_token=CLIP_EOS,
            continuing_subword_prefix="",
            end_of_word_suffix="</w>",
            fuse_unk=False,
        )
    )
    tok.normalizer = normalizers.Sequence(
        [normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(CLIP_SPLIT), behavior="removed", invert=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    tok.post_processor = processors.TemplateProcessing(
        single=f"{CLIP_BOS} $A {CLIP_EOS}",
        pair=f"{CLIP_BOS} $A {CLIP_EOS} {CLIP_EOS} $B {CLIP_EOS}",
        special_tokens=[(CLIP_BOS, vocab[CLIP_BOS]), (CLIP_EOS, vocab[CLIP_EOS])],
    )
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([CLIP_BOS, CLIP_EOS])
    tok.enable_truncation(max_length=context_length)
    out.parent.mkdir(parents=True, exist_ok=True)
    tok.save(str(out))
    return out


def set_metadata(model: onnx.ModelProto, **props: object) -> None:
    """Adds realign's metadata_props (keys as META_*; values written as strings)."""
    keep = [p for p in model.metadata_props if p.key not in props]
    del model.metadata_props[:]
    model.metadata_props.extend(keep)
    for k, v in props.items():
        if v is not None:
            model.metadata_props.append(onnx.StringStringEntryProto(key=k, value=str(v)))


def float16_weights(model: onnx.ModelProto, min_elements: int = 16) -> int:
    """Stores every float32 initializer of at least `min_elements` values as float16, read through
    a Cast to float32: the file (and the external data) halves, and the arithmetic stays float32 so
    that CPU executors, which have few float16 kernels, run it. Returns the number converted."""
    g = model.graph
    casts = []
    converted = 0
    for init in g.initializer:
        if init.data_type != TensorProto.FLOAT:
            continue
        arr = numpy_helper.to_array(init)
        if arr.size < min_elements:
            continue
        name = init.name
        half = numpy_helper.from_array(arr.astype(np.float16), name + "__fp16")
        init.CopyFrom(half)
        casts.append(helper.make_node("Cast", [name + "__fp16"], [name], to=TensorProto.FLOAT,
                                      name=name + "__cast"))
        converted += 1
    for i, node in enumerate(casts):
        g.node.insert(i, node)
    return converted


def cast_output(model: onnx.ModelProto, output: str, to: int) -> None:
    """Makes graph output `output` of element type `to` (e.g. TensorProto.FLOAT16) by a final Cast."""
    g = model.graph
    out = next(o for o in g.output if o.name == output)
    inner = output + "__f32"
    for node in g.node:
        for i, name in enumerate(node.output):
            if name == output:
                node.output[i] = inner
        for i, name in enumerate(node.input):
            if name == output:
                node.input[i] = inner
    g.node.append(helper.make_node("Cast", [inner], [output], to=to, name=output + "__cast"))
    out.type.tensor_type.elem_type = to


def save(model: onnx.ModelProto, out_dir: Path, external_data: bool) -> Path:
    """Saves out_dir/model.onnx, with its weights in out_dir/model.onnx.data when external_data
    (needed above 2 GB; realign loads the directory and ONNX Runtime finds the data beside it)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "model.onnx"
    for stale in (path, out_dir / "model.onnx.data"):
        if stale.exists():
            stale.unlink()
    if external_data:
        onnx.save_model(model, str(path), save_as_external_data=True,
                        all_tensors_to_one_file=True, location="model.onnx.data",
                        size_threshold=1024)
    else:
        onnx.save_model(model, str(path))
    onnx.checker.check_model(str(path))
    return path


def write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def seed_everything(seed: int) -> None:
    import random

    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))


class _StubType(type):
    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _StubType(name, (), {})

    def __call__(cls, *args, **kwargs):
        raise RuntimeError(f"torchvision is not usable in this Python ({cls.__name__} is a stub)")


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _StubType(name, (), {})


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name == "torchvision" or name.startswith("torchvision."):
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        m = _StubModule(spec.name)
        m.__path__ = []
        m.__version__ = "0+stub"
        return m

    def exec_module(self, module):
        pass


def text_only_torch() -> None:
    """Call before importing transformers or open_clip. Text towers need nothing of torchvision,
    but both libraries import it when it is installed, and a torchvision built for another torch
    (e.g. PyPI's CUDA wheel beside a CPU torch: "operator torchvision::nms does not exist") breaks
    that import. Then torchvision is replaced by a stub whose names exist but fail when used."""
    try:
        import torchvision  # noqa: F401
    except Exception as e:  # noqa: BLE001 - any failure to load makes it unusable
        for k in [k for k in sys.modules if k == "torchvision" or k.startswith("torchvision.")]:
            del sys.modules[k]
        sys.meta_path.insert(0, _StubFinder())
        print(f"note: torchvision does not load ({type(e).__name__}: {e}); using a stub "
              "(text towers do not need it)", file=sys.stderr)
