// Plain Dijkstra on a RoadGraph: the reference that every faster query
// (routing/query.h) must match exactly, and the baseline of the benchmarks.
//
// Travel times are sums of integer arc times. A sum is formed in 64 bits and a
// path whose total reaches kUnreachable (2^32-1 ms, about 49.7 days) counts as
// no path, so no sum ever wraps; every engine in routing/ uses the same rule.
// Turn restrictions (RoadGraph::restrictions) are not applied: this is the
// node-based model, and the contraction hierarchy answers for the same model.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "routing/road_graph.h"

namespace beacon::routing {

// A travel time with the nodes of one fastest path, source and target
// included; empty path and kUnreachable when there is none.
struct TimedPath {
  Millis time_ms = kUnreachable;
  std::vector<NodeIndex> path;
};

// Dijkstra with a binary heap (std::priority_queue, lazy deletion). Keeps a
// reference to `graph`, which must outlive it, and reuses its per-node arrays
// across searches (timestamps, no per-search clearing). Thread-compatible:
// one instance per thread.
class Dijkstra {
 public:
  explicit Dijkstra(const RoadGraph& graph);

  // Travel time from `source` to every node (kUnreachable where none).
  std::vector<Millis> OneToAll(NodeIndex source);

  // Fastest path from `source` to `target`; stops when `target` is settled.
  TimedPath OneToOne(NodeIndex source, NodeIndex target);

  // Time from every source to `target` (one backward search on the reversed
  // graph that stops when every source is settled). Result[i] is for sources[i].
  std::vector<Millis> ManyToOne(std::span<const NodeIndex> sources, NodeIndex target);

  // Per node: the time from the nearest source when it is <= limit_ms, else
  // kUnreachable. The search never settles a node beyond the limit.
  std::vector<Millis> MultiSourceWithin(std::span<const NodeIndex> sources, Millis limit_ms);

  // Nodes settled by the last search (for benchmarks).
  std::uint64_t settled() const { return settled_; }

 private:
  void NextStamp();
  void BuildReverse();

  const RoadGraph& graph_;
  std::vector<Millis> dist_;
  std::vector<NodeIndex> parent_;
  std::vector<std::uint32_t> stamp_;
  std::uint32_t current_ = 0;
  std::uint64_t settled_ = 0;
  // Reversed CSR, built on the first ManyToOne call.
  std::vector<ArcIndex> rev_first_;
  std::vector<NodeIndex> rev_tail_;
  std::vector<Millis> rev_time_;
};

}  // namespace beacon::routing
