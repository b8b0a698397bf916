"""Damaged Parquet files and pyarrow's verdict on each: DamagedParquetTest's table.

usage: python3 damaged_parquet.py OUT_DIR [BASE.parquet ...]
       python3 damaged_parquet.py --verdicts DIR   (pyarrow's verdicts only: ParquetFuzzTest)

Writes clean bases with pyarrow into OUT_DIR (every encoding and codec pyarrow writes: PLAIN,
RLE_DICTIONARY, BYTE_STREAM_SPLIT; V1 and V2 pages; SNAPPY, ZSTD, GZIP, LZ4_RAW, none; with and
without page CRCs), copies the given bases (DuckDB's, Spark's, the Java-crafted ones) beside them,
damages the vector column of each base in every way that applies, and writes verdicts.json:
{file: {"ok": true, "ids": [...], "bits": [[float32 bits...] or null, ...]} or {"ok": false,
"error": "..."}} as pyarrow 25 reads it (pq.read_table with page_checksum_verification=True).
Deterministic: no randomness beyond a seeded generator.
"""
import json
import os
import shutil
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROWS, DIM = 240, 8


def bases(out):
    rng = np.random.default_rng(22)
    # quarter steps in [-2, 2): values repeat, so pyarrow's default keeps dictionary pages
    x = (rng.integers(-8, 8, size=(ROWS, DIM)) / 4).astype(np.float32)
    offsets = pa.array(np.arange(0, ROWS * DIM + 1, DIM, dtype=np.int32))
    table = pa.table({"id": pa.array([f"r{i}" for i in range(ROWS)]),
                      "embedding": pa.ListArray.from_arrays(offsets, pa.array(x.ravel()))})
    el = "embedding.list.element"
    kinds = {
        "pa-default": {},  # RLE_DICTIONARY, SNAPPY, V1
        "pa-dict-none-v1": dict(compression="none"),
        "pa-dict-none-v2": dict(compression="none", data_page_version="2.0"),
        "pa-dict-zstd-v2-crc": dict(compression="zstd", data_page_version="2.0",
                                    write_page_checksum=True),
        "pa-dict-gzip-crc": dict(compression="gzip", write_page_checksum=True),
        "pa-dict-lz4-v2": dict(compression="lz4", data_page_version="2.0"),
        "pa-plain-snappy": dict(use_dictionary=False),
        "pa-plain-none-crc": dict(use_dictionary=False, compression="none",
                                  write_page_checksum=True),
        "pa-plain-zstd-v2": dict(use_dictionary=False, compression="zstd",
                                 data_page_version="2.0"),
        "pa-plain-gzip": dict(use_dictionary=False, compression="gzip"),
        "pa-plain-lz4": dict(use_dictionary=False, compression="lz4"),
        "pa-bss-zstd": dict(use_dictionary=False, compression="zstd",
                            column_encoding={el: "BYTE_STREAM_SPLIT", "id": "PLAIN"}),
        "pa-bss-none-v2-crc": dict(use_dictionary=False, compression="none",
                                   data_page_version="2.0", write_page_checksum=True,
                                   column_encoding={el: "BYTE_STREAM_SPLIT", "id": "PLAIN"}),
    }
    for name, kw in kinds.items():
        # small pages: the damaged page is page 1 of the vector column, not its only one
        pq.write_table(table, os.path.join(out, name + ".parquet"), data_page_size=2048, **kw)


# --- Thrift compact protocol: just enough to find page headers' fields and their bytes -----------

def varint(b, at):
    v, shift = 0, 0
    while True:
        x = b[at]
        at += 1
        v |= (x & 0x7F) << shift
        shift += 7
        if not x & 0x80:
            return v, at


def struct_fields(b, at):
    """Parses a compact struct at b[at:]: ({id: value or (start, end, int) or dict}, end)."""
    fields, last = {}, 0
    while True:
        h = b[at]
        at += 1
        t = h & 0x0F
        if t == 0:
            return fields, at
        delta = h >> 4
        if delta:
            fid = last + delta
        else:
            z, at = varint(b, at)
            fid = (z >> 1) ^ -(z & 1)
        last = fid
        if t in (1, 2):
            fields[fid] = t == 1
        elif t == 3:
            at += 1
        elif t in (4, 5, 6):
            start = at
            z, at = varint(b, at)
            fields[fid] = (start, at, (z >> 1) ^ -(z & 1))
        elif t == 7:
            at += 8
        elif t == 8:
            n, at = varint(b, at)
            at += n
        elif t == 12:
            fields[fid], at = struct_fields(b, at)
        elif t in (9, 10):
            h2 = b[at]
            at += 1
            n = h2 >> 4
            if n == 15:
                n, at = varint(b, at)
            et = h2 & 0x0F
            for _ in range(n):
                at = skip(b, at, et)
        else:
            raise ValueError(f"thrift type {t} not handled")


def skip(b, at, t):
    if t in (1, 2, 3):
        return at + 1
    if t in (4, 5, 6):
        return varint(b, at)[1]
    if t == 7:
        return at + 8
    if t == 8:
        n, at = varint(b, at)
        return at + n
    if t == 12:
        return struct_fields(b, at)[1]
    raise ValueError(f"thrift type {t} not handled in a list")


def pages(b, chunk):
    """Every page of a column chunk: (header fields, header start, body start, body end)."""
    start = chunk.dictionary_page_offset or chunk.data_page_offset
    if chunk.dictionary_page_offset is not None and chunk.dictionary_page_offset > 0:
        start = min(chunk.dictionary_page_offset, chunk.data_page_offset)
    end, at, out = start + chunk.total_compressed_size, start, []
    while at < end:
        f, body = struct_fields(b, at)
        out.append((f, at, body, body + f[3][2]))
        at = body + f[3][2]
    return out


def set_int(b, span, value):
    """Rewrites a zigzag varint in place, padded to its old length; False if it does not fit."""
    start, end, _ = span
    z = (value << 1) ^ (value >> 63)
    n = end - start
    if z >= 1 << (7 * n):
        return False
    for k in range(n):
        b[start + k] = ((z >> (7 * k)) & 0x7F) | (0x80 if k < n - 1 else 0)
    return True


# --- Damage kinds ------------------------------------------------------------------------------

def damages(data, path):
    """{kind: damaged bytes} for the vector column (the last leaf) of row group 0."""
    md = pq.ParquetFile(path).metadata
    rg = md.row_group(0)
    chunk = rg.column(rg.num_columns - 1)
    ps = pages(data, chunk)
    dict_pages = [p for p in ps if p[0][1][2] == 2]
    data_pages = [p for p in ps if p[0][1][2] in (0, 3)]
    target = data_pages[min(1, len(data_pages) - 1)]
    f, hstart, body, bend = target
    out = {}

    def edit(fn):
        b = bytearray(data)
        return bytes(b) if fn(b) is not False else None

    n = bend - body
    out["body-zeroed"] = edit(lambda b: b.__setitem__(
        slice(body + n // 4, body + 3 * n // 4), bytes(3 * n // 4 - n // 4)))
    out["body-byte-flipped"] = edit(lambda b: b.__setitem__(body + n // 2, b[body + n // 2] ^ 0x5A))
    out["size-plus-one"] = edit(lambda b: set_int(b, f[2], f[2][2] + 1))
    out["size-minus-one"] = edit(lambda b: set_int(b, f[2], f[2][2] - 1))
    header = f.get(5) or f.get(8)
    out["num-values-plus-one"] = edit(lambda b: set_int(b, header[1], header[1][2] + 1))
    out["num-values-minus-one"] = edit(lambda b: set_int(b, header[1], header[1][2] - 1))
    if dict_pages:
        df, dh, dbody, dend = dict_pages[0]
        out["dict-num-values-minus-one"] = edit(lambda b: set_int(b, df[7][1], df[7][1][2] - 1))
        m = (dbody + dend) // 2
        out["dict-body-flipped"] = edit(lambda b: b.__setitem__(m, b[m] ^ 0x5A))
    if 5 in f and chunk.compression == "UNCOMPRESSED":
        # V1 body: rep levels (4-byte length + runs), def levels (same), then the values
        rl = int.from_bytes(data[body:body + 4], "little")
        dl_at = body + 4 + rl
        out["def-length-plus-one"] = edit(lambda b: b.__setitem__(
            slice(dl_at, dl_at + 4), (int.from_bytes(b[dl_at:dl_at + 4], "little") + 1)
            .to_bytes(4, "little")))
        values_at = dl_at + 4 + int.from_bytes(data[dl_at:dl_at + 4], "little")
    elif 8 in f and chunk.compression == "UNCOMPRESSED":
        values_at = body + f[8][5][2] + f[8][6][2]
    else:
        values_at = None
    if values_at is not None and f[(5 if 5 in f else 8)][(2 if 5 in f else 4)][2] in (2, 8):
        # dictionary indices (PLAIN_DICTIONARY / RLE_DICTIONARY): a bit width byte, then runs
        w = data[values_at]
        out["index-width-up"] = edit(lambda b: b.__setitem__(values_at, w + 1))
        out["index-width-down"] = edit(lambda b: b.__setitem__(values_at, max(w - 1, 0)))
        out["index-runs-zeroed"] = edit(lambda b: b.__setitem__(
            slice(values_at + 1, bend), bytes(bend - values_at - 1)))
    out["truncated"] = data[: len(data) * 3 // 5]
    footer = int.from_bytes(data[-8:-4], "little")
    out["footer-only"] = b"PAR1" + data[-(footer + 8):]
    return {k: v for k, v in out.items() if v is not None}


def id_text(v):
    """An id as realign reads it: its UTF-8 text; null when absent or not valid UTF-8."""
    try:
        return None if v is None else v.decode("utf-8")
    except UnicodeDecodeError:
        return None


def vector_bits(arr):
    """Each row's float32 bits as stored (no trip through Python floats, which would quiet a
    signalling NaN); None for a null vector or one with a null component."""
    vals = arr.values
    data = np.frombuffer(vals.buffers()[1], dtype=np.uint32)[vals.offset:vals.offset + len(vals)]
    child_ok = vals.is_valid().to_numpy(zero_copy_only=False)
    row_ok = arr.is_valid().to_numpy(zero_copy_only=False)
    offsets = arr.offsets.to_numpy()
    out = []
    for i in range(len(arr)):
        s, e = offsets[i], offsets[i + 1]
        out.append(data[s:e].tolist() if row_ok[i] and child_ok[s:e].all() else None)
    return out


def verdict(path):
    try:
        t = pq.read_table(path, page_checksum_verification=True)
        ids = [id_text(v) for v in t.column("id").cast(pa.binary()).to_pylist()]
        bits = vector_bits(t.column("embedding").combine_chunks())
        return {"ok": True, "ids": ids, "bits": bits}
    except Exception as e:  # pyarrow's refusal, whatever its type
        return {"ok": False, "error": f"{type(e).__name__}: {e}"[:400]}


def main():
    if sys.argv[1] == "--verdicts":  # only pyarrow's verdicts on the files already there
        out = sys.argv[2]
        table = {f: verdict(os.path.join(out, f))
                 for f in sorted(os.listdir(out)) if f.endswith(".parquet")}
        with open(os.path.join(out, "verdicts.json"), "w") as fh:
            json.dump(table, fh)
        return
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    bases(out)
    for extra in sys.argv[2:]:
        shutil.copy(extra, out)
    clean = sorted(f for f in os.listdir(out) if f.endswith(".parquet") and "~" not in f)
    for name in clean:
        path = os.path.join(out, name)
        if name.startswith("crafted-"):
            continue  # damaged already (by the Java test)
        with open(path, "rb") as fh:
            data = fh.read()
        for kind, bytes_ in damages(data, path).items():
            with open(os.path.join(out, name[:-8] + "~" + kind + ".parquet"), "wb") as fh:
                fh.write(bytes_)
    table = {f: verdict(os.path.join(out, f))
             for f in sorted(os.listdir(out)) if f.endswith(".parquet")}
    with open(os.path.join(out, "verdicts.json"), "w") as fh:
        json.dump(table, fh)
    print(f"{len(table)} files, pyarrow refuses {sum(not v['ok'] for v in table.values())}")


if __name__ == "__main__":
    main()
