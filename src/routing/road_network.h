// RoadNetwork: the read-only routing engine behind one facade. Owns the
// graph file's road graph and contraction hierarchy, the snapper and a pool
// of query engines, and answers in coordinates: route A -> B, travel times
// from many units to one incident (dispatch::TravelTimes), coverage.
// Thread-safe: each query borrows an engine from the pool.
//
// Turn restrictions are built into the graph by node splitting
// (routing/turn_restrictions.h): some nodes are copies of a road node that
// are entered only by a restricted arc. The facade hides them: a snapped
// position is always an original node (the unrestricted "standing at v"
// state, so a route may start with any turn there), and a route or travel
// time to a node is the fastest arrival at the node or any of its copies.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dispatch/travel_times.h"
#include "routing/contraction.h"
#include "routing/graph_file.h"
#include "routing/query.h"
#include "routing/road_graph.h"
#include "routing/snapper.h"

namespace beacon::routing {

// Sections of the contraction hierarchy in the graph file ("ch.*").
void SaveContractedGraph(GraphFileWriter& writer, const ContractedGraph& ch);
Result<ContractedGraph> LoadContractedGraph(const GraphFile& file, const RoadGraph& graph);

// Section "turn.original_node": per node, the road node it is a copy of
// (routing/turn_restrictions.h). Save nothing for a graph without copies.
inline constexpr std::string_view kTurnOriginalNode = "turn.original_node";
void SaveOriginalNodes(GraphFileWriter& writer, const std::vector<NodeIndex>& original_node);
// An empty vector when the section is absent (no copies: older and DIMACS
// files). kMalformed when its size is not graph.nodes() or an entry is out of
// range or not itself an original node.
Result<std::vector<NodeIndex>> LoadOriginalNodes(const GraphFile& file, const RoadGraph& graph);

struct RouteAnswer {
  double eta_s = 0;
  double distance_m = 0;
  std::vector<LatLon> geometry;  // from the snapped start to the snapped end
  double from_snap_m = 0;
  double to_snap_m = 0;
};

// A fastest route's travel time split by road class: seconds on the arcs of
// each class of the graph (indexed like RoadGraph::road_class_names; empty
// when the graph has no classes). Times are the network's own arc times.
struct ClassTimes {
  double eta_s = 0;  // without any fixed term
  std::vector<double> class_s;
};

// How a calibration changes travel times (beacon calibrate,
// docs/calibration.md): each arc's time is multiplied by its road class's
// factor, and a fixed time (finding the address, parking) is added to every
// ETA.
struct EtaAdjustment {
  std::vector<double> class_factor;  // per road class of the graph; > 0
  double fixed_s = 0;                // >= 0
};

class RoadNetwork final : public dispatch::TravelTimes {
 public:
  // Points farther than this from any road are refused, not guessed.
  static constexpr double kDefaultMaxSnapM = 500;

  static Result<std::unique_ptr<RoadNetwork>> Open(const std::string& path,
                                                   double max_snap_m = kDefaultMaxSnapM);
  // A network over the same roads and nodes with the arc times of `base`
  // adjusted (rounded to milliseconds, at least 1) and its own contraction
  // hierarchy (built here: about a second for a city); its ETAs include
  // `fixed_s` and say `calibrated`. kInvalid when the factors do not match
  // the graph's road classes or are not positive and finite.
  static Result<std::unique_ptr<RoadNetwork>> Adjusted(const RoadNetwork& base,
                                                       const EtaAdjustment& adjustment);
  // `original_node`: per node, the node it is a copy of (empty: no copies);
  // as checked by LoadOriginalNodes.
  RoadNetwork(RoadGraph graph, ContractedGraph ch, double max_snap_m,
              std::vector<NodeIndex> original_node = {});

  Result<RouteAnswer> Route(LatLon from, LatLon to) const;
  // The fastest route's time by road class (without the fixed term).
  Result<ClassTimes> TimeByClass(LatLon from, LatLon to) const;
  // The nearest road position; `node` is never a copy (`arc` may be the copy
  // of a road segment; its geometry is the same).
  Result<Snap> SnapPoint(LatLon where) const;

  // dispatch::TravelTimes. Units that cannot be snapped get nullopt; when
  // the target cannot be snapped every unit gets a straight-line estimate
  // (by_road = false) so that the dispatcher still sees a ranking.
  std::vector<std::optional<dispatch::TravelEstimate>> ToTarget(std::span<const LatLon> sources,
                                                                LatLon target) const override;
  std::optional<dispatch::TravelEstimate> Between(LatLon from, LatLon to) const override;
  // ToTarget with the sources and the target already snapped (SnapPoint's
  // node; kNoNode for a source that could not be snapped: it gets nullopt).
  // The same answers as ToTarget for the points those snaps came from, for
  // callers that cache snaps (beacon replay).
  std::vector<std::optional<dispatch::TravelEstimate>> ToTargetNode(
      std::span<const NodeIndex> sources, NodeIndex target) const;
  // Between for snapped points (nullopt: no route): the same answer as
  // Between for the points those snaps came from.
  std::optional<dispatch::TravelEstimate> BetweenNodes(NodeIndex from, NodeIndex to) const;

  const RoadGraph& graph() const { return graph_; }
  // Added to every ETA (0 unless Adjusted); callers that compare road times
  // with a limit (coverage) subtract it.
  double fixed_s() const { return fixed_s_; }
  bool calibrated() const { return calibrated_; }
  // The routing profile the graph file was built with (zero: unknown).
  const ProfileHash& profile_hash() const { return profile_hash_; }
  const ContractedGraph& hierarchy() const { return ch_; }
  // Per node of graph(): the road node it stands for (empty: no copies).
  const std::vector<NodeIndex>& original_node() const { return original_node_; }
  NodeIndex copies() const { return static_cast<NodeIndex>(copies_.size()); }

 private:
  // Borrowed engine, returned to the pool on destruction.
  class Lease {
   public:
    Lease(const RoadNetwork& n, std::unique_ptr<RouteEngine> e) : n_(n), e_(std::move(e)) {}
    ~Lease();
    RouteEngine* operator->() { return e_.get(); }

   private:
    const RoadNetwork& n_;
    std::unique_ptr<RouteEngine> e_;
  };
  Lease Borrow() const;
  // `node` followed by its copies.
  std::vector<NodeIndex> Arrivals(NodeIndex node) const;
  struct Path {
    Snap from, to;
    routing::Route route;
  };
  // The fastest path between two snapped points (to the target or one of
  // its copies); errors name "from" or "to".
  Result<Path> FastestPath(LatLon from, LatLon to) const;
  routing::Route PathBetween(NodeIndex from, NodeIndex to) const;

  RoadGraph graph_;
  ContractedGraph ch_;
  std::vector<NodeIndex> original_node_;
  std::vector<std::pair<NodeIndex, NodeIndex>> copies_;  // (original, copy), sorted
  Snapper snapper_;
  double max_snap_m_;
  double fixed_s_ = 0;
  bool calibrated_ = false;
  ProfileHash profile_hash_{};
  dispatch::StraightLineTravelTimes fallback_;
  mutable std::mutex pool_mu_;
  mutable std::vector<std::unique_ptr<RouteEngine>> pool_;
};

}  // namespace beacon::routing
