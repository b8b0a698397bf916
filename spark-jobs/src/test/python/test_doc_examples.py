"""The Python blocks of README.md and docs/*.md marked ```python pytest, run as written.

They run inside the work directory the Java test DocExamplesTest filled (its `./realign` commands
write realign-output/demo there), so "realign-output/demo" in an example is a real output. That
makes them part of `mvn verify` (deploy/reader/run-tests.sh --after-java-tests, after the Java tests),
not of the reader's own suite, which runs standalone on the golden shards.
"""

import os
import re
import runpy
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                    ".."))
sys.path.insert(0, os.path.join(REPO, "deploy", "reader"))  # realign_reader without installing it

WORK = os.environ.get("REALIGN_DOC_EXAMPLES",
                      os.path.join(REPO, "spark-jobs", "target", "doc-examples"))
FENCE = re.compile(r"^(\s*)(```+)(.*)$")


def doc_files():
    docs = os.path.join(REPO, "docs")
    return [os.path.join(REPO, "README.md")] + sorted(
        os.path.join(docs, f) for f in os.listdir(docs) if f.endswith(".md"))


def python_blocks():
    """(where, code) of every ```python pytest block, in document order."""
    out = []
    for path in doc_files():
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        i = 0
        while i < len(lines):
            m = FENCE.match(lines[i])
            if not m:
                i += 1
                continue
            indent, fence, info = m.group(1), m.group(2), m.group(3).split()
            j = i + 1
            body = []
            while lines[j].strip() != fence:
                body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j])
                j += 1
            if info[:1] == ["python"] and "pytest" in info[1:]:
                out.append((f"{os.path.relpath(path, REPO)}:{i + 1}", "\n".join(body) + "\n"))
            i = j + 1
    return out


BLOCKS = python_blocks()


def test_the_pages_have_python_examples():
    assert len(BLOCKS) >= 4, [w for w, _ in BLOCKS]


@pytest.mark.parametrize("where,code", BLOCKS, ids=[w for w, _ in BLOCKS])
def test_python_example_runs(where, code, tmp_path, monkeypatch):
    manifest = os.path.join(WORK, "realign-output", "demo", "aligned", "_manifest.json")
    if not os.path.isfile(manifest):
        pytest.fail(f"No doc-example output in {WORK}: the Java test DocExamplesTest writes it"
                    f" (mvn verify runs it first; alone: mvn -B -ntp -DskipClusterJar -pl"
                    f" spark-jobs -am -Dtest=DocExamplesTest"
                    f" -Dsurefire.failIfNoSpecifiedTests=false test)")
    # Relative paths of the example resolve in a copy-free view of WORK: the outputs are read from
    # it, what the example writes (revision/) lands in tmp_path.
    os.symlink(os.path.join(WORK, "realign-output"), tmp_path / "realign-output")
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    monkeypatch.setattr(sys, "argv", [str(script)])
    runpy.run_path(str(script), run_name="__main__")
