#!/usr/bin/env bash
# Replay benchmark on the shared San Francisco data (DataSF calls, PDDL;
# OpenStreetMap roads © OpenStreetMap contributors, ODbL): `beacon replay`
# in-process in both modes (3 runs each, median) and driving a real
# `beacon serve` over HTTP (one run per mode, 127.0.0.1, temp data dir).
# Usage: bench/replay.sh BUILD_DIR OUT_DIR; writes OUT_DIR/replay.md.
# Environment: BENCH_TMP (temp dir parent; default $TMPDIR or /tmp).
set -euo pipefail
BUILD="$1"
OUT="$2"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="$ROOT/../shared/data"
BEACON="$BUILD/beacon"
WORK="$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/beacon-replay-bench-XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$OUT"

CALLS="$DATA/calls/sf_fire_calls_2020-04-07_to_2020-04-20.csv"
STATIONS="$DATA/stations/sf_fire_stations_osm.geojson"
"$BEACON" import-osm "$DATA/osm/sf_mission_bayview_2014.osm.pbf" --out "$WORK/sf.graph" > /dev/null
REPLAY=("$BEACON" replay --calls "$CALLS" --format sf-fire --graph "$WORK/sf.graph" --stations "$STATIONS")

for mode in history recommend; do
  for i in 1 2 3; do
    "${REPLAY[@]}" --mode "$mode" --report "$WORK/inproc-$mode-$i" > /dev/null 2> "$WORK/inproc-$mode-$i.log"
  done
done

# HTTP: a real server with the same graph and a supervisor for the replay.
mkdir -p "$WORK/data"
echo "bench-password" | "$BEACON" user add supervisor --role supervisor --data "$WORK/data" > /dev/null
"$BEACON" --log-level warn serve --data "$WORK/data" --listen 127.0.0.1:0 --graph "$WORK/sf.graph" \
  > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT="$(sed -n 's|^beacon listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$WORK/serve.out")"
  [ -n "$PORT" ] && break
  sleep 0.1
done
if [ -z "$PORT" ]; then echo "bench/replay.sh: the server did not start" >&2; cat "$WORK/serve.err" >&2; exit 1; fi
for mode in history recommend; do
  BEACON_PASSWORD=bench-password "${REPLAY[@]}" --mode "$mode" --server "http://127.0.0.1:$PORT" \
    --user supervisor --report "$WORK/http-$mode" > /dev/null 2> "$WORK/http-$mode.log"
done

python3 - "$WORK" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/replay.md" <<'PY'
import json, statistics, sys
work, nproc, cpu, load = sys.argv[1:5]
def s(path): return json.load(open(f"{work}/{path}/summary.json"))
def lat(x, op):
    v = x["latency"].get(op)
    return f"{v['p50_us']:.0f} / {v['p99_us']:.0f}" if v else "n/a"
print()
print("## Replay")
print()
print("`bash bench/replay.sh BUILD OUT`: `beacon replay` of the 14-day San Francisco export")
print("(10,410 rows; 2,065 unit responses of 1,087 calls inside the Mission/Bayview graph) in-process")
print("(simulated clock, in-memory store; median of 3 runs) and with `--server` against a real")
print("`beacon serve --graph` on 127.0.0.1 (SQLite store in a temp dir, fsync per commit; one")
print("client, requests one after another). rows/s = replayed rows / replay time (the event loop);")
print("overall = rows read / whole command. Latency is per command (µs, p50 / p99): a Center call")
print("in-process, the HTTP round trip with --server. DataSF calls (PDDL); roads © OpenStreetMap")
print("contributors (ODbL).")
print()
print(f"Machine: {nproc} x {cpu}; load average after the run {load}.")
print()
print("| run | replay s | rows/s | overall rows/s | commands/s | call | recommend | assign | status |")
print("|---|---|---|---|---|---|---|---|---|")
for mode in ("history", "recommend"):
    runs = [s(f"inproc-{mode}-{i}") for i in (1, 2, 3)]
    runs.sort(key=lambda x: x["throughput"]["rows_per_s"])
    m = runs[1]
    t = m["throughput"]
    allr = ", ".join(f"{r['throughput']['rows_per_s']:.0f}" for r in runs)
    print(f"| in-process, {mode} | {t['replay_seconds']:.3f} | {t['rows_per_s']:.0f} ({allr}) | "
          f"{t['rows_read_per_s_overall']:.0f} | {t['commands_per_s']:.0f} | {lat(m,'call')} | "
          f"{lat(m,'recommend')} | {lat(m,'assign')} | {lat(m,'status')} |")
for mode in ("history", "recommend"):
    m = s(f"http-{mode}")
    t = m["throughput"]
    print(f"| HTTP, {mode} | {t['replay_seconds']:.3f} | {t['rows_per_s']:.0f} | "
          f"{t['rows_read_per_s_overall']:.0f} | {t['commands_per_s']:.0f} | {lat(m,'call')} | "
          f"{lat(m,'recommend')} | {lat(m,'assign')} | {lat(m,'status')} |")
print()
print("Goal from the replay issue: in-process replay ≥ 50,000 rows/s; HTTP throughput reported alongside.")
PY
cat "$OUT/replay.md"
