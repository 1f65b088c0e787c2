#!/usr/bin/env bash
# Geocoding on the shared data, in one run (docs/geocoding.md):
#   1. import cost: `beacon import-osm` of Porto with and without the
#      gazetteer, alternating, three times each (medians);
#   2. latency: bench/geocode_bench on the Porto graph (the index and a
#      brute-force scan of the same index in process, and GET /geocode over
#      HTTP on loopback against the real server);
#   3. accuracy: every distinct address of the shared San Francisco calls
#      of the second week (2020-04-14 to 2020-04-20) inside the
#      Mission/Bayview extract, geocoded with the OSM gazetteer alone and
#      with address points learned by `beacon addresses from-history` from
#      the first week, compared with the export's own Location.
# Usage: bench/geocoding.sh BUILD_DIR OUT_DIR
# Writes OUT_DIR/geocoding.md (a section of docs/benchmarks.md) and rewrites
# the report between the markers of docs/geocoding.md (GEOCODING_DOC).
set -euo pipefail
BUILD="$1"
OUT="$2"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="$ROOT/../shared/data"
BEACON="$BUILD/beacon"
DOC="${GEOCODING_DOC:-$ROOT/docs/geocoding.md}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

SF_PBF="$DATA/osm/sf_mission_bayview_2014.osm.pbf"
PORTO_PBF="$DATA/osm/porto_2015.osm.pbf"
CALLS="$DATA/calls/sf_fire_calls_2020-04-07_to_2020-04-20.csv"
SPLIT="2020-04-14T00:00:00-07:00"
for f in "$SF_PBF" "$PORTO_PBF" "$CALLS"; do
  [ -f "$f" ] || { echo "geocoding.sh: $f is missing" >&2; exit 2; }
done
[ -x "$BUILD/bench/geocode_bench" ] || { echo "geocoding.sh: build bench/geocode_bench first" >&2; exit 2; }

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

# 1. Import cost on Porto.
for i in 1 2 3; do
  "$BEACON" --log-level warn import-osm "$PORTO_PBF" --out "$WORK/porto.graph" \
    > "$WORK/import_with_$i.json" 2>/dev/null
  "$BEACON" --log-level warn import-osm "$PORTO_PBF" --out "$WORK/porto_plain.graph" --no-gazetteer \
    > "$WORK/import_without_$i.json" 2>/dev/null
done
"$BEACON" --log-level warn import-osm "$SF_PBF" --out "$WORK/sf.graph" > "$WORK/import_sf.json" 2>/dev/null

# 2. Latency.
BENCH_CMD=("$BUILD/bench/geocode_bench" --graph "$WORK/porto.graph" --queries 2000 --passes 3
  --json-out "$WORK/latency.json")
echo "bench: ${BENCH_CMD[*]}" >&2
"${BENCH_CMD[@]}" > /dev/null

# 3. Accuracy.
"$BEACON" --log-level warn addresses from-history --calls "$CALLS" --format sf-fire --to "$SPLIT" \
  --out "$WORK/week1.csv" > "$WORK/from_history.json"
"$BEACON" --log-level warn geocode --graph "$WORK/sf.graph" --evaluate "$CALLS" --format sf-fire \
  --from "$SPLIT" --json-out "$WORK/eval_osm.json" > /dev/null
"$BEACON" --log-level warn geocode --graph "$WORK/sf.graph" --addresses "$WORK/week1.csv" \
  --evaluate "$CALLS" --format sf-fire --from "$SPLIT" --json-out "$WORK/eval_points.json" > /dev/null

LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$WORK" "$OUT/geocoding.md" "$DOC" "$SPLIT" "$LOAD_BEFORE" "$LOAD_AFTER" "$(nproc)" <<'PY'
import json, re, statistics, sys, datetime
work, md_out, doc, split, load_before, load_after, nproc = sys.argv[1:]
load = lambda n: json.load(open(f"{work}/{n}"))
with_s = [load(f"import_with_{i}.json")["total_s"] for i in (1, 2, 3)]
without_s = [load(f"import_without_{i}.json")["total_s"] for i in (1, 2, 3)]
w, wo = statistics.median(with_s), statistics.median(without_s)
gz = load("import_with_1.json")["gazetteer"]
lat = load("latency.json")
osm, pts, hist = load("eval_osm.json"), load("eval_points.json"), load("from_history.json")

def row(label, s, goal=None):
    return (f"| {label} | {s['p50_ms']:.3f} | {s['p90_ms']:.3f} | {s['p99_ms']:.3f} | "
            f"{s['max_ms']:.3f} | {s['requests']:,} | {s['answered_share']:.1%} |")

ac_ok = lat["http_autocomplete"]["p99_ms"] <= 2
full_ok = lat["http_full"]["p99_ms"] <= 5
bench = f"""
## Geocoding

`bash bench/geocoding.sh build OUT` (run by `make bench`). Porto 2015 (OpenStreetMap © OpenStreetMap
contributors, ODbL): {lat['streets']:,} streets, {lat['intersections']:,} intersections,
{lat['house_numbers']:,} house numbers, {lat['places']:,} places, {lat['words']:,} distinct words; the index
is built in {lat['index_build_s']:.2f} s when the server starts. Machine: {nproc} cores, load average
{load_before} before and {load_after} after (1, 5, 15 min): on a shared, loaded machine the tails
(p99, max) and the import times carry the other jobs' noise.

**Import cost**: `beacon import-osm porto_2015.osm.pbf` took {w:.2f} s with the gazetteer and {wo:.2f} s
with `--no-gazetteer` (medians of 3 alternating runs each: {', '.join(f'{x:.2f}' for x in with_s)} vs
{', '.join(f'{x:.2f}' for x in without_s)}): **{(w / wo - 1):+.0%}** (goal ≤ +50 %:
{'met' if w <= 1.5 * wo else 'not met'}).

**Latency** (`{' '.join(['bench/geocode_bench', '--graph', 'porto.graph', '--queries', str(lat['queries_per_set']), '--passes', str(lat['passes'])])}`):
{lat['queries_per_set']:,} type-ahead queries (prefixes of street names, e.g. "{lat['example_queries'][0]}") and
{lat['queries_per_set']:,} full ones (abbreviated names, intersections, numbers, e.g.
"{lat['example_queries'][2]}", "{lat['example_queries'][3]}", "{lat['example_queries'][4]}"), generated from the
gazetteer, each set {lat['passes']} times after a warm-up pass. HTTP: one keep-alive connection to the real
`beacon serve --graph porto.graph`, closed loop, `GET /api/v1/geocode?q=...[&autocomplete=true]`, times from
request written to response read. In process: `Geocoder::Geocode` alone; the brute-force reference scores
every name of the same index (one pass). Times in ms.

| what | p50 | p90 | p99 | max | requests | with a candidate |
|---|---|---|---|---|---|---|
{row('HTTP, type-ahead (autocomplete=true)', lat['http_autocomplete'])}
{row('HTTP, full geocode', lat['http_full'])}
{row('in process, index, type-ahead', lat['index_autocomplete'])}
{row('in process, index, full', lat['index_full'])}
{row('in process, brute-force scan, type-ahead (reference)', lat['brute_autocomplete'])}
{row('in process, brute-force scan, full (reference)', lat['brute_full'])}

Goals: type-ahead p99 ≤ 2 ms over HTTP: **{'met' if ac_ok else 'not met'}** ({lat['http_autocomplete']['p99_ms']:.2f} ms);
full geocode p99 ≤ 5 ms: **{'met' if full_ok else 'not met'}** ({lat['http_full']['p99_ms']:.2f} ms). The index
answers {lat['brute_autocomplete']['p50_ms'] / max(lat['index_autocomplete']['p50_ms'], 1e-9):.0f}× (type-ahead) and
{lat['brute_full']['p50_ms'] / max(lat['index_full']['p50_ms'], 1e-9):.0f}× (full) faster than the scan at the median.
{lat['http_non_200']} answers were not 200.
"""
open(md_out, "w").write(bench)

def kind_rows(e, label):
    rows = []
    for k in ("intersection", "block", "other"):
        v = e["by_kind"].get(k)
        if not v:
            continue
        rows.append(f"| {label} | {k} | {v['addresses']} | {v['not_covered_by_the_map']} | "
                    f"{v['share_within_50_m']:.1f} % | {v['share_within_100_m']:.1f} % | "
                    f"{v['share_within_200_m']:.1f} % | {v['share_within_250_m']:.1f} % | "
                    f"{v['unresolved']} ({v.get('unresolved_street_not_in_map', 0)}) | {v['median_m']:.0f} m | "
                    f"{v['verified']} | {v['verified_wrong']} |")
    return "\n".join(rows)

def misses(e, k, n=12):
    v = e["by_kind"].get(k, {})
    out = []
    for m in v.get("misses", [])[:n]:
        d = "unresolved" if m.get("distance_m") is None else f"{m['distance_m']:.0f} m"
        out.append(f"| `{m['address']}` | {d} | {m.get('kind', '')} | {m.get('label', '')} | "
                   f"{m.get('why', '').replace('|', '/')} |")
    return "\n".join(out) or "| (none) | | | | |"

def share(e, k, key):
    return e["by_kind"][k][key]

inter = osm["by_kind"]["intersection"]
inter_found = inter["addresses"] - inter.get("unresolved_street_not_in_map", 0)
inter_ok = inter["within_100_m"]
blk = pts["by_kind"]["block"]
tk = blk["top_candidate_kinds"]
wrong = sum(e["by_kind"][k]["verified_wrong"] for e in (osm, pts) for k in e["by_kind"])
report = f"""
Run {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%MZ')} by `bash bench/geocoding.sh` (`make bench`). Data: DataSF "Fire Department Calls
for Service" 2020-04-07 to 2020-04-20 (public domain), the Mission/Bayview OpenStreetMap extract of 2014
(© OpenStreetMap contributors, ODbL). Commands:

```
beacon import-osm sf_mission_bayview_2014.osm.pbf --out sf.graph
beacon addresses from-history --calls sf_fire_calls_2020-04-07_to_2020-04-20.csv --format sf-fire \\
  --to {split} --out week1.csv
beacon geocode --graph sf.graph --evaluate sf_fire_calls_2020-04-07_to_2020-04-20.csv --format sf-fire \\
  --from {split}
beacon geocode --graph sf.graph --addresses week1.csv --evaluate sf_fire_calls_2020-04-07_to_2020-04-20.csv \\
  --format sf-fire --from {split}
```

**What is measured.** Learning uses the first week only (calls received before {split}:
{hist['calls']:,} calls, {hist['address_points']:,} address points; {hist['left_out_spread_over_100_m']} texts
left out because their calls lie more than 100 m apart). The test is every distinct `Address` of the
second week ({osm['calls_in_period']:,} calls; {osm['calls_inside_map_bbox']:,} of them inside the extract's
bounding box, {osm['distinct_addresses']} distinct texts) whose export `Location` lies within
{osm['covered_within_m']:.0f} m of a named street of the extract (the bounding box also holds places where the
2014 extract has no streets: those texts are counted apart as "not covered"). Each text is geocoded
once; the top candidate is compared with the median of the export's locations for that text (the
export places calls at block or intersection level). The kind of a text: "block" (`N Block of X`),
"intersection" (`X/Y`), "other". Wrong = farther than the goal's distance (100 m for intersections,
200 m for blocks, 250 m otherwise).

| points | kind | texts | not covered | ≤ 50 m | ≤ 100 m | ≤ 200 m | ≤ 250 m | unresolved (a street not in the map) | median | verified | verified and wrong |
|---|---|---|---|---|---|---|---|---|---|---|---|
{kind_rows(osm, 'OSM alone')}
{kind_rows(pts, 'OSM + week-1 points')}

**Goals.**

- Intersections within 100 m with OSM alone: **{share(osm, 'intersection', 'share_within_100_m'):.1f} %**
  ({inter_ok} of {inter['addresses']}; goal ≥ 97 %: {'met' if share(osm, 'intersection', 'share_within_100_m') >= 97 else 'not met'}).
  Of the {inter['unresolved']} unresolved, {inter.get('unresolved_street_not_in_map', 0)} name a street the 2014 extract does not have
  at all; over the texts whose two streets are both in the map the share is
  {100.0 * inter_ok / max(inter_found, 1):.1f} % ({inter_ok} of {inter_found}).
- Blocks within 200 m with the week-1 address points: **{share(pts, 'block', 'share_within_200_m'):.1f} %**
  (goal ≥ 90 %: {'met' if share(pts, 'block', 'share_within_200_m') >= 90 else 'not met'}). Of {blk['addresses']} week-2 block texts,
  {blk['top_from_centre_point']} were answered by a week-1 address point of the same block, {tk.get('block', 0) + tk.get('point', 0) - blk['top_from_centre_point'] - blk.get('top_aligned', 0)} were placed
  from known numbers of the block or between or beyond known blocks of the same street, {blk.get('top_aligned', 0)} were aligned with the same block of a
  parallel street ({blk.get('top_aligned_within_goal', 0)} of them within 200 m: grid numbering is not exact), and {tk.get('street', 0)} fell back to the street because
  week 1 knows no block of that street or of a parallel street near that number (the SF extract has no house numbers, so nothing
  else numbers its streets): those are most of the misses, and why the goal is not reachable from one week of
  history alone.
- Wrong answers marked `verified`: **{wrong}** (goal 0).

Largest misses, intersections with OSM alone (by calls):

| address | distance | kind | label | why |
|---|---|---|---|---|
{misses(osm, 'intersection')}

Largest misses, blocks with the week-1 points (by calls):

| address | distance | kind | label | why |
|---|---|---|---|---|
{misses(pts, 'block')}
"""
text = open(doc).read()
begin, end = "<!-- geocoding-report:begin -->", "<!-- geocoding-report:end -->"
a, b = text.index(begin) + len(begin), text.index(end)
open(doc, "w").write(text[:a] + report + text[b:])
PY
echo "bench: wrote $OUT/geocoding.md and the report in $(echo "$DOC" | sed "s|$ROOT/||")" >&2
