#include "routing/snapper.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace beacon::routing {

Snapper::Snapper(const RoadGraph& graph, double cell_m) : g_(graph), cell_m_(cell_m) {
  const NodeIndex n = g_.nodes();
  tail_.resize(g_.arcs());
  for (NodeIndex v = 0; v < n; ++v) {
    for (ArcIndex a = g_.first_out[v]; a < g_.first_out[v + 1]; ++a) tail_[a] = v;
  }
  if (n == 0) return;
  double min_lat = 90, max_lat = -90, min_lon = 180, max_lon = -180;
  for (const auto& c : g_.coords) {
    min_lat = std::min(min_lat, c.lat);
    max_lat = std::max(max_lat, c.lat);
    min_lon = std::min(min_lon, c.lon);
    max_lon = std::max(max_lon, c.lon);
  }
  lat0_ = (min_lat + max_lat) / 2;
  lon0_ = (min_lon + max_lon) / 2;
  m_per_deg_lat_ = 111195.0;
  m_per_deg_lon_ = 111195.0 * std::cos(lat0_ * M_PI / 180);
  min_x_ = X(min_lon);
  min_y_ = Y(min_lat);
  cols_ = std::max(1, static_cast<int>(std::ceil((X(max_lon) - min_x_) / cell_m_)) + 1);
  rows_ = std::max(1, static_cast<int>(std::ceil((Y(max_lat) - min_y_) / cell_m_)) + 1);

  // Counting sort of segments into every cell their bounding box touches.
  auto cell_range = [&](ArcIndex a, int& x0, int& x1, int& y0, int& y1) {
    const auto& p = g_.coords[tail_[a]];
    const auto& q = g_.coords[g_.head[a]];
    auto cx = [&](double lon) {
      return std::clamp(static_cast<int>((X(lon) - min_x_) / cell_m_), 0, cols_ - 1);
    };
    auto cy = [&](double lat) {
      return std::clamp(static_cast<int>((Y(lat) - min_y_) / cell_m_), 0, rows_ - 1);
    };
    x0 = cx(std::min(p.lon, q.lon));
    x1 = cx(std::max(p.lon, q.lon));
    y0 = cy(std::min(p.lat, q.lat));
    y1 = cy(std::max(p.lat, q.lat));
  };
  std::vector<std::uint32_t> count(static_cast<size_t>(cols_) * rows_ + 1, 0);
  for (ArcIndex a = 0; a < g_.arcs(); ++a) {
    int x0, x1, y0, y1;
    cell_range(a, x0, x1, y0, y1);
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) ++count[static_cast<size_t>(y) * cols_ + x + 1];
    }
  }
  for (size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
  cells_.resize(static_cast<size_t>(cols_) * rows_);
  for (size_t i = 0; i < cells_.size(); ++i) cells_[i] = {count[i], count[i]};
  arcs_.resize(count.back());
  for (ArcIndex a = 0; a < g_.arcs(); ++a) {
    int x0, x1, y0, y1;
    cell_range(a, x0, x1, y0, y1);
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) arcs_[cells_[static_cast<size_t>(y) * cols_ + x].end++] = a;
    }
  }
}

std::optional<Snap> Snapper::SearchRing(double x, double y, int cx, int cy, int ring,
                                        double& best_d2) const {
  std::optional<Snap> best;
  for (int gy = cy - ring; gy <= cy + ring; ++gy) {
    if (gy < 0 || gy >= rows_) continue;
    for (int gx = cx - ring; gx <= cx + ring; ++gx) {
      if (gx < 0 || gx >= cols_) continue;
      if (std::max(std::abs(gx - cx), std::abs(gy - cy)) != ring) continue;  // ring border only
      const Cell& cell = cells_[static_cast<size_t>(gy) * cols_ + gx];
      for (std::uint32_t i = cell.begin; i < cell.end; ++i) {
        ArcIndex a = arcs_[i];
        const auto& p = g_.coords[tail_[a]];
        const auto& q = g_.coords[g_.head[a]];
        double px = X(p.lon), py = Y(p.lat), qx = X(q.lon), qy = Y(q.lat);
        double dx = qx - px, dy = qy - py;
        double len2 = dx * dx + dy * dy;
        double t = len2 > 0 ? std::clamp(((x - px) * dx + (y - py) * dy) / len2, 0.0, 1.0) : 0;
        double sx = px + t * dx, sy = py + t * dy;
        double d2 = (x - sx) * (x - sx) + (y - sy) * (y - sy);
        // Ties go to the lower arc index so the answer is deterministic.
        if (d2 < best_d2 || (d2 == best_d2 && best && a < best->arc)) {
          best_d2 = d2;
          Snap s;
          s.arc = a;
          s.node = t <= 0.5 ? tail_[a] : g_.head[a];
          s.point = {sy / m_per_deg_lat_ + lat0_, sx / m_per_deg_lon_ + lon0_};
          best = s;
        }
      }
    }
  }
  return best;
}

Result<Snap> Snapper::Nearest(LatLon where, double max_distance_m) const {
  if (!ValidLatLon(where.lat, where.lon)) return Invalid("coordinates out of range", "location");
  if (cells_.empty()) return NotFound("the road graph is empty");
  double x = X(where.lon), y = Y(where.lat);
  int cx = static_cast<int>(std::floor((x - min_x_) / cell_m_));
  int cy = static_cast<int>(std::floor((y - min_y_) / cell_m_));
  // Rings needed to cover max_distance from the query cell, plus the
  // distance from the query cell to the grid when the point lies outside.
  // A point far outside the graph's area is refused before any search.
  double gx = std::clamp(x, min_x_, min_x_ + cols_ * cell_m_);
  double gy = std::clamp(y, min_y_, min_y_ + rows_ * cell_m_);
  double outside_m = std::hypot(x - gx, y - gy);
  if (outside_m > max_distance_m) {
    return Invalid("the point is " + std::to_string(static_cast<long>(outside_m)) +
                       " m outside the road graph's area (snapping limit " +
                       std::to_string(static_cast<int>(max_distance_m)) + " m)",
                   "location");
  }
  int outside = std::max({0, -cx, cx - (cols_ - 1), -cy, cy - (rows_ - 1)});
  int max_ring = outside + static_cast<int>(std::ceil(max_distance_m / cell_m_)) + 1;
  max_ring = std::min(max_ring, std::max(cols_, rows_) + outside);
  double best_d2 = std::numeric_limits<double>::infinity();
  std::optional<Snap> best;
  for (int ring = 0; ring <= max_ring; ++ring) {
    if (auto s = SearchRing(x, y, cx, cy, ring, best_d2)) best = s;
    // Every segment in a farther ring is at least (ring) cells away.
    double reach = std::max(0, ring - outside) * cell_m_;
    if (best && reach * reach >= best_d2) break;
  }
  if (!best) {
    return NotFound("no road within " + std::to_string(static_cast<int>(max_distance_m)) +
                    " m of " + std::to_string(where.lat) + "," + std::to_string(where.lon));
  }
  best->snap_distance_m = HaversineM(where, best->point);
  if (best->snap_distance_m > max_distance_m) {
    return Invalid("the nearest road is " +
                       std::to_string(static_cast<int>(best->snap_distance_m)) +
                       " m away, beyond the " + std::to_string(static_cast<int>(max_distance_m)) +
                       " m snapping limit (is the point outside the road graph?)",
                   "location");
  }
  return *best;
}

}  // namespace beacon::routing
