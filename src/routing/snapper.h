// Snapper: finds the routable road segment nearest to a coordinate (a
// uniform grid over segment bounding boxes) and the graph node routes start
// or end at. Built once from a RoadGraph; immutable and thread-safe after.
#pragma once

#include <optional>
#include <vector>

#include "common/status.h"
#include "routing/road_graph.h"

namespace beacon::routing {

struct Snap {
  NodeIndex node = kNoNode;    // the segment end nearer to the projection
  ArcIndex arc = 0;            // the nearest segment
  LatLon point;                // the projection onto it
  double snap_distance_m = 0;  // from the query point to the segment
};

class Snapper {
 public:
  // `graph` must outlive the Snapper. Cells are about `cell_m` metres.
  explicit Snapper(const RoadGraph& graph, double cell_m = 150);

  // The nearest segment within `max_distance_m`, or kInvalid naming the
  // distance to the nearest road (kNotFound when none is within reach).
  Result<Snap> Nearest(LatLon where, double max_distance_m) const;

 private:
  struct Cell {
    std::uint32_t begin = 0, end = 0;  // into arcs_
  };
  // Local equirectangular projection (metres) around the graph's centre.
  double X(double lon) const { return (lon - lon0_) * m_per_deg_lon_; }
  double Y(double lat) const { return (lat - lat0_) * m_per_deg_lat_; }
  std::optional<Snap> SearchRing(double x, double y, int cx, int cy, int ring,
                                 double& best_d2) const;

  const RoadGraph& g_;
  std::vector<NodeIndex> tail_;  // per arc
  double lat0_ = 0, lon0_ = 0, m_per_deg_lat_ = 0, m_per_deg_lon_ = 0;
  double min_x_ = 0, min_y_ = 0, cell_m_ = 150;
  int cols_ = 0, rows_ = 0;
  std::vector<Cell> cells_;
  std::vector<ArcIndex> arcs_;
};

}  // namespace beacon::routing
