// RoadGraph: a directed road network in compressed sparse row (CSR) form,
// as produced by the importers (OSM, DIMACS) and stored in the graph file.
// Every OSM node on a routable way is a graph node, so a path's node
// coordinates are its geometry. Weights are integer milliseconds so that
// every query algorithm can be compared exactly with plain Dijkstra.
// Immutable once built; safe to share between threads.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "common/geo.h"

namespace beacon::routing {

using NodeIndex = std::uint32_t;
using ArcIndex = std::uint32_t;
using Millis = std::uint32_t;  // travel time of an arc or a path, ms

constexpr NodeIndex kNoNode = std::numeric_limits<NodeIndex>::max();
constexpr Millis kUnreachable = std::numeric_limits<Millis>::max();

// A turn restriction at `via`: from arc `from` (ending at via) the turn onto
// arc `to` (starting at via) is forbidden (kNo) or the only one allowed (kOnly).
struct TurnRestriction {
  enum class Kind : std::uint8_t { kNo, kOnly };
  ArcIndex from = 0;
  NodeIndex via = 0;
  ArcIndex to = 0;
  Kind kind = Kind::kNo;
};

struct RoadGraph {
  // Per node.
  std::vector<LatLon> coords;
  // Forward CSR: arcs leaving node v are first_out[v] .. first_out[v+1]-1.
  std::vector<ArcIndex> first_out;  // size nodes+1
  std::vector<NodeIndex> head;      // per arc: target node
  std::vector<Millis> time_ms;      // per arc: travel time, >= 1
  std::vector<float> length_m;      // per arc: length in metres
  std::vector<TurnRestriction> restrictions;
  // Per arc: its road class, an index into road_class_names (the OSM
  // highway value: "residential", "primary"...). Both empty when the graph
  // has no classes (DIMACS, graph files written before classes were kept).
  std::vector<std::uint8_t> road_class;
  std::vector<std::string> road_class_names;

  NodeIndex nodes() const { return static_cast<NodeIndex>(coords.size()); }
  ArcIndex arcs() const { return static_cast<ArcIndex>(head.size()); }
};

// Arcs in any order -> CSR. Builder used by importers and tests. The arcs'
// road classes are copied; they mean something once the caller sets
// road_class_names (a graph without names has no classes).
struct ArcInput {
  NodeIndex tail = 0;
  NodeIndex head = 0;
  Millis time_ms = 1;
  float length_m = 0;
  std::uint8_t road_class = 0;
};
RoadGraph BuildGraph(std::vector<LatLon> coords, std::vector<ArcInput> arcs);

}  // namespace beacon::routing
