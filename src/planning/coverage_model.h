// Coverage of the road network by the available units, kept up to date as
// units come and go, and the move-up planner. docs/planning.md describes
// what is counted and why.
//
// Everything here works on road-graph node indices: callers (planning/
// planner.h) snap positions first. A "road node" is an original node of the
// graph; the copies that turn restrictions add (routing/turn_restrictions.h)
// are not counted, and a node counts as reached when it or one of its copies
// is within the limit (a copy is the same place entered by a restricted arc).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "routing/query.h"
#include "routing/road_graph.h"

namespace beacon::planning {

using routing::Millis;
using routing::NodeIndex;

// Which nodes are copies of which: built once from the graph's
// original_node table (empty: no copies). Immutable; thread-safe.
class NodeCopies {
 public:
  NodeCopies(NodeIndex nodes, const std::vector<NodeIndex>& original_node);
  bool IsOriginal(NodeIndex v) const { return original_.empty() || original_[v] == v; }
  NodeIndex Original(NodeIndex v) const { return original_.empty() ? v : original_[v]; }
  // The copies of original node v.
  std::span<const NodeIndex> CopiesOf(NodeIndex v) const {
    if (first_.empty()) return {};
    return {copies_.data() + first_[v], copies_.data() + first_[v + 1]};
  }
  // Original nodes that have copies.
  const std::vector<NodeIndex>& with_copies() const { return with_copies_; }
  NodeIndex originals() const { return originals_; }
  NodeIndex nodes() const { return nodes_; }

 private:
  NodeIndex nodes_;
  NodeIndex originals_;
  std::vector<NodeIndex> original_;
  std::vector<NodeIndex> first_;  // CSR over originals; empty without copies
  std::vector<NodeIndex> copies_;
  std::vector<NodeIndex> with_copies_;
};

// True when original node v (or one of its copies) is within the tracker's limit.
bool Reached(const routing::CoverageTracker& tracker, const NodeCopies& copies, NodeIndex v);

// Demand aggregated by node: weight = number of calls snapped there.
using DemandPoints = std::map<NodeIndex, std::int64_t>;

struct CoverageCounts {
  std::int64_t units = 0;  // sources (available units with a road position)
  std::int64_t nodes_total = 0;
  std::int64_t nodes_covered = 0;
  std::int64_t demand_total = 0;
  std::int64_t demand_covered = 0;
};

// A square grid cell (about cell_m on a side) with covered nodes in it.
struct CoverageCell {
  double south = 0, west = 0, north = 0, east = 0;
  std::int64_t nodes = 0;
};

// A unit the move-up planner may move: available, at its home station.
struct MovableUnit {
  std::string unit_id;
  std::string station_id;                         // where it stands now
  NodeIndex node = 0;                             // its source node in the tracker
  routing::CoverageTracker::SourceId source = 0;  // and its id there
};
struct StationSite {
  std::string station_id;
  NodeIndex node = 0;
};
struct MoveUp {
  std::string unit_id;
  std::string from_station_id;
  std::string to_station_id;
  std::int64_t demand_gain = 0;  // calls newly covered (net)
  std::int64_t node_gain = 0;    // road nodes newly covered (net)
};
struct MoveUpPlan {
  std::vector<MoveUp> moves;
  CoverageCounts before;
  CoverageCounts after;
};

// Per node: its grid cell, for drawing.
class CoverageGrid {
 public:
  CoverageGrid(const routing::RoadGraph& graph, const NodeCopies& copies, double cell_m);
  // Cells with at least one covered node, in row-major order.
  std::vector<CoverageCell> Cells(const routing::CoverageTracker& tracker) const;

 private:
  const routing::RoadGraph& graph_;
  const NodeCopies& copies_;
  double lat0_ = 0, lon0_ = 0, dlat_ = 0, dlon_ = 0;
  std::uint32_t cols_ = 1;
  std::vector<std::uint32_t> cell_;  // per node; meaningful for originals
};

// Counts covered nodes and demand for one tracker. O(copies + demand points).
CoverageCounts Count(const routing::CoverageTracker& tracker, const NodeCopies& copies,
                     const DemandPoints& demand, std::int64_t demand_total);

// Greedy maximal covering (docs/planning.md): up to `max_moves` times, among
// every movable unit not moved yet and every station other than its own,
// the single move with the largest (demand gain, node gain), ties to the
// first unit then station in the given order; stops when no move gains.
// `tracker` must hold exactly the current sources (every available unit,
// movable ones at MovableUnit::node); it is changed while planning and
// restored to the same times before returning. Cost: one bounded Dijkstra
// per distinct station or unit node, then per step one removal and re-add
// per movable unit.
MoveUpPlan PlanMoveUps(const routing::RoadGraph& graph, const NodeCopies& copies,
                       routing::CoverageTracker& tracker, const std::vector<MovableUnit>& movable,
                       const std::vector<StationSite>& stations, const DemandPoints& demand,
                       std::int64_t demand_total, int max_moves);

// The live model: one tracker per threshold (the standing ones always, up to
// `max_extra` others kept while used), the available units' nodes and the
// demand. Every SetUnit updates every tracker incrementally and recounts.
// Keeps references to `graph`, `ch` and `copies`. Thread-compatible (the
// Planner serialises access).
class CoverageModel {
 public:
  static constexpr double kCellM = 250;
  CoverageModel(const routing::RoadGraph& graph, const routing::ContractedGraph& ch,
                const NodeCopies& copies, std::vector<int> standing_seconds = {240, 480},
                std::size_t max_extra = 4);

  // Unit `unit_id` is available at `node`, or not available (nullopt).
  void SetUnit(const std::string& unit_id, std::optional<NodeIndex> node);
  // One more call at `node`.
  void AddDemand(NodeIndex node, std::int64_t weight = 1);

  // Recomputes every kept threshold from scratch (PHAST) and recounts;
  // what SetUnit spares (benchmarks compare the two).
  void Rebuild();

  CoverageCounts Counts(int seconds);
  std::vector<CoverageCell> Cells(int seconds);
  const DemandPoints& demand() const { return demand_; }
  std::int64_t demand_total() const { return demand_total_; }
  // Every available unit's node.
  const std::map<std::string, NodeIndex>& units() const { return units_; }
  // The tracker for `seconds` (created and filled when not kept).
  routing::CoverageTracker& Tracker(int seconds);
  std::size_t layers() const { return layers_.size(); }

 private:
  struct Layer {
    int seconds = 0;
    bool standing = false;
    std::unique_ptr<routing::CoverageTracker> tracker;
    std::map<std::string, routing::CoverageTracker::SourceId> ids;
    CoverageCounts counts;
    std::uint64_t used = 0;
  };
  Layer& GetLayer(int seconds);
  void Recount(Layer& layer);

  const routing::RoadGraph& graph_;
  const routing::ContractedGraph& ch_;
  const NodeCopies& copies_;
  CoverageGrid grid_;
  std::size_t max_extra_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::uint64_t clock_ = 0;
  std::map<std::string, NodeIndex> units_;
  DemandPoints demand_;
  std::int64_t demand_total_ = 0;
};

}  // namespace beacon::planning
