"""Map-style access: ``open_aligned`` -> a torch Dataset; ``hf_dataset`` -> Hugging Face view."""

from __future__ import annotations

import os
import warnings
from typing import Dict, Iterator, List, Optional, Union

import numpy as np

from ._deps import require
from .manifest import DatasetError, Manifest, check_expected, read_manifest
from .shards import Chunk, load_shard

torch = require("torch")


def _sibling_transform_sha256(m: Manifest) -> Optional[str]:
    if m.filesystem is not None:
        import json
        import posixpath
        from .manifest import is_file, open_read
        from .transform import Transform
        path = posixpath.join(posixpath.dirname(m.directory.rstrip("/")), "realign-transform.json")
        if not is_file(m.filesystem, path):
            return None
        with open_read(m.filesystem, path) as f:
            return Transform(json.loads(f.read().decode("utf-8")), path).sha256
    path = os.path.join(os.path.dirname(os.path.abspath(m.directory)), "realign-transform.json")
    if not os.path.isfile(path):
        return None
    from .transform import load_transform  # local: the transform module needs torch too
    return load_transform(path).sha256


class AlignedDataset(torch.utils.data.Dataset):
    """Every row of a realign dataset in manifest order (shard by shard, rows in file order).

    ``ds[i]`` and ``ds["some-id"]`` give ``{"id", "embedding", "text"}`` (``text`` only when the
    shards have texts; None for a row without one). ``embedding`` is a torch tensor of ``dim``
    values in the manifest's dtype; for Arrow shards it is a view of the memory-mapped file.
    """

    def __init__(self, manifest: Manifest):
        self.manifest = manifest
        self._chunks: List[Chunk] = []
        self._tensors = []
        for s in manifest.shards:
            self._chunks.extend(load_shard(manifest, s))
        with warnings.catch_warnings():
            # Arrow's memory map is read-only; the tensors are views and never written.
            warnings.simplefilter("ignore", UserWarning)
            self._tensors = [torch.from_numpy(c.embeddings) for c in self._chunks]
        sizes = np.array([len(c.ids) for c in self._chunks], dtype=np.int64)
        self._starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.has_text = any(c.texts is not None for c in self._chunks)
        self._by_id: Optional[Dict[str, int]] = None

    @property
    def dim(self) -> int:
        return self.manifest.dim

    @property
    def dtype(self) -> str:
        return self.manifest.dtype

    def __len__(self) -> int:
        return int(self._starts[-1])

    def _locate(self, index: int):
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"row {index} out of range for {len(self)} rows")
        k = int(np.searchsorted(self._starts, index, side="right")) - 1
        return k, index - int(self._starts[k])

    def __getitem__(self, key: Union[int, str]) -> dict:
        if isinstance(key, str):
            key = self.index_of(key)
        k, off = self._locate(int(key))
        c = self._chunks[k]
        item = {"id": c.ids[off].as_py(), "embedding": self._tensors[k][off]}
        if self.has_text:
            item["text"] = c.texts[off].as_py() if c.texts is not None else None
        return item

    def index_of(self, row_id: str) -> int:
        """Position of a row id (the first call builds the id index)."""
        if self._by_id is None:
            self._by_id = {}
            for c, start in zip(self._chunks, self._starts):
                for i, v in enumerate(c.ids.to_pylist()):
                    self._by_id[v] = int(start) + i
        try:
            return self._by_id[row_id]
        except KeyError:
            raise KeyError(f"id {row_id!r} is not in {self.manifest.directory}") from None

    def ids(self) -> List[str]:
        return [v for c in self._chunks for v in c.ids.to_pylist()]

    def texts(self) -> List[Optional[str]]:
        return [v for c in self._chunks
                for v in (c.texts.to_pylist() if c.texts is not None else [None] * len(c.ids))]

    def chunks(self) -> Iterator[np.ndarray]:
        """The embeddings as (rows, dim) numpy arrays, record batch by record batch."""
        for c in self._chunks:
            yield c.embeddings

    def embeddings(self) -> np.ndarray:
        """All embeddings as one (rows, dim) array (a copy)."""
        if not self._chunks:
            return np.zeros((0, self.dim), dtype=np.float16 if self.dtype == "float16"
                            else np.float32)
        return np.concatenate(list(self.chunks()))

    def hf(self):
        """The Hugging Face ``datasets.Dataset`` view of the same shards (Arrow only)."""
        return _hf(self.manifest)


def open_aligned(path: str, verify: bool = False, *, dim: Optional[int] = None,
                 dtype: Optional[str] = None, transform_sha256: Optional[str] = None,
                 filesystem=None) -> AlignedDataset:
    """Opens ``OUTPUT`` or ``OUTPUT/aligned`` as a map-style torch Dataset.

    Refuses (DatasetError) a missing or partial dataset, an unknown format_version, shards whose
    schema disagrees with the manifest's dim and dtype, and, with ``verify``, shards whose SHA-256
    differs. ``dim``/``dtype``/``transform_sha256``: what the caller expects. A
    ``realign-transform.json`` beside the shard directory must be the one that wrote them.
    ``path`` may be a URI (``s3://bucket/out``), read through ``pyarrow.fs``; ``filesystem``: a
    ``pyarrow.fs.S3FileSystem(endpoint_override=...)`` or any pyarrow filesystem to read it with.
    """
    m = read_manifest(path, verify=verify, filesystem=filesystem)
    check_expected(m, dim, dtype, transform_sha256)
    if m.transform_sha256 != "none":
        sibling = _sibling_transform_sha256(m)
        if sibling is not None and sibling != m.transform_sha256:
            raise DatasetError(f"Dataset {m.directory} was aligned by transform"
                               f" {m.transform_sha256}, but the realign-transform.json beside it"
                               f" is {sibling} (refit after these shards were written?)")
    return AlignedDataset(m)


def _hf(m: Manifest):
    datasets = require("datasets")
    if m.shard_format != "arrow":
        raise DatasetError(f"Dataset {m.directory} has {m.shard_format} shards: the Hugging Face"
                           f" view memory-maps Arrow IPC streams (write with --set"
                           f" output.format=arrow, or use datasets.load_dataset('parquet',"
                           f" data_files=...))")
    from .shards import check_arrow_schema
    for s in m.shards:
        check_arrow_schema(m, s)
    parts = [datasets.Dataset.from_file(m.shard_path(s)) for s in m.shards]
    if not parts:
        raise DatasetError(f"Dataset {m.directory} has no shards")
    return parts[0] if len(parts) == 1 else datasets.concatenate_datasets(parts)


def hf_dataset(path: str, verify: bool = False, *, dim: Optional[int] = None,
               dtype: Optional[str] = None, transform_sha256: Optional[str] = None):
    """``datasets.Dataset`` over every Arrow shard (``Dataset.from_file``, concatenated in
    manifest order), memory-mapped; the manifest and the shard schemas are checked as by
    ``open_aligned``."""
    m = read_manifest(path, verify=verify)
    check_expected(m, dim, dtype, transform_sha256)
    return _hf(m)
