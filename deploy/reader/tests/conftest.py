"""Fixtures: the shards ArrowOutputTest (Java) wrote under spark-jobs/target/reader-fixtures."""

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

FIXTURES = os.environ.get("REALIGN_READER_FIXTURES",
                          os.path.join(REPO, "spark-jobs", "target", "reader-fixtures"))
COCO = os.path.join(REPO, "realign-udf", "src", "test", "resources", "modality-gap-2022",
                    "features_clip.npy")
N, D = 500, 512


def _require_fixtures():
    if not os.path.isfile(os.path.join(FIXTURES, "expected-float32.npy")):
        pytest.fail(f"No Java-written shards in {FIXTURES}: they come from the Java test"
                    f" ArrowOutputTest (mvn verify runs it first; alone: mvn -B -ntp"
                    f" -DskipClusterJar -pl spark-jobs -am -Dtest=ArrowOutputTest"
                    f" -Dsurefire.failIfNoSpecifiedTests=false test)")


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


@pytest.fixture(scope="session")
def parquet16(fixtures, tmp_path_factory):
    """Parquet float16 shards (list<halffloat>, Parquet's FLOAT16 logical type) made here from
    the Java Arrow float16 shards with pyarrow, manifest and all: a stand-in until the Java
    Parquet writer's float16 is on this branch; then ArrowOutputTest writes it like the others."""
    src = os.path.join(fixtures, "arrow-float16")
    out = tmp_path_factory.mktemp("pq16") / "parquet-float16"
    shutil.copytree(src, out, ignore=shutil.ignore_patterns("*.arrow"))
    manifest = json.load(open(os.path.join(src, "aligned", "_manifest.json")))
    for s in manifest["shards"]:
        table = pa.ipc.open_stream(pa.memory_map(os.path.join(src, "aligned", s["name"]))) \
            .read_all()
        emb = table.column("embedding").combine_chunks()
        as_list = pa.ListArray.from_arrays(
            pa.array(np.arange(0, (len(emb) + 1) * D, D, dtype=np.int32)), emb.flatten())
        table = table.set_column(table.schema.get_field_index("embedding"),
                                 pa.field("embedding", pa.list_(pa.float16()), False), as_list)
        name = s["name"].replace(".arrow", ".parquet")
        path = os.path.join(out, "aligned", name)
        pq.write_table(table, path)
        s.update(name=name, bytes=os.path.getsize(path), sha256=_sha256(path))
    manifest["shard_format"] = "parquet"
    with open(os.path.join(out, "aligned", "_manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    return str(out)


@pytest.fixture
def copy_of(fixtures, tmp_path):
    """A private copy of one fixture output, for tests that damage it."""
    def make(name):
        dst = tmp_path / name
        shutil.copytree(os.path.join(fixtures, name), dst)
        return str(dst)
    return make
