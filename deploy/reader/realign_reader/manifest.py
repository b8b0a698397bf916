"""``_manifest.json``: the commit point of a realign shard directory."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import List, Optional

FORMAT = "realign-shards"
KNOWN_FORMAT_VERSIONS = (1,)
DTYPES = ("float32", "float16")
SHARD_FORMATS = ("parquet", "arrow")


class DatasetError(ValueError):
    """A dataset that must not be read: missing, partial, corrupted or not what was expected."""


@dataclass(frozen=True)
class ShardEntry:
    name: str
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    directory: str  # the shard directory (``OUTPUT/aligned``)
    rows: int
    dim: int
    dtype: str
    shard_format: str
    transform_sha256: str
    shards: List[ShardEntry]
    raw: dict

    def shard_path(self, shard: ShardEntry) -> str:
        return os.path.join(self.directory, shard.name)

    @property
    def created_by(self) -> dict:
        """What wrote the dataset: realign's version and git commit, Spark/Scala/Java versions
        (empty for a manifest written before realign recorded it)."""
        return dict(self.raw.get("created_by", {}))


def resolve_dir(path: str) -> str:
    """``OUTPUT`` or ``OUTPUT/aligned`` (or a manifest file) -> the shard directory."""
    path = os.fspath(path)
    if os.path.basename(path) == "_manifest.json":
        return os.path.dirname(path) or "."
    if not os.path.exists(os.path.join(path, "_manifest.json")) and os.path.isdir(
            os.path.join(path, "aligned")):
        return os.path.join(path, "aligned")
    return path


def read_manifest(path: str, verify: bool = False) -> Manifest:
    """Reads and checks ``_manifest.json``; with ``verify`` also every shard's SHA-256.

    Raises DatasetError for a missing or partial dataset, an unknown format version, shards that
    are missing or of the wrong size, and (``verify``) shards whose bytes changed.
    """
    directory = resolve_dir(path)
    mpath = os.path.join(directory, "_manifest.json")
    if not os.path.isfile(mpath):
        staging = os.path.isdir(os.path.join(directory, "_staging"))
        raise DatasetError(
            f"No realign dataset at {path}: {mpath} does not exist"
            + (" (a _staging folder is there: the run did not finish, so the dataset is partial;"
               " rerun it with --mode resume)" if staging else
               " (the manifest is written last: without it the shards are not a dataset)"))
    try:
        with open(mpath, "rb") as f:
            raw = json.loads(f.read().decode("utf-8"))
    except ValueError as e:
        raise DatasetError(f"Invalid manifest {mpath}: not JSON ({e})") from e
    if raw.get("format") != FORMAT:
        raise DatasetError(f"Invalid manifest {mpath}: format {raw.get('format')!r} "
                           f"(expected {FORMAT!r})")
    version = raw.get("format_version")
    if version not in KNOWN_FORMAT_VERSIONS:
        raise DatasetError(f"Invalid manifest {mpath}: unknown format_version {version!r} (this "
                           f"realign_reader knows {list(KNOWN_FORMAT_VERSIONS)}; upgrade it)")
    dtype = raw.get("dtype", "float32")
    if dtype not in DTYPES:
        raise DatasetError(f"Invalid manifest {mpath}: dtype {dtype!r} (must be one of "
                           f"{list(DTYPES)})")
    shard_format = raw.get("shard_format", "parquet")
    if shard_format not in SHARD_FORMATS:
        raise DatasetError(f"Invalid manifest {mpath}: shard_format {shard_format!r} (must be one"
                           f" of {list(SHARD_FORMATS)})")
    shards = [ShardEntry(s["name"], int(s["rows"]), int(s["bytes"]), s["sha256"])
              for s in raw.get("shards", [])]
    rows = int(raw["rows"])
    if sum(s.rows for s in shards) != rows:
        raise DatasetError(f"Invalid manifest {mpath}: shards hold {sum(s.rows for s in shards)}"
                           f" rows, the manifest says {rows}")
    m = Manifest(directory, rows, int(raw["dim"]), dtype, shard_format,
                 raw.get("transform_sha256", "none"), shards, raw)
    for s in shards:
        p = m.shard_path(s)
        if not os.path.isfile(p):
            raise DatasetError(f"Partial dataset {directory}: shard {s.name} listed in the"
                               f" manifest is missing")
        size = os.path.getsize(p)
        if size != s.bytes:
            raise DatasetError(f"Corrupted shard {p}: size expected {s.bytes} bytes, actual {size}")
        if verify:
            actual = sha256_file(p)
            if actual != s.sha256:
                raise DatasetError(f"Corrupted shard {p}: sha256 expected {s.sha256}, actual"
                                   f" {actual}")
    return m


def check_expected(m: Manifest, dim: Optional[int], dtype: Optional[str],
                   transform_sha256: Optional[str]) -> None:
    """Refuses a dataset whose dim, dtype or transform is not what the caller expects."""
    where = os.path.join(m.directory, "_manifest.json")
    if dim is not None and m.dim != dim:
        raise DatasetError(f"Dataset {where} has dim {m.dim}, expected {dim} (e.g. the model's"
                           f" mm_hidden_size): the shards come from another encoder")
    if dtype is not None and m.dtype != dtype:
        raise DatasetError(f"Dataset {where} has dtype {m.dtype}, expected {dtype}")
    if transform_sha256 is not None and m.transform_sha256 != transform_sha256:
        raise DatasetError(f"Dataset {where} was aligned by transform {m.transform_sha256},"
                           f" expected {transform_sha256}")


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
