"""Loading shards: Arrow IPC streams memory-mapped zero-copy, Parquet read into memory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import List, Optional

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .manifest import DatasetError, Manifest, ShardEntry

_NUMPY = {"float32": np.float32, "float16": np.float16}
_ARROW = {"float32": pa.float32(), "float16": pa.float16()}


@dataclass
class Chunk:
    """A run of rows of one shard: an Arrow record batch (or a whole Parquet shard)."""
    ids: pa.Array
    texts: Optional[pa.Array]
    embeddings: np.ndarray  # (rows, dim), dtype of the manifest; read-only view for Arrow


def _check_schema(schema: pa.Schema, path: str, m: Manifest, fixed: bool) -> None:
    for name in ("id", "embedding"):
        if schema.get_field_index(name) < 0:
            raise DatasetError(f"Shard {path}: no column {name!r} (columns: {schema.names})")
    t = schema.field("embedding").type
    want = (f"fixed_size_list<{_ARROW[m.dtype]}>[{m.dim}]" if fixed else f"list<{_ARROW[m.dtype]}>")
    if fixed:
        ok = pa.types.is_fixed_size_list(t) and t.list_size == m.dim
    else:
        ok = pa.types.is_list(t) or pa.types.is_large_list(t)
    if not ok or t.value_type != _ARROW[m.dtype]:
        raise DatasetError(f"Shard {path}: embedding is {t}, the manifest says dim {m.dim} dtype"
                           f" {m.dtype} ({want})")


def load_shard(m: Manifest, shard: ShardEntry) -> List[Chunk]:
    path = m.shard_path(shard)
    try:
        if m.shard_format == "arrow":
            chunks = _load_arrow(path, m)
        else:
            chunks = _load_parquet(path, m)
        for c in chunks:
            # Ids and texts must be valid UTF-8 (pyarrow does not check on read): a damaged byte
            # surfaced as a UnicodeDecodeError on the first access of that row.
            c.ids.validate(full=True)
            if c.texts is not None:
                c.texts.validate(full=True)
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as e:
        raise DatasetError(f"Corrupted shard {path}: {e}") from e
    rows = sum(len(c.ids) for c in chunks)
    if rows != shard.rows:
        raise DatasetError(f"Corrupted shard {path}: {rows} rows, the manifest says {shard.rows}")
    return chunks


def _load_arrow(path: str, m: Manifest) -> List[Chunk]:
    # The stream's buffers stay in the memory map: nothing is copied, pages load on first touch.
    reader = pa.ipc.open_stream(_source(m, path))
    _check_schema(reader.schema, path, m, fixed=True)
    chunks = []
    has_text = reader.schema.get_field_index("text") >= 0
    for batch in reader:
        emb = batch.column("embedding")
        if emb.null_count:
            raise DatasetError(f"Shard {path}: {emb.null_count} null embeddings (must be none)")
        # flatten(), not .values: it honours the offset of a sliced array.
        flat = emb.flatten().to_numpy(zero_copy_only=True)
        chunks.append(Chunk(batch.column("id"), batch.column("text") if has_text else None,
                            flat.reshape(len(batch), m.dim)))
    return chunks


def _load_parquet(path: str, m: Manifest) -> List[Chunk]:
    if m.filesystem is None:
        table = pq.read_table(path, memory_map=True)
    else:
        table = pq.read_table(path, filesystem=m.filesystem)
    _check_schema(table.schema, path, m, fixed=False)
    table = table.combine_chunks()
    emb = table.column("embedding").chunk(0) if table.num_rows else None
    if emb is None:
        vectors = np.zeros((0, m.dim), dtype=_NUMPY[m.dtype])
    else:
        if emb.null_count:
            raise DatasetError(f"Shard {path}: {emb.null_count} null embeddings (must be none)")
        lengths = np.diff(emb.offsets.to_numpy())
        if lengths.size and (lengths.min() != m.dim or lengths.max() != m.dim):
            raise DatasetError(f"Shard {path}: embeddings of {lengths.min()}..{lengths.max()}"
                               f" values, the manifest says dim {m.dim}")
        vectors = emb.flatten().to_numpy(zero_copy_only=False).reshape(len(emb), m.dim)
    texts = table.column("text").chunk(0) if "text" in table.column_names and table.num_rows \
        else None
    ids = table.column("id").chunk(0) if table.num_rows else pa.array([], pa.string())
    return [Chunk(ids, texts, vectors)]


def _source(m: Manifest, path: str):
    """A local shard is memory-mapped (nothing copied); a shard on a store is read through
    ``pyarrow.fs`` (ranged reads of a random-access file)."""
    if m.filesystem is None:
        return pa.memory_map(path, "r")
    return m.filesystem.open_input_file(path)


def check_arrow_schema(m: Manifest, shard: ShardEntry) -> None:
    """Checks an Arrow shard's schema against the manifest without reading its batches."""
    path = m.shard_path(shard)
    try:
        schema = pa.ipc.open_stream(_source(m, path)).schema
    except (pa.ArrowInvalid, OSError) as e:
        raise DatasetError(f"Corrupted shard {path}: {e}") from e
    _check_schema(schema, path, m, fixed=True)


def numpy_dtype(dtype: str):
    return _NUMPY[dtype]


def shard_files(m: Manifest) -> List[str]:
    return [os.path.join(m.directory, s.name) for s in m.shards]
