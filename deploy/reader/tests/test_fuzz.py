"""Seeded mutation fuzz of what the reader trusts (issue 22): manifests and shards.

Budget: REALIGN_FUZZ_ITERATIONS mutations per target (default small, for CI; the longer run is
spark-jobs/bench/run-fuzz.sh). Every outcome is the clean dataset's answer or a DatasetError /
ValueError naming the manifest or the shard; never another exception, a hang or a different
answer. Shards are read with ``verify=True`` (the SHA-256 contract); ``verify=False`` trusts a
shard of the right size, so it is fuzzed for crashes only and its different answers are counted.
"""

import os
import random
import shutil

import numpy as np
import pytest

from realign_reader import DatasetError, open_aligned

SEED = 22_006
ITERATIONS = int(os.environ.get("REALIGN_FUZZ_ITERATIONS", "60"))
INTERESTING = [b"0", b"-1", b"1e999", b"10000000000000", b"\"../../x\"", b"\"/etc/passwd\"",
               b"null", b"[]", b"{}", b"\"\"", b"true", b"1.5"]


def mutate(clean: bytes, rnd: random.Random, text: bool) -> bytes:
    b = bytearray(clean)
    for _ in range(rnd.randint(1, 4)):
        if not b:
            b = bytearray(b"\x00")
        at = rnd.randrange(len(b))
        op = rnd.randrange(8 if text else 6)
        if op == 0:
            b[at] ^= 1 << rnd.randrange(8)
        elif op == 1:
            b[at] = rnd.randrange(256)
        elif op == 2:
            b[at] = rnd.choice(b"\x00\xff\x7f-09,.\"/ }]e\\")
        elif op == 3:
            del b[at:]
        elif op == 4:
            b[at:at] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 8)))
        elif op == 5:
            src = rnd.randrange(len(b))
            n = min(16, len(b) - src, len(b) - at)
            b[at:at + n] = b[src:src + n]
        else:  # a JSON token (number, string, literal) replaced by a hostile one
            s = bytes(b)
            starts = [i for i, c in enumerate(s) if c in b"-0123456789\"tfn["]
            if starts:
                i = rnd.choice(starts)
                j = i + 1
                while j < len(s) and s[j] not in b",}]":
                    j += 1
                b[i:j] = rnd.choice(INTERESTING)
    return bytes(b)


def answer(out, verify):
    ds = open_aligned(out, verify=verify)
    return [ds[i]["id"] for i in range(len(ds))], ds.embeddings()


def same(a, b):
    return a[0] == b[0] and a[1].shape == b[1].shape and np.array_equal(
        a[1].view(np.uint8), b[1].view(np.uint8))


def names_file(e, *paths):
    return any(p in str(e) for p in paths)


@pytest.mark.parametrize("name", ["arrow-float32", "parquet-float16"])
def test_mutated_manifests_give_the_clean_answer_or_an_error_naming_the_file(copy_of, name):
    out = copy_of(name)
    mpath = os.path.join(out, "aligned", "_manifest.json")
    clean = open(mpath, "rb").read()
    want = answer(out, verify=True)
    rnd = random.Random(SEED)
    counts = {"refused": 0, "clean answer": 0}
    for i in range(ITERATIONS):
        with open(mpath, "wb") as f:
            f.write(mutate(clean, rnd, text=True))
        try:
            got = answer(out, verify=True)
        except (DatasetError, ValueError) as e:
            assert names_file(e, mpath, os.path.join(out, "aligned")), \
                f"seed {SEED} iteration {i}: {e!r} names no file"
            counts["refused"] += 1
            continue
        assert same(got, want), f"seed {SEED} iteration {i}: a different answer without error"
        counts["clean answer"] += 1
    print(f"reader manifest fuzz {name}: {ITERATIONS} executions, {counts}")


@pytest.mark.parametrize("name", ["arrow-float32", "parquet-float32"])
def test_mutated_shards_give_the_clean_answer_or_an_error_naming_the_shard(copy_of, name):
    out = copy_of(name)
    aligned = os.path.join(out, "aligned")
    shards = sorted(n for n in os.listdir(aligned) if n.startswith("part-"))
    want = answer(out, verify=True)
    rnd = random.Random(SEED + 1)
    counts = {"refused": 0, "clean answer": 0, "unverified different": 0}
    for i in range(ITERATIONS):
        shard = os.path.join(aligned, rnd.choice(shards))
        keep = shard + ".clean"
        shutil.copyfile(shard, keep)
        try:
            with open(shard, "rb") as f:
                clean = f.read()
            with open(shard, "wb") as f:
                f.write(mutate(clean, rnd, text=False))
            for verify in (True, False):
                try:
                    got = answer(out, verify=verify)
                except DatasetError as e:
                    assert names_file(e, shard), f"seed {SEED + 1} iteration {i}: {e!r}"
                    counts["refused"] += 1
                    continue
                if same(got, want):
                    counts["clean answer"] += 1
                else:
                    assert not verify, f"seed {SEED + 1} iteration {i}: a verified different answer"
                    counts["unverified different"] += 1
        finally:
            os.replace(keep, shard)
    print(f"reader shard fuzz {name}: {ITERATIONS} executions x 2 (verify, not), {counts}")
