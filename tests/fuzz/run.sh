#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR for SECONDS each, seeded from the
# corpus and the golden inputs; new findings are written to fuzz-out/.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-60}
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$root/fuzz-out"
for bin in "$build"/tests/*_fuzz; do
  name=$(basename "$bin")
  work=$(mktemp -d)
  cp -r "$root/tests/fuzz/corpus/$name/." "$work/" 2>/dev/null || true
  echo "fuzz: $name for ${seconds}s"
  "$bin" -max_total_time="$seconds" -max_len=65536 -artifact_prefix="$root/fuzz-out/$name-" \
    "$work" "$root/tests/golden" 2>&1 | tail -n 3
  rm -rf "$work"
done
