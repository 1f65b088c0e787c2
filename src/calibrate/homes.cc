#include "calibrate/homes.h"

#include "calibrate/samples.h"

namespace beacon::calibrate {

std::map<std::string, UnitHome> InferUnitHomes(const history::History& history,
                                               const std::optional<TimeMs>& from,
                                               const std::optional<TimeMs>& to) {
  std::map<std::string, std::map<std::string, std::int64_t>> areas;
  std::map<std::string, std::int64_t> responses;
  for (const auto& c : history.calls) {
    if (!InPeriod(c.received_at, from, to)) continue;
    for (const auto& u : c.units) {
      ++responses[u.unit_id];
      if (!u.station_area.empty()) areas[u.unit_id][u.station_area]++;
    }
  }
  std::map<std::string, UnitHome> out;
  for (const auto& [id, n] : responses) {
    auto info = history.units.find(id);
    UnitHome h;
    h.responses = n;
    if (info != history.units.end() && info->second.station_from == "unit_id") {
      h.station = info->second.station;
      h.source = "unit_id";
      std::int64_t in_area = 0;
      if (auto a = areas.find(id); a != areas.end()) {
        if (auto k = a->second.find(h.station); k != a->second.end()) in_area = k->second;
      }
      h.share = static_cast<double>(in_area) / static_cast<double>(n);
    } else {
      std::int64_t best = 0;
      for (const auto& [area, k] : areas[id]) {
        // Map order: ties keep the smallest area (as the history reader).
        if (k > best) best = k, h.station = area;
      }
      if (h.station.empty()) continue;
      h.source = "station_area";
      h.share = static_cast<double>(best) / static_cast<double>(n);
    }
    out[id] = h;
  }
  return out;
}

}  // namespace beacon::calibrate
