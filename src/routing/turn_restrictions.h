// Turn restrictions built into the graph by node splitting, so that every
// query algorithm (plain Dijkstra, the contraction hierarchy) honours them
// exactly while staying a node-based shortest-path search.
//
// For each arc a = (u -> v) that has restrictions at its via node v, the
// split graph gets a copy v_a of v: arc a (and every copy of a, see below)
// ends at v_a instead of v, and v_a gets a copy of each arc of v that may be
// taken after arriving by a. All other arcs are unchanged, so arriving at v
// by an unrestricted arc, or starting at v, still allows every turn. A copy
// of an arc t ends where t ends in the split graph, so restrictions at
// consecutive via nodes chain correctly. Then a path of the split graph
// never makes a forbidden turn, and every legal path of the original graph
// is a path of the split graph with the same time: shortest paths of the
// split graph are the turn-restricted shortest paths (edge-based model).
//
// Several restrictions on the same from-arc combine: the allowed turns are
// the union of the `only` targets when there is at least one `only`
// restriction (several `only` restrictions on one from-arc are contradictory
// in OSM; the union is the lenient reading), otherwise every arc of v; then
// every `no` target is removed. An arc whose restrictions allow nothing gets
// a copy without outgoing arcs (a dead end: the road can be reached, not
// left).
//
// Consequences for callers (routing/road_network.h implements them):
// - a target v is reached at v or at any of its copies: take the minimum;
// - a source or a snapped position must be an original node (v itself is the
//   unrestricted "standing at v" state), never a copy;
// - copies share v's coordinates, so path geometry needs no mapping.
//
// The graph file stores original_node as section "turn.original_node"
// (docs/graph_file.md).
#pragma once

#include <cstdint>
#include <vector>

#include "routing/road_graph.h"

namespace beacon::routing {

struct SplitGraph {
  // The split graph; its restriction list is empty (they are built in).
  // Nodes 0 .. input.nodes()-1 are the input's nodes; copies follow.
  RoadGraph graph;
  // Per node of `graph`: the input node it stands for (itself for the
  // input's nodes).
  std::vector<NodeIndex> original_node;
  NodeIndex copies = 0;
  // Restrictions whose arcs do not meet at their via node (never produced by
  // the importers or LoadRoadGraph); they are left out.
  std::uint64_t restrictions_invalid = 0;
};

// Builds the split graph. A function of its input; deterministic.
SplitGraph SplitTurnRestrictions(const RoadGraph& graph);

}  // namespace beacon::routing
