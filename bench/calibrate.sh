#!/usr/bin/env bash
# Calibration benchmark on the shared San Francisco data (DataSF calls, PDDL;
# OpenStreetMap roads © OpenStreetMap contributors, ODbL): the time of
# `beacon calibrate` on the first 7 days (3 runs, median), then the
# in-process replay of the last 7 days in recommend mode, 3 runs each, with
# the routing profile and the built-in plans (the previous replay, the
# reference of this run) and with the calibration and the inferred plans:
# speed (rows/s wall and per CPU second) and how close Beacon comes to
# history (docs/calibration.md, docs/replay.md).
# Usage: bench/calibrate.sh BUILD_DIR OUT_DIR; writes OUT_DIR/calibrate.md.
# Environment: BENCH_TMP (temp dir parent; default $TMPDIR or /tmp).
set -euo pipefail
BUILD="$1"
OUT="$2"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="$ROOT/../shared/data"
BEACON="$BUILD/beacon"
WORK="$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/beacon-calibrate-bench-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

CALLS="$DATA/calls/sf_fire_calls_2020-04-07_to_2020-04-20.csv"
STATIONS="$DATA/stations/sf_fire_stations_osm.geojson"
"$BEACON" import-osm "$DATA/osm/sf_mission_bayview_2014.osm.pbf" --out "$WORK/sf.graph" > /dev/null
COMMON=(--calls "$CALLS" --format sf-fire --graph "$WORK/sf.graph" --stations "$STATIONS")

for i in 1 2 3; do
  "$BEACON" calibrate "${COMMON[@]}" --from 2020-04-07 --to 2020-04-14 \
    --out "$WORK/calibration.json" --plans-out "$WORK/plans.json" \
    > "$WORK/calibrate-$i.json" 2> "$WORK/calibrate-$i.log"
done
for i in 1 2 3; do
  "$BEACON" replay "${COMMON[@]}" --mode recommend --from 2020-04-14 \
    --report "$WORK/profile-$i" > /dev/null 2> "$WORK/profile-$i.log"
  "$BEACON" replay "${COMMON[@]}" --mode recommend --from 2020-04-14 \
    --calibration "$WORK/calibration.json" --plans "$WORK/plans.json" \
    --report "$WORK/calibrated-$i" > /dev/null 2> "$WORK/calibrated-$i.log"
done

python3 - "$WORK" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/calibrate.md" <<'PY'
import json, statistics, sys
work, nproc, cpu, load = sys.argv[1:5]
def out(i): return json.load(open(f"{work}/calibrate-{i}.json"))
def s(path): return json.load(open(f"{work}/{path}/summary.json"))
cal = [out(i) for i in (1, 2, 3)]
secs = sorted(c["seconds"] for c in cal)
cv = cal[0]["cross_validation"]
print()
print("## Calibration")
print()
print("`bash bench/calibrate.sh BUILD OUT`: `beacon calibrate` on 7–13 April 2020 of the San Francisco")
print("export (whole command: reading the CSV, the samples, the fit, 5-fold cross-validation, run cards;")
print("median of 3), then `beacon replay --mode recommend` in-process on 14–20 April, 3 runs each,")
print("with the routing profile and the built-in plans (the previous replay: the reference of this")
print("run) and with the calibration and the inferred plans. rows/s = replayed rows / event-loop wall")
print("time; per CPU s = the same over the loop thread's CPU time (less sensitive to the machine's")
print("load). DataSF calls (PDDL); roads © OpenStreetMap contributors (ODbL).")
print()
print(f"Machine: {nproc} x {cpu}; load average after the run {load}.")
print()
print(f"calibrate: {secs[1]:.3f} s (runs {', '.join(f'{x:.3f}' for x in secs)}); "
      f"{cal[0]['samples']['used']} samples; cross-validated median absolute error "
      f"{cv['before']['median_abs_error_s']} → {cv['after']['median_abs_error_s']} s, median bias "
      f"{cv['before']['bias_median_s']} → {cv['after']['bias_median_s']} s, p90 "
      f"{cv['before']['p90_abs_error_s']} → {cv['after']['p90_abs_error_s']} s.")
print()
print("| replay of 14–20 April | replay s | rows/s (3 runs) | rows per CPU s | ETA median abs / median bias / p90 (s) | first unit same type | no unit sent | first unit ≤ 240 s (bias-corrected) |")
print("|---|---|---|---|---|---|---|---|")
for name, label in (("profile", "profile, built-in plans (reference)"),
                    ("calibrated", "calibration + inferred plans")):
    runs = sorted((s(f"{name}-{i}") for i in (1, 2, 3)), key=lambda x: x["throughput"]["rows_per_s"])
    m = runs[1]
    t = m["throughput"]
    c = m["calibration"]
    r = m["recommendation_vs_history"]
    b = m["nfpa_1710"]["beacon"]
    allr = ", ".join(f"{x['throughput']['rows_per_s']:.0f}" for x in runs)
    sent = b["incidents"]
    print(f"| {label} | {t['replay_seconds']:.3f} | {t['rows_per_s']:.0f} ({allr}) | "
          f"{t['rows_per_cpu_s']:.0f} | {c['median_abs_error_s']} / {c['bias_median_s']} / "
          f"{c['p90_abs_error_s']} | {r['same_first_unit_type_share']:.3f} | "
          f"{b['no_unit_sent']} of {sent + b['no_unit_sent']} | "
          f"{b['share_within_240s']:.3f} ({b['share_within_240s_bias_corrected']:.3f}) |")
ratio = [s(f"calibrated-{i}")["throughput"]["rows_per_cpu_s"] / s(f"profile-{i}")["throughput"]["rows_per_cpu_s"]
         for i in (1, 2, 3)]
print()
print(f"Calibrated / reference rows per CPU second, run by run: {', '.join(f'{x:.2f}' for x in ratio)}.")
print("Goal from the calibration issue: in-process replay ≥ 50,000 rows/s.")
PY
cat "$OUT/calibrate.md"
