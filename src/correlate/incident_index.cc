#include "correlate/incident_index.h"

#include <algorithm>
#include <cmath>

namespace beacon::correlate {

namespace {
constexpr double kMetresPerDegree = 111195.0;
}

IncidentIndex::IncidentIndex(double cell_m) : cell_deg_(std::max(cell_m, 1.0) / kMetresPerDegree) {}

std::int64_t IncidentIndex::Row(double lat) const {
  return static_cast<std::int64_t>(std::floor(lat / cell_deg_));
}

// Longitude cells have the same width in degrees as latitude cells, so a
// cell is narrower in metres away from the equator; Near() widens the
// search instead.
std::int64_t IncidentIndex::Col(double lon) const {
  return static_cast<std::int64_t>(std::floor((lon + 180.0) / cell_deg_));
}

void IncidentIndex::Insert(IncidentId id, LatLon where) {
  cells_[Key(Row(where.lat), Col(where.lon))].push_back(id);
  ++size_;
}

void IncidentIndex::Erase(IncidentId id, LatLon where) {
  auto it = cells_.find(Key(Row(where.lat), Col(where.lon)));
  if (it == cells_.end()) return;
  auto& v = it->second;
  auto pos = std::find(v.begin(), v.end(), id);
  if (pos == v.end()) return;
  *pos = v.back();
  v.pop_back();
  --size_;
  if (v.empty()) cells_.erase(it);
}

std::vector<IncidentId> IncidentIndex::Near(LatLon where, double radius_m) const {
  std::vector<IncidentId> out;
  double lat_span = radius_m / kMetresPerDegree;
  // Near the poles a metre is many degrees of longitude; past 85 degrees
  // look at the whole row band (emergency services there are rare).
  double cos_lat = std::cos(std::min(std::abs(where.lat) + lat_span * 2, 85.0) * M_PI / 180);
  double lon_span = lat_span / cos_lat;
  std::int64_t r0 = Row(where.lat - lat_span), r1 = Row(where.lat + lat_span);
  std::int64_t c0 = Col(where.lon - lon_span), c1 = Col(where.lon + lon_span);
  for (std::int64_t r = r0; r <= r1; ++r) {
    for (std::int64_t c = c0; c <= c1; ++c) {
      auto it = cells_.find(Key(r, c));
      if (it != cells_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
    }
  }
  return out;
}

}  // namespace beacon::correlate
