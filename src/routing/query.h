// Exact travel-time queries on a contraction hierarchy (routing/contraction.h):
// point to point with the path, many sources to one target, and coverage
// (every node's time from the nearest of many sources, within a limit), the
// last both as a one-off and kept up to date as sources come and go.
//
// Every answer equals plain Dijkstra on the same RoadGraph (routing/dijkstra.h)
// to the millisecond: weights are integers, sums are formed in 64 bits, and a
// total that reaches kUnreachable counts as no path. The engine reads the
// graph's arcs only: turn restrictions count when they are built into the
// graph (routing/turn_restrictions.h does that at import). Nodes are RoadGraph node indices;
// callers snap positions to nodes and must pass indices < graph.nodes().
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "routing/contraction.h"
#include "routing/min_heap.h"
#include "routing/road_graph.h"

namespace beacon::routing {

namespace internal {
// An arc of the hierarchy as the searches read it: the far end (head of an
// upward arc, tail of an upward-backward arc) and the time side by side.
struct Arc {
  NodeIndex other;
  Millis time;
};
// The hierarchy's arcs interleaved (one memory stream per scan instead of
// two) and a bitset of ranks for PHAST's upward pass.
struct ArcArrays {
  explicit ArcArrays(const ContractedGraph& ch);
  std::vector<Arc> up;
  std::vector<Arc> down;
  std::vector<std::uint64_t> marks;  // all zero between runs
};
}  // namespace internal

// A fastest path: its time, its length (sum of the road arcs' length_m) and
// its road-graph nodes from source to target. kUnreachable and an empty path
// when there is none; time 0 and {source} when source == target.
struct Route {
  Millis time_ms = kUnreachable;
  float length_m = 0;
  std::vector<NodeIndex> path;
};

// Work done by the last query (for benchmarks and logs).
struct QueryStats {
  std::uint64_t settled = 0;         // nodes taken from a priority queue or worklist
  std::uint64_t stalled = 0;         // of those, pruned by stall-on-demand
  std::uint64_t bucket_entries = 0;  // bucket entries written or scanned
  std::uint64_t reused = 0;          // PrepareSources: search spaces kept
};

// Tuning of a RouteEngine; the defaults suit city-sized graphs.
struct RouteEngineOptions {
  static constexpr NodeIndex kAutoCore = kNoNode;
  // Many-to-one: the number of highest-ranked nodes that form the core,
  // which PrepareSources does not search (see RouteEngine); clamped to the
  // graph's nodes. kAutoCore: min(4096, nodes / 16). Any value gives exact
  // times; it trades preparation time against query time.
  NodeIndex many_to_one_core = kAutoCore;
};

// Query engine over one hierarchy. Keeps references to `graph` and `ch`
// (which must outlive it and be consistent: CheckContractedGraph), two
// copies of the hierarchy's arcs interleaved (8 bytes per arc each; the
// second, for PrepareSources, without the core's arcs) and the scratch state
// of its searches (about 68 bytes per node; ~33 MB for Porto in all), reused
// across queries so that a query allocates nothing but its result (and
// PrepareSources its buckets, until they reach their largest size).
// Thread-compatible: use one RouteEngine per thread; any number of engines
// may share one RoadGraph and ContractedGraph.
//
// Algorithms (medians on the Porto extract, 270k nodes, and on the 294k-node
// synthetic graph of bench/routing_core_bench.cc, one core):
// - ShortestPath / TravelTime: bidirectional upward Dijkstra with
//   stall-on-demand (4-ary heaps; a node's labels and heap positions of
//   both directions in one 32-byte record), then iterative unpacking of
//   shortcuts. TravelTime ~15-18 us, ShortestPath ~32-36 us; Dijkstra 16 ms.
// - PrepareSources / TimesToTarget: bucket many-to-one with a core. The
//   top ranks (RouteEngineOptions::many_to_one_core; 4,096 on Porto) form
//   the core, where nearly every source's search would go and where most of
//   its work was. Preparing runs one upward search per distinct source node
//   not already prepared, stopped at the core: without a priority queue (the
//   upward graph is acyclic; nodes are taken in increasing rank from a
//   two-level bitset, relaxations are branch-free), with stall-on-demand
//   against the times found so far, and with the next sources' first nodes
//   prefetched. It files (source, time) entries in a bucket per node reached
//   below the core (counting sort into one flat array) and keeps the times
//   of the core nodes where the search entered the core. A query runs one
//   backward upward search from the target, scans the buckets of the nodes
//   it settles below the core, then sweeps the core from the top down (each
//   core node's time to the target through higher core nodes, ~16k arcs)
//   and adds those times to the sources' core entries. Every entry is the
//   length of a real path and those on a fastest path are exact, so the
//   minimum is exact. 500 sources: preparing a new set ~0.7-0.8 ms right
//   after a Dijkstra has flushed the caches (~0.4 ms warm; with one heap
//   search per source it was ~4.5-5 ms), after one source moved ~0.03 ms;
//   query ~33-39 us (~27 us before the core, as its sweep costs ~5-10 us).
// - Reachable: PHAST. An upward pass from all sources at once over the
//   ranks they reach within the limit (in increasing rank: the upward graph
//   is acyclic, so no priority queue is needed), then one sweep over all
//   nodes in decreasing rank that pulls each node's time from its higher
//   neighbours. 500 sources, 240 s: ~1.6-1.8 ms; a bounded multi-source
//   Dijkstra settles nearly every node and takes ~38-45 ms.
class RouteEngine {
 public:
  RouteEngine(const RoadGraph& graph, const ContractedGraph& ch, RouteEngineOptions options = {});
  RouteEngine(const RouteEngine&) = delete;
  RouteEngine& operator=(const RouteEngine&) = delete;

  // The fastest path from `source` to `target`, unpacked to road nodes.
  Route ShortestPath(NodeIndex source, NodeIndex target);
  // Its travel time only (no unpacking).
  Millis TravelTime(NodeIndex source, NodeIndex target);

  // Many-to-one, step 1: remembers `sources` (e.g. the units' positions) for
  // the TimesToTarget calls that follow. Replaces the previous set; the work
  // of a node that was already in it is reused, so a call with a few changed
  // sources costs a few searches plus a regrouping of the entries.
  void PrepareSources(std::span<const NodeIndex> sources);
  std::size_t prepared_sources() const { return source_slot_.size(); }
  // Step 2: the time from each prepared source to `target`; result[i] is for
  // sources[i] of the last PrepareSources (kUnreachable where none).
  std::vector<Millis> TimesToTarget(NodeIndex target);
  // The same into `times`, which must have prepared_sources() elements.
  void TimesToTarget(NodeIndex target, std::span<Millis> times);

  // Per road-graph node: the time from the nearest of `sources` when it is
  // <= limit_ms, else kUnreachable.
  std::vector<Millis> Reachable(std::span<const NodeIndex> sources, Millis limit_ms);
  // The same into `times`, resized to graph.nodes() (reuse it to avoid
  // allocating 4 bytes per node on each call).
  void Reachable(std::span<const NodeIndex> sources, Millis limit_ms, std::vector<Millis>& times);

  const QueryStats& last_stats() const { return stats_; }

 private:
  // Search state of one node for the current query (valid when stamp ==
  // current_), both directions in one 32-byte record: 0 forward, 1 backward.
  struct NodeState {
    std::uint32_t stamp;
    Millis time[2];      // kUnreachable: not reached in that direction
    ArcIndex parent[2];  // arc that set time; kNoArc at the search's start
    std::uint32_t heap_pos[2];
    std::uint32_t unused;
  };
  struct HeapEntry {
    Millis time;
    NodeIndex node;
  };
  struct ArcView {
    const ArcIndex* first;
    const internal::Arc* arcs;
  };
  struct Segment {  // an arc of the hierarchy to unpack, from x to y
    NodeIndex x;
    NodeIndex y;
    Millis time;
    NodeIndex middle;
  };

  void NextStamp();
  NodeState& Touch(NodeIndex v);
  template <int kDir>
  void SiftUp(std::uint32_t i);
  template <int kDir>
  NodeIndex PopMin();
  // Sets v's time in direction kDir (lower than before) and queues it.
  template <int kDir>
  void Reach(NodeIndex v, Millis time, ArcIndex parent);
  // Bidirectional search between ranks; returns the time (64-bit, >=
  // kUnreachable when none) and sets meet_.
  std::uint64_t BidirectionalSearch(NodeIndex s, NodeIndex t);
  // Settles the next node of direction kDir. False when it was stalled.
  template <int kDir>
  bool SettleNext(ArcView relax, ArcView stall, std::uint64_t& best);
  // One-directional upward search (kDir 0: forward, 1: backward) from rank
  // `start` to exhaustion; calls visit(rank, time) for every settled,
  // unstalled node.
  template <int kDir, typename Visit>
  void UpwardSearch(NodeIndex start, Visit&& visit);
  void UnpackInto(const Segment& segment, Route& route, double& length_m);

  const RoadGraph& graph_;
  const ContractedGraph& ch_;
  internal::ArcArrays arcs_;
  ArcView up_;
  ArcView down_;
  std::uint32_t current_ = 0;
  std::vector<NodeState> state_;
  std::vector<HeapEntry> heap_[2];
  NodeIndex meet_ = kNoNode;
  std::vector<Segment> segments_;
  std::vector<Segment> unpack_stack_;

  // Many-to-one. Sources are deduplicated by node into slots.
  void NextBucketStamp();
  struct SpaceEntry {
    NodeIndex rank;
    Millis time;
  };
  // The upward search of PrepareSources from rank `start`: appends to `out`
  // the unstalled nodes below the core and the core nodes it reaches.
  void SourceSearch(NodeIndex start, std::vector<SpaceEntry>& out);
  std::vector<std::uint32_t> source_slot_;  // per prepared source: its slot
  std::uint32_t slots_ = 0;
  std::vector<NodeIndex> slot_rank_;
  // The hierarchy as SourceSearch reads it: per rank, its incoming upward
  // arcs (to stall on), its outgoing ones and its time in the current
  // search (kUnreachable between searches) in one 16-byte record; the arcs
  // of both kinds of a node side by side. Core nodes have no arcs here.
  struct alignas(16) SourceNode {
    ArcIndex first;  // incoming upward arcs: first .. mid - 1
    ArcIndex mid;    // outgoing upward arcs: mid .. end - 1
    ArcIndex end;
    Millis time;
  };
  std::vector<SourceNode> source_nodes_;
  std::vector<internal::Arc> source_arcs_;
  std::vector<std::uint64_t> summary_;  // bit per word of arcs_.marks in use
  std::vector<NodeIndex> visited_;
  NodeIndex core_begin_;  // the lowest rank of the core
  // Per slot: the unstalled nodes of its upward search below the core and
  // the core nodes it reaches (CSR); space_next_ is scratch.
  std::vector<ArcIndex> space_first_;
  std::vector<SpaceEntry> space_;
  std::vector<ArcIndex> space_first_next_;
  std::vector<SpaceEntry> space_next_;
  std::vector<std::uint32_t> space_stamp_;   // per rank: a slot's node?
  std::uint32_t space_current_ = 1;          // stamps start at 0: nothing kept yet
  std::vector<std::uint32_t> space_of_;      // per rank: that slot
  std::vector<std::uint32_t> bucket_stamp_;  // per rank: bucket_of_ valid?
  std::uint32_t bucket_current_ = 0;
  std::vector<std::uint32_t> bucket_of_;  // per rank: its bucket (or slot, briefly)
  struct BucketEntry {
    std::uint32_t slot;
    Millis time;
  };
  std::vector<ArcIndex> bucket_first_;  // per bucket, + 1
  std::vector<ArcIndex> bucket_fill_;
  std::vector<BucketEntry> bucket_entries_;
  struct CoreEntry {
    std::uint32_t slot;
    NodeIndex core;  // rank - core_begin_
    Millis time;
  };
  std::vector<CoreEntry> core_entries_;
  std::vector<Millis> core_times_;  // per core node: its time to the target
  std::vector<Millis> slot_times_;

  // Coverage.
  std::vector<Millis> sweep_;  // per rank

  QueryStats stats_;
};

// Coverage kept up to date: per node, the time from the nearest active
// source when within `limit_ms`. Reset recomputes everything (PHAST, as
// RouteEngine::Reachable). AddSource runs a Dijkstra on the road graph from
// the new source that goes on only where it improves a node's time.
// RemoveSource finds the nodes reached from the removed source along tight
// arcs (time[u] + arc == time[v]): only their times can change; it clears
// them and recomputes them with a Dijkstra seeded from the region's border
// (and from other sources standing inside it). Both give exactly the times a
// full recompute would (tested against it).
// Keeps a reference to `ch` (which must outlive it) plus a copy of the road
// graph renumbered by rank, both directions (about 16 bytes per arc and 20
// per node). Thread-compatible.
class CoverageTracker {
 public:
  using SourceId = std::uint32_t;

  CoverageTracker(const RoadGraph& graph, const ContractedGraph& ch, Millis limit_ms);
  CoverageTracker(const CoverageTracker&) = delete;
  CoverageTracker& operator=(const CoverageTracker&) = delete;

  // Replaces every source; returns their ids (0, 1, ... in input order).
  std::vector<SourceId> Reset(std::span<const NodeIndex> sources);
  // Adds one source at `node` and returns its id (ids of removed sources are
  // reused). Cost: the nodes it brings closer.
  SourceId AddSource(NodeIndex node);
  // Removes an active source. Cost: the nodes whose time came from it
  // (nothing but a scan of the source ids when another source stands at
  // the same node).
  void RemoveSource(SourceId id);

  Millis limit_ms() const { return limit_ms_; }
  std::size_t active_sources() const { return active_; }
  // Time from the nearest active source, or kUnreachable beyond the limit.
  Millis TimeAt(NodeIndex node) const { return time_[ch_.rank[node]]; }
  // Number of nodes within the limit.
  NodeIndex covered() const { return covered_; }
  // TimeAt for every node, indexed by road-graph node.
  std::vector<Millis> Times() const;
  // The same per rank (ContractedGraph::rank): TimeAtRank(ch.rank[v]) == TimeAt(v).
  Millis TimeAtRank(NodeIndex rank) const { return time_[rank]; }
  std::span<const Millis> rank_times() const { return time_; }

  // Change log, for callers that keep figures derived from the times (e.g.
  // counts per threshold): while on, AddSource and RemoveSource append the
  // rank of every node whose time they set (a rank may appear more than
  // once; nodes not listed kept their time). Reset does not log (recount
  // everything after it). The log grows until ClearChanges.
  void LogChanges(bool on) { log_changes_ = on; }
  const std::vector<NodeIndex>& changed_ranks() const { return changed_; }
  void ClearChanges() { changed_.clear(); }

 private:
  struct Arc {
    NodeIndex other;
    Millis time;
  };
  // Dijkstra from the nodes in heap_, continued only where a node's time
  // improves (elsewhere the old time is already exact).
  void Relax();

  const ContractedGraph& ch_;
  const Millis limit_ms_;
  std::vector<ArcIndex> out_first_;  // road graph by rank: forward
  std::vector<Arc> out_arcs_;
  std::vector<ArcIndex> in_first_;  // and reversed
  std::vector<Arc> in_arcs_;

  std::vector<Millis> time_;  // per rank
  NodeIndex covered_ = 0;
  std::vector<NodeIndex> source_rank_;  // per id: its rank, kNoNode when free
  std::vector<SourceId> free_ids_;
  std::size_t active_ = 0;
  IndexedMinHeap<Millis> heap_;
  internal::ArcArrays arcs_;
  std::vector<std::uint32_t> region_stamp_;
  std::uint32_t region_current_ = 0;
  std::vector<NodeIndex> region_;
  bool log_changes_ = false;
  std::vector<NodeIndex> changed_;
};

}  // namespace beacon::routing
