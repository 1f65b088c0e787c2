// Reverse geocoding: the nearest named street, the nearest house number on
// it, the cross streets on either side and a named place close by.
#include <algorithm>
#include <cmath>

#include "geocode/index.h"

namespace beacon::geocode {
namespace {

constexpr double kNumberLabelM = 40;
constexpr double kPlaceM = 60;
constexpr int kMaxWalkNodes = 20000;

}  // namespace

Result<ReverseResult> Geocoder::Impl::Reverse(LatLon at, double max_m) const {
  if (!ValidLatLon(at.lat, at.lon)) {
    return Invalid("lat must be in [-90, 90] and lon in [-180, 180]", "lat");
  }
  std::uint32_t best = kNoId;
  double best_d = max_m;
  LatLon best_q;
  std::vector<std::uint32_t> ids;
  for (double r : {60.0, 200.0, max_m}) {
    if (r > max_m && best != kNoId) break;
    ids.clear();
    segments.Near(at, std::min(r, max_m), ids);
    for (auto id : ids) {
      std::uint32_t k = segment_pos[id];
      LatLon q;
      double d = SegmentM(at, NodeAt(gaz.way_node[k]), NodeAt(gaz.way_node[k + 1]), &q);
      if (d < best_d || (d == best_d && best != kNoId && id < best)) {
        best_d = d;
        best = id;
        best_q = q;
      }
    }
    if (best != kNoId && best_d <= r) break;
  }
  if (best == kNoId) {
    return NotFound("no named street within " + std::to_string(static_cast<int>(max_m)) + " m of " +
                    std::to_string(at.lat) + ", " + std::to_string(at.lon));
  }
  const std::uint32_t way = segment_way[best];
  const std::uint32_t s = way_street[way];
  ReverseResult out;
  out.street = StreetLabel(s);
  out.label = out.street;
  out.distance_m = std::round(best_d * 10) / 10;
  out.on_street = best_q;

  // Walks along the street from a node of `w` in direction `dir` to the
  // first node where another street meets it; its label, or "".
  auto walk = [&](std::uint32_t w, std::uint32_t pos, int dir) -> std::string {
    std::vector<std::uint32_t> visited = {w};
    for (int steps = 0; steps < kMaxWalkNodes; ++steps) {
      std::uint32_t node = gaz.way_node[pos];
      std::uint32_t cross = kNoId;
      for (std::uint32_t k = node_first_street[node]; k < node_first_street[node + 1]; ++k) {
        std::uint32_t o = node_street[k];
        if (o == s || SharesName(o, s)) continue;
        if (cross == kNoId || streets[o].rank < streets[cross].rank) cross = o;
      }
      if (cross != kNoId) return StreetLabel(cross);
      std::int64_t next = static_cast<std::int64_t>(pos) + dir;
      if (next >= gaz.way_first_node[w] && next < gaz.way_first_node[w + 1]) {
        pos = static_cast<std::uint32_t>(next);
        continue;
      }
      // The end of this way: go on along another way of the same street
      // that starts or ends here.
      bool moved = false;
      for (std::uint32_t k = node_first_way[node]; k < node_first_way[node + 1] && !moved; ++k) {
        std::uint32_t w2 = node_way[k];
        std::uint32_t s2 = way_street[w2];
        if ((s2 != s && !SharesName(s2, s)) ||
            std::find(visited.begin(), visited.end(), w2) != visited.end()) {
          continue;
        }
        std::uint32_t first = gaz.way_first_node[w2], last = gaz.way_first_node[w2 + 1] - 1;
        if (gaz.way_node[first] == node) {
          w = w2;
          pos = first;
          dir = 1;
          moved = true;
        } else if (gaz.way_node[last] == node) {
          w = w2;
          pos = last;
          dir = -1;
          moved = true;
        }
        if (moved) visited.push_back(w2);
      }
      if (!moved) return {};
    }
    return {};
  };
  const std::uint32_t k = segment_pos[best];
  for (const std::string& c : {walk(way, k, -1), walk(way, k + 1, 1)}) {
    if (!c.empty() && std::find(out.cross_streets.begin(), out.cross_streets.end(), c) ==
                          out.cross_streets.end()) {
      out.cross_streets.push_back(c);
    }
  }

  // The nearest known house number of this street.
  ids.clear();
  numbers_grid.Near(at, kNumberLabelM, ids);
  double best_n = kNumberLabelM;
  for (auto id : ids) {
    auto [street, index] = number_refs[id];
    if (street != s) continue;
    const Numbered& n = streets[street].numbers[index];
    double d = FlatM(at, n.at);
    if (d < best_n) {
      best_n = d;
      std::string text =
          n.source == NumberSource::kCentreBlock ? std::to_string(n.number) + " block of" : n.text;
      out.label = n.source == NumberSource::kCentreBlock ? text + " " + out.street
                                                         : NumberLabel(s, text, false);
    }
  }
  // A named place close by (not a town or suburb).
  ids.clear();
  places_grid.Near(at, kPlaceM, ids);
  double best_p = kPlaceM;
  for (auto id : ids) {
    if (places[id].category.starts_with("place=")) continue;
    double d = FlatM(at, places[id].at);
    if (d < best_p) {
      best_p = d;
      out.place = places[id].label;
    }
  }
  return out;
}

}  // namespace beacon::geocode
