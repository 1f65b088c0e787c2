#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR for SECONDS each, seeded from the
# corpus and the golden inputs. A crash, leak or sanitizer report fails the
# run; the input that triggered it is written to fuzz-out/.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-60}
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$root/fuzz-out"
failed=()
for bin in "$build"/tests/*_fuzz; do
  name=$(basename "$bin")
  work=$(mktemp -d)
  cp -r "$root/tests/fuzz/corpus/$name/." "$work/" 2>/dev/null || true
  echo "fuzz: $name for ${seconds}s"
  log="$root/fuzz-out/$name.log"
  if "$bin" -max_total_time="$seconds" -max_len=65536 -artifact_prefix="$root/fuzz-out/$name-" \
    "$work" "$root/tests/golden" >"$log" 2>&1; then
    grep -E '^Done [0-9]+ runs' "$log" || tail -n 1 "$log"
  else
    tail -n 30 "$log"
    echo "fuzz: $name FAILED; full log $log, the input is fuzz-out/$name-*." \
      "Fix the bug, then add the input to tests/fuzz/corpus/$name/ as a regression case." >&2
    failed+=("$name")
  fi
  rm -rf "$work"
done
if ((${#failed[@]})); then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: every target ran ${seconds}s without a finding"
