"""Fixtures: the golden shards under tests/fixtures (committed; written by realign's Java job, which
ArrowOutputTest checks byte for byte), or the directory REALIGN_READER_FIXTURES names."""

import importlib
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.dirname(HERE))  # realign_reader without installing it

PIP = ("pip install --index-url file:///opt/pypi/simple --extra-index-url "
       "file:///opt/pypi-more/simple --find-links /opt/wheels")
_missing = [m for m in ("numpy", "pyarrow", "torch", "datasets")
            if importlib.util.find_spec(m) is None]
if _missing:
    raise ImportError(f"The realign_reader tests need {', '.join(_missing)}: {PIP} "
                      f"{' '.join(_missing)} (or: pip install -e deploy/reader[test])")

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import pytest  # noqa: E402

FIXTURES = os.environ.get("REALIGN_READER_FIXTURES", os.path.join(HERE, "fixtures"))
COCO = os.path.join(REPO, "realign-udf", "src", "test", "resources", "modality-gap-2022",
                    "features_clip.npy")
N, D = 500, 512


def _require_fixtures():
    if not os.path.isfile(os.path.join(FIXTURES, "expected-float32.npy")):
        pytest.fail(f"No Java-written shards in {FIXTURES}: the golden ones are committed in"
                    f" {os.path.join(HERE, 'fixtures')} (see PROVENANCE.md there); a directory"
                    f" named by REALIGN_READER_FIXTURES must hold the same layout")


@pytest.fixture(scope="session")
def fixtures():
    _require_fixtures()
    return FIXTURES


@pytest.fixture(scope="session")
def expected32(fixtures):
    return np.load(os.path.join(fixtures, "expected-float32.npy"))


@pytest.fixture(scope="session")
def coco_texts():
    return np.load(COCO)[1]


def _sha256(path):
    from realign_reader.manifest import sha256_file
    return sha256_file(path)


@pytest.fixture
def copy_of(fixtures, tmp_path):
    """A private copy of one fixture output, for tests that damage it."""
    def make(name):
        dst = tmp_path / name
        shutil.copytree(os.path.join(fixtures, name), dst)
        return str(dst)
    return make
