#include "routing/road_graph.h"

#include <algorithm>

namespace beacon::routing {

RoadGraph BuildGraph(std::vector<LatLon> coords, std::vector<ArcInput> arcs) {
  std::stable_sort(arcs.begin(), arcs.end(), [](const ArcInput& a, const ArcInput& b) {
    return a.tail != b.tail ? a.tail < b.tail : a.head < b.head;
  });
  RoadGraph g;
  g.coords = std::move(coords);
  g.first_out.assign(g.coords.size() + 1, 0);
  g.head.reserve(arcs.size());
  g.time_ms.reserve(arcs.size());
  g.length_m.reserve(arcs.size());
  g.road_class.reserve(arcs.size());
  for (const auto& a : arcs) {
    ++g.first_out[a.tail + 1];
    g.head.push_back(a.head);
    g.time_ms.push_back(std::max<Millis>(a.time_ms, 1));
    g.length_m.push_back(a.length_m);
    g.road_class.push_back(a.road_class);
  }
  for (size_t i = 1; i < g.first_out.size(); ++i) g.first_out[i] += g.first_out[i - 1];
  return g;
}

}  // namespace beacon::routing
