#!/usr/bin/env bash
# WebSocket fan-out: 200 stream clients on a real `beacon serve`, time from
# a write's 201 to its event at every client (web/bench/ws_fanout.mjs, node
# + the `ws` package from web/package-lock.json).
# Usage: bench/ws_fanout.sh BUILD_DIR OUT_DIR; writes OUT_DIR/ws_fanout.md.
set -euo pipefail
BUILD="$1"
OUT="$2"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CLIENTS="${BENCH_WS_CLIENTS:-200}"
WRITES="${BENCH_WS_WRITES:-300}"
md="$OUT/ws_fanout.md"
if [ ! -d "$ROOT/web/node_modules/ws" ]; then
  echo "bench/ws_fanout.sh: web/node_modules is missing (run scripts/setup.sh)" >&2
  exit 2
fi
CMD=(node web/bench/ws_fanout.mjs --clients "$CLIENTS" --writes "$WRITES" --beacon "$BUILD/beacon"
  --json-out "$OUT/ws_fanout.json")
(cd "$ROOT" && "${CMD[@]}")
python3 - "$OUT/ws_fanout.json" "$(echo "${CMD[*]}" | sed "s|$ROOT/||g")" > "$md" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print()
print("## WebSocket fan-out")
print()
print(f"`{sys.argv[2]}`: {r['clients']} clients on `/api/v1/stream` (one node process, the `ws`")
print(f"package), one writer posting {r['writes']} calls one after another ({r['gap_ms']} ms apart) on")
print("the same machine. Per write: the time from its 201 reaching the writer to its `call.created`")
print("event reaching the slowest of the clients (an event that beats the 201 counts 0: both leave")
print("the server when the commit completes); and from sending the request, for scale.")
print()
print("| clients | writes | 201 → every client p50 | p99 | max | request → every client p50 | p99 | missed events | goal p99 ≤ 100 ms |")
print("|---|---|---|---|---|---|---|---|---|")
print(f"| {r['clients']} | {r['writes']} | {r['every_client_p50_ms']} ms | {r['every_client_p99_ms']} ms | "
      f"{r['every_client_max_ms']} ms | {r['request_to_every_client_p50_ms']} ms | "
      f"{r['request_to_every_client_p99_ms']} ms | {r['missing_deliveries']} | "
      f"{'met' if r['goal_met'] else 'not met'} |")
PY
cat "$md"
