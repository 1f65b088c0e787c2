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

// True when original node v (or one of its copies) is within `limit_ms`
// (at most the tracker's limit; by default the tracker's limit).
bool Reached(const routing::CoverageTracker& tracker, const NodeCopies& copies, NodeIndex v);
bool Reached(const routing::CoverageTracker& tracker, const NodeCopies& copies, NodeIndex v,
             Millis limit_ms);

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
  // Cells with at least one node within `limit_ms` (<= the tracker's
  // limit), in row-major order.
  std::vector<CoverageCell> Cells(const routing::CoverageTracker& tracker, Millis limit_ms) const;
  // The cell of node v, and the cells drawn from the cells of the covered
  // nodes (one entry per node, any order; sorted here).
  std::uint32_t CellOf(NodeIndex v) const { return cell_[v]; }
  std::vector<CoverageCell> Draw(std::vector<std::uint32_t> hit) const;

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
// The same within `limit_ms` (<= the tracker's limit). O(nodes + demand points).
CoverageCounts Count(const routing::CoverageTracker& tracker, const NodeCopies& copies,
                     const DemandPoints& demand, std::int64_t demand_total, Millis limit_ms);

// Greedy maximal covering (docs/planning.md): up to `max_moves` times, among
// every movable unit not moved yet and every station other than its own,
// the single move with the largest (demand gain, node gain), ties to the
// first unit then station in the given order; stops when no move gains.
// `tracker` must hold exactly the current sources (every available unit,
// movable ones at MovableUnit::node); it is changed while planning and
// restored to the same times before returning. Coverage is within `limit_ms`
// (default: the tracker's limit; a smaller one works on a tracker with a
// larger limit, e.g. CoverageModel::Tracker). Cost: one bounded Dijkstra
// per distinct station or unit node, then per step one removal and re-add
// per movable unit.
MoveUpPlan PlanMoveUps(const routing::RoadGraph& graph, const NodeCopies& copies,
                       routing::CoverageTracker& tracker, const std::vector<MovableUnit>& movable,
                       const std::vector<StationSite>& stations, const DemandPoints& demand,
                       std::int64_t demand_total, int max_moves,
                       std::optional<Millis> limit_ms = std::nullopt);

// The live model. The time from the nearest available unit to a node does
// not depend on the threshold, so one tracker whose limit is the largest
// standing threshold answers every threshold up to it (covered within T <=>
// time <= T). A threshold above every tracker's limit gets a tracker of its
// own. Per threshold (the standing ones always, up to `max_extra` others
// kept while used) the model keeps the covered nodes and demand; SetUnit
// updates each tracker incrementally and recounts only the nodes whose time
// changed (CoverageTracker's change log). docs/planning.md.
// Keeps references to `graph`, `ch` and `copies`. Thread-compatible (the
// Planner serialises access).
class CoverageModel {
 public:
  static constexpr double kCellM = 250;
  // `eta_offset_ms`: the fixed time a calibrated network adds to every ETA
  // (RoadNetwork::fixed_s): a threshold of T seconds reaches the nodes
  // within T - offset of road time.
  CoverageModel(const routing::RoadGraph& graph, const routing::ContractedGraph& ch,
                const NodeCopies& copies, std::vector<int> standing_seconds = {240, 480},
                std::size_t max_extra = 4, Millis eta_offset_ms = 0);
  ~CoverageModel();

  // Unit `unit_id` is available at `node`, or not available (nullopt).
  void SetUnit(const std::string& unit_id, std::optional<NodeIndex> node);
  // One more call at `node`.
  void AddDemand(NodeIndex node, std::int64_t weight = 1);

  // Recomputes every tracker from scratch (PHAST) and recounts every kept
  // threshold; what SetUnit spares (benchmarks compare the two).
  void Rebuild();

  CoverageCounts Counts(int seconds);
  std::vector<CoverageCell> Cells(int seconds);
  const DemandPoints& demand() const { return demand_; }
  std::int64_t demand_total() const { return demand_total_; }
  // Every available unit's node.
  const std::map<std::string, NodeIndex>& units() const { return units_; }
  // The tracker that answers `seconds` (created and filled when needed). Its
  // limit may be larger: a node is within `seconds` when its time is <=
  // seconds * 1000 (pass that limit to PlanMoveUps, Count, Reached). Adding
  // or removing its sources directly makes the model's counts stale.
  routing::CoverageTracker& Tracker(int seconds);
  // Trackers kept.
  std::size_t layers() const { return tiers_.size(); }

 private:
  struct Tier;
  struct Threshold {
    int seconds = 0;
    Millis limit_ms = 0;
    bool standing = false;
    Tier* tier = nullptr;
    std::int64_t nodes_covered = 0;
    std::int64_t demand_covered = 0;
    std::uint64_t used = 0;
  };
  Threshold& GetThreshold(int seconds);
  Tier& NewTier(Millis limit_ms);
  // Recomputes the tier's per-node times and its thresholds' counts from
  // its tracker.
  void Recount(Tier& tier);
  void RecountThreshold(const Tier& tier, Threshold& t) const;
  // Applies the tier tracker's change log to its counts and clears it.
  void ApplyChanges(Tier& tier);

  const routing::RoadGraph& graph_;
  const routing::ContractedGraph& ch_;
  const NodeCopies& copies_;
  CoverageGrid grid_;
  std::size_t max_extra_;
  Millis eta_offset_ms_;
  // Per rank: the rank of its original node (itself when original), and
  // per original rank its copies' ranks (CSR; empty without copies).
  std::vector<NodeIndex> original_rank_;
  std::vector<NodeIndex> copy_first_;
  std::vector<NodeIndex> copy_ranks_;
  std::vector<NodeIndex> with_copies_;        // original ranks with copies
  std::vector<std::int64_t> weight_;          // demand per rank
  std::vector<std::uint32_t> cell_by_rank_;   // grid_.CellOf per rank
  std::vector<std::unique_ptr<Tier>> tiers_;  // by increasing limit
  std::vector<std::unique_ptr<Threshold>> thresholds_;
  std::uint64_t clock_ = 0;
  std::map<std::string, NodeIndex> units_;
  DemandPoints demand_;
  std::vector<NodeIndex> demand_ranks_;  // distinct, in order of arrival
  std::int64_t demand_total_ = 0;
};

}  // namespace beacon::planning
