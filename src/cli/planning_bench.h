// beacon bench planning: the live coverage model and the move-up planner on
// a graph file (docs/planning.md, docs/benchmarks.md); prints JSON.
#pragma once

#include <cstdint>
#include <string>

namespace beacon::cli {

struct PlanningBenchOptions {
  std::string graph;
  int units = 500;
  int stations = 50;
  int calls = 10000;
  int changes = 200;
  std::uint64_t seed = 1;
};

int PlanningBenchCommand(const PlanningBenchOptions& opts);

}  // namespace beacon::cli
