#!/usr/bin/env bash
# Renders a gap report (report.html) to a PNG with headless Chromium (Debian package `chromium`),
# offline: no network, no sync, a throw-away profile.
#   usage: spark-jobs/bench/render-report.sh REPORT_HTML OUT_PNG [WIDTH,HEIGHT]
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 REPORT_HTML OUT_PNG [WIDTH,HEIGHT]" >&2
  exit 2
fi
html=$(realpath "$1")
out=$(realpath -m "$2")
size=${3:-1400,2400}
[[ -f "$html" ]] || { echo "Invalid report: $html (must be an existing file)" >&2; exit 2; }
command -v chromium >/dev/null || { echo "chromium not found: apt-get install -y chromium" >&2; exit 2; }
mkdir -p "$(dirname "$out")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
  --hide-scrollbars --screenshot="$out" --window-size="$size" "file://$html" 2>/dev/null
[[ -s "$out" ]] || { echo "chromium wrote no screenshot to $out" >&2; exit 1; }
echo "$out"
