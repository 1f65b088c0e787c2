#include "replay/replay.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <queue>
#include <set>
#include <thread>
#include <unordered_map>

#include "common/quantile.h"
#include "dispatch/recommender.h"
#include "routing/query.h"
#include "stats/intervals.h"

namespace beacon::replay {
namespace {

using model::UnitStatus;
using routing::NodeIndex;

enum class Kind { kStatus, kReturn, kCall, kDispatchRow, kBeaconDispatch, kCloseCheck, kSample };

struct Event {
  TimeMs t = 0;
  int prio = 0;  // at equal times: releases, then calls, dispatches, checks, samples
  std::int64_t seq = 0;
  Kind kind = Kind::kStatus;
  std::int64_t a = 0, b = 0;
  bool operator>(const Event& o) const {
    if (t != o.t) return t > o.t;
    if (prio != o.prio) return prio > o.prio;
    return seq > o.seq;
  }
};

int Prio(Kind k) {
  switch (k) {
    case Kind::kStatus:
    case Kind::kReturn:
      return 0;
    case Kind::kCall:
      return 1;
    case Kind::kDispatchRow:
    case Kind::kBeaconDispatch:
      return 2;
    case Kind::kCloseCheck:
      return 3;
    case Kind::kSample:
      return 4;
  }
  return 5;
}

struct CallState {
  const history::HistoricalCall* h = nullptr;
  NodeIndex node = routing::kNoNode;
  std::int64_t call_id = 0;
  std::int64_t incident = 0;
  bool created = false;
  bool duplicate = false;
};

struct UnitState {
  std::string type;
  std::optional<LatLon> station;  // home station location
  NodeIndex station_node = routing::kNoNode;
  std::optional<LatLon> position;  // set after a response; station when unset
  NodeIndex position_node = routing::kNoNode;
  UnitStatus status = UnitStatus::kAvailable;
  std::int64_t gen = 0;    // bumped on each assignment
  std::int64_t plan = -1;  // current assignment plan
};

struct Plan {
  std::string unit;
  std::int64_t incident = 0;
  std::int64_t gen = 0;
  size_t call = 0;
  std::vector<std::pair<TimeMs, UnitStatus>> steps;
  bool done = false;
  TimeMs start = 0;  // dispatched
};

struct IncidentState {
  int pending = 0;  // responses not yet finished (and, in history mode, rows not yet dispatched)
  bool closed = false;
  std::vector<size_t> calls;
};

// CPU time of the calling thread: unlike wall time it does not fall with
// the machine's load (the replay loop runs on one thread).
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

Json Num(double v, int decimals = 1) {
  if (!std::isfinite(v)) return nullptr;
  double f = std::pow(10.0, decimals);
  return std::round(v * f) / f;
}

Json Ratio(std::int64_t num, std::int64_t den) {
  if (den == 0) return nullptr;
  return Num(static_cast<double>(num) / static_cast<double>(den), 4);
}

class Engine {
 public:
  Engine(const history::History& h, const std::vector<Station>& stations,
         const routing::RoadNetwork& net, Driver& driver, const Options& opt)
      : h_(h),
        stations_(stations),
        net_(net),
        driver_(driver),
        opt_(opt),
        engine_(net.graph(), net.hierarchy()) {}

  Result<Json> Run();

 private:
  void Push(TimeMs t, Kind k, std::int64_t a = 0, std::int64_t b = 0) {
    queue_.push({t, Prio(k), seq_++, k, a, b});
  }
  NodeIndex Node(LatLon p) const {
    auto s = net_.SnapPoint(p);
    if (!s || s->snap_distance_m > opt_.max_snap_m) return routing::kNoNode;
    return s->node;
  }
  std::optional<LatLon> WhereIs(const UnitState& u) const {
    return u.position ? u.position : u.station;
  }
  NodeIndex NodeOf(const UnitState& u) const {
    return u.position ? u.position_node : u.station_node;
  }
  void Error(const std::string& what, const Status& s) {
    errors_[what]++;
    if (error_examples_.size() < 50) error_examples_.push_back(what + ": " + s.message());
  }

  Status Setup(TimeMs t0);
  void OnCall(TimeMs t, size_t ci);
  void OnDispatchRow(TimeMs t, size_t ci, size_t ri);
  void OnBeaconDispatch(TimeMs t, size_t ci);
  void OnStatus(TimeMs t, size_t pi, size_t step);
  void OnReturn(TimeMs t, const std::string& unit, std::int64_t gen);
  void OnSample(TimeMs t);
  void FinishPlan(TimeMs t, Plan& p);
  // Whether an available unit that could serve an incident of this type
  // (a needed type, a substitute or a first responder) stands on the graph.
  bool CapableUnitFree(const std::string& incident_type) const;
  void MaybeClose(TimeMs t, std::int64_t incident);
  bool ForceAvailable(TimeMs t, const std::string& unit);
  std::int64_t StartPlan(TimeMs t, const std::string& unit, std::int64_t incident, size_t ci,
                         std::vector<std::pair<TimeMs, UnitStatus>> steps);
  void CompareRecommendation(size_t ci, const Json& rec);
  // Response-time intervals (stats::Report, as GET /stats/intervals) of
  // what history did and, in recommend mode, of what Beacon did.
  Json Intervals() const;
  Json Summary(double seconds);

  const history::History& h_;
  const std::vector<Station>& stations_;
  const routing::RoadNetwork& net_;
  Driver& driver_;
  const Options& opt_;
  routing::RouteEngine engine_;

  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
  std::int64_t seq_ = 0;
  std::vector<CallState> calls_;
  std::map<std::string, UnitState> units_;
  std::vector<Plan> plans_;
  std::map<std::int64_t, IncidentState> incidents_;
  std::map<std::string, std::int64_t> skip_counts_;
  std::vector<history::SkippedRow> outside_;
  std::map<std::string, std::int64_t> errors_;
  std::vector<std::string> error_examples_;
  std::int64_t rows_replayed_ = 0;
  std::int64_t forced_releases_ = 0;
  std::int64_t dropped_times_ = 0;
  std::int64_t no_available_time_ = 0;
  std::int64_t units_without_station_ = 0;

  // Recommendation vs history.
  std::int64_t rec_compared_ = 0, rec_same_unit_ = 0, rec_same_type_ = 0, rec_empty_ = 0;
  std::vector<double> rec_eta_diff_s_;  // historical first unit's ETA - Beacon's first unit's ETA
  // NFPA 1710: first unit travel (s) per call (history) and per incident (Beacon).
  std::vector<double> hist_first_travel_s_, beacon_first_travel_s_;
  std::int64_t beacon_no_unit_ = 0;
  // Priority 1-2 incidents Beacon sent no unit to, and of those the ones
  // while a capable unit was free.
  std::int64_t urgent_no_unit_ = 0, urgent_no_unit_capable_free_ = 0;
  // Per home station node: the road time from each call (by index) to it.
  std::unordered_map<NodeIndex, std::vector<routing::Millis>> to_station_;
  double cpu_seconds_ = 0;  // CPU time of this thread in the event loop
  // Wall seconds of the event loop by event kind (throughput.by_event).
  double event_seconds_[7] = {};
  // Coverage samples.
  Json coverage_ = Json::array();
  std::vector<NodeIndex> demand_;
  std::vector<routing::Millis> times_;
};

Status Engine::Setup(TimeMs t0) {
  std::map<std::string, const Station*> by_number;
  for (const auto& s : stations_) {
    by_number[s.number] = &s;
    BEACON_RETURN_IF_ERROR(driver_.EnsureStation(t0, s.station));
  }
  for (const auto& [id, info] : h_.units) {
    UnitState u;
    u.type = info.unit_type;
    model::Unit mu;
    mu.id = UnitId{id};
    mu.unit_type = info.unit_type;
    auto home = opt_.unit_homes.find(id);
    auto st = by_number.find(home != opt_.unit_homes.end() ? home->second : info.station);
    if (st != by_number.end()) {
      mu.station_id = st->second->station.id;
      u.station = st->second->station.location;
      u.station_node = Node(*u.station);
    } else {
      ++units_without_station_;
    }
    if (auto s = driver_.EnsureUnit(t0, mu); !s.ok()) {
      return Status(s.code(), "unit " + id + ": " + s.message());
    }
    units_.emplace(id, std::move(u));
  }
  // Start from a clean board: a unit the server still has committed
  // (an earlier replay) is released.
  auto statuses = driver_.UnitStatuses(t0);
  if (!statuses) return statuses.error();
  for (const auto& [id, s] : *statuses) {
    if (!units_.count(id) || s == UnitStatus::kAvailable) continue;
    if (auto r = driver_.SetStatus(t0, id, UnitStatus::kAvailable); !r.ok()) Error("reset", r);
  }
  return Status::Ok();
}

std::int64_t Engine::StartPlan(TimeMs t, const std::string& unit, std::int64_t incident, size_t ci,
                               std::vector<std::pair<TimeMs, UnitStatus>> steps) {
  auto& u = units_[unit];
  Plan p{unit, incident, ++u.gen, ci, {}, false, t};
  // Keep the steps the status machine allows, in time order.
  UnitStatus at = UnitStatus::kDispatched;
  TimeMs last = t;
  for (auto [when, s] : steps) {
    if (when < last || !model::CanTransition(at, s)) {
      ++dropped_times_;
      continue;
    }
    p.steps.push_back({when, s});
    at = s;
    last = when;
    if (s == UnitStatus::kAvailable) break;
  }
  if (p.steps.empty() || p.steps.back().second != UnitStatus::kAvailable) {
    ++no_available_time_;
    p.steps.push_back({last, UnitStatus::kAvailable});
  }
  u.status = UnitStatus::kDispatched;
  u.plan = static_cast<std::int64_t>(plans_.size());
  plans_.push_back(std::move(p));
  incidents_[incident].pending++;
  for (size_t i = 0; i < plans_.back().steps.size(); ++i) {
    Push(plans_.back().steps[i].first, Kind::kStatus, u.plan, static_cast<std::int64_t>(i));
  }
  return u.plan;
}

bool Engine::ForceAvailable(TimeMs t, const std::string& unit) {
  auto& u = units_[unit];
  if (u.status == UnitStatus::kAvailable) return true;
  ++forced_releases_;
  if (auto s = driver_.SetStatus(t, unit, UnitStatus::kAvailable); !s.ok()) {
    Error("force_release", s);
    return false;
  }
  u.status = UnitStatus::kAvailable;
  if (u.plan >= 0) FinishPlan(t, plans_[static_cast<size_t>(u.plan)]);
  return true;
}

void Engine::FinishPlan(TimeMs t, Plan& p) {
  if (p.done) return;
  p.done = true;
  auto& u = units_[p.unit];
  if (u.plan >= 0 && &plans_[static_cast<size_t>(u.plan)] == &p) u.plan = -1;
  auto& inc = incidents_[p.incident];
  inc.pending--;
  MaybeClose(t, p.incident);
}

void Engine::MaybeClose(TimeMs t, std::int64_t incident) {
  auto& inc = incidents_[incident];
  if (inc.closed || inc.pending > 0) return;
  inc.closed = true;
  if (auto s = driver_.Close(t, incident, "replayed"); !s.ok()) Error("close", s);
}

void Engine::OnCall(TimeMs t, size_t ci) {
  auto& c = calls_[ci];
  model::CallInput in;
  in.channel = model::Channel::kPhone;
  in.received_at = c.h->received_at;
  if (!c.h->address.empty()) in.address = c.h->address.substr(0, 500);
  if (!opt_.address_only || !in.address) in.location = c.h->location;
  in.incident_type = c.h->incident_type;
  in.narrative = "replay of call " + c.h->call_id + " (" + c.h->call_type.substr(0, 200) + ")";
  auto r = driver_.CreateCall(t, in);
  if (!r) {
    Error("call", r.error());
    return;
  }
  c.created = true;
  c.call_id = r->call_id;
  c.incident = r->incident_id;
  c.duplicate = r->duplicate;
  auto& inc = incidents_[c.incident];
  inc.calls.push_back(ci);
  rows_replayed_ += static_cast<std::int64_t>(c.h->units.size());

  // Historical first arrival (NFPA 1710 travel: en route -> on scene).
  std::optional<TimeMs> first_on_scene;
  double travel = -1;
  for (const auto& u : c.h->units) {
    if (!u.en_route_at || !u.on_scene_at || *u.on_scene_at < *u.en_route_at) continue;
    if (!first_on_scene || *u.on_scene_at < *first_on_scene) {
      first_on_scene = u.on_scene_at;
      travel = static_cast<double>(*u.on_scene_at - *u.en_route_at) / 1000.0;
    }
  }
  if (travel >= 0) hist_first_travel_s_.push_back(travel);

  if (opt_.mode == Mode::kHistory) {
    if (!c.duplicate) {
      auto rec = driver_.Recommend(t, c.incident);
      if (rec)
        CompareRecommendation(ci, *rec);
      else
        Error("recommend", rec.error());
    }
    inc.pending += static_cast<int>(c.h->units.size());
    for (size_t ri = 0; ri < c.h->units.size(); ++ri) {
      Push(std::max(t, c.h->units[ri].dispatched_at), Kind::kDispatchRow,
           static_cast<std::int64_t>(ci), static_cast<std::int64_t>(ri));
    }
  } else if (!c.duplicate) {
    // Beacon dispatches when the centre really did (same call-processing time).
    TimeMs at = t;
    if (!c.h->units.empty()) at = std::max(t, c.h->units.front().dispatched_at);
    inc.pending++;  // until the dispatch has happened
    Push(at, Kind::kBeaconDispatch, static_cast<std::int64_t>(ci));
  }
  Push(t, Kind::kCloseCheck, c.incident);
}

void Engine::CompareRecommendation(size_t ci, const Json& rec) {
  const auto& c = calls_[ci];
  if (c.h->units.empty()) return;
  const auto& list = rec.value("units", Json::array());
  if (list.empty()) {
    ++rec_empty_;
    return;
  }
  ++rec_compared_;
  const auto& top = list.front();
  const auto& first = c.h->units.front();
  std::string top_id = top.value("unit_id", "");
  if (top_id == first.unit_id) {
    ++rec_same_unit_;
    ++rec_same_type_;
    return;
  }
  if (top.value("unit_type", "") == first.unit_type) ++rec_same_type_;
  auto it = units_.find(first.unit_id);
  if (it == units_.end()) return;
  auto where = WhereIs(it->second);
  if (!where) return;
  // From the snapped nodes when both are known (the same answer as from
  // the points, without snapping them again).
  const NodeIndex from = NodeOf(it->second);
  auto eta = from != routing::kNoNode ? net_.BetweenNodes(from, c.node) : std::nullopt;
  if (!eta) eta = net_.Between(*where, c.h->location);
  if (eta && eta->by_road) {
    rec_eta_diff_s_.push_back(eta->eta_s - top.value("eta_s", 0.0));
  }
}

void Engine::OnDispatchRow(TimeMs t, size_t ci, size_t ri) {
  const auto& c = calls_[ci];
  const auto& row = c.h->units[ri];
  auto& inc = incidents_[c.incident];
  inc.pending--;  // the row is now dispatched (or given up); its plan counts instead
  if (inc.closed) {
    errors_["incident_closed_before_dispatch"]++;
    return;
  }
  if (!ForceAvailable(t, row.unit_id)) {
    MaybeClose(t, c.incident);
    return;
  }
  if (auto s = driver_.Assign(t, c.incident, row.unit_id); !s.ok()) {
    Error("assign", s);
    MaybeClose(t, c.incident);
    return;
  }
  std::vector<std::pair<TimeMs, UnitStatus>> steps;
  if (row.en_route_at) steps.push_back({*row.en_route_at, UnitStatus::kEnRoute});
  if (row.on_scene_at) steps.push_back({*row.on_scene_at, UnitStatus::kOnScene});
  if (row.transporting_at) steps.push_back({*row.transporting_at, UnitStatus::kTransporting});
  if (row.at_hospital_at) steps.push_back({*row.at_hospital_at, UnitStatus::kAtHospital});
  if (row.available_at) steps.push_back({*row.available_at, UnitStatus::kAvailable});
  StartPlan(t, row.unit_id, c.incident, ci, std::move(steps));
}

void Engine::OnBeaconDispatch(TimeMs t, size_t ci) {
  const auto& c = calls_[ci];
  auto& inc = incidents_[c.incident];
  inc.pending--;
  auto rec = driver_.Recommend(t, c.incident);
  if (!rec) {
    Error("recommend", rec.error());
    MaybeClose(t, c.incident);
    return;
  }
  CompareRecommendation(ci, *rec);
  std::vector<bool> used(c.h->units.size(), false);
  double first_eta = -1;
  for (const auto& r : rec->value("units", Json::array())) {
    std::string uid = r.value("unit_id", "");
    if (!units_.count(uid) || units_[uid].status != UnitStatus::kAvailable) continue;
    if (auto s = driver_.Assign(t, c.incident, uid); !s.ok()) {
      Error("assign", s);
      continue;
    }
    double eta_s = r.value("eta_s", 0.0);
    if (first_eta < 0 || eta_s < first_eta) first_eta = eta_s;
    // Durations from the historical response of the same unit type (else the first).
    const history::UnitResponse* tmpl = nullptr;
    for (size_t i = 0; i < c.h->units.size() && !tmpl; ++i) {
      if (!used[i] && c.h->units[i].unit_type == units_[uid].type)
        used[i] = true, tmpl = &c.h->units[i];
    }
    if (!tmpl && !c.h->units.empty()) tmpl = &c.h->units.front();
    std::vector<std::pair<TimeMs, UnitStatus>> steps;
    TimeMs turnout = 60'000, en_route = 0;
    if (tmpl && tmpl->en_route_at && *tmpl->en_route_at >= tmpl->dispatched_at) {
      turnout = *tmpl->en_route_at - tmpl->dispatched_at;
    }
    en_route = t + turnout;
    steps.push_back({en_route, UnitStatus::kEnRoute});
    TimeMs travel = static_cast<TimeMs>(std::llround(eta_s * 1000));
    if (!tmpl) {
      steps.push_back({en_route + travel, UnitStatus::kOnScene});
      steps.push_back({en_route + travel + 15 * 60'000, UnitStatus::kAvailable});
    } else if (!tmpl->on_scene_at) {
      // Cancelled before arriving in history: cancelled after the same time here.
      TimeMs after =
          tmpl->available_at && tmpl->en_route_at && *tmpl->available_at >= *tmpl->en_route_at
              ? *tmpl->available_at - *tmpl->en_route_at
              : 0;
      steps.push_back({en_route + after, UnitStatus::kAvailable});
    } else {
      TimeMs on_scene = en_route + travel;
      steps.push_back({on_scene, UnitStatus::kOnScene});
      TimeMs base = *tmpl->on_scene_at;
      auto shift = [&](TimeMs hist) { return on_scene + std::max<TimeMs>(0, hist - base); };
      if (tmpl->transporting_at)
        steps.push_back({shift(*tmpl->transporting_at), UnitStatus::kTransporting});
      if (tmpl->at_hospital_at)
        steps.push_back({shift(*tmpl->at_hospital_at), UnitStatus::kAtHospital});
      if (tmpl->available_at) steps.push_back({shift(*tmpl->available_at), UnitStatus::kAvailable});
    }
    StartPlan(t, uid, c.incident, ci, std::move(steps));
  }
  if (first_eta >= 0) {
    beacon_first_travel_s_.push_back(first_eta);
  } else {
    ++beacon_no_unit_;
    if (rec->value("priority", 5) <= 2) {
      ++urgent_no_unit_;
      if (CapableUnitFree(rec->value("incident_type", ""))) ++urgent_no_unit_capable_free_;
    }
  }
  MaybeClose(t, c.incident);
}

bool Engine::CapableUnitFree(const std::string& incident_type) const {
  const dispatch::IncidentTypePlan* plan = opt_.plans ? opt_.plans->Find(incident_type) : nullptr;
  if (!plan) return false;
  std::set<std::string> capable;
  for (const auto& need : plan->units) {
    capable.insert(need.unit_type);
    for (const auto& sub : opt_.plans->Substitutes(*plan, need.unit_type)) capable.insert(sub);
  }
  for (const auto& t : opt_.plans->FirstResponders(*plan)) capable.insert(t);
  for (const auto& [id, u] : units_) {
    if (u.status == UnitStatus::kAvailable && NodeOf(u) != routing::kNoNode &&
        capable.count(u.type)) {
      return true;
    }
  }
  return false;
}

void Engine::OnStatus(TimeMs t, size_t pi, size_t step) {
  Plan& p = plans_[pi];
  if (p.done) return;
  auto& u = units_[p.unit];
  if (u.gen != p.gen) return;
  UnitStatus s = p.steps[step].second;
  if (auto r = driver_.SetStatus(t, p.unit, s); !r.ok()) {
    Error("status", r);
    if (s != UnitStatus::kAvailable) return;
  }
  u.status = s;
  if (s != UnitStatus::kAvailable) return;
  // Cleared: the unit is where the call was and heads home (docs/replay.md).
  const auto& scene = calls_[p.call].h->location;
  if (auto r = driver_.SetPosition(t, p.unit, scene); r.ok()) {
    u.position = scene;
    u.position_node = calls_[p.call].node;
  } else {
    Error("position", r);
  }
  if (u.station) {
    // Road time scene -> station between the snapped nodes (turn-restriction
    // copies of the station's node are not considered: a return trip).
    TimeMs delay = 0;
    if (auto st = to_station_.find(u.station_node); st != to_station_.end()) {
      routing::Millis back = st->second[p.call];
      if (back != routing::kUnreachable) delay = back;
    }
    Push(t + delay, Kind::kReturn, static_cast<std::int64_t>(pi), u.gen);
  }
  FinishPlan(t, p);
}

void Engine::OnReturn(TimeMs t, const std::string& unit, std::int64_t gen) {
  auto& u = units_[unit];
  if (u.gen != gen || u.status != UnitStatus::kAvailable || !u.station) return;
  if (auto r = driver_.SetPosition(t, unit, *u.station); !r.ok()) {
    Error("position", r);
    return;
  }
  u.position.reset();  // at the station again
}

void Engine::OnSample(TimeMs t) {
  std::vector<NodeIndex> sources;
  std::int64_t available = 0, busy = 0;
  for (const auto& [id, u] : units_) {
    if (u.status != UnitStatus::kAvailable) {
      ++busy;
      continue;
    }
    ++available;
    NodeIndex n = NodeOf(u);
    if (n != routing::kNoNode) sources.push_back(n);
  }
  // A calibrated network adds a fixed time to every ETA: within T seconds
  // is road time within T minus it.
  auto road_ms = [&](double s) {
    return static_cast<routing::Millis>(std::max(0.0, (s - net_.fixed_s()) * 1000));
  };
  auto limit = road_ms(opt_.coverage_limits_s[1]);
  engine_.Reachable(sources, limit, times_);
  const auto& orig = net_.original_node();
  if (!orig.empty()) {
    for (size_t i = 0; i < orig.size(); ++i) {
      if (orig[i] != i) times_[orig[i]] = std::min(times_[orig[i]], times_[i]);
    }
  }
  std::int64_t within[2] = {0, 0};
  auto l0 = road_ms(opt_.coverage_limits_s[0]);
  for (NodeIndex n : demand_) {
    routing::Millis x = times_[n];
    if (x <= l0) ++within[0];
    if (x <= limit) ++within[1];
  }
  double d = demand_.empty() ? 1 : static_cast<double>(demand_.size());
  coverage_.push_back({{"time", FormatRfc3339(t)},
                       {"t", t},
                       {"available_units", available},
                       {"busy_units", busy},
                       {"share_240s", Num(static_cast<double>(within[0]) / d, 4)},
                       {"share_480s", Num(static_cast<double>(within[1]) / d, 4)}});
}

Result<Json> Engine::Run() {
  // Which calls lie inside the graph.
  for (const auto& c : h_.calls) {
    if ((opt_.from && c.received_at < *opt_.from) || (opt_.to && c.received_at >= *opt_.to)) {
      skip_counts_["outside_period"] += static_cast<std::int64_t>(c.units.size());
      continue;
    }
    NodeIndex n = Node(c.location);
    if (n == routing::kNoNode) {
      // Each usable row of the call is skipped for this one reason; rows
      // already skipped (e.g. an unmapped unit type) keep their reason.
      skip_counts_["outside_graph"] += static_cast<std::int64_t>(c.units.size());
      for (const auto& u : c.units) {
        if (outside_.size() >= 100000) break;
        outside_.push_back({u.line, "outside_graph",
                            "line " + std::to_string(u.line) + ": call " + c.call_id + " at (" +
                                std::to_string(c.location.lat) + ", " +
                                std::to_string(c.location.lon) + ") is more than " +
                                std::to_string(static_cast<int>(opt_.max_snap_m)) +
                                " m from any road of the graph"});
      }
      continue;
    }
    CallState s;
    s.h = &c;
    s.node = n;
    calls_.push_back(s);
    demand_.push_back(n);
  }
  if (calls_.empty()) {
    return Invalid("no call of the history (in the period) lies inside the road graph (within " +
                   std::to_string(static_cast<int>(opt_.max_snap_m)) + " m of a road)");
  }
  const TimeMs t0 = calls_.front().h->received_at;
  const TimeMs t1 = calls_.back().h->received_at;
  BEACON_RETURN_IF_ERROR(Setup(t0));
  for (size_t i = 0; i < calls_.size(); ++i) {
    Push(calls_[i].h->received_at, Kind::kCall, static_cast<std::int64_t>(i));
  }
  const TimeMs step = opt_.coverage_step_ms;
  for (TimeMs t = (t0 / step) * step + step; t <= t1; t += step) Push(t, Kind::kSample);

  // Road times from every call to every home station, for the trips back
  // (many-to-one from all calls, one query per station; the same times as a
  // query per trip, without one in the event loop).
  {
    std::vector<NodeIndex> call_nodes;
    for (const auto& c : calls_) call_nodes.push_back(c.node);
    engine_.PrepareSources(call_nodes);
    for (const auto& [id, u] : units_) {
      if (u.station_node == routing::kNoNode || to_station_.count(u.station_node)) continue;
      to_station_.emplace(u.station_node, engine_.TimesToTarget(u.station_node));
    }
  }
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = ThreadCpuSeconds();
  std::int64_t processed = 0;
  while (!queue_.empty()) {
    Event e = queue_.top();
    queue_.pop();
    if (opt_.speed > 0) {
      auto due = wall0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double, std::milli>(
                                 static_cast<double>(e.t - t0) / opt_.speed));
      std::this_thread::sleep_until(due);
    }
    const auto e0 = std::chrono::steady_clock::now();
    switch (e.kind) {
      case Kind::kCall:
        OnCall(e.t, static_cast<size_t>(e.a));
        break;
      case Kind::kDispatchRow:
        OnDispatchRow(e.t, static_cast<size_t>(e.a), static_cast<size_t>(e.b));
        break;
      case Kind::kBeaconDispatch:
        OnBeaconDispatch(e.t, static_cast<size_t>(e.a));
        break;
      case Kind::kStatus:
        OnStatus(e.t, static_cast<size_t>(e.a), static_cast<size_t>(e.b));
        break;
      case Kind::kReturn:
        OnReturn(e.t, plans_[static_cast<size_t>(e.a)].unit, e.b);
        break;
      case Kind::kCloseCheck:
        MaybeClose(e.t, e.a);
        break;
      case Kind::kSample:
        OnSample(e.t);
        break;
    }
    event_seconds_[static_cast<int>(e.kind)] +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - e0).count();
    if (opt_.progress && (++processed & 255) == 0 && t1 > t0) {
      opt_.progress(
          std::clamp(static_cast<double>(e.t - t0) / static_cast<double>(t1 - t0), 0.0, 1.0));
    }
  }
  if (opt_.progress) opt_.progress(1.0);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  cpu_seconds_ = ThreadCpuSeconds() - cpu0;
  return Summary(seconds);
}

Json Engine::Summary(double seconds) {
  Json s;
  s["mode"] = opt_.mode == Mode::kHistory ? "history" : "recommend";
  s["driver"] = driver_.Describe();
  s["graph"] = {{"nodes", net_.graph().nodes()}, {"arcs", net_.graph().arcs()}};

  // Rows and calls.
  std::int64_t skipped_rows = 0;
  std::map<std::string, std::int64_t> skips = h_.skip_counts;
  for (const auto& [k, v] : skip_counts_) skips[k] += v;
  for (const auto& [k, v] : skips) skipped_rows += v;
  std::set<std::string> units_seen;
  for (const auto& c : calls_) {
    for (const auto& u : c.h->units) units_seen.insert(u.unit_id);
  }
  s["rows"] = {{"read", h_.rows},
               {"replayed", rows_replayed_},
               {"skipped", skips},
               {"defaulted_call_types", h_.defaulted_call_types}};
  std::int64_t created = 0, duplicates = 0;
  for (const auto& c : calls_) created += c.created, duplicates += c.duplicate;
  s["calls"] = {{"read", static_cast<std::int64_t>(h_.calls.size())},
                {"inside_graph", static_cast<std::int64_t>(calls_.size())},
                {"replayed", created},
                {"linked_as_duplicate", duplicates},
                {"incidents", static_cast<std::int64_t>(incidents_.size())}};
  s["units"] = {{"known", static_cast<std::int64_t>(h_.units.size())},
                {"without_station", units_without_station_},
                {"responding_inside_graph", static_cast<std::int64_t>(units_seen.size())},
                {"forced_releases", forced_releases_},
                {"status_times_dropped", dropped_times_},
                {"responses_without_available_time", no_available_time_}};
  s["stations"] = static_cast<std::int64_t>(stations_.size());
  if (!calls_.empty()) {
    s["period"] = {{"from", FormatRfc3339(calls_.front().h->received_at)},
                   {"to", FormatRfc3339(calls_.back().h->received_at)}};
  }

  // Duplicates, scored as pairs of calls.
  std::map<std::string, std::vector<size_t>> truth;
  std::map<std::int64_t, std::vector<size_t>> merged;
  for (size_t i = 0; i < calls_.size(); ++i) {
    if (!calls_[i].created) continue;
    if (!calls_[i].h->incident_group.empty()) truth[calls_[i].h->incident_group].push_back(i);
    merged[calls_[i].incident].push_back(i);
  }
  std::int64_t truth_pairs = 0, merged_pairs = 0, correct = 0;
  for (const auto& [k, v] : truth)
    truth_pairs += static_cast<std::int64_t>(v.size() * (v.size() - 1) / 2);
  for (const auto& [k, v] : merged) {
    for (size_t a = 0; a < v.size(); ++a) {
      for (size_t b = a + 1; b < v.size(); ++b) {
        ++merged_pairs;
        const auto& ga = calls_[v[a]].h->incident_group;
        if (!ga.empty() && ga == calls_[v[b]].h->incident_group) ++correct;
      }
    }
  }
  s["duplicates"] = {{"true_pairs", truth_pairs},
                     {"merged_pairs", merged_pairs},
                     {"correct_pairs", correct},
                     {"precision", Ratio(correct, merged_pairs)},
                     {"recall", Ratio(correct, truth_pairs)}};

  // Travel-time calibration: responses from the unit's own station.
  std::map<std::string, std::vector<std::pair<TimeMs, std::optional<TimeMs>>>> by_unit;
  for (const auto& c : h_.calls) {
    for (const auto& u : c.units) by_unit[u.unit_id].push_back({u.dispatched_at, u.available_at});
  }
  for (auto& [id, v] : by_unit) std::sort(v.begin(), v.end());
  std::map<std::string, const Station*> by_number;
  for (const auto& st : stations_) by_number[st.number] = &st;
  Json points = Json::array();
  std::vector<double> err, abs_err;
  std::int64_t considered = 0;
  for (const auto& c : calls_) {
    for (const auto& u : c.h->units) {
      const auto& info = h_.units.at(u.unit_id);
      if (info.station_from != "unit_id") continue;
      auto st = by_number.find(info.station);
      if (st == by_number.end()) continue;
      if (!u.en_route_at || !u.on_scene_at) continue;
      double actual = static_cast<double>(*u.on_scene_at - *u.en_route_at) / 1000.0;
      if (actual <= 0 || actual > 1800) continue;
      // Previous response of this unit anywhere in the export.
      const auto& v = by_unit[u.unit_id];
      auto it = std::lower_bound(v.begin(), v.end(),
                                 std::make_pair(u.dispatched_at, std::optional<TimeMs>()));
      bool home = true;
      if (it != v.begin()) {
        auto prev = std::prev(it);
        home = prev->second && *prev->second + opt_.back_at_station_ms <= u.dispatched_at;
      }
      if (!home) continue;
      ++considered;
      auto eta = net_.Between(st->second->station.location, c.h->location);
      if (!eta || !eta->by_road) continue;
      double e = eta->eta_s - actual;
      err.push_back(e);
      abs_err.push_back(std::abs(e));
      points.push_back({{"line", u.line},
                        {"unit_id", u.unit_id},
                        {"predicted_s", Num(eta->eta_s)},
                        {"actual_s", Num(actual)}});
    }
  }
  double mean = 0;
  for (double e : err) mean += e;
  if (!err.empty()) mean /= static_cast<double>(err.size());
  Json hist = Json::array();
  for (int b = -600; b < 600; b += 30) {
    std::int64_t n = 0;
    for (double e : err) n += e >= b && e < b + 30;
    hist.push_back({{"from_s", b}, {"to_s", b + 30}, {"count", n}});
  }
  std::int64_t below = 0, above = 0;
  for (double e : err) below += e < -600, above += e >= 600;
  s["calibration"] = {{"responses", static_cast<std::int64_t>(err.size())},
                      {"considered", considered},
                      {"median_abs_error_s", Num(Quantile(abs_err, 0.5))},
                      {"p90_abs_error_s", Num(Quantile(abs_err, 0.9))},
                      {"bias_mean_s", err.empty() ? Json(nullptr) : Num(mean)},
                      {"bias_median_s", Num(Quantile(err, 0.5))},
                      {"histogram", hist},
                      {"below_histogram", below},
                      {"above_histogram", above},
                      {"points", points}};

  // Recommendation vs history.
  s["recommendation_vs_history"] = {
      {"compared", rec_compared_},
      {"same_first_unit", rec_same_unit_},
      {"same_first_unit_share", Ratio(rec_same_unit_, rec_compared_)},
      {"same_first_unit_type_share", Ratio(rec_same_type_, rec_compared_)},
      {"no_recommendation", rec_empty_},
      {"eta_difference_when_different",
       {{"count", static_cast<std::int64_t>(rec_eta_diff_s_.size())},
        {"median_s", Num(Quantile(rec_eta_diff_s_, 0.5))},
        {"mean_s", rec_eta_diff_s_.empty()
                       ? Json(nullptr)
                       : Num(std::accumulate(rec_eta_diff_s_.begin(), rec_eta_diff_s_.end(), 0.0) /
                             static_cast<double>(rec_eta_diff_s_.size()))},
        {"p90_s", Num(Quantile(rec_eta_diff_s_, 0.9))}}}};

  // NFPA 1710: first unit travel <= 240 s.
  auto share = [](const std::vector<double>& v) {
    std::int64_t n = 0;
    for (double x : v) n += x <= 240.0;
    return Ratio(n, static_cast<std::int64_t>(v.size()));
  };
  Json nfpa = {{"historical",
                {{"incidents", static_cast<std::int64_t>(hist_first_travel_s_.size())},
                 {"share_within_240s", share(hist_first_travel_s_)},
                 {"median_first_travel_s", Num(Quantile(hist_first_travel_s_, 0.5))}}}};
  if (opt_.mode == Mode::kRecommend) {
    // Beacon's travel times are its predictions; corrected by the median
    // calibration error they say what the same choice would likely achieve.
    double bias = Quantile(err, 0.5);
    std::vector<double> corrected;
    for (double x : beacon_first_travel_s_) corrected.push_back(std::isfinite(bias) ? x - bias : x);
    nfpa["beacon"] = {
        {"incidents", static_cast<std::int64_t>(beacon_first_travel_s_.size())},
        {"no_unit_sent", beacon_no_unit_},
        {"no_unit_sent_share",
         Ratio(beacon_no_unit_,
               beacon_no_unit_ + static_cast<std::int64_t>(beacon_first_travel_s_.size()))},
        {"urgent_no_unit_sent", urgent_no_unit_},
        {"urgent_no_unit_while_capable_free", urgent_no_unit_capable_free_},
        {"share_within_240s", share(beacon_first_travel_s_)},
        {"share_within_240s_bias_corrected", share(corrected)},
        {"median_first_travel_s", Num(Quantile(beacon_first_travel_s_, 0.5))}};
  } else {
    nfpa["beacon"] = nullptr;
  }
  s["nfpa_1710"] = nfpa;
  s["intervals"] = Intervals();

  // Coverage.
  std::vector<double> c240, c480;
  for (const auto& p : coverage_) {
    if (!p["share_240s"].is_null()) c240.push_back(p["share_240s"]);
    if (!p["share_480s"].is_null()) c480.push_back(p["share_480s"]);
  }
  s["coverage"] = {{"step_s", opt_.coverage_step_ms / 1000},
                   {"demand_points", static_cast<std::int64_t>(demand_.size())},
                   {"share_240s",
                    {{"min", Num(Quantile(c240, 0), 4)},
                     {"median", Num(Quantile(c240, 0.5), 4)},
                     {"max", Num(Quantile(c240, 1), 4)}}},
                   {"share_480s",
                    {{"min", Num(Quantile(c480, 0), 4)},
                     {"median", Num(Quantile(c480, 0.5), 4)},
                     {"max", Num(Quantile(c480, 1), 4)}}},
                   {"samples", coverage_}};

  // Throughput and latency.
  std::int64_t commands = 0;
  Json lat = Json::object();
  for (const auto& [op, v] : driver_.latencies()) {
    commands += static_cast<std::int64_t>(v.size());
    double sum = 0;
    for (double x : v) sum += x;
    lat[op] = {{"count", static_cast<std::int64_t>(v.size())},
               {"mean_us", Num(v.empty() ? 0 : sum / static_cast<double>(v.size()))},
               {"p50_us", Num(Quantile(v, 0.5))},
               {"p99_us", Num(Quantile(v, 0.99))},
               {"max_us", Num(Quantile(v, 1))}};
  }
  s["throughput"] = {
      {"replay_seconds", Num(seconds, 3)},
      {"rows_per_s", Num(seconds > 0 ? static_cast<double>(rows_replayed_) / seconds : 0)},
      {"commands", commands},
      {"replay_cpu_seconds", Num(cpu_seconds_, 3)},
      {"rows_per_cpu_s",
       Num(cpu_seconds_ > 0 ? static_cast<double>(rows_replayed_) / cpu_seconds_ : 0)},
      {"by_event_seconds",
       {{"status", Num(event_seconds_[static_cast<int>(Kind::kStatus)], 4)},
        {"return", Num(event_seconds_[static_cast<int>(Kind::kReturn)], 4)},
        {"call", Num(event_seconds_[static_cast<int>(Kind::kCall)], 4)},
        {"dispatch_row", Num(event_seconds_[static_cast<int>(Kind::kDispatchRow)], 4)},
        {"beacon_dispatch", Num(event_seconds_[static_cast<int>(Kind::kBeaconDispatch)], 4)},
        {"close_check", Num(event_seconds_[static_cast<int>(Kind::kCloseCheck)], 4)},
        {"coverage_sample", Num(event_seconds_[static_cast<int>(Kind::kSample)], 4)}}},
      {"commands_per_s", Num(seconds > 0 ? static_cast<double>(commands) / seconds : 0)}};
  s["latency"] = lat;
  Json ex = Json::array();
  for (const auto& m : error_examples_) ex.push_back(m);
  s["errors"] = {{"counts", errors_}, {"examples", ex}};
  Json skipped = Json::array();
  std::vector<history::SkippedRow> all = h_.skipped;
  all.insert(all.end(), outside_.begin(), outside_.end());
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
  for (const auto& r : all)
    skipped.push_back({{"line", r.line}, {"reason", r.reason}, {"message", r.message}});
  s["skipped_rows"] = skipped;
  return s;
}

Json Engine::Intervals() const {
  std::vector<model::Station> stations;
  for (const auto& st : stations_) stations.push_back(st.station);
  auto base = [&](const CallState& c) {
    stats::IncidentTimes x;
    x.incident_id = c.h->line;
    x.incident_type = c.h->incident_type;
    if (const auto* plan = opt_.plans ? opt_.plans->Find(x.incident_type) : nullptr) {
      x.category = plan->category;
      x.priority = plan->priority;
    }
    x.station = stats::NearestStation(c.h->location, stations);
    x.received = stats::Stamp{c.h->received_at, c.h->line};
    return x;
  };
  // History: every replayed call with its historical responses (refs are
  // the export's line numbers).
  std::vector<stats::IncidentTimes> history;
  for (const auto& c : calls_) {
    auto x = base(c);
    for (const auto& u : c.h->units) {
      auto at = [&](const std::optional<TimeMs>& t) {
        return t ? std::optional<stats::Stamp>(stats::Stamp{*t, u.line}) : std::nullopt;
      };
      x.units.push_back(
          {u.unit_id, stats::Stamp{u.dispatched_at, u.line}, at(u.en_route_at), at(u.on_scene_at)});
    }
    history.push_back(std::move(x));
  }
  Json out = {{"by", "priority"},
              {"standard", stats::StandardJson()},
              {"history", stats::Report(history, stats::GroupBy::kPriority, false)},
              {"beacon", nullptr}};
  if (opt_.mode != Mode::kRecommend) return out;
  // Beacon: the incidents it opened with the units it sent, at the
  // simulated times (received: the call's line; no other references).
  std::map<std::int64_t, stats::IncidentTimes> beacon;
  for (const auto& c : calls_) {
    if (c.created && !c.duplicate) beacon.emplace(c.incident, base(c));
  }
  for (const auto& p : plans_) {
    auto it = beacon.find(p.incident);
    if (it == beacon.end()) continue;
    stats::UnitTimes u{p.unit, stats::Stamp{p.start, 0}, std::nullopt, std::nullopt};
    for (const auto& [when, status] : p.steps) {
      if (status == UnitStatus::kEnRoute && !u.en_route) u.en_route = stats::Stamp{when, 0};
      if (status == UnitStatus::kOnScene && !u.on_scene) u.on_scene = stats::Stamp{when, 0};
    }
    it->second.units.push_back(std::move(u));
  }
  std::vector<stats::IncidentTimes> list;
  for (auto& [id, x] : beacon) list.push_back(std::move(x));
  out["beacon"] = stats::Report(list, stats::GroupBy::kPriority, false);
  return out;
}

}  // namespace

Result<std::vector<Station>> ReadStations(std::string_view geojson, const history::Format& format,
                                          std::vector<std::string>& warnings) {
  Json j = Json::parse(geojson, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("features") || !j["features"].is_array()) {
    return Malformed("stations file is not a GeoJSON FeatureCollection");
  }
  std::vector<Station> out;
  std::set<std::string> seen;
  size_t i = 0;
  for (const auto& f : j["features"]) {
    ++i;
    std::string name;
    if (f.contains("properties") && f["properties"].is_object() &&
        f["properties"].contains("name") && f["properties"]["name"].is_string()) {
      name = f["properties"]["name"];
    }
    const Json* g = f.contains("geometry") ? &f["geometry"] : nullptr;
    if (!g || !g->is_object() || g->value("type", "") != "Point" || !g->contains("coordinates") ||
        !(*g)["coordinates"].is_array() || (*g)["coordinates"].size() < 2 ||
        !(*g)["coordinates"][0].is_number() || !(*g)["coordinates"][1].is_number()) {
      warnings.push_back("feature " + std::to_string(i) + " (" + name + "): not a Point; skipped");
      continue;
    }
    double lon = (*g)["coordinates"][0], lat = (*g)["coordinates"][1];
    std::string number = format.StationFromName(name);
    if (number.empty() || !ValidLatLon(lat, lon)) {
      warnings.push_back("feature " + std::to_string(i) + " (\"" + name +
                         "\"): no station number in its name; skipped");
      continue;
    }
    if (!seen.insert(number).second) {
      warnings.push_back("feature " + std::to_string(i) + ": station " + number +
                         " twice; kept the first");
      continue;
    }
    out.push_back({number, {StationId{format.station_id_prefix() + number}, name, {lat, lon}}});
  }
  return out;
}

Result<Json> Run(const history::History& history, const std::vector<Station>& stations,
                 const routing::RoadNetwork& network, Driver& driver, const Options& options) {
  Engine e(history, stations, network, driver, options);
  return e.Run();
}

}  // namespace beacon::replay
