// Contraction hierarchy (CH) preprocessing: from a RoadGraph to a
// ContractedGraph that routing/query.h answers exact queries on.
//
// Nodes are contracted one at a time in the order of a priority (shortcuts
// added per arc removed, road arcs they stand for per road arc removed, and
// the depth reached in the hierarchy, as in OSRM). Contracting a node
// re-estimates its neighbours' priorities; neighbours with many arcs are
// only marked stale and re-estimated when they reach the top of the queue
// (lazy update). Contracting v adds a shortcut u->w (time u->v + v->w,
// middle node v) unless a bounded witness search finds a path u->w avoiding
// v that is no slower. A witness search that hits its limit only adds a
// shortcut that was not needed, never loses one, so the hierarchy is exact
// whatever the limits. Estimates for nodes with at most two neighbours (the
// shape nodes of OSM ways) skip the search. The work runs on nodes
// renumbered along a Hilbert curve, for memory locality.
//
// Weights stay integer milliseconds; a shortcut whose time would reach
// kUnreachable is not added (no path that long counts, see dijkstra.h).
// Parallel arcs are reduced to the fastest and self-loops dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/status.h"
#include "routing/road_graph.h"

namespace beacon::routing {

// A contraction hierarchy as plain arrays (so the graph file can store each
// member as one array). Nodes are renumbered by their position in the
// hierarchy, `rank`: every arc goes from a lower to a higher rank. The order
// is a topological order of the upward graph sorted by hierarchy level and,
// within a level, along a space-filling curve, so that the queries' and the
// coverage sweep's memory accesses stay local.
//
// Upward forward CSR (indexed by rank r): arcs r -> up_head[a], up_head > r,
// for a in up_first[r] .. up_first[r+1]-1.
// Upward backward CSR (indexed by rank r): arcs down_tail[a] -> r,
// down_tail > r, stored at the lower end r.
// For an arc between the same two nodes in the same direction there is
// exactly one entry. `*_middle` is the rank of the contracted node a shortcut
// bypasses (the shortcut x->y is x->middle then middle->y), or kNoNode for an
// arc of the road graph (its time is the fastest of the parallel arcs).
// Value type; immutable once built and safe to share between threads.
struct ContractedGraph {
  std::vector<NodeIndex> rank;   // per road-graph node: its rank
  std::vector<NodeIndex> order;  // per rank: the road-graph node

  std::vector<ArcIndex> up_first;  // size nodes+1
  std::vector<NodeIndex> up_head;
  std::vector<Millis> up_time;
  std::vector<NodeIndex> up_middle;

  std::vector<ArcIndex> down_first;  // size nodes+1
  std::vector<NodeIndex> down_tail;
  std::vector<Millis> down_time;
  std::vector<NodeIndex> down_middle;

  NodeIndex nodes() const { return static_cast<NodeIndex>(order.size()); }
  ArcIndex up_arcs() const { return static_cast<ArcIndex>(up_head.size()); }
  ArcIndex down_arcs() const { return static_cast<ArcIndex>(down_tail.size()); }
};

struct ContractionOptions {
  // A witness search settles at most this many nodes when a node is
  // contracted; lower is faster to build, higher gives fewer shortcuts.
  std::uint32_t witness_settle_limit = 400;
  // The same while estimating a node's priority.
  std::uint32_t estimate_settle_limit = 60;
  // Called with the fraction done, from 0 to 1, at most about 200 times, on
  // the calling thread (for a progress bar). May be empty.
  std::function<void(double fraction)> progress;
};

// Statistics of one preprocessing run (for logs and benchmarks).
struct ContractionStats {
  std::uint64_t shortcuts = 0;
  std::uint64_t witness_searches = 0;
  std::uint32_t levels = 0;
};

// Builds the hierarchy. `graph` must be structurally valid (as built by
// BuildGraph: first_out of size nodes+1, non-decreasing, heads < nodes).
// Single-threaded; deterministic for a given graph and options.
ContractedGraph Contract(const RoadGraph& graph, const ContractionOptions& options = {},
                         ContractionStats* stats = nullptr);

// Checks that `ch` is a well-formed hierarchy for `graph`: array sizes,
// `rank` and `order` inverse permutations, CSR offsets, every arc upward,
// middles lower than both ends. It does not re-prove exactness. For a
// hierarchy read from a file before a RouteEngine is built on it.
Status CheckContractedGraph(const RoadGraph& graph, const ContractedGraph& ch);

}  // namespace beacon::routing
