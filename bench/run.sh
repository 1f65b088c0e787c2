#!/usr/bin/env bash
# Runs Beacon's benchmarks and records them in docs/benchmarks.md.
#
#   bash bench/run.sh [BUILD_DIR]        (what `make bench` runs; default: build)
#
# Builds nothing: BUILD_DIR must already hold bench/ingest_bench and
# bench/sqlite_reference_bench (kernels_bench is optional). In one run it
# records the machine, runs the bare-SQLite reference, the HTTP ingest
# benchmark against the real `beacon serve`, a diagnostic ingest run without
# locations, a short second SQLite run (disk drift) and the micro-kernels
# (when built), the routing benchmarks and the WebSocket fan-out
# (bench/ws_fanout.sh), then rewrites docs/benchmarks.md with the
# results and their ratios to the same run's reference. The sections between
# the history and notes markers of the old file are kept; this run's summary
# line is appended to the history.
#
# Environment: BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_CONNECTIONS (64),
# BENCH_TMP (temp dir parent; default $TMPDIR or /tmp), BENCH_DOC (output file),
# BENCH_SOURCE (how to describe the source built; default: git HEAD and whether it is dirty),
# BENCH_REPORT_ONLY=1 (rewrite the document from the last run's results without running).
# Exits non-zero if a benchmark failed (e.g. a non-201 answer); missing the
# throughput/latency goal is reported, not a failure.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-build}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
SECONDS_MEASURED="${BENCH_SECONDS:-10}"
WARMUP="${BENCH_WARMUP:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
TMP_PARENT="${BENCH_TMP:-${TMPDIR:-/tmp}}"
DOC="${BENCH_DOC:-$ROOT/docs/benchmarks.md}"
GOAL_CALLS_PER_S=10000
GOAL_P99_MS=10

for exe in ingest_bench sqlite_reference_bench; do
  if [ ! -x "$BUILD/bench/$exe" ]; then
    echo "bench/run.sh: $BUILD/bench/$exe is missing; build first (make build)" >&2
    exit 2
  fi
done

OUT="$BUILD/bench-results"
mkdir -p "$OUT"
REPORT_ONLY="${BENCH_REPORT_ONLY:-0}"
if [ "$REPORT_ONLY" = 1 ]; then
  # Rewrites the document from the last run's results (after editing this
  # script or the notes) without running anything or adding to the history.
  if [ ! -f "$OUT/run.env" ]; then
    echo "bench/run.sh: no previous run in $OUT" >&2
    exit 2
  fi
  # shellcheck source=/dev/null
  source "$OUT/run.env"
fi

REF_CMD=("$BUILD/bench/sqlite_reference_bench" --seconds "$SECONDS_MEASURED" --warmup "$WARMUP"
  --tmp "$TMP_PARENT" --json-out "$OUT/reference.json")
LOAD=("$BUILD/bench/ingest_bench" --connections "$CONNECTIONS" --seconds "$SECONDS_MEASURED"
  --warmup "$WARMUP" --tmp "$TMP_PARENT")
INGEST_CMD=("${LOAD[@]}" --spread-deg 0.5 --json-out "$OUT/ingest.json")
DIAG_CMD=("${LOAD[@]}" --without-location --json-out "$OUT/ingest_no_location.json")
# The same load with the old duplicate behaviour (link the nearest match)
# beside the default (suggest), in the same run.
LINK_PLANS="$OUT/plans_link.json"
LINK_CMD=("${LOAD[@]}" --spread-deg 0.5 --plans "$LINK_PLANS" --json-out "$OUT/ingest_link.json")
# A short second look at the disk after the HTTP runs: fsync latency on a
# shared machine drifts with other people's I/O.
AFTER_CMD=("$BUILD/bench/sqlite_reference_bench" --variants single --seconds 5 --warmup 1
  --tmp "$TMP_PARENT" --json-out "$OUT/reference_after.json")

if [ "$REPORT_ONLY" != 1 ]; then
  rm -f "$OUT"/*.json "$OUT"/*.log "$OUT/run.env"

  # --- the machine ---------------------------------------------------------
  NPROC="$(nproc)"
  CPU_MODEL="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  KERNEL="$(uname -sr)"
  MEM="$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  FS="$(df -PT "$TMP_PARENT" | awk 'NR == 2 {print $2 " (" $1 ")"}')"
  LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
  if [ -n "${BENCH_SOURCE:-}" ]; then
    COMMIT="$BENCH_SOURCE"
  else
    COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
      COMMIT="$COMMIT + uncommitted changes"
    fi
  fi
  DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "bench: $NPROC x $CPU_MODEL, $KERNEL, temp dir $TMP_PARENT on $FS, load $LOAD_BEFORE"

  # --- the runs ------------------------------------------------------------
  status=0
  run() {  # run NAME CMD...: tees the output to $OUT/NAME.log
    local name="$1"
    shift
    echo "bench: $*"
    "$@" 2>&1 | tee "$OUT/$name.log"
    local rc="${PIPESTATUS[0]}"
    if [ "$rc" != 0 ]; then
      echo "bench: $name failed (exit $rc)" >&2
      status=1
    fi
    return 0
  }

  run reference "${REF_CMD[@]}"
  run ingest "${INGEST_CMD[@]}"
  sed 's/"mode": "suggest"/"mode": "link"/' "$ROOT/config/response_plans.json" > "$LINK_PLANS"
  run ingest_link "${LINK_CMD[@]}"
  run ingest_no_location "${DIAG_CMD[@]}"
  run reference_after "${AFTER_CMD[@]}"
  if [ -x "$BUILD/bench/kernels_bench" ]; then
    run kernels "$BUILD/bench/kernels_bench" --benchmark_min_time=0.2
  fi
  if [ -x "$BUILD/bench/timers_bench" ]; then
    run timers "$BUILD/bench/timers_bench"
  fi
  run routing bash "$ROOT/bench/routing.sh" "$BUILD" "$OUT"
  run ws_fanout bash "$ROOT/bench/ws_fanout.sh" "$BUILD" "$OUT"
  run replay bash "$ROOT/bench/replay.sh" "$BUILD" "$OUT"
  run geocoding bash "$ROOT/bench/geocoding.sh" "$BUILD" "$OUT"
  run calibrate bash "$ROOT/bench/calibrate.sh" "$BUILD" "$OUT"
  run scam bash "$ROOT/bench/scam.sh" "$BUILD" "$OUT"
  LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
  for v in NPROC CPU_MODEL KERNEL MEM FS LOAD_BEFORE LOAD_AFTER COMMIT DATE SECONDS_MEASURED \
    WARMUP CONNECTIONS TMP_PARENT status; do
    printf '%s=%q\n' "$v" "${!v}"
  done > "$OUT/run.env"
fi

# --- reading the results -------------------------------------------------
# The JSON files are written by our benches with one top-level key per line.
jget() {  # jget FILE KEY -> value ("n/a" when absent)
  local v=""
  [ -f "$1" ] && v="$(awk -v k="\"$2\":" '$1 == k {v = $2; sub(/,$/, "", v); gsub(/"/, "", v);
    print v; exit}' "$1")"
  echo "${v:-n/a}"
}
num() {  # num VALUE DECIMALS
  case "$1" in
    n/a | "") echo "n/a" ;;
    *) awk -v v="$1" -v d="$2" 'BEGIN {printf "%.*f", d, v}' ;;
  esac
}
ratio() {  # ratio A B -> A/B to 3 significant digits, or n/a
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"; else printf "%.3g", a / b }'
}
threads() {  # the server_thread_cores object of FILE as "name cores, ..."
  [ -f "$1" ] || return 0
  awk '/"server_thread_cores": \{/ {on = 1; next} on && /\}/ {on = 0}
    on {gsub(/[ ",]/, ""); sub(/:/, " "); printf "%s%s", sep, $0; sep = ", "}' "$1"
}
per_second_key() {  # per_second_key FILE KEY: a top-level array of FILE on one line
  [ -f "$1" ] || return 0
  awk -v k="\"$2\": [" 'index($0, k) {on = 1; next} on && /\]/ {on = 0}
    on {gsub(/[ ,]/, ""); printf "%s ", $0}' "$1"
}
per_second() { per_second_key "$1" per_second; }

REF="$OUT/reference.json"
ING="$OUT/ingest.json"
DIA="$OUT/ingest_no_location.json"
LNK="$OUT/ingest_link.json"
SQLITE_VERSION="$(jget "$REF" sqlite_version)"

ING_RATE="$(jget "$ING" calls_per_s)"
ING_P50="$(jget "$ING" p50_ms)"
ING_P99="$(jget "$ING" p99_ms)"
DIA_RATE="$(jget "$DIA" calls_per_s)"
SINGLE_RATE="$(jget "$REF" single_rows_per_s)"
SINGLE_P50="$(jget "$REF" single_p50_ms)"
BATCH_RATE="$(jget "$REF" batch64_rows_per_s)"
SERVER64_RATE="$(jget "$REF" server64_calls_per_s)"

RATE_OK=no
P99_OK=no
awk -v r="$ING_RATE" -v g="$GOAL_CALLS_PER_S" 'BEGIN {exit !(r != "n/a" && r + 0 >= g)}' &&
  RATE_OK=yes
awk -v p="$ING_P99" -v g="$GOAL_P99_MS" 'BEGIN {exit !(p != "n/a" && p + 0 <= g)}' &&
  P99_OK=yes
case "$RATE_OK$P99_OK" in
  yesyes) GOAL="met" ;;
  yesno) GOAL="not met (p99)" ;;
  noyes) GOAL="not met (calls/s)" ;;
  *) GOAL="not met (calls/s and p99)" ;;
esac

ingest_row() {  # ingest_row LABEL FILE NOTE
  local f="$2"
  echo "| $1 | $(num "$(jget "$f" calls_per_s)" 0) calls/s | $(num "$(jget "$f" p50_ms)" 2) |" \
    "$(num "$(jget "$f" p90_ms)" 2) | $(num "$(jget "$f" p99_ms)" 2) |" \
    "$(num "$(jget "$f" max_ms)" 2) | $(jget "$f" non_201) non-201, $(jget "$f" transport_errors)" \
    "transport; $(jget "$f" duplicates_total) of $(jget "$f" created_total) calls linked as" \
    "duplicates; server $(num "$(jget "$f" server_cpu_cores)" 2) cores, client" \
    "$(num "$(jget "$f" client_cpu_cores)" 2) cores, rest of the machine" \
    "$(num "$(jget "$f" other_cpu_cores)" 2) cores; $3 |"
}
ref_row() {  # ref_row VARIANT LABEL NOTE
  echo "| $2 | $(num "$(jget "$REF" "$1_rows_per_s")" 0) rows/s" \
    "($(num "$(jget "$REF" "$1_tx_per_s")" 0) commits/s) | $(num "$(jget "$REF" "$1_p50_ms")" 3) |" \
    "| $(num "$(jget "$REF" "$1_p99_ms")" 3) |" \
    "$(num "$(jget "$REF" "$1_max_ms")" 3) | $3 |"
}

# Kept from the previous file: the history lines and the hand-written notes.
OLD_HISTORY=""
OLD_NOTES=""
if [ -f "$DOC" ]; then
  OLD_HISTORY="$(awk '/<!-- history:end -->/ {on = 0} on && /^\| 20/ {print}
    /<!-- history:begin -->/ {on = 1}' "$DOC")"
  OLD_NOTES="$(awk '/<!-- notes:end -->/ {on = 0} on {print}
    /<!-- notes:begin -->/ {on = 1}' "$DOC")"
fi
HISTORY_LINE="| $DATE | $COMMIT | $NPROC x $CPU_MODEL | $(num "$ING_RATE" 0) |"
HISTORY_LINE="$HISTORY_LINE $(num "$ING_P50" 2) | $(num "$ING_P99" 2) | $(num "$SINGLE_RATE" 0) |"
HISTORY_LINE="$HISTORY_LINE $(ratio "$ING_RATE" "$SINGLE_RATE") | $(num "$DIA_RATE" 0) |"
HISTORY_LINE="$HISTORY_LINE $LOAD_BEFORE | $GOAL |"

rel() { echo "$1" | sed "s|$ROOT/||g"; }

mkdir -p "$(dirname "$DOC")"
{
  cat <<EOF
# Benchmarks

\`make bench\` (which runs \`bash bench/run.sh build\`) regenerates this file. Everything below the
notes is written by the script from one run; compare ratios measured in the same run, not absolute
numbers from different machines or days.

What runs (sources in \`bench/\`):

- **sqlite_reference_bench**: bare SQLite $SQLITE_VERSION with the store's settings (WAL,
  \`synchronous=FULL\`: every COMMIT waits for an fsync of the WAL), one thread, in the same temp
  dir as the server's data. \`single\`: one INSERT of a call-sized JSON document (~235 bytes) per
  transaction, i.e. one fsync per row. \`batch64\`: 64 such rows per transaction, what group
  commit can reach. \`server64\`: the six rows Beacon writes for one new call (2 events, call and
  incident documents, audit entry, audit head; ~1.6 KB) times 64 calls per transaction: the
  storage cost of Beacon's own write set without HTTP, JSON or locking. Latency is per commit.
- **ingest_bench**: starts the real \`beacon serve\` on 127.0.0.1 port 0 with a temp data dir,
  adds a call_taker with \`beacon user add\`, logs in, then keeps $CONNECTIONS keep-alive
  HTTP/1.1 connections (asynchronous Boost.Beast, one client thread) each posting
  \`POST /api/v1/calls\` back to back (closed loop) with bodies like
  \`{"channel":"phone","location":{"lat":37.75±0.5,"lon":-122.41±0.5},"incident_type":"MEDICAL","narrative":"bench"}\`.
  A 201 is only sent after the group commit that holds the call is fsynced, so every counted call
  is durable; after shutdown the bench checks that the \`calls\` table holds every 201. Latency is
  request written to response read, on the client, for requests completing in the measured window.
- **ingest_bench --without-location** (diagnostic, not the headline): the same with an address
  instead of a location; the server then skips duplicate detection, so no call is linked to an
  incident. The difference between the two rows is what locations cost: the duplicate search,
  and for linked calls the rewriting of an incident that grows with every call.
- **sqlite_reference_bench --variants single** again after the HTTP runs, 5 s: how much the
  disk (fsync latency) drifted during the run.
- **kernels_bench**: Google Benchmark micro-kernels of the intake path: parsing a call body, one
  audit chain hash, rendering an incident document with N linked calls, the duplicate-call scan
  over N candidate incidents, and the grid lookup that finds the candidates among N open incidents.

Goal (a target, not a test): ≥ $GOAL_CALLS_PER_S durable calls/s with p99 ≤ $GOAL_P99_MS ms on a 2-core machine.

## Notes

<!-- notes:begin -->
EOF
  if [ -n "$OLD_NOTES" ]; then
    echo "$OLD_NOTES"
  else
    echo "(Hand-written analysis goes here; bench/run.sh keeps this section.)"
  fi
  cat <<EOF
<!-- notes:end -->

## Latest run: $DATE

Commands (from the repository root; \`make bench\` runs all of them via bench/run.sh):

\`\`\`
$(rel "${REF_CMD[*]}")
$(rel "${INGEST_CMD[*]}")
$(rel "${DIAG_CMD[*]}")
$(rel "${AFTER_CMD[*]}")
EOF
  if [ -x "$BUILD/bench/kernels_bench" ]; then
    echo "$(rel "$BUILD")/bench/kernels_bench --benchmark_min_time=0.2"
  fi
  cat <<EOF
\`\`\`

Machine:

| | |
|---|---|
| CPU | $NPROC x $CPU_MODEL |
| memory | $MEM |
| kernel | $KERNEL |
| temp dir (data) | $TMP_PARENT on $FS |
| SQLite | $SQLITE_VERSION |
| load average (1/5/15 min) | before $LOAD_BEFORE, after $LOAD_AFTER |
| source | $COMMIT |

"Before" is taken before the first benchmark starts, "after" includes this run's own load. The
machine is shared: a 1-minute load near or above 2 before the run means other work (compilers,
tests) shared the two cores and the disk, and the numbers are noisy; the SQLite row measured again
after the HTTP runs shows how much the disk drifted meanwhile.

Results (throughput over the measured ${SECONDS_MEASURED} s after ${WARMUP} s of warm-up; latency in ms):

| benchmark | throughput | p50 | p90 | p99 | max | notes |
|---|---|---|---|---|---|---|
$(ingest_row "ingest, HTTP, $CONNECTIONS connections (headline)" "$ING" "goal $GOAL")
$(ingest_row "ingest, duplicate.mode link (the behaviour before suggestions)" "$LNK" "same load, nearest match linked")
$(ingest_row "ingest without location (diagnostic)" "$DIA" "duplicate detection skipped")
$(ref_row single "SQLite reference: 1 row/commit" "one fsync per row")
$(REF="$OUT/reference_after.json" ref_row single \
    "SQLite reference: 1 row/commit, again after the HTTP runs (5 s)" \
    "drift of the disk during the run")
$(ref_row batch64 "SQLite reference: 64 rows/commit" "group commit ceiling for one row per call")
$(ref_row server64 "SQLite reference: Beacon's 6 rows/call, 64 calls/commit" \
    "$(num "$SERVER64_RATE" 0) calls/s: storage ceiling for Beacon's write set")

Ratios within this run:

| ratio | value |
|---|---|
| ingest calls/s ÷ SQLite 1-row-per-commit rows/s | $(ratio "$ING_RATE" "$SINGLE_RATE") |
| ingest calls/s ÷ SQLite 64-rows-per-commit rows/s | $(ratio "$ING_RATE" "$BATCH_RATE") |
| ingest calls/s ÷ SQLite Beacon-write-set calls/s | $(ratio "$ING_RATE" "$SERVER64_RATE") |
| ingest p50 latency ÷ SQLite 1-row commit p50 | $(ratio "$ING_P50" "$SINGLE_P50") |
| ingest p99 latency ÷ SQLite 1-row commit p99 | $(ratio "$ING_P99" "$(jget "$REF" single_p99_ms)") |
| ingest calls/s ÷ ingest-without-location calls/s | $(ratio "$ING_RATE" "$DIA_RATE") |
| ingest (suggest, default) calls/s ÷ ingest (link mode) calls/s | $(ratio "$ING_RATE" "$(jget "$LNK" calls_per_s)") |

Goal ≥ $GOAL_CALLS_PER_S calls/s with p99 ≤ $GOAL_P99_MS ms: **$GOAL**. Measured $(num "$ING_RATE" 0) calls/s
(≥ $GOAL_CALLS_PER_S: $RATE_OK) with p99 $(num "$ING_P99" 2) ms (≤ $GOAL_P99_MS ms: $P99_OK).

Calls completed in each second of the ingest run (warm-up first; the last is the drain):

- with locations: $(per_second "$ING")
- without location: $(per_second "$DIA")

Server CPU time per completed call in each of those seconds (µs; CPU of all server threads divided
by the calls completed):

- with locations: $(per_second_key "$ING" server_cpu_us_per_call)
- without location: $(per_second_key "$DIA" server_cpu_us_per_call)

Server CPU by thread over the measured window (cores; threads in creation order: in \`beacon serve\`
\`#0\` and \`#3\` are the two I/O threads, \`#1\` the store's commit thread, \`#2\` the blocking pool
used by logins):

- with locations: $(num "$(jget "$ING" server_cpu_cores)" 2) in total; $(threads "$ING")
- without location: $(num "$(jget "$DIA" server_cpu_cores)" 2) in total; $(threads "$DIA")
EOF
  if [ -f "$OUT/kernels.log" ]; then
    cat <<EOF

Micro-kernels (Google Benchmark; Debian's library is built without optimisation, the kernels are
ours and built Release):

\`\`\`
$(grep -E '^(BM_|Benchmark|---)' "$OUT/kernels.log")
\`\`\`
EOF
  fi
  if [ -f "$OUT/timers.log" ]; then
    EVAL_US="$(awk '/^BM_EvaluateTimers/ {print $2; exit}' "$OUT/timers.log")"
    SCAN_US="$(awk '/^BM_ScanEveryIncidentAndUnitPerTick/ {print $2; exit}' "$OUT/timers.log")"
    cat <<EOF

## Timers

One evaluation of the pending and status timers (what \`beacon serve\` runs every second) with
10,000 open incidents (opened 100 ms apart, 8,500 waiting for a unit) and 2,000 units (1,500
committed), the built-in thresholds; each iteration advances the clock one second. Reference in
the same run: a scan of every incident and unit per tick. Goal: ≤ 1 ms per evaluation.

\`\`\`
$(rel "$BUILD")/bench/timers_bench
$(grep -E '^(BM_|Benchmark|---)' "$OUT/timers.log")
\`\`\`

| | µs per tick |
|---|---|
| evaluation (ordered next crossings) | $EVAL_US |
| reference: scan of every incident and unit | $SCAN_US |
| ratio evaluation ÷ scan | $(ratio "$EVAL_US" "$SCAN_US") |
EOF
  fi
  if [ -f "$OUT/routing.md" ]; then
    cat "$OUT/routing.md"
  fi
  if [ -f "$OUT/planning.md" ]; then
    cat "$OUT/planning.md"
  fi
  if [ -f "$OUT/ws_fanout.md" ]; then
    cat "$OUT/ws_fanout.md"
  fi
  if [ -f "$OUT/replay.md" ]; then
    cat "$OUT/replay.md"
  fi
  if [ -f "$OUT/geocoding.md" ]; then
    cat "$OUT/geocoding.md"
  fi
  if [ -f "$OUT/calibrate.md" ]; then
    cat "$OUT/calibrate.md"
  fi
  if [ -f "$OUT/scam.md" ]; then
    cat "$OUT/scam.md"
  fi
  cat <<EOF

## History

One line per \`make bench\` run (ingest = the headline HTTP run; reference = SQLite, 1 row/commit).

<!-- history:begin -->
| date | source | machine | ingest calls/s | p50 ms | p99 ms | reference rows/s | ratio | no-location calls/s | load before | goal |
|---|---|---|---|---|---|---|---|---|---|---|
EOF
  [ -n "$OLD_HISTORY" ] && echo "$OLD_HISTORY"
  [ "$REPORT_ONLY" = 1 ] || echo "$HISTORY_LINE"
  echo "<!-- history:end -->"
} > "$DOC.tmp" && mv "$DOC.tmp" "$DOC"

echo "bench: wrote $(rel "$DOC"): ingest $(num "$ING_RATE" 0) calls/s, p99 $(num "$ING_P99" 2) ms" \
  "(goal $GOAL); SQLite 1 row/commit $(num "$SINGLE_RATE" 0) rows/s"
exit "$status"
