// beacon bench routing: measures the routing engine on a graph file against
// plain Dijkstra in the same run and prints JSON (docs/routing.md).
#pragma once

#include <cstdint>
#include <string>

namespace beacon::cli {

struct RoutingBenchOptions {
  std::string graph;
  int units = 500;
  int incidents = 200;
  int pairs = 2000;
  int dijkstra_pairs = 50;
  double coverage_s = 240;
  std::uint64_t seed = 1;
};

int RoutingBenchCommand(const RoutingBenchOptions& opts);

}  // namespace beacon::cli
