// InProcessDriver: the Center with a ManualClock and a MemoryStore. The
// store commits synchronously, so each command's `done` has run when the
// command returns.
#include <bit>
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "replay/driver.h"
#include "routing/road_network.h"
#include "service/center.h"
#include "store/memory/memory_store.h"

namespace beacon::replay {
namespace {

class NullSink final : public service::EventSink {
 public:
  void Publish(const std::vector<store::Event>&) override {}
};

// RoadNetwork's travel times with a cache of snaps by exact coordinates.
// Same answers: a snap is a pure function of the point.
class SnapCachedTravelTimes final : public dispatch::TravelTimes {
 public:
  explicit SnapCachedTravelTimes(const routing::RoadNetwork& net) : net_(net) {}

  std::vector<std::optional<dispatch::TravelEstimate>> ToTarget(std::span<const LatLon> sources,
                                                                LatLon target) const override {
    std::lock_guard lock(mu_);
    routing::NodeIndex t = Snap(target);
    // An unsnappable target gets the network's straight-line fallback.
    if (t == routing::kNoNode) return net_.ToTarget(sources, target);
    nodes_.clear();
    for (const LatLon& p : sources) nodes_.push_back(Snap(p));
    return net_.ToTargetNode(nodes_, t);
  }
  std::optional<dispatch::TravelEstimate> Between(LatLon from, LatLon to) const override {
    std::lock_guard lock(mu_);
    routing::NodeIndex a = Snap(from), b = Snap(to);
    if (a == routing::kNoNode || b == routing::kNoNode) return net_.Between(from, to);
    if (auto e = net_.BetweenNodes(a, b)) return e;
    return net_.Between(from, to);  // no route: the network's fallback
  }

 private:
  struct Key {
    std::uint64_t lat, lon;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<std::uint64_t>()(k.lat * 0x9E3779B97F4A7C15ull ^ k.lon);
    }
  };
  // kNoNode when the point cannot be snapped. Requires mu_.
  routing::NodeIndex Snap(LatLon p) const {
    Key k{std::bit_cast<std::uint64_t>(p.lat), std::bit_cast<std::uint64_t>(p.lon)};
    auto it = cache_.find(k);
    if (it != cache_.end()) return it->second;
    auto s = net_.SnapPoint(p);
    routing::NodeIndex n = s ? s->node : routing::kNoNode;
    cache_.emplace(k, n);
    return n;
  }

  const routing::RoadNetwork& net_;
  mutable std::mutex mu_;
  mutable std::unordered_map<Key, routing::NodeIndex, KeyHash> cache_;
  mutable std::vector<routing::NodeIndex> nodes_;
};

const service::Actor kReplay{"replay", model::Role::kSupervisor, "beacon replay"};

class InProcessDriver final : public Driver {
 public:
  InProcessDriver(const dispatch::ResponsePlans& plans, const dispatch::TravelTimes& tt)
      : store_(/*keep_events=*/false, store::MemoryStore::Records::kNone),
        clock_(0),
        center_(store_, plans, tt, clock_, sink_) {}
  InProcessDriver(const dispatch::ResponsePlans& plans,
                  std::unique_ptr<dispatch::TravelTimes> owned)
      : InProcessDriver(plans, *owned) {
    owned_ = std::move(owned);
  }

  void SetLocationResolver(const service::LocationResolver* resolver) override {
    center_.SetLocationResolver(resolver);
  }

  Status EnsureStation(TimeMs now, const model::Station& s) override {
    auto r = Run("station", now, [&](service::Done d) {
      center_.CreateStation(kReplay, {s.id, s.name, s.location}, std::move(d));
    });
    if (!r && r.error().code() != Code::kConflict) return r.error();
    return Status::Ok();
  }
  Status EnsureUnit(TimeMs now, const model::Unit& u) override {
    auto r = Run("unit", now, [&](service::Done d) {
      center_.CreateUnit(kReplay, {u.id, u.unit_type, u.station_id, u.position}, std::move(d));
    });
    if (!r && r.error().code() != Code::kConflict) return r.error();
    return Status::Ok();
  }
  Result<CallAnswer> CreateCall(TimeMs now, const model::CallInput& in) override {
    auto r =
        Run("call", now, [&](service::Done d) { center_.CreateCall(kReplay, in, std::move(d)); });
    if (!r) return r.error();
    CallAnswer a;
    a.call_id = (*r)["call_id"];
    a.incident_id = (*r)["incident_id"];
    a.duplicate = r->contains("duplicate_of");
    return a;
  }
  Result<Json> Recommend(TimeMs now, std::int64_t incident_id) override {
    clock_.Set(now);
    auto t0 = std::chrono::steady_clock::now();
    auto r = center_.Recommend(IncidentId{incident_id}, /*include_divert=*/false);
    Record("recommend", t0);
    return r;
  }
  Status Assign(TimeMs now, std::int64_t incident_id, const std::string& unit_id) override {
    return Run("assign", now,
               [&](service::Done d) {
                 center_.Assign(kReplay, IncidentId{incident_id}, UnitId{unit_id}, std::move(d));
               })
        .error_or_ok();
  }
  Status SetStatus(TimeMs now, const std::string& unit_id, model::UnitStatus s) override {
    return Run("status", now,
               [&](service::Done d) {
                 center_.SetUnitStatus(kReplay, UnitId{unit_id}, {s, std::nullopt, std::nullopt},
                                       std::move(d));
               })
        .error_or_ok();
  }
  Status SetPosition(TimeMs now, const std::string& unit_id, LatLon where) override {
    return Run("position", now,
               [&](service::Done d) {
                 center_.SetUnitPosition(kReplay, UnitId{unit_id}, where, std::move(d));
               })
        .error_or_ok();
  }
  Status Close(TimeMs now, std::int64_t incident_id, const std::string& disposition) override {
    return Run("close", now,
               [&](service::Done d) {
                 center_.Close(kReplay, IncidentId{incident_id}, disposition, std::move(d));
               })
        .error_or_ok();
  }
  Result<std::map<std::string, model::UnitStatus>> UnitStatuses(TimeMs) override {
    std::map<std::string, model::UnitStatus> out;
    const Json units = center_.ListUnits();  // bound: a temporary's member dangles
    for (const auto& u : units["units"]) {
      auto s = model::ParseUnitStatus(u["status"].get<std::string>());
      if (s) out[u["unit_id"].get<std::string>()] = *s;
    }
    return out;
  }
  std::string Describe() const override { return "in-process (simulated clock, memory store)"; }

 private:
  struct Outcome {
    Result<Json> r = Result<Json>(Status(Code::kInternal, "no answer"));
    Status error_or_ok() const { return r ? Status::Ok() : r.error(); }
    bool operator!() const { return !r; }
    const Status& error() const { return r.error(); }
    Json& operator*() { return *r; }
    Json* operator->() { return &*r; }
  };
  template <typename Op>
  Outcome Run(const char* what, TimeMs now, Op&& op) {
    clock_.Set(now);
    Outcome out;
    auto t0 = std::chrono::steady_clock::now();
    op([&out](Result<Json> r) { out.r = std::move(r); });
    Record(what, t0);
    return out;
  }
  void Record(const char* what, std::chrono::steady_clock::time_point t0) {
    latencies_[what].push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }

  std::unique_ptr<dispatch::TravelTimes> owned_;  // travel_times, when the driver made it
  store::MemoryStore store_;
  ManualClock clock_;
  NullSink sink_;
  service::Center center_;
};

}  // namespace

std::unique_ptr<Driver> MakeInProcessDriver(const dispatch::ResponsePlans& plans,
                                            const dispatch::TravelTimes& travel_times) {
  return std::make_unique<InProcessDriver>(plans, travel_times);
}

std::unique_ptr<Driver> MakeInProcessDriver(const dispatch::ResponsePlans& plans,
                                            const routing::RoadNetwork& network) {
  return std::make_unique<InProcessDriver>(plans, std::make_unique<SnapCachedTravelTimes>(network));
}

}  // namespace beacon::replay
