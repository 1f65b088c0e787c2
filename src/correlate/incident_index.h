// IncidentIndex: open incidents bucketed in a latitude/longitude grid so
// that duplicate detection looks at the few incidents near a new call
// instead of every open incident. Not thread-safe (the Center guards it).
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "common/geo.h"
#include "common/ids.h"

namespace beacon::correlate {

class IncidentIndex {
 public:
  // Cells are `cell_m` metres north-south; queries up to that radius look
  // at one ring of neighbouring cells.
  explicit IncidentIndex(double cell_m);

  void Insert(IncidentId id, LatLon where);
  void Erase(IncidentId id, LatLon where);
  // Every indexed incident within `radius_m` (<= cell_m) of `where`, and
  // possibly a few farther ones: callers still check the distance.
  std::vector<IncidentId> Near(LatLon where, double radius_m) const;
  size_t size() const { return size_; }

 private:
  std::int64_t Key(std::int64_t row, std::int64_t col) const { return row * (1LL << 32) + col; }
  std::int64_t Row(double lat) const;
  std::int64_t Col(double lon) const;

  double cell_deg_;
  std::unordered_map<std::int64_t, std::vector<IncidentId>> cells_;
  size_t size_ = 0;
};

}  // namespace beacon::correlate
