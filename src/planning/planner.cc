#include "planning/planner.h"

#include <algorithm>
#include <cstdio>

namespace beacon::planning {

namespace {

constexpr TimeMs kDayMs = 24 * 3600 * 1000;
constexpr const char* kWeekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

TimeMs FloorDiv(TimeMs a, TimeMs b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string TwoDigits(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

}  // namespace

Status NoGraph() {
  return Conflict(
      "coverage needs a road graph: start the server with serve --graph FILE (made by beacon "
      "import-osm)");
}

std::optional<DemandBy> ParseDemandBy(std::string_view text) {
  if (text == "hour") return DemandBy::kHour;
  if (text == "weekday") return DemandBy::kWeekday;
  if (text == "district") return DemandBy::kDistrict;
  if (text == "type") return DemandBy::kType;
  return std::nullopt;
}

std::string_view ToString(DemandBy by) {
  switch (by) {
    case DemandBy::kHour:
      return "hour";
    case DemandBy::kWeekday:
      return "weekday";
    case DemandBy::kDistrict:
      return "district";
    case DemandBy::kType:
      return "type";
  }
  return "";
}

std::vector<DemandBucket> CountDemand(const std::vector<DemandRecord>& records,
                                      const std::vector<model::Station>& stations, DemandBy by,
                                      std::optional<TimeMs> from, std::optional<TimeMs> to) {
  std::map<std::string, std::int64_t> counts;
  if (by == DemandBy::kHour) {
    for (int h = 0; h < 24; ++h) counts[TwoDigits(h)] = 0;
  } else if (by == DemandBy::kDistrict) {
    for (const auto& s : stations) counts[s.id.value()] = 0;
  }
  std::int64_t weekday[7] = {};
  for (const auto& r : records) {
    if (from && r.received_at < *from) continue;
    if (to && r.received_at >= *to) continue;
    switch (by) {
      case DemandBy::kHour:
        ++counts[TwoDigits(static_cast<int>(FloorDiv(r.received_at, 3600 * 1000) % 24 + 24) % 24)];
        break;
      case DemandBy::kWeekday: {
        // 1970-01-01 was a Thursday (index 3 from Monday).
        TimeMs day = FloorDiv(r.received_at, kDayMs);
        ++weekday[((day + 3) % 7 + 7) % 7];
        break;
      }
      case DemandBy::kType:
        ++counts[r.incident_type];
        break;
      case DemandBy::kDistrict: {
        const model::Station* nearest = nullptr;
        double best = 0;
        if (r.location) {
          for (const auto& s : stations) {
            double d = HaversineM(*r.location, s.location);
            if (!nearest || d < best) {
              nearest = &s;
              best = d;
            }
          }
        }
        ++counts[nearest ? nearest->id.value() : "none"];
        break;
      }
    }
  }
  std::vector<DemandBucket> out;
  if (by == DemandBy::kWeekday) {
    for (int d = 0; d < 7; ++d) out.push_back({kWeekdays[d], weekday[d]});
    return out;
  }
  for (auto& [key, n] : counts) out.push_back({key, n});
  return out;
}

Planner::Planner(const routing::RoadNetwork* network) : network_(network) {
  if (!network_) return;
  copies_ = std::make_unique<NodeCopies>(network_->graph().nodes(), network_->original_node());
  model_ = std::make_unique<CoverageModel>(network_->graph(), network_->hierarchy(), *copies_,
                                           std::vector<int>{240, 480}, 4, EtaOffsetMs());
}

std::optional<NodeIndex> Planner::Snap(LatLon where) const {
  if (!network_) return std::nullopt;
  auto s = network_->SnapPoint(where);
  if (!s) return std::nullopt;
  return s->node;
}

std::optional<LatLon> Planner::Position(const model::Unit& u) const {
  if (u.position) return u.position;
  if (u.station_id) {
    auto it = stations_.find(u.station_id->value());
    if (it != stations_.end()) return it->second.location;
  }
  return std::nullopt;
}

void Planner::Update(const model::Unit& u) {
  if (!model_) return;
  std::optional<NodeIndex> node;
  if (u.status == model::UnitStatus::kAvailable) {
    if (auto where = Position(u)) node = Snap(*where);
  }
  model_->SetUnit(u.id.value(), node);
}

void Planner::AddCall(const model::Call& c) {
  // A call linked as a duplicate reports an incident already counted.
  if (c.duplicate_of) return;
  demand_.push_back({c.received_at, c.incident_type, c.location});
  if (model_ && c.location) {
    if (auto node = Snap(*c.location)) model_->AddDemand(*node);
  }
}

void Planner::Load(const std::vector<model::Unit>& units,
                   const std::vector<model::Station>& stations,
                   const std::vector<model::Call>& calls) {
  std::lock_guard lock(mu_);
  for (const auto& s : stations) stations_[s.id.value()] = s;
  for (const auto& u : units) {
    units_[u.id.value()] = u;
    Update(u);
  }
  for (const auto& c : calls) AddCall(c);
}

void Planner::OnUnit(const model::Unit& unit) {
  std::lock_guard lock(mu_);
  units_[unit.id.value()] = unit;
  Update(unit);
}

void Planner::OnStation(const model::Station& station) {
  std::lock_guard lock(mu_);
  stations_[station.id.value()] = station;
  // Units of this station without a live position stand at it now.
  for (const auto& [id, u] : units_) {
    if (u.station_id && *u.station_id == station.id && !u.position) Update(u);
  }
}

void Planner::OnCall(const model::Call& call) {
  std::lock_guard lock(mu_);
  AddCall(call);
}

Result<CoverageReport> Planner::Coverage(int seconds) {
  if (!model_) return NoGraph();
  std::lock_guard lock(mu_);
  CoverageReport r;
  r.seconds = seconds;
  r.counts = model_->Counts(seconds);
  r.cells = model_->Cells(seconds);
  return r;
}

Result<MoveUpReport> Planner::MoveUps(int seconds, int max_moves) {
  if (!model_) return NoGraph();
  std::vector<NodeIndex> sources;
  std::vector<MovableUnit> movable;
  std::vector<StationSite> sites;
  DemandPoints demand;
  std::int64_t demand_total = 0;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, node] : model_->units()) {
      sources.push_back(node);
      const auto& u = units_.at(id);
      if (!u.station_id) continue;
      auto st = stations_.find(u.station_id->value());
      if (st == stations_.end()) continue;
      if (u.position && HaversineM(*u.position, st->second.location) > kAtStationM) continue;
      // `source` is the index into `sources` until the tracker gives ids.
      movable.push_back({id, st->first, node, static_cast<std::uint32_t>(sources.size() - 1)});
    }
    for (const auto& [id, s] : stations_) {
      if (auto node = Snap(s.location)) sites.push_back({id, *node});
    }
    demand = model_->demand();
    demand_total = model_->demand_total();
  }
  std::lock_guard plan_lock(plan_mu_);
  if (!scratch_ || scratch_seconds_ != seconds) {
    const std::int64_t limit = std::int64_t{seconds} * 1000 - EtaOffsetMs();
    scratch_ = std::make_unique<routing::CoverageTracker>(
        network_->graph(), network_->hierarchy(),
        static_cast<Millis>(std::max<std::int64_t>(limit, 0)));
    scratch_seconds_ = seconds;
  }
  auto ids = scratch_->Reset(sources);
  for (auto& m : movable) m.source = ids[m.source];
  MoveUpReport r;
  r.seconds = seconds;
  r.movable_units = static_cast<int>(movable.size());
  r.plan = PlanMoveUps(network_->graph(), *copies_, *scratch_, movable, sites, demand, demand_total,
                       max_moves);
  return r;
}

std::vector<DemandBucket> Planner::Demand(DemandBy by, std::optional<TimeMs> from,
                                          std::optional<TimeMs> to) const {
  std::vector<model::Station> stations;
  std::vector<DemandRecord> records;
  std::unique_lock lock(mu_);
  for (const auto& [id, s] : stations_) stations.push_back(s);
  // Counting by time or type is one cheap pass: done under the lock.
  // Districts cost a distance per call and station: on a copy, unlocked.
  if (by != DemandBy::kDistrict) return CountDemand(demand_, stations, by, from, to);
  for (const auto& r : demand_) {
    if ((!from || r.received_at >= *from) && (!to || r.received_at < *to)) records.push_back(r);
  }
  lock.unlock();
  return CountDemand(records, stations, by, from, to);
}

}  // namespace beacon::planning
