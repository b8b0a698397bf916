"""The torch transform equals the Java shards on COCO-500 (to 1e-6) and checks its file."""

import json
import os

import numpy as np
import pytest
import torch

from realign_reader import load_transform
from realign_reader.transform import Transform

TOLERANCE = 1e-6


def test_torch_transform_matches_the_java_shards(fixtures, coco_texts, expected32):
    t = load_transform(f"{fixtures}/arrow-float32")  # an output dir or the JSON file
    assert t.dim == 512 and t.variant == "realign" and len(t.mu_hat) == 1
    out = t(torch.from_numpy(coco_texts))
    assert out.dtype == torch.float32 and out.shape == (500, 512)
    assert np.abs(out.numpy() - expected32).max() <= TOLERANCE
    # float32 compute (faster on GPUs) is still within tolerance of the shards
    out32 = t(torch.from_numpy(coco_texts), compute_dtype=torch.float32)
    assert np.abs(out32.numpy() - expected32).max() <= TOLERANCE


def test_edited_transform_is_refused(fixtures, tmp_path):
    doc = json.load(open(f"{fixtures}/arrow-float32/realign-transform.json"))
    doc["scale"] = doc["scale"] * (1 + 1e-12)
    p = tmp_path / "realign-transform.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="sha256 expected 46ff.*, actual .*edited or damaged"):
        load_transform(str(p))
    t = load_transform(f"{fixtures}/arrow-float32/realign-transform.json")
    with pytest.raises(ValueError, match=r"shape \(3, 511\) \(must be \(n, 512\)"):
        t(torch.zeros(3, 511))


REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GOLDEN = os.path.join(REPO, "realign-udf", "src", "test", "resources", "golden")


@pytest.mark.parametrize("version", [1, 2])
def test_the_java_golden_transforms_of_each_format_version_hash_alike(version):
    # Version 2 records the encoder's pooling, context length and output dtype (realign encoded the
    # texts); TransformGoldenTest checks that realign still writes these bytes.
    path = os.path.join(GOLDEN, f"realign-transform-v{version}.json")
    t = load_transform(path)
    assert t.doc["format_version"] == version
    with open(os.path.join(GOLDEN, f"realign-transform-v{version}.sha256")) as f:
        assert t.sha256 == f.read().strip()
    enc = t.doc["encoder"]
    assert ("context_length" in enc) == (version == 2)
    if version == 2:
        assert (enc["pooling"], enc["context_length"], enc["output_dtype"]) == \
            ("output:text_embeds", 77, "float16")
        doc = dict(t.doc, encoder=dict(enc, context_length=76))
        with pytest.raises(ValueError, match="edited or damaged"):
            Transform(doc)
