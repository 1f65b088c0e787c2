// timers_bench: the cost of one timer evaluation (service::Center::
// EvaluateTimers, what `beacon serve` runs every second) with 10,000 open
// incidents and 2,000 units, against a reference measured in the same run:
// a scan of every incident and unit per tick, which is what the evaluation
// would cost without the ordered set of next crossings (docs/dispatch.md,
// "Timers"). Goal: ≤ 1 ms per evaluation.
//
// The centre: the built-in response plans and their thresholds; 2,000 units
// of which 1,500 are committed (dispatched, en route or on scene) and 500
// available; 10,000 incidents opened 100 ms apart (so crossings are spread
// over time as on a real floor), 8,500 of them waiting for a unit. Each
// benchmark iteration advances the clock by one second and evaluates; the
// timers that fire are rendered, committed to an in-memory store and
// published, as in the server. The first evaluation, which fires every
// threshold crossed while the floor was built (the burst after a restart),
// is timed once and reported as a counter.
#include <benchmark/benchmark.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "dispatch/response_plan.h"
#include "dispatch/travel_times.h"
#include "service/center.h"
#include "store/memory/memory_store.h"

namespace beacon::bench {
namespace {

constexpr int kIncidents = 10000;
constexpr int kUnits = 2000;
constexpr int kCommitted = 1500;
constexpr TimeMs kStart = 1795442495399;

class NullSink final : public service::EventSink {
 public:
  void Publish(const std::vector<store::Event>& events) override { published += events.size(); }
  size_t published = 0;
};

struct Floor {
  Floor() : plans(Load()), center(store, plans, travel, clock, sink) {
    if (!center.Load(*store.Load()).ok()) throw std::runtime_error("load");
    const service::Actor sup{"bench", model::Role::kSupervisor, ""};
    auto ok = [](Result<nlohmann::json> r) {
      if (!r) throw std::runtime_error(r.error().message());
    };
    for (int u = 0; u < kUnits; ++u) {
      intake::UnitCreateRequest req{UnitId{"U" + std::to_string(u)}, u % 2 ? "engine" : "medic",
                                    std::nullopt, LatLon{37.7 + u * 1e-5, -122.4}};
      center.CreateUnit(sup, std::move(req), ok);
    }
    for (int i = 0; i < kIncidents; ++i) {
      clock.Advance(100);
      model::CallInput in;
      in.incident_type = "MEDICAL";
      // 1 km apart: no call is a duplicate of another.
      in.location = LatLon{37.0 + (i / 100) * 0.01, -122.0 + (i % 100) * 0.012};
      center.CreateCall(sup, std::move(in), ok);
      if (i < kCommitted) {
        center.Assign(sup, IncidentId{i + 1}, UnitId{"U" + std::to_string(i)}, ok);
        if (i % 3 >= 1) {
          center.SetUnitStatus(sup, UnitId{"U" + std::to_string(i)},
                               {model::UnitStatus::kEnRoute, std::nullopt, std::nullopt}, ok);
        }
        if (i % 3 == 2) {
          center.SetUnitStatus(sup, UnitId{"U" + std::to_string(i)},
                               {model::UnitStatus::kOnScene, std::nullopt, std::nullopt}, ok);
        }
      }
    }
    // The first evaluation fires every crossing passed while the floor was
    // built (as after a restart): measured once, apart from the ticks.
    size_t before = sink.published;
    auto t0 = std::chrono::steady_clock::now();
    center.EvaluateTimers();
    first_tick_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    first_tick_fired = sink.published - before;
  }
  static dispatch::ResponsePlans Load() {
    auto p = dispatch::ResponsePlans::Load(std::string(BEACON_SOURCE_DIR) +
                                           "/config/response_plans.json");
    if (!p) throw std::runtime_error(p.error().message());
    return std::move(*p);
  }

  store::MemoryStore store{/*keep_events=*/false};
  dispatch::ResponsePlans plans;
  dispatch::StraightLineTravelTimes travel;
  ManualClock clock{kStart};
  NullSink sink;
  service::Center center;
  double first_tick_ms = 0;
  size_t first_tick_fired = 0;
};

Floor& TheFloor() {
  static Floor floor;
  return floor;
}

// One tick of the server: advance a second, evaluate.
void BM_EvaluateTimers(benchmark::State& state) {
  Floor& f = TheFloor();
  size_t before = f.sink.published;
  for (auto _ : state) {
    f.clock.Advance(1000);
    f.center.EvaluateTimers();
  }
  state.counters["watches"] = static_cast<double>(f.center.TimerWatchCount());
  state.counters["fired_per_tick"] =
      static_cast<double>(f.sink.published - before) / static_cast<double>(state.iterations());
  state.counters["first_tick_ms"] = f.first_tick_ms;
  state.counters["first_tick_fired"] = static_cast<double>(f.first_tick_fired);
}
BENCHMARK(BM_EvaluateTimers)->Unit(benchmark::kMicrosecond)->Iterations(600);

// The reference: every tick, look at every incident and unit and work out
// whether its threshold has been crossed (no index of next crossings).
void BM_ScanEveryIncidentAndUnitPerTick(benchmark::State& state) {
  Floor& f = TheFloor();
  std::map<std::int64_t, model::Incident> incidents;
  std::map<std::string, model::Unit> units;
  const auto open = f.center.ListIncidents("open");
  for (const auto& j : (*open)["incidents"]) {
    auto inc = model::IncidentFromJson(j);
    incidents.emplace(inc.id.value(), std::move(inc));
  }
  const auto list = f.center.ListUnits();
  for (const auto& j : list["units"]) {
    auto u = model::UnitFromJson(j);
    units.emplace(u.id.value(), std::move(u));
  }
  const auto& timers = f.plans.timers();
  TimeMs now = f.clock.Now();
  for (auto _ : state) {
    now += 1000;
    int due = 0;
    for (const auto& [id, inc] : incidents) {
      auto since = inc.PendingSince();
      if (!since) continue;
      auto t = timers.pending_s.find(inc.priority);
      if (t != timers.pending_s.end() && now - *since >= t->second * 1000) ++due;
    }
    for (const auto& [id, u] : units) {
      auto t = timers.status_s.find(std::string(model::ToString(u.status)));
      if (t != timers.status_s.end() && now - u.status_at >= t->second * 1000) ++due;
    }
    benchmark::DoNotOptimize(due);
  }
}
BENCHMARK(BM_ScanEveryIncidentAndUnitPerTick)->Unit(benchmark::kMicrosecond)->Iterations(600);

}  // namespace
}  // namespace beacon::bench

BENCHMARK_MAIN();
