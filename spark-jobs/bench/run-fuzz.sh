#!/usr/bin/env bash
# The longer fuzz run (issue 22): every *FuzzTest class (npy, transform, sketch + sidecar,
# completion records, manifests, and the Parquet fuzz) with ITERATIONS mutations per target, then
# the reader's fuzz (manifests and shards, pytest) with the same budget. CI runs the same tests
# with their small default budgets inside `mvn verify`.
#   usage: spark-jobs/bench/run-fuzz.sh [ITERATIONS]   (default 20000)
# The reader fuzz needs the shards ArrowOutputTest writes (spark-jobs/target/reader-fixtures, or
# REALIGN_READER_FIXTURES); it is run after the Java fuzz, which builds them when missing.
set -euo pipefail
iterations=${1:-20000}
[[ "$iterations" =~ ^[1-9][0-9]*$ ]] || {
  echo "Invalid ITERATIONS: $iterations (must be an integer > 0)" >&2
  exit 2
}
cd "$(dirname "$0")/../.."
log=$(mktemp -d)/fuzz.log
tests='*FuzzTest'
fixtures=$(realpath -m "${REALIGN_READER_FIXTURES:-spark-jobs/target/reader-fixtures}")
if [[ ! -f "$fixtures/expected-float32.npy" ]]; then
  tests="$tests,ArrowOutputTest"
fi
start=$(date +%s)
set +e
mvn -B -ntp -o -q -pl spark-jobs -am -DskipClusterJar -DskipReaderTests \
  -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false \
  -Drealign.fuzz.iterations="$iterations" test >"$log" 2>&1
java_rc=$?
grep -E "fuzz:|Fuzz|FAIL|ERROR\]" "$log"
mid=$(date +%s)
echo "Java fuzz: exit $java_rc, $((mid - start)) s (log: $log)"
(cd deploy/reader && REALIGN_READER_FIXTURES="$fixtures" REALIGN_FUZZ_ITERATIONS="$iterations" \
  "${PYTHON:-python3}" -m pytest -q -s -p no:cacheprovider tests/test_fuzz.py) >>"$log" 2>&1
py_rc=$?
grep -E "^\.?reader .* fuzz|[0-9]+ (passed|failed)" "$log"
echo "Reader fuzz: exit $py_rc, $(($(date +%s) - mid)) s"
[[ $java_rc -eq 0 && $py_rc -eq 0 ]]
