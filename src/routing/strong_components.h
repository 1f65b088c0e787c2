// Strongly connected components of a graph in CSR form (iterative Tarjan, so
// road networks with millions of nodes cannot overflow the call stack).
// A plain function over borrowed arrays; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "routing/road_graph.h"

namespace beacon::routing {

struct StrongComponents {
  std::vector<std::uint32_t> component;  // per node: 0 .. count-1
  std::vector<NodeIndex> sizes;          // per component: number of nodes
  std::uint32_t largest = 0;             // id of the largest (lowest id on ties)
  std::uint32_t count() const { return static_cast<std::uint32_t>(sizes.size()); }
};

// first_out has nodes+1 entries; head[a] is the target of arc a.
StrongComponents FindStrongComponents(std::span<const ArcIndex> first_out,
                                      std::span<const NodeIndex> head);

}  // namespace beacon::routing
