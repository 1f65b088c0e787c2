// kernels_bench: Google Benchmark micro-kernels on the call-intake path:
// parsing a POST /api/v1/calls body, one audit chain hash, serializing an
// incident document (it is written twice per call: row and event), the
// duplicate-call scan over N candidate incidents, and the grid lookup that
// picks those candidates among N open incidents (both run once per call,
// under the Center mutex).
#include <benchmark/benchmark.h>

#include <random>

#include "audit/audit_chain.h"
#include "correlate/duplicate_detector.h"
#include "correlate/incident_index.h"
#include "intake/requests.h"
#include "model/types.h"

namespace beacon::bench {
namespace {

constexpr const char* kCallBody =
    R"({"channel":"phone","location":{"lat":37.751234,"lon":-122.409876},)"
    R"("incident_type":"MEDICAL","narrative":"bench"})";

void BM_ParseCallRequest(benchmark::State& state) {
  for (auto _ : state) {
    auto r = intake::ParseCallRequest(kCallBody);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ParseCallRequest);

void BM_AuditEntryHash(benchmark::State& state) {
  if (!audit::Init()) state.SkipWithError("libsodium init failed");
  audit::Key key = audit::NewKey();
  audit::Record rec{1795442495399, "bench", "call_taker", "call.create", "call/12345", ""};
  std::string prev(64, 'a');
  std::int64_t seq = 1;
  for (auto _ : state) {
    auto h = audit::EntryHash(key, seq++, rec, prev);
    benchmark::DoNotOptimize(h);
  }
}
BENCHMARK(BM_AuditEntryHash);

// An incident with `calls` linked calls, as duplicates leave it.
model::Incident IncidentWithCalls(int calls) {
  model::Incident inc;
  inc.id = IncidentId{1};
  inc.incident_type = "MEDICAL";
  inc.priority = 2;
  inc.location = LatLon{37.751, -122.41};
  inc.opened_at = inc.last_call_at = 1795442495399;
  inc.timeline.push_back(
      {inc.opened_at, "opened", "opened from call 1 (phone, Medical emergency)", "bench"});
  for (int i = 1; i <= calls; ++i) {
    inc.call_ids.push_back(CallId{i});
    if (i == 1) continue;
    inc.timeline.push_back({inc.opened_at, "call_linked",
                            "call " + std::to_string(i) +
                                " linked as duplicate: 12 m from the incident, 0.1 min after "
                                "its last call, same category (medical)",
                            "bench"});
  }
  return inc;
}

void BM_IncidentToJsonDump(benchmark::State& state) {
  model::Incident inc = IncidentWithCalls(static_cast<int>(state.range(0)));
  size_t bytes = 0;
  for (auto _ : state) {
    std::string doc = model::ToJson(inc).dump();
    bytes = doc.size();
    benchmark::DoNotOptimize(doc);
  }
  state.counters["doc_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_IncidentToJsonDump)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);

void BM_FindDuplicate(benchmark::State& state) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> jitter(-0.5, 0.5);
  std::vector<correlate::OpenIncident> open;
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    open.push_back({IncidentId{i + 1},
                    {37.75 + jitter(rng), -122.41 + jitter(rng)},
                    "medical",
                    1795442495399});
  }
  correlate::NewCall call{{37.75 + jitter(rng), -122.41 + jitter(rng)}, "medical", 1795442495399};
  auto same = [](const std::string& a, const std::string& b) { return a == b; };
  for (auto _ : state) {
    auto m = correlate::FindDuplicate(call, open, {300, 1200}, same);
    benchmark::DoNotOptimize(m);
  }
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_FindDuplicate)->RangeMultiplier(10)->Range(100, 100000)->Complexity();

// Candidates near a call among N open incidents spread like ingest_bench's
// calls (37.75,-122.41 +/- 0.5 degrees), with 300 m cells.
void BM_IncidentIndexNear(benchmark::State& state) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> jitter(-0.5, 0.5);
  correlate::IncidentIndex index(300);
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    index.Insert(IncidentId{i + 1}, {37.75 + jitter(rng), -122.41 + jitter(rng)});
  }
  size_t candidates = 0, queries = 0;
  for (auto _ : state) {
    auto near = index.Near({37.75 + jitter(rng), -122.41 + jitter(rng)}, 300);
    candidates += near.size();
    ++queries;
    benchmark::DoNotOptimize(near);
  }
  state.counters["candidates"] = static_cast<double>(candidates) / static_cast<double>(queries);
}
BENCHMARK(BM_IncidentIndexNear)->RangeMultiplier(10)->Range(100, 100000);

}  // namespace
}  // namespace beacon::bench

BENCHMARK_MAIN();
