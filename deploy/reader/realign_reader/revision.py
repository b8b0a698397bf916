"""ReVision pretraining records: LLaVA-style JSON plus an id -> embedding lookup.

ReVision (a Bunny/LLaVA derivative) loads pickles of ``{id, caption, embed}`` into RAM and joins
them by id to a JSON whose conversations are ``"<image>\\n"`` (human) and the caption (gpt).
``write_revision_records`` writes that JSON and a memory-mapped ``embeddings.npy`` with its id
index; ``load_embedding_lookup`` is the loader's side (missing ids and dim mismatches fail)."""

from __future__ import annotations

import json
import os
from typing import Optional, Union

import numpy as np

from ._deps import require
from .manifest import DatasetError

torch = require("torch")

RECORDS = "pretrain.json"
EMBEDDINGS = "embeddings.npy"
INDEX = "embeddings.index.json"


def _write_atomically(path: str, write) -> None:
    tmp = path + ".tmp"
    write(tmp)
    os.replace(tmp, path)


def write_revision_records(aligned, out: str, *, prompt: str = "<image>\n",
                           verify: bool = False) -> dict:
    """Writes ``out/pretrain.json`` (one record per aligned row with a non-empty text:
    ``{"id", "image": id, "conversations": [{"from": "human", "value": prompt},
    {"from": "gpt", "value": text}]}``), ``out/embeddings.npy`` (row i = record i, the manifest's
    dtype) and ``out/embeddings.index.json`` (ids, dim, dtype, transform). Returns the index."""
    from .dataset import AlignedDataset, open_aligned
    ds = aligned if isinstance(aligned, AlignedDataset) else open_aligned(aligned, verify=verify)
    if not ds.has_text:
        raise DatasetError(f"Dataset {ds.manifest.directory} has no text column: ReVision's"
                           f" records need the caption of every row")
    ids, texts = ds.ids(), ds.texts()
    keep = np.array([t is not None and t != "" for t in texts], dtype=bool)
    vectors = ds.embeddings()[keep]
    records = [{"id": i, "image": i,
                "conversations": [{"from": "human", "value": prompt},
                                  {"from": "gpt", "value": t}]}
               for i, t, k in zip(ids, texts, keep) if k]
    os.makedirs(out, exist_ok=True)
    index = {"format": "realign-revision-records", "format_version": 1, "rows": len(records),
             "dim": ds.dim, "dtype": ds.dtype, "transform_sha256": ds.manifest.transform_sha256,
             "source": os.path.abspath(ds.manifest.directory), "skipped_without_text":
             int((~keep).sum()), "ids": [r["id"] for r in records]}

    def save_npy(p):
        with open(p, "wb") as f:
            np.save(f, vectors)

    _write_atomically(os.path.join(out, EMBEDDINGS), save_npy)
    _write_atomically(os.path.join(out, RECORDS), lambda p: _dump(p, records))
    _write_atomically(os.path.join(out, INDEX), lambda p: _dump(p, index))
    return index


def _dump(path, obj) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False)


class EmbeddingLookup:
    """id -> embedding tensor over ``embeddings.npy`` (memory-mapped, nothing loaded up front)."""

    def __init__(self, out: str, mm_hidden_size: Optional[int] = None):
        with open(os.path.join(out, INDEX), encoding="utf-8") as f:
            self.index = json.load(f)
        self.dim = self.index["dim"]
        self.dtype = self.index["dtype"]
        self._vectors = np.load(os.path.join(out, EMBEDDINGS), mmap_mode="r")
        if self._vectors.shape != (self.index["rows"], self.dim):
            raise DatasetError(f"{out}: {EMBEDDINGS} is {self._vectors.shape}, the index says"
                               f" ({self.index['rows']}, {self.dim})")
        self._rows = {i: n for n, i in enumerate(self.index["ids"])}
        if mm_hidden_size is not None:
            self.check_dim(mm_hidden_size)

    def check_dim(self, mm_hidden_size: int) -> None:
        if self.dim != mm_hidden_size:
            raise DatasetError(f"Embeddings have dim {self.dim}, the model's mm_hidden_size is"
                               f" {mm_hidden_size}: align embeddings of the model's own encoder"
                               f" (d = {mm_hidden_size}) or change the projector")

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, row_id: str) -> bool:
        return row_id in self._rows

    def __getitem__(self, row_id: str) -> "torch.Tensor":
        try:
            n = self._rows[row_id]
        except KeyError:
            raise KeyError(f"id {row_id!r} has no embedding in {self.index['source']} (the"
                           f" record and the embeddings come from different runs?)") from None
        return torch.from_numpy(np.array(self._vectors[n], dtype=np.float32))


def load_embedding_lookup(out: str, mm_hidden_size: Optional[int] = None) -> EmbeddingLookup:
    return EmbeddingLookup(out, mm_hidden_size)
