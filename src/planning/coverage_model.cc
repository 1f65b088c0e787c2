#include "planning/coverage_model.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "routing/dijkstra.h"

namespace beacon::planning {

using routing::CoverageTracker;
using routing::kUnreachable;

NodeCopies::NodeCopies(NodeIndex nodes, const std::vector<NodeIndex>& original_node)
    : nodes_(nodes), originals_(nodes), original_(original_node) {
  if (original_.empty()) return;
  first_.assign(static_cast<size_t>(nodes) + 1, 0);
  for (NodeIndex v = 0; v < nodes; ++v) {
    if (original_[v] != v) {
      ++first_[original_[v] + 1];
      --originals_;
    }
  }
  for (NodeIndex v = 0; v < nodes; ++v) first_[v + 1] += first_[v];
  copies_.resize(first_[nodes]);
  std::vector<NodeIndex> fill(first_.begin(), first_.end() - 1);
  for (NodeIndex v = 0; v < nodes; ++v) {
    if (original_[v] != v) copies_[fill[original_[v]]++] = v;
  }
  for (NodeIndex v = 0; v < nodes; ++v) {
    if (first_[v + 1] > first_[v]) with_copies_.push_back(v);
  }
}

bool Reached(const CoverageTracker& tracker, const NodeCopies& copies, NodeIndex v) {
  if (tracker.TimeAt(v) != kUnreachable) return true;
  for (NodeIndex c : copies.CopiesOf(v)) {
    if (tracker.TimeAt(c) != kUnreachable) return true;
  }
  return false;
}

CoverageCounts Count(const CoverageTracker& tracker, const NodeCopies& copies,
                     const DemandPoints& demand, std::int64_t demand_total) {
  CoverageCounts c;
  c.units = static_cast<std::int64_t>(tracker.active_sources());
  c.nodes_total = copies.originals();
  // The tracker counts every node it reaches, copies included: take the
  // copies out and add the originals reached only through a copy.
  std::int64_t covered = tracker.covered();
  for (NodeIndex o : copies.with_copies()) {
    bool self = tracker.TimeAt(o) != kUnreachable;
    bool via_copy = false;
    for (NodeIndex x : copies.CopiesOf(o)) {
      if (tracker.TimeAt(x) != kUnreachable) {
        --covered;
        via_copy = true;
      }
    }
    if (!self && via_copy) ++covered;
  }
  c.nodes_covered = covered;
  c.demand_total = demand_total;
  for (const auto& [node, weight] : demand) {
    if (Reached(tracker, copies, node)) c.demand_covered += weight;
  }
  return c;
}

CoverageGrid::CoverageGrid(const routing::RoadGraph& graph, const NodeCopies& copies, double cell_m)
    : graph_(graph), copies_(copies), cell_(graph.nodes(), 0) {
  if (graph.nodes() == 0) return;
  double min_lat = 90, max_lat = -90, min_lon = 180, max_lon = -180;
  for (const auto& p : graph.coords) {
    min_lat = std::min(min_lat, p.lat);
    max_lat = std::max(max_lat, p.lat);
    min_lon = std::min(min_lon, p.lon);
    max_lon = std::max(max_lon, p.lon);
  }
  constexpr double kMPerDegLat = 111320;
  double cos_lat = std::max(0.01, std::cos((min_lat + max_lat) / 2 * M_PI / 180));
  // Keeps the grid to at most ~4M cells on a very large graph.
  for (;; cell_m *= 2) {
    dlat_ = cell_m / kMPerDegLat;
    dlon_ = cell_m / (kMPerDegLat * cos_lat);
    double cells = (std::floor((max_lat - min_lat) / dlat_) + 1) *
                   (std::floor((max_lon - min_lon) / dlon_) + 1);
    if (cells <= 4e6) break;
  }
  lat0_ = min_lat;
  lon0_ = min_lon;
  cols_ = static_cast<std::uint32_t>(std::floor((max_lon - min_lon) / dlon_)) + 1;
  for (NodeIndex v = 0; v < graph.nodes(); ++v) {
    auto row = static_cast<std::uint32_t>(std::floor((graph.coords[v].lat - lat0_) / dlat_));
    auto col = static_cast<std::uint32_t>(std::floor((graph.coords[v].lon - lon0_) / dlon_));
    cell_[v] = row * cols_ + col;
  }
}

std::vector<CoverageCell> CoverageGrid::Cells(const CoverageTracker& tracker) const {
  std::vector<std::uint32_t> hit;
  for (NodeIndex v = 0; v < graph_.nodes(); ++v) {
    if (copies_.IsOriginal(v) && Reached(tracker, copies_, v)) hit.push_back(cell_[v]);
  }
  std::sort(hit.begin(), hit.end());
  std::vector<CoverageCell> out;
  for (size_t i = 0; i < hit.size();) {
    size_t j = i;
    while (j < hit.size() && hit[j] == hit[i]) ++j;
    std::uint32_t row = hit[i] / cols_, col = hit[i] % cols_;
    CoverageCell c;
    c.south = lat0_ + row * dlat_;
    c.north = c.south + dlat_;
    c.west = lon0_ + col * dlon_;
    c.east = c.west + dlon_;
    c.nodes = static_cast<std::int64_t>(j - i);
    out.push_back(c);
    i = j;
  }
  return out;
}

namespace {

// Original nodes within `limit` of `source` (itself or a copy reached).
std::vector<NodeIndex> CoverOf(routing::Dijkstra& dijkstra, const NodeCopies& copies,
                               NodeIndex source, Millis limit, std::vector<std::uint32_t>& stamp,
                               std::uint32_t& current) {
  NodeIndex sources[] = {source};
  auto times = dijkstra.MultiSourceWithin(sources, limit);
  ++current;
  std::vector<NodeIndex> out;
  for (NodeIndex v = 0; v < times.size(); ++v) {
    if (times[v] == kUnreachable) continue;
    NodeIndex o = copies.Original(v);
    if (stamp[o] == current) continue;
    stamp[o] = current;
    out.push_back(o);
  }
  return out;
}

}  // namespace

MoveUpPlan PlanMoveUps(const routing::RoadGraph& graph, const NodeCopies& copies,
                       CoverageTracker& tracker, const std::vector<MovableUnit>& movable,
                       const std::vector<StationSite>& stations, const DemandPoints& demand,
                       std::int64_t demand_total, int max_moves) {
  MoveUpPlan plan;
  plan.before = Count(tracker, copies, demand, demand_total);
  plan.after = plan.before;
  if (movable.empty() || stations.size() < 2 || max_moves <= 0) return plan;
  const Millis limit = tracker.limit_ms();
  const NodeIndex n = graph.nodes();

  std::vector<std::int64_t> weight(n, 0);  // demand per node
  for (const auto& [node, w] : demand) weight[node] += w;

  // What each station and each movable unit's node covers on its own.
  routing::Dijkstra dijkstra(graph);
  std::vector<std::uint32_t> stamp(n, 0);
  std::uint32_t current = 0;
  std::map<NodeIndex, std::vector<NodeIndex>> cover;
  auto cover_of = [&](NodeIndex node) -> const std::vector<NodeIndex>& {
    auto it = cover.find(node);
    if (it == cover.end()) {
      it = cover.emplace(node, CoverOf(dijkstra, copies, node, limit, stamp, current)).first;
    }
    return it->second;
  };
  // Per node: the stations that cover it (CSR).
  std::vector<std::uint32_t> first(static_cast<size_t>(n) + 1, 0);
  for (const auto& s : stations) {
    for (NodeIndex v : cover_of(s.node)) ++first[v + 1];
  }
  for (NodeIndex v = 0; v < n; ++v) first[v + 1] += first[v];
  std::vector<std::uint32_t> covering(first[n]);
  {
    std::vector<std::uint32_t> fill(first.begin(), first.end() - 1);
    for (std::uint32_t i = 0; i < stations.size(); ++i) {
      for (NodeIndex v : cover_of(stations[i].node)) covering[fill[v]++] = i;
    }
  }
  for (const auto& u : movable) cover_of(u.node);

  std::vector<CoverageTracker::SourceId> source(movable.size());
  for (size_t j = 0; j < movable.size(); ++j) source[j] = movable[j].source;
  std::vector<bool> moved(movable.size(), false);
  std::vector<size_t> moved_order;
  const size_t m = stations.size();
  std::vector<std::int64_t> open_demand(m), open_nodes(m), lost_demand(m), lost_nodes(m);

  for (int step = 0; step < max_moves; ++step) {
    // What each station would add on its own: its uncovered nodes.
    for (size_t i = 0; i < m; ++i) {
      open_demand[i] = open_nodes[i] = 0;
      for (NodeIndex v : cover_of(stations[i].node)) {
        if (Reached(tracker, copies, v)) continue;
        open_demand[i] += weight[v];
        ++open_nodes[i];
      }
    }
    bool found = false;
    std::tuple<std::int64_t, std::int64_t> best{0, 0};
    size_t best_unit = 0, best_station = 0;
    for (size_t j = 0; j < movable.size(); ++j) {
      if (moved[j]) continue;
      // The nodes only this unit covers: lost when it leaves.
      tracker.RemoveSource(source[j]);
      std::vector<NodeIndex> lost;
      std::int64_t loss_demand = 0;
      for (NodeIndex v : cover_of(movable[j].node)) {
        if (Reached(tracker, copies, v)) continue;
        lost.push_back(v);
        loss_demand += weight[v];
      }
      source[j] = tracker.AddSource(movable[j].node);
      std::fill(lost_demand.begin(), lost_demand.end(), 0);
      std::fill(lost_nodes.begin(), lost_nodes.end(), 0);
      for (NodeIndex v : lost) {
        for (std::uint32_t k = first[v]; k < first[v + 1]; ++k) {
          lost_demand[covering[k]] += weight[v];
          ++lost_nodes[covering[k]];
        }
      }
      const auto loss_nodes = static_cast<std::int64_t>(lost.size());
      for (size_t i = 0; i < m; ++i) {
        if (stations[i].station_id == movable[j].station_id) continue;
        std::tuple<std::int64_t, std::int64_t> gain{open_demand[i] + lost_demand[i] - loss_demand,
                                                    open_nodes[i] + lost_nodes[i] - loss_nodes};
        if (gain > best) {
          best = gain;
          best_unit = j;
          best_station = i;
          found = true;
        }
      }
    }
    if (!found) break;
    tracker.RemoveSource(source[best_unit]);
    source[best_unit] = tracker.AddSource(stations[best_station].node);
    moved[best_unit] = true;
    moved_order.push_back(best_unit);
    plan.moves.push_back({movable[best_unit].unit_id, movable[best_unit].station_id,
                          stations[best_station].station_id, std::get<0>(best), std::get<1>(best)});
  }
  plan.after = Count(tracker, copies, demand, demand_total);
  // Back to where the units are.
  for (auto it = moved_order.rbegin(); it != moved_order.rend(); ++it) {
    tracker.RemoveSource(source[*it]);
    source[*it] = tracker.AddSource(movable[*it].node);
  }
  return plan;
}

CoverageModel::CoverageModel(const routing::RoadGraph& graph, const routing::ContractedGraph& ch,
                             const NodeCopies& copies, std::vector<int> standing_seconds,
                             std::size_t max_extra)
    : graph_(graph), ch_(ch), copies_(copies), grid_(graph, copies, kCellM), max_extra_(max_extra) {
  for (int s : standing_seconds) GetLayer(s).standing = true;
}

CoverageModel::Layer& CoverageModel::GetLayer(int seconds) {
  ++clock_;
  for (auto& l : layers_) {
    if (l->seconds == seconds) {
      l->used = clock_;
      return *l;
    }
  }
  auto layer = std::make_unique<Layer>();
  layer->seconds = seconds;
  layer->used = clock_;
  layer->tracker =
      std::make_unique<CoverageTracker>(graph_, ch_, static_cast<Millis>(seconds) * 1000);
  std::vector<NodeIndex> nodes;
  for (const auto& [id, node] : units_) nodes.push_back(node);
  auto ids = layer->tracker->Reset(nodes);
  size_t k = 0;
  for (const auto& [id, node] : units_) layer->ids[id] = ids[k++];
  Recount(*layer);
  // Forget the least recently used extra threshold when there are too many.
  size_t extra = 0;
  for (const auto& l : layers_) extra += !l->standing;
  if (extra >= max_extra_) {
    auto victim = layers_.end();
    for (auto it = layers_.begin(); it != layers_.end(); ++it) {
      if ((*it)->standing) continue;
      if (victim == layers_.end() || (*it)->used < (*victim)->used) victim = it;
    }
    if (victim != layers_.end()) layers_.erase(victim);
  }
  layers_.push_back(std::move(layer));
  return *layers_.back();
}

void CoverageModel::Recount(Layer& layer) {
  layer.counts = Count(*layer.tracker, copies_, demand_, demand_total_);
}

void CoverageModel::SetUnit(const std::string& unit_id, std::optional<NodeIndex> node) {
  auto it = units_.find(unit_id);
  if (it == units_.end() && !node) return;
  if (it != units_.end() && node && it->second == *node) return;
  for (auto& l : layers_) {
    auto id = l->ids.find(unit_id);
    if (id != l->ids.end()) {
      l->tracker->RemoveSource(id->second);
      l->ids.erase(id);
    }
    if (node) l->ids[unit_id] = l->tracker->AddSource(*node);
    Recount(*l);
  }
  if (node) {
    units_[unit_id] = *node;
  } else {
    units_.erase(it);
  }
}

void CoverageModel::Rebuild() {
  std::vector<NodeIndex> nodes;
  for (const auto& [id, node] : units_) nodes.push_back(node);
  for (auto& l : layers_) {
    auto ids = l->tracker->Reset(nodes);
    l->ids.clear();
    size_t k = 0;
    for (const auto& [id, node] : units_) l->ids[id] = ids[k++];
    Recount(*l);
  }
}

void CoverageModel::AddDemand(NodeIndex node, std::int64_t weight) {
  demand_[node] += weight;
  demand_total_ += weight;
  for (auto& l : layers_) {
    l->counts.demand_total = demand_total_;
    if (Reached(*l->tracker, copies_, node)) l->counts.demand_covered += weight;
  }
}

CoverageCounts CoverageModel::Counts(int seconds) { return GetLayer(seconds).counts; }

std::vector<CoverageCell> CoverageModel::Cells(int seconds) {
  return grid_.Cells(*GetLayer(seconds).tracker);
}

routing::CoverageTracker& CoverageModel::Tracker(int seconds) { return *GetLayer(seconds).tracker; }

}  // namespace beacon::planning
