"""Hugging Face datasets view of the Arrow shards; ReVision records and embedding lookup."""

import json
import os

import numpy as np
import pytest
import torch

from realign_reader import DatasetError, hf_dataset, load_embedding_lookup, open_aligned
from realign_reader import write_revision_records


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_dataset_from_file_loads_the_arrow_shards(fixtures, expected32, dtype):
    ds = hf_dataset(f"{fixtures}/arrow-{dtype}")
    assert len(ds) == 500
    assert ds.column_names == ["id", "text", "embedding"]
    assert ds.features["embedding"].length == 512
    assert ds[3]["id"] == "coco-003"
    ds = ds.with_format("numpy")
    want = expected32.astype(np.float16) if dtype == "float16" else expected32
    assert np.array_equal(np.asarray(ds["embedding"]), want)
    # the same view from an opened dataset
    assert len(open_aligned(f"{fixtures}/arrow-{dtype}").hf()) == 500


def test_revision_records_and_lookup(fixtures, expected32, tmp_path):
    out = str(tmp_path / "revision")
    index = write_revision_records(f"{fixtures}/arrow-float32", out)
    assert index["rows"] == 500 and index["dim"] == 512 and index["skipped_without_text"] == 0
    records = json.load(open(os.path.join(out, "pretrain.json"), encoding="utf-8"))
    assert records[7] == {"id": "coco-007", "image": "coco-007", "conversations": [
        {"from": "human", "value": "<image>\n"},
        {"from": "gpt", "value": "caption 7 – a café"}]}
    lookup = load_embedding_lookup(out, mm_hidden_size=512)
    assert len(lookup) == 500 and "coco-499" in lookup
    assert torch.equal(lookup["coco-007"], torch.from_numpy(expected32[7]))
    with pytest.raises(KeyError, match="id 'coco-999' has no embedding in"):
        lookup["coco-999"]
    with pytest.raises(DatasetError, match="Embeddings have dim 512, the model's mm_hidden_size"
                                           " is 1280"):
        load_embedding_lookup(out, mm_hidden_size=1280)
