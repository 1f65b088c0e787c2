// Basemap: the road graph turned into a few polylines for drawing a map.
// Chains of road nodes between junctions are merged into one line, copies
// made for turn restrictions are folded into their road node, both
// directions of a road become one line, and each line is simplified
// (Douglas-Peucker) so that the whole city is small enough to send to a
// browser. Pure function of the graph; thread-safe.
#pragma once

#include <vector>

#include "common/geo.h"
#include "routing/road_graph.h"

namespace beacon::routing {

struct BasemapLine {
  bool major = false;  // a road whose arcs allow >= kMajorSpeedMps
  std::vector<LatLon> points;
};

struct Basemap {
  std::vector<BasemapLine> lines;
  LatLon min{90, 180}, max{-90, -180};  // bounding box of the graph's nodes
};

inline constexpr double kMajorSpeedMps = 12.5;  // 45 km/h

// `original_node`: per node the road node it is a copy of (empty: none).
// `tolerance_m`: the largest distance a simplified line may stray.
Basemap BuildBasemap(const RoadGraph& graph, const std::vector<NodeIndex>& original_node,
                     double tolerance_m);

}  // namespace beacon::routing
