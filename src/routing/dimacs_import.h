// DIMACS import: reads a road network in the format of the 9th DIMACS
// Implementation Challenge (http://www.diag.uniroma1.it/challenge9/), used
// to benchmark the queries against published graphs such as USA-road-t.NY.
//
//   graph file (.gr):        c <comment> | p sp <nodes> <arcs> | a <u> <v> <w>
//   coordinate file (.co):   c <comment> | p aux sp co <nodes> | v <id> <x> <y>
//
// Node ids are 1-based; graph node = id - 1. In the travel-time graph (-t) w
// is in tenths of a second: time_ms = w * 100 (a w of 0 becomes 1 ms, the
// RoadGraph minimum). In the distance graph (-d) w is in tenths of a metre.
// Coordinates are millionths of a degree, x = longitude, y = latitude. Any
// file may be gzip-compressed (read through zlib, which also reads plain
// files). DIMACS has no turn restrictions and no component filtering is
// done: the graph is taken as published.
//
// A function; thread-safe.
#pragma once

#include <string>

#include "common/status.h"
#include "routing/road_graph.h"

namespace beacon::routing {

// `distance_gr_path` (optional) is the matching -d graph: same nodes, same
// arcs in the same order; it supplies length_m. Without it length_m is the
// haversine distance between the arc's end points. Errors (kNotFound,
// kMalformed, kInvalid) name the file and line number.
Result<RoadGraph> ImportDimacs(const std::string& gr_path, const std::string& co_path,
                               const std::string& distance_gr_path = {});

}  // namespace beacon::routing
