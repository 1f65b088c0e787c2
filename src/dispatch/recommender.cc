#include "dispatch/recommender.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>

namespace beacon::dispatch {

std::optional<LatLon> UnitLocation(const model::Unit& unit,
                                   const std::vector<model::Station>& stations) {
  if (unit.position) return unit.position;
  if (unit.station_id) {
    for (const auto& s : stations) {
      if (s.id == *unit.station_id) return s.location;
    }
  }
  return std::nullopt;
}

Recommendation Recommend(const IncidentTypePlan& plan, const ResponsePlans& plans,
                         LatLon incident_location, const std::vector<model::Unit>& units,
                         const std::vector<model::Station>& stations,
                         const std::vector<std::string>& assigned_types,
                         const TravelTimes& travel_times, std::optional<int> priority) {
  // What is still needed once the units already committed are counted.
  std::vector<UnitNeed> needs;
  std::multiset<std::string> committed(assigned_types.begin(), assigned_types.end());
  auto consume = [&](const std::string& type, int& missing) {
    for (auto it = committed.find(type); missing > 0 && it != committed.end();
         it = committed.find(type)) {
      committed.erase(it);
      --missing;
    }
  };
  for (const auto& need : plan.units) {
    int missing = need.count;
    consume(need.unit_type, missing);
    for (const auto& sub : plans.Substitutes(plan, need.unit_type)) consume(sub, missing);
    if (missing > 0) needs.push_back({need.unit_type, missing});
  }

  // One batched travel-time query for every available unit we can place
  // (stations indexed once: a centre has hundreds of units).
  std::unordered_map<std::string_view, LatLon> station_at;
  station_at.reserve(stations.size());
  for (const auto& s : stations) station_at.emplace(s.id.value(), s.location);
  std::vector<const model::Unit*> candidates;
  std::vector<LatLon> sources;
  candidates.reserve(units.size());
  sources.reserve(units.size());
  for (const auto& u : units) {
    if (u.status != model::UnitStatus::kAvailable) continue;
    std::optional<LatLon> where = u.position;
    if (!where && u.station_id) {
      if (auto it = station_at.find(u.station_id->value()); it != station_at.end()) {
        where = it->second;
      }
    }
    if (!where) continue;
    candidates.push_back(&u);
    sources.push_back(*where);
  }
  auto etas = travel_times.ToTarget(sources, incident_location);

  // Per unit type, candidate indexes sorted by ETA (ties by unit id, so the
  // answer is deterministic).
  std::map<std::string, std::vector<size_t>> by_type;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (etas[i]) by_type[candidates[i]->unit_type].push_back(i);
  }
  for (auto& [type, idx] : by_type) {
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
      if (etas[a]->eta_s != etas[b]->eta_s) return etas[a]->eta_s < etas[b]->eta_s;
      return candidates[a]->id < candidates[b]->id;
    });
  }

  Recommendation rec;
  std::vector<bool> taken(candidates.size(), false);
  auto take_from = [&](const std::string& type, const std::string& fills, int& missing) {
    auto it = by_type.find(type);
    if (it == by_type.end()) return;
    for (size_t i : it->second) {
      if (missing == 0) return;
      if (taken[i]) continue;
      taken[i] = true;
      --missing;
      RecommendedUnit r{candidates[i]->id, candidates[i]->unit_type, fills,
                        etas[i]->eta_s,    etas[i]->distance_m,      etas[i]->by_road};
      r.calibrated = etas[i]->calibrated;
      if (type != fills) r.substitute_for = fills;
      rec.units.push_back(std::move(r));
    }
  };
  for (auto& need : needs) {
    int missing = need.count;
    take_from(need.unit_type, need.unit_type, missing);
    for (const auto& sub : plans.Substitutes(plan, need.unit_type))
      take_from(sub, need.unit_type, missing);
    if (missing > 0) rec.unmet.push_back({need.unit_type, missing});
  }
  // An urgent incident is never left without a unit able to respond first:
  // the nearest available first responder, when neither the committed units
  // nor the picks are one.
  const auto& responders = plans.FirstResponders(plan);
  auto is_responder = [&](const std::string& type) {
    return std::find(responders.begin(), responders.end(), type) != responders.end();
  };
  if (priority.value_or(plan.priority) <= 2 && !rec.unmet.empty() &&
      std::none_of(assigned_types.begin(), assigned_types.end(), is_responder) &&
      std::none_of(rec.units.begin(), rec.units.end(),
                   [&](const RecommendedUnit& r) { return is_responder(r.unit_type); })) {
    std::optional<size_t> best;
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (taken[i] || !etas[i] || !is_responder(candidates[i]->unit_type)) continue;
      if (!best || etas[i]->eta_s < etas[*best]->eta_s ||
          (etas[i]->eta_s == etas[*best]->eta_s && candidates[i]->id < candidates[*best]->id)) {
        best = i;
      }
    }
    if (best) {
      const size_t i = *best;
      taken[i] = true;
      RecommendedUnit r{candidates[i]->id, candidates[i]->unit_type, rec.unmet.front().unit_type,
                        etas[i]->eta_s,    etas[i]->distance_m,      etas[i]->by_road};
      r.calibrated = etas[i]->calibrated;
      r.substitute_for = rec.unmet.front().unit_type;
      r.first_responder = true;
      rec.units.push_back(std::move(r));
    }
  }
  for (auto& r : rec.units) {
    if (r.distance_m >= 0) continue;
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (candidates[i]->id != r.unit_id) continue;
      if (auto full = travel_times.Between(sources[i], incident_location)) {
        r.distance_m = full->distance_m;
      }
    }
  }
  std::stable_sort(rec.units.begin(), rec.units.end(),
                   [](const auto& a, const auto& b) { return a.eta_s < b.eta_s; });
  return rec;
}

}  // namespace beacon::dispatch
