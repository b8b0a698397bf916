"""Missing, partial, corrupted or unexpected datasets are refused with clear messages."""

import json
import os
import shutil

import pytest

from realign_reader import AlignedIterable, DatasetError, hf_dataset, open_aligned


def test_missing_manifest_is_refused(copy_of):
    out = copy_of("arrow-float32")
    os.remove(os.path.join(out, "aligned", "_manifest.json"))
    with pytest.raises(DatasetError, match=r"No realign dataset at .*_manifest.json does not"
                                           r" exist .*without it the shards are not a dataset"):
        open_aligned(out)
    os.makedirs(os.path.join(out, "aligned", "_staging"))
    with pytest.raises(DatasetError, match="the run did not finish, so the dataset is partial"):
        AlignedIterable(out)


def test_missing_shard_is_refused(copy_of):
    out = copy_of("parquet-float32")
    os.remove(os.path.join(out, "aligned", "part-00001-of-00003.parquet"))
    with pytest.raises(DatasetError, match="Partial dataset .*: shard part-00001-of-00003.parquet"
                                           " listed in the manifest is missing"):
        open_aligned(out)


@pytest.mark.parametrize("name", ["arrow-float32", "parquet-float32"])
def test_corrupted_shard_is_refused(copy_of, name):
    out = copy_of(name)
    ext = name.split("-")[0]
    shard = os.path.join(out, "aligned", f"part-00002-of-00003.{ext}")
    with open(shard, "r+b") as f:  # one flipped bit inside an embedding, same size
        f.seek(os.path.getsize(shard) // 2)
        b = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([b[0] ^ 0x10]))
    with pytest.raises(DatasetError, match=r"Corrupted shard .*part-00002-of-00003\.\w+: sha256"
                                           r" expected [0-9a-f]{64}, actual [0-9a-f]{64}"):
        open_aligned(out, verify=True)
    with open(shard, "r+b") as f:
        f.truncate(1000)
    with pytest.raises(DatasetError, match="Corrupted shard .*: size expected \\d+ bytes, actual"
                                           " 1000"):
        open_aligned(out)


def _edit_manifest(out, **changes):
    p = os.path.join(out, "aligned", "_manifest.json")
    m = json.load(open(p))
    m.update(changes)
    json.dump(m, open(p, "w"))


def test_unknown_format_version_is_refused(copy_of):
    out = copy_of("arrow-float16")
    _edit_manifest(out, format_version=2)
    with pytest.raises(DatasetError, match=r"unknown format_version 2 \(this realign_reader knows"
                                           r" \[1\]; upgrade it\)"):
        open_aligned(out)


def test_wrong_dim_dtype_or_transform_is_refused(fixtures, copy_of):
    path = f"{fixtures}/arrow-float32"
    with pytest.raises(DatasetError, match="has dim 512, expected 1280 .*mm_hidden_size"):
        open_aligned(path, dim=1280)
    with pytest.raises(DatasetError, match="has dtype float32, expected float16"):
        open_aligned(path, dtype="float16")
    with pytest.raises(DatasetError, match="aligned by transform 46ff.*, expected 0000"):
        AlignedIterable(path, transform_sha256="0000")
    out = copy_of("arrow-float32")
    _edit_manifest(out, dtype="float16")  # the shards hold float32
    with pytest.raises(DatasetError, match=r"embedding is fixed_size_list<item: float not null>"
                                           r"\[512\], the manifest says dim 512 dtype float16"):
        open_aligned(out)
    with pytest.raises(DatasetError, match="the manifest says dim 512 dtype float16"):
        hf_dataset(out)
    _edit_manifest(out, dtype="float32", transform_sha256="f" * 64)
    with pytest.raises(DatasetError, match="but the realign-transform.json beside it is 46ff"):
        open_aligned(out)


def test_hugging_face_view_needs_arrow_shards(fixtures):
    with pytest.raises(DatasetError, match="has parquet shards: the Hugging Face view"
                                           " memory-maps Arrow IPC streams"):
        hf_dataset(f"{fixtures}/parquet-float32")
