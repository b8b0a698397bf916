"""open_aligned("s3://...") through pyarrow.fs against a real S3 server on 127.0.0.1: s3proxy (the
jar the Java build copies to spark-jobs/target/s3proxy/s3proxy.jar, run with the local java), the
golden fixture shards (deploy/reader/tests/fixtures) uploaded to it. Nothing is skipped: without
the jar or java the test fails and says how to get them. It needs the Java build (the jar), so it
runs in `mvn verify` (deploy/reader/run-tests.sh --after-java-tests), not in the reader's
standalone suite."""

import os
import shutil
import socket
import subprocess
import time

import sys

import numpy as np
import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                    ".."))
sys.path.insert(0, os.path.join(REPO, "deploy", "reader"))  # realign_reader without installing it

from realign_reader import open_aligned  # noqa: E402
from realign_reader.manifest import DatasetError  # noqa: E402

N, D = 500, 512  # the golden fixtures: COCO-500 at CLIP's d
FIXTURES = os.environ.get("REALIGN_READER_FIXTURES",
                          os.path.join(REPO, "deploy", "reader", "tests", "fixtures"))

S3PROXY = os.environ.get("REALIGN_S3PROXY_JAR",
                         os.path.join(REPO, "spark-jobs", "target", "s3proxy", "s3proxy.jar"))
BUCKET = "realign-reader-test"
ACCESS, SECRET = "reader-test-access", "reader-test-secret"
START_TIMEOUT_S = 60


@pytest.fixture(scope="session")
def fixtures():
    if not os.path.isfile(os.path.join(FIXTURES, "expected-float32.npy")):
        pytest.fail(f"No golden shards in {FIXTURES} (committed in deploy/reader/tests/fixtures)")
    return FIXTURES


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    if not os.path.isfile(S3PROXY):
        pytest.fail(f"No s3proxy jar at {S3PROXY}: the Java build copies it there (mvn -B -ntp"
                    f" -pl spark-jobs -DskipClusterJar test-compile), or set REALIGN_S3PROXY_JAR")
    java = shutil.which("java")
    if java is None:
        pytest.fail("No java on PATH: the S3 test runs s3proxy, a Java server")
    from pyarrow import fs as pafs
    work = tmp_path_factory.mktemp("s3proxy")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    props = work / "s3proxy.properties"
    props.write_text("\n".join([
        f"s3proxy.endpoint=http://127.0.0.1:{port}", "s3proxy.authorization=aws-v2-or-v4",
        f"s3proxy.identity={ACCESS}", f"s3proxy.credential={SECRET}",
        "jclouds.provider=filesystem-nio2", f"jclouds.filesystem.basedir={work / 'data'}", ""]))
    (work / "data").mkdir()
    log = open(work / "s3proxy.log", "wb")
    proc = subprocess.Popen([java, "-Xmx256m", "-jar", S3PROXY, "--properties", str(props)],
                            stdout=log, stderr=subprocess.STDOUT,
                            env=dict(os.environ, LOG_LEVEL="warn", JETTY_LOG_LEVEL="warn"))
    try:
        deadline = time.time() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"s3proxy exited with {proc.returncode}: "
                            f"{(work / 's3proxy.log').read_text(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.time() > deadline:
                    pytest.fail(f"s3proxy did not listen on 127.0.0.1:{port} within"
                                f" {START_TIMEOUT_S} s")
                time.sleep(0.2)
        fs = pafs.S3FileSystem(access_key=ACCESS, secret_key=SECRET, region="us-east-1",
                               endpoint_override=f"127.0.0.1:{port}", scheme="http",
                               allow_bucket_creation=True)
        fs.create_dir(BUCKET)
        yield fs
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _upload(fs, local_dir, prefix):
    from pyarrow import fs as pafs
    pafs.copy_files(local_dir, f"{BUCKET}/{prefix}", source_filesystem=pafs.LocalFileSystem(),
                    destination_filesystem=fs)


@pytest.mark.parametrize("name", ["parquet-float32", "arrow-float32"])
def test_open_aligned_reads_an_s3_dataset_as_it_reads_the_local_one(name, s3, fixtures):
    local = open_aligned(f"{fixtures}/{name}", verify=True)
    _upload(s3, f"{fixtures}/{name}", name)
    remote = open_aligned(f"s3://{BUCKET}/{name}", verify=True, filesystem=s3)
    assert remote.manifest.shard_format == local.manifest.shard_format
    assert len(remote) == len(local) == N and remote.dim == D
    assert np.array_equal(remote.embeddings().view(np.uint32),
                          local.embeddings().view(np.uint32))
    assert remote.ids() == local.ids()
    assert remote[7]["id"] == local[7]["id"]


def test_a_damaged_s3_shard_is_refused_naming_it(s3, fixtures):
    name = "parquet-float32"
    _upload(s3, f"{fixtures}/{name}", "damaged")
    ds = open_aligned(f"s3://{BUCKET}/damaged", filesystem=s3)
    shard = ds.manifest.shards[0]
    path = f"{BUCKET}/damaged/aligned/{shard.name}"
    if not s3.get_file_info(path).type.name == "File":
        path = f"{BUCKET}/damaged/{shard.name}"
    with s3.open_input_stream(path) as f:
        data = bytearray(f.read())
    data[len(data) // 2] ^= 0xFF
    with s3.open_output_stream(path) as f:
        f.write(bytes(data))
    with pytest.raises(DatasetError, match=f"Corrupted shard .*{shard.name}: sha256 expected"):
        open_aligned(f"s3://{BUCKET}/damaged", verify=True, filesystem=s3)


def test_a_missing_s3_dataset_names_the_uri(s3):
    with pytest.raises(DatasetError, match=f"No realign dataset at s3://{BUCKET}/nothing"):
        open_aligned(f"s3://{BUCKET}/nothing", filesystem=s3)
