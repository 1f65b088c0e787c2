// RoadNetwork: the read-only routing engine behind one facade. Owns the
// graph file's road graph and contraction hierarchy, the snapper and a pool
// of query engines, and answers in coordinates: route A -> B, travel times
// from many units to one incident (dispatch::TravelTimes), coverage.
// Thread-safe: each query borrows an engine from the pool.
#pragma once

#include <memory>
#include <mutex>
#include <string>
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

struct RouteAnswer {
  double eta_s = 0;
  double distance_m = 0;
  std::vector<LatLon> geometry;  // from the snapped start to the snapped end
  double from_snap_m = 0;
  double to_snap_m = 0;
};

class RoadNetwork final : public dispatch::TravelTimes {
 public:
  // Points farther than this from any road are refused, not guessed.
  static constexpr double kDefaultMaxSnapM = 500;

  static Result<std::unique_ptr<RoadNetwork>> Open(const std::string& path,
                                                   double max_snap_m = kDefaultMaxSnapM);
  RoadNetwork(RoadGraph graph, ContractedGraph ch, double max_snap_m);

  Result<RouteAnswer> Route(LatLon from, LatLon to) const;
  Result<Snap> SnapPoint(LatLon where) const { return snapper_.Nearest(where, max_snap_m_); }

  // dispatch::TravelTimes. Units that cannot be snapped get nullopt; when
  // the target cannot be snapped every unit gets a straight-line estimate
  // (by_road = false) so that the dispatcher still sees a ranking.
  std::vector<std::optional<dispatch::TravelEstimate>> ToTarget(std::span<const LatLon> sources,
                                                                LatLon target) const override;
  std::optional<dispatch::TravelEstimate> Between(LatLon from, LatLon to) const override;

  const RoadGraph& graph() const { return graph_; }
  const ContractedGraph& hierarchy() const { return ch_; }

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

  RoadGraph graph_;
  ContractedGraph ch_;
  Snapper snapper_;
  double max_snap_m_;
  dispatch::StraightLineTravelTimes fallback_;
  mutable std::mutex pool_mu_;
  mutable std::vector<std::unique_ptr<RouteEngine>> pool_;
};

}  // namespace beacon::routing
