"""Hostile manifests and transforms (issue 22, cases 5 and 6): names stay in the shard directory,
symbolic links are not followed, sizes are bounded by the bytes there, vectors match dim."""

import json
import os
import shutil

import pytest

from realign_reader import AlignedIterable, DatasetError, load_transform, open_aligned


def _manifest(out):
    return os.path.join(out, "aligned", "_manifest.json")


def _edit_shard(out, k, **changes):
    p = _manifest(out)
    m = json.load(open(p))
    m["shards"][k].update(changes)
    json.dump(m, open(p, "w"))
    return m


@pytest.mark.parametrize("name", ["../../other/aligned/part-00000-of-00003.arrow",
                                  "../part-00000-of-00003.arrow", "sub/part.arrow", "..", ".",
                                  "", "C:\\x.arrow", "file:part.arrow", "part\x00.arrow"])
def test_a_shard_name_that_is_not_one_plain_file_name_is_refused(copy_of, tmp_path, name):
    other = copy_of("arrow-float32")  # another dataset that a crafted name could reach
    out = str(tmp_path / "mine")
    shutil.copytree(other, out)
    _edit_shard(out, 0, name=name)
    with pytest.raises(DatasetError, match=r"Invalid manifest .*_manifest.json: shard name .*"
                                           r" \(must be a single plain file name: no '/', '\\'"
                                           r" or ':', not '.' or '..'\)"):
        open_aligned(out)


def test_an_absolute_name_is_refused_without_touching_the_file(copy_of, tmp_path):
    out = copy_of("arrow-float32")
    secret = tmp_path / "secret"
    secret.write_bytes(b"x" * 12345)
    _edit_shard(out, 0, name=str(secret))
    with pytest.raises(DatasetError) as e:
        open_aligned(out)
    assert "Invalid manifest" in str(e.value) and "12345" not in str(e.value)
    _edit_shard(out, 0, name="/etc/shadow")  # its size leaked in the old error
    with pytest.raises(DatasetError, match=r"shard name '/etc/shadow' \(must be a single plain"):
        AlignedIterable(out)


def test_a_symbolic_link_shard_is_not_followed(copy_of, tmp_path):
    out = copy_of("arrow-float32")
    other = copy_of("arrow-float16")
    shard = os.path.join(out, "aligned", "part-00000-of-00003.arrow")
    os.remove(shard)
    os.symlink(os.path.join(other, "aligned", "part-00000-of-00003.arrow"), shard)
    with pytest.raises(DatasetError, match=r"shard part-00000-of-00003.arrow listed in the"
                                           r" manifest is a symbolic link \(not followed\)"):
        open_aligned(out)


def test_row_counts_are_bounded_by_the_bytes_there(copy_of):
    # rows = 10**13 made len(AlignedIterable(...)) try to allocate 72.8 TiB.
    out = copy_of("arrow-float32")
    p = _manifest(out)
    m = json.load(open(p))
    clean = json.loads(json.dumps(m))
    m["shards"][0]["rows"] += 10**13 - m["rows"]
    m["rows"] = 10**13
    json.dump(m, open(p, "w"))
    with pytest.raises(DatasetError, match=r"shard part-00000-of-00003.arrow of \d+ bytes cannot"
                                           r" hold \d+ rows of dim 512 float32"):
        len(AlignedIterable(out))
    for field, value in (("rows", -1), ("rows", "500"), ("dim", 0), ("dim", 1.5), ("rows", True)):
        json.dump(dict(clean, **{field: value}), open(p, "w"))
        with pytest.raises(DatasetError, match=f"Invalid manifest .*: {field} "):
            open_aligned(out)


def test_a_transform_whose_vectors_do_not_match_dim_is_refused(fixtures, tmp_path):
    # dim 4 with one-element vectors and a matching sha256 loaded and broadcast into garbage.
    from realign_reader.transform import canonical_sha256
    doc = json.load(open(f"{fixtures}/arrow-float32/realign-transform.json"))
    doc.update(dim=4, mu_text=[0.5], mu_image=[0.5], mu_hat=[[0.5]])
    doc["sha256"] = canonical_sha256(doc)
    p = tmp_path / "realign-transform.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=r"Invalid transform .*realign-transform.json: field"
                                         r" 'mu_text' has 1 values \(must be an array of dim = 4"
                                         r" numbers\)"):
        load_transform(str(p))
    doc.update(mu_text=[0.5] * 4, mu_image=[0.5] * 4, mu_hat=[[0.5] * 4, [0.5] * 3])
    doc["sha256"] = canonical_sha256(doc)
    p.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=r"field 'mu_hat\[1\]' has 3 values"):
        load_transform(str(p))
    doc.update(mu_hat=[[0.5, 0.5, "x", 0.5]])
    p.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=r"field 'mu_hat\[0\]'\[2\] is 'x' \(must be a number\)"):
        load_transform(str(p))
    p.write_text("{not json")
    with pytest.raises(ValueError, match=r"Invalid transform .*: not JSON"):
        load_transform(str(p))
