#!/usr/bin/env bash
# The anti-scam desk on the shared fraud data (FTC Do Not Call complaints and
# robocall transcripts, public domain; UCI SMS Spam Collection and Mendeley
# SMS Phishing, CC BY 4.0; PhishTank, CC BY-SA 2.5) and on 1,000,000 synthetic
# reports: runs bench/scam_bench, which rewrites the report section of
# docs/scam.md, and writes OUT_DIR/scam.md (the summary for docs/benchmarks.md).
# Usage: bench/scam.sh BUILD_DIR OUT_DIR.
# Environment: BENCH_TMP (temp dir parent), BENCH_SCAM_REPORTS (1000000).
set -euo pipefail
BUILD="$1"
OUT="$2"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="$ROOT/../shared/data/scam"
mkdir -p "$OUT"
if [ ! -d "$DATA" ]; then
  echo "bench/scam.sh: $DATA is missing; skipped" >&2
  exit 0
fi
CMD=("$BUILD/bench/scam_bench" --data "$DATA" --source "$ROOT" --beacon "$BUILD/beacon"
  --tmp "${BENCH_TMP:-${TMPDIR:-/tmp}}" --reports "${BENCH_SCAM_REPORTS:-1000000}" --sample 5000
  --json-out "$OUT/scam.json" --report-out "$ROOT/docs/scam.md")
echo "bench: ${CMD[*]}"
"${CMD[@]}" > /dev/null
python3 - "$OUT/scam.json" "$(echo "${CMD[*]}" | sed "s|$ROOT/||g")" > "$OUT/scam.md" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
real, syn, ex = r["real"], r["synthetic"], r["exact_sample"]
http = r.get("http")
print()
print("## Anti-scam desk")
print()
print("The full report on the shared fraud data is in [docs/scam.md](scam.md), written by the same")
print("run. Command:")
print()
print("```")
print(sys.argv[2])
print("```")
print()
print("| measurement | result | goal |")
print("|---|---|---|")
print(f"| import + linking of the {real['reports']:,} shared reports in-process (ScamDesk, in-memory store) | {real['reports_per_s']:,.0f} reports/s ({real['reports_per_cpu_s']:,.0f} per CPU-s) | |")
if http:
    ok = "met" if http["reports_per_s"] >= 5000 else "not met"
    print(f"| the same over HTTP into `beacon serve`, durable, batches of 1,000, {http['clients']} clients | {http['reports_per_s']:,.0f} reports/s ({http['reports_per_server_cpu_s']:,.0f} per server CPU-s) | ≥ 5,000: {ok} |")
ok = "met" if syn["reports_per_s"] >= 20000 else "not met"
print(f"| {syn['reports']:,} synthetic reports linked in-process (`scam::Linker`) | {syn['reports_per_s']:,.0f} reports/s ({syn['reports_per_cpu_s']:,.0f} per CPU-s) | ≥ 20,000: {ok} |")
ok = "met" if syn["last_10000_add_p99_us"] <= 1000 else "not met"
print(f"| one report linked at {syn['reports']:,} (last 10,000: p50 / p99 / max) | {syn['last_10000_add_p50_us']:.1f} / {syn['last_10000_add_p99_us']:.1f} / {syn['last_10000_add_max_us']:.0f} µs | p99 ≤ 1 ms: {ok} |")
print(f"| linker memory at {syn['reports']:,} | {syn['linker_memory_mib']:,.0f} MiB (RSS +{syn['rss_growth_mib']:,.0f} MiB) | |")
print(f"| reference: exact all-pairs Jaccard on {ex['texts']:,} texts | {ex['exact_all_pairs_s']:.2f} s; LSH found {100*ex['lsh_candidate_recall']:.2f} % of the {ex['pairs_at_or_above_threshold']:,} pairs at or above the threshold (bound {ex['recall_bound_at_threshold']:.4f}) | |")
PY
