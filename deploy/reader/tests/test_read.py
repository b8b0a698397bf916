"""Shards written by the Java job read bit-identical in Python, both formats, both dtypes."""

import numpy as np
import pytest
import torch

from realign_reader import open_aligned

from conftest import N, D


def _expected(expected32, dtype):
    return expected32 if dtype == "float32" else expected32.astype(np.float16)  # ties to even


@pytest.mark.parametrize("name", ["parquet-float32", "arrow-float32", "arrow-float16",
                                  "parquet-float16"])
def test_java_shards_read_bit_identical(name, fixtures, expected32):
    path = f"{fixtures}/{name}"
    ds = open_aligned(path, verify=True)
    fmt, dtype = name.split("-")
    assert ds.manifest.shard_format == fmt and ds.dtype == dtype and ds.dim == D
    assert len(ds) == N
    got, want = ds.embeddings(), _expected(expected32, dtype)
    assert got.dtype == want.dtype and got.shape == (N, D)
    bits = np.uint32 if dtype == "float32" else np.uint16
    assert np.array_equal(got.view(bits), want.view(bits))
    assert ds.ids() == [f"coco-{i:03d}" for i in range(N)]
    assert ds.texts()[7] == "caption 7 – a café"
    item = ds[7]
    assert item["id"] == "coco-007" and item["text"] == "caption 7 – a café"
    assert item["embedding"].dtype == getattr(torch, dtype)
    assert torch.equal(item["embedding"], torch.from_numpy(want[7]))
    assert torch.equal(ds["coco-123"]["embedding"], ds[123]["embedding"])
    assert ds[-1]["id"] == "coco-499"


def test_arrow_shards_are_memory_mapped_not_copied(fixtures):
    ds = open_aligned(f"{fixtures}/arrow-float32")
    for chunk in ds.chunks():
        assert not chunk.flags.writeable  # a view of the read-only memory map
        assert not chunk.flags.owndata
    assert ds.index_of("coco-064") == 64
    with pytest.raises(KeyError, match="id 'nope' is not in"):
        ds.index_of("nope")
    with pytest.raises(IndexError, match="row 500 out of range for 500 rows"):
        ds[500]


def test_dataloader_batches(fixtures, expected32):
    ds = open_aligned(f"{fixtures}/arrow-float32")
    loader = torch.utils.data.DataLoader(ds, batch_size=64, shuffle=False)
    batches = list(loader)
    assert [b["embedding"].shape[0] for b in batches] == [64] * 7 + [52]
    assert batches[0]["embedding"].shape == (64, D)
    assert torch.equal(torch.cat([b["embedding"] for b in batches]), torch.from_numpy(expected32))
    assert batches[1]["id"][0] == "coco-064"
