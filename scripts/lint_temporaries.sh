#!/usr/bin/env bash
# Refuses a range-for over a member of a temporary, e.g.
#   for (const auto& u : center.ListUnits()["units"])
# The temporary returned by the call dies before the loop body runs (before
# C++23), which once left the demo's crews silently idle. Bind the
# temporary to a local first. Run by ctest (lint_temporaries).
set -euo pipefail
cd "$(dirname "$0")/.."
hits=$(git ls-files '*.cc' '*.h' | xargs grep -nE 'for \([^;]*[^:]: [^;]*[A-Za-z0-9_]\([^()]*\)(\[|\.at\()' || true)
if [ -n "$hits" ]; then
  echo "range-for over a member of a temporary (bind the call's result to a local first):"
  echo "$hits"
  exit 1
fi
echo "lint_temporaries: no range-for over a member of a temporary"
