#!/usr/bin/env bash
# The realign_reader tests (pytest) on the golden shards in tests/fixtures (committed; the Java test
# ArrowOutputTest checks that realign still writes them byte for byte). `mvn verify` runs this in
# spark-jobs' integration-test phase, after the Java tests (skip with -DskipReaderTests or
# -DskipTests); `.ci/run` installs what it needs. Standalone: pip install ./deploy/reader[test] &&
# pytest deploy/reader. With --after-java-tests (what mvn verify passes) it also runs the Python
# tests that need the Java build (spark-jobs/src/test/python): the Python blocks of README.md and
# docs/ on the output DocExamplesTest left, and the reader against s3proxy (the jar the build copies).
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"
missing=$("$PY" -c 'import importlib.util as u; print(" ".join(m for m in
  ("pytest", "numpy", "pyarrow", "torch", "datasets") if u.find_spec(m) is None))')
if [ -n "$missing" ]; then
  echo "The realign_reader tests need the Python packages: $missing" >&2
  echo "Install them: $PY -m pip install --index-url file:///opt/pypi/simple --extra-index-url file:///opt/pypi-more/simple --find-links /opt/wheels $missing" >&2
  echo "(elsewhere: pip install $missing; torch CPU is enough)" >&2
  exit 1
fi
suites=(tests)
if [ "${1:-}" = "--after-java-tests" ]; then
  suites+=(../../spark-jobs/src/test/python)
fi
exec "$PY" -m pytest -q -p no:cacheprovider "${suites[@]}"
