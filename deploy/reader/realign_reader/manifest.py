"""``_manifest.json``: the commit point of a realign shard directory."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import stat
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

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
    # A pyarrow.fs.FileSystem for a dataset on a store (``s3://...``); None: the local disk.
    filesystem: Any = None

    def shard_path(self, shard: ShardEntry) -> str:
        return join(self.filesystem, self.directory, shard.name)

    @property
    def created_by(self) -> dict:
        """What wrote the dataset: realign's version and git commit, Spark/Scala/Java versions
        (empty for a manifest written before realign recorded it)."""
        return dict(self.raw.get("created_by", {}))


def split_uri(path: str, filesystem=None) -> Tuple[Any, str]:
    """``(filesystem, path inside it)``: None and the path for local files; for a URI such as
    ``s3://bucket/out`` the given pyarrow filesystem (e.g. ``S3FileSystem(endpoint_override=..)``)
    or the one ``pyarrow.fs.FileSystem.from_uri`` makes (credentials from the environment)."""
    path = os.fspath(path)
    if path.startswith("file://"):
        return None, path[len("file://"):]
    if "://" not in path:
        if filesystem is not None:
            return filesystem, path
        return None, path
    if filesystem is not None:
        return filesystem, path.split("://", 1)[1]
    from pyarrow import fs as pafs
    return pafs.FileSystem.from_uri(path)


def join(filesystem, a: str, b: str) -> str:
    return os.path.join(a, b) if filesystem is None else posixpath.join(a, b)


def _info(filesystem, p: str):
    return filesystem.get_file_info(p)


def is_file(filesystem, p: str) -> bool:
    if filesystem is None:
        return os.path.isfile(p)
    from pyarrow import fs as pafs
    return _info(filesystem, p).type == pafs.FileType.File


def is_dir(filesystem, p: str) -> bool:
    if filesystem is None:
        return os.path.isdir(p)
    from pyarrow import fs as pafs
    return _info(filesystem, p).type == pafs.FileType.Directory


def size_of(filesystem, p: str) -> int:
    return os.path.getsize(p) if filesystem is None else int(_info(filesystem, p).size)


def open_read(filesystem, p: str):
    """A binary stream (local file or pyarrow input stream)."""
    return open(p, "rb") if filesystem is None else filesystem.open_input_stream(p)


def resolve_dir(path: str, filesystem=None) -> str:
    """``OUTPUT`` or ``OUTPUT/aligned`` (or a manifest file) -> the shard directory."""
    path = os.fspath(path)
    if posixpath.basename(path) == "_manifest.json":
        return posixpath.dirname(path) or "."
    if not is_file(filesystem, join(filesystem, path, "_manifest.json")) and is_dir(
            filesystem, join(filesystem, path, "aligned")):
        return join(filesystem, path, "aligned")
    return path


def read_manifest(path: str, verify: bool = False, filesystem=None) -> Manifest:
    """Reads and checks ``_manifest.json``; with ``verify`` also every shard's SHA-256.

    ``path`` is local or a URI (``s3://bucket/out``, read through ``pyarrow.fs``; pass
    ``filesystem`` for an endpoint override or explicit credentials). Raises DatasetError for a
    missing or partial dataset, an unknown format version, shards that are missing or of the
    wrong size, and (``verify``) shards whose bytes changed.
    """
    fs, inner = split_uri(path, filesystem)
    directory = resolve_dir(inner, fs)
    mpath = join(fs, directory, "_manifest.json")
    if not is_file(fs, mpath):
        staging = is_dir(fs, join(fs, directory, "_staging"))
        raise DatasetError(
            f"No realign dataset at {path}: {mpath} does not exist"
            + (" (a _staging folder is there: the run did not finish, so the dataset is partial;"
               " rerun it with --mode resume)" if staging else
               " (the manifest is written last: without it the shards are not a dataset)"))
    try:
        with open_read(fs, mpath) as f:
            raw = json.loads(f.read().decode("utf-8"))
    except ValueError as e:
        raise DatasetError(f"Invalid manifest {mpath}: not JSON ({e})") from e
    if not isinstance(raw, dict):
        raise DatasetError(f"Invalid manifest {mpath}: {type(raw).__name__} (must be an object)")
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
    try:
        shards = [ShardEntry(_plain_name(s.get("name"), mpath),
                             _count(s.get("rows"), "shard rows", mpath),
                             _count(s.get("bytes"), "shard bytes", mpath),
                             _text(s.get("sha256"), "shard sha256", mpath))
                  for s in _list(raw.get("shards", []), mpath)]
    except AttributeError as e:  # a shard entry that is not an object
        raise DatasetError(f"Invalid manifest {mpath}: shards must be objects ({e})") from e
    rows = _count(raw.get("rows"), "rows", mpath)
    dim = _count(raw.get("dim"), "dim", mpath)
    if dim < 1:
        raise DatasetError(f"Invalid manifest {mpath}: dim {dim} (must be >= 1)")
    if sum(s.rows for s in shards) != rows:
        raise DatasetError(f"Invalid manifest {mpath}: shards hold {sum(s.rows for s in shards)}"
                           f" rows, the manifest says {rows}")
    m = Manifest(directory, rows, dim, dtype, shard_format,
                 _text(raw.get("transform_sha256", "none"), "transform_sha256", mpath), shards, raw,
                 fs)
    itemsize = 2 if dtype == "float16" else 4
    for s in shards:
        p = m.shard_path(s)
        if fs is None:
            try:
                st = os.lstat(p)  # a symbolic link is not followed: it could point anywhere
            except FileNotFoundError:
                st = None
            if st is None or not stat.S_ISREG(st.st_mode):
                what = "is missing" if st is None else (
                    "is a symbolic link (not followed)" if stat.S_ISLNK(st.st_mode)
                    else "is not a regular file")
                raise DatasetError(f"Partial dataset {directory}: shard {s.name} listed in the"
                                   f" manifest {what}")
            size = st.st_size
        else:
            if not is_file(fs, p):
                raise DatasetError(f"Partial dataset {directory}: shard {s.name} listed in the"
                                   f" manifest is missing")
            size = size_of(fs, p)
        if size != s.bytes:
            raise DatasetError(f"Corrupted shard {p}: size expected {s.bytes} bytes, actual {size}")
        # Every size is bounded by the bytes really there before anything is allocated: the
        # embeddings alone of a shard take rows x dim x itemsize bytes.
        if s.rows * dim * itemsize > size:
            raise DatasetError(f"Invalid manifest {mpath}: shard {s.name} of {size} bytes cannot"
                               f" hold {s.rows} rows of dim {dim} {dtype}")
        if verify:
            actual = sha256_file(p, fs)
            if actual != s.sha256:
                raise DatasetError(f"Corrupted shard {p}: sha256 expected {s.sha256}, actual"
                                   f" {actual}")
    return m


def _plain_name(name, mpath: str) -> str:
    """A shard name must be one plain file name in the manifest's directory: no separator, not
    ``.`` or ``..``, not absolute (checked before anything touches the file system)."""
    ok = (isinstance(name, str) and name not in ("", ".", "..") and len(name) <= 255
          and not any(c in name for c in "/\\:") and all(" " <= c != "\x7f" for c in name))
    if not ok:
        raise DatasetError(f"Invalid manifest {mpath}: shard name {name!r} (must be a single plain"
                           f" file name: no '/', '\\' or ':', not '.' or '..')")
    return name


def _count(v, what: str, mpath: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise DatasetError(f"Invalid manifest {mpath}: {what} {v!r} (must be an integer >= 0)")
    return v


def _text(v, what: str, mpath: str) -> str:
    if not isinstance(v, str):
        raise DatasetError(f"Invalid manifest {mpath}: {what} {v!r} (must be a string)")
    return v


def _list(v, mpath: str) -> list:
    if not isinstance(v, list):
        raise DatasetError(f"Invalid manifest {mpath}: shards {type(v).__name__} (must be a list)")
    return v


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


def sha256_file(path: str, filesystem=None) -> str:
    h = hashlib.sha256()
    with open_read(filesystem, path) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
