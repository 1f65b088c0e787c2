#include "planning/coverage_model.h"

#include <algorithm>
#include <cmath>
#include <functional>
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

bool Reached(const CoverageTracker& tracker, const NodeCopies& copies, NodeIndex v,
             Millis limit_ms) {
  if (tracker.TimeAt(v) <= limit_ms) return true;
  for (NodeIndex c : copies.CopiesOf(v)) {
    if (tracker.TimeAt(c) <= limit_ms) return true;
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

CoverageCounts Count(const CoverageTracker& tracker, const NodeCopies& copies,
                     const DemandPoints& demand, std::int64_t demand_total, Millis limit_ms) {
  if (limit_ms >= tracker.limit_ms()) return Count(tracker, copies, demand, demand_total);
  CoverageCounts c;
  c.units = static_cast<std::int64_t>(tracker.active_sources());
  c.nodes_total = copies.originals();
  for (NodeIndex v = 0; v < copies.nodes(); ++v) {
    if (copies.IsOriginal(v) && Reached(tracker, copies, v, limit_ms)) ++c.nodes_covered;
  }
  c.demand_total = demand_total;
  for (const auto& [node, weight] : demand) {
    if (Reached(tracker, copies, node, limit_ms)) c.demand_covered += weight;
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

std::vector<CoverageCell> CoverageGrid::Cells(const CoverageTracker& tracker,
                                              Millis limit_ms) const {
  std::vector<std::uint32_t> hit;
  for (NodeIndex v = 0; v < graph_.nodes(); ++v) {
    if (copies_.IsOriginal(v) && Reached(tracker, copies_, v, limit_ms)) hit.push_back(cell_[v]);
  }
  return Draw(std::move(hit));
}

std::vector<CoverageCell> CoverageGrid::Draw(std::vector<std::uint32_t> hit) const {
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
                       std::int64_t demand_total, int max_moves, std::optional<Millis> limit_ms) {
  const Millis limit = std::min(limit_ms.value_or(tracker.limit_ms()), tracker.limit_ms());
  MoveUpPlan plan;
  plan.before = Count(tracker, copies, demand, demand_total, limit);
  plan.after = plan.before;
  if (movable.empty() || stations.size() < 2 || max_moves <= 0) return plan;
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
        if (Reached(tracker, copies, v, limit)) continue;
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
        if (Reached(tracker, copies, v, limit)) continue;
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
  plan.after = Count(tracker, copies, demand, demand_total, limit);
  // Back to where the units are.
  for (auto it = moved_order.rbegin(); it != moved_order.rend(); ++it) {
    tracker.RemoveSource(source[*it]);
    source[*it] = tracker.AddSource(movable[*it].node);
  }
  return plan;
}

struct CoverageModel::Tier {
  Millis limit_ms = 0;
  std::unique_ptr<CoverageTracker> tracker;
  std::map<std::string, CoverageTracker::SourceId> ids;
  // Per rank: for an original node the least time of it and its copies,
  // for a copy its own time (as of the last recount or ApplyChanges).
  std::vector<Millis> best;
  std::vector<Threshold*> thresholds;
};

CoverageModel::CoverageModel(const routing::RoadGraph& graph, const routing::ContractedGraph& ch,
                             const NodeCopies& copies, std::vector<int> standing_seconds,
                             std::size_t max_extra, Millis eta_offset_ms)
    : graph_(graph),
      ch_(ch),
      copies_(copies),
      grid_(graph, copies, kCellM),
      max_extra_(max_extra),
      eta_offset_ms_(eta_offset_ms) {
  const NodeIndex n = graph.nodes();
  original_rank_.resize(n);
  weight_.assign(n, 0);
  cell_by_rank_.resize(n);
  for (NodeIndex v = 0; v < n; ++v) {
    original_rank_[ch.rank[v]] = ch.rank[copies.Original(v)];
    cell_by_rank_[ch.rank[v]] = grid_.CellOf(v);
  }
  if (!copies.with_copies().empty()) {
    copy_first_.assign(static_cast<size_t>(n) + 1, 0);
    for (NodeIndex o : copies.with_copies()) {
      copy_first_[ch.rank[o] + 1] = static_cast<NodeIndex>(copies.CopiesOf(o).size());
      with_copies_.push_back(ch.rank[o]);
    }
    for (NodeIndex r = 0; r < n; ++r) copy_first_[r + 1] += copy_first_[r];
    copy_ranks_.resize(copy_first_[n]);
    for (NodeIndex o : copies.with_copies()) {
      NodeIndex k = copy_first_[ch.rank[o]];
      for (NodeIndex c : copies.CopiesOf(o)) copy_ranks_[k++] = ch.rank[c];
    }
  }
  // The largest standing threshold first, so that one tracker serves them all.
  std::sort(standing_seconds.begin(), standing_seconds.end(), std::greater<>());
  for (int s : standing_seconds) GetThreshold(s).standing = true;
}

CoverageModel::~CoverageModel() = default;

CoverageModel::Tier& CoverageModel::NewTier(Millis limit_ms) {
  auto tier = std::make_unique<Tier>();
  tier->limit_ms = limit_ms;
  tier->tracker = std::make_unique<CoverageTracker>(graph_, ch_, limit_ms);
  tier->tracker->LogChanges(true);
  std::vector<NodeIndex> nodes;
  for (const auto& [id, node] : units_) nodes.push_back(node);
  auto ids = tier->tracker->Reset(nodes);
  size_t k = 0;
  for (const auto& [id, node] : units_) tier->ids[id] = ids[k++];
  Recount(*tier);
  auto at = std::find_if(tiers_.begin(), tiers_.end(),
                         [&](const auto& t) { return t->limit_ms > limit_ms; });
  return **tiers_.insert(at, std::move(tier));
}

CoverageModel::Threshold& CoverageModel::GetThreshold(int seconds) {
  ++clock_;
  for (auto& t : thresholds_) {
    if (t->seconds == seconds) {
      t->used = clock_;
      return *t;
    }
  }
  // Forget the least recently used extra threshold when there are too many,
  // and its tracker when no other threshold uses it.
  size_t extra = 0;
  for (const auto& t : thresholds_) extra += !t->standing;
  if (extra >= max_extra_) {
    auto victim = thresholds_.end();
    for (auto it = thresholds_.begin(); it != thresholds_.end(); ++it) {
      if ((*it)->standing) continue;
      if (victim == thresholds_.end() || (*it)->used < (*victim)->used) victim = it;
    }
    if (victim != thresholds_.end()) {
      Tier* tier = (*victim)->tier;
      std::erase(tier->thresholds, victim->get());
      thresholds_.erase(victim);
      if (tier->thresholds.empty()) {
        std::erase_if(tiers_, [&](const auto& t) { return t.get() == tier; });
      }
    }
  }
  auto t = std::make_unique<Threshold>();
  t->seconds = seconds;
  const std::int64_t limit = std::int64_t{std::max(seconds, 0)} * 1000 - eta_offset_ms_;
  t->limit_ms = static_cast<Millis>(std::max<std::int64_t>(limit, 0));
  t->used = clock_;
  auto fits = std::find_if(tiers_.begin(), tiers_.end(),
                           [&](const auto& tier) { return tier->limit_ms >= t->limit_ms; });
  t->tier = fits != tiers_.end() ? fits->get() : &NewTier(t->limit_ms);
  t->tier->thresholds.push_back(t.get());
  RecountThreshold(*t->tier, *t);
  thresholds_.push_back(std::move(t));
  return *thresholds_.back();
}

void CoverageModel::Recount(Tier& tier) {
  auto times = tier.tracker->rank_times();
  tier.best.assign(times.begin(), times.end());
  for (NodeIndex o : with_copies_) {
    for (NodeIndex k = copy_first_[o]; k < copy_first_[o + 1]; ++k) {
      tier.best[o] = std::min(tier.best[o], times[copy_ranks_[k]]);
    }
  }
  // One pass over the nodes for all the tier's thresholds.
  const size_t k = tier.thresholds.size();
  std::vector<Millis> limits(k);
  std::vector<std::int64_t> nodes(k, 0);
  for (size_t i = 0; i < k; ++i) limits[i] = tier.thresholds[i]->limit_ms;
  const Millis* best = tier.best.data();
  const NodeIndex* original = original_rank_.data();
  const auto n = static_cast<NodeIndex>(tier.best.size());
  if (k == 1 || k == 2) {
    const Millis a = limits[0], b = limits[k - 1];
    std::int64_t na = 0, nb = 0;
    for (NodeIndex r = 0; r < n; ++r) {
      const bool o = original[r] == r;
      na += o & (best[r] <= a);
      nb += o & (best[r] <= b);
    }
    nodes[0] = na;
    nodes[k - 1] = nb;
  } else {
    for (NodeIndex r = 0; r < n; ++r) {
      if (original[r] != r) continue;
      for (size_t i = 0; i < k; ++i) nodes[i] += best[r] <= limits[i];
    }
  }
  for (size_t i = 0; i < k; ++i) {
    Threshold& t = *tier.thresholds[i];
    t.nodes_covered = nodes[i];
    t.demand_covered = 0;
    for (NodeIndex r : demand_ranks_) {
      if (best[r] <= t.limit_ms) t.demand_covered += weight_[r];
    }
  }
}

void CoverageModel::RecountThreshold(const Tier& tier, Threshold& t) const {
  const Millis limit = t.limit_ms;
  const Millis* best = tier.best.data();
  const NodeIndex* original = original_rank_.data();
  std::int64_t nodes = 0;
  const auto n = static_cast<NodeIndex>(tier.best.size());
  for (NodeIndex r = 0; r < n; ++r) nodes += (original[r] == r) & (best[r] <= limit);
  std::int64_t demand = 0;
  for (NodeIndex r : demand_ranks_) {
    if (best[r] <= limit) demand += weight_[r];
  }
  t.nodes_covered = nodes;
  t.demand_covered = demand;
}

void CoverageModel::ApplyChanges(Tier& tier) {
  const CoverageTracker& tracker = *tier.tracker;
  Millis* best = tier.best.data();
  // A node's contribution to a threshold's counts moves by `sign` when its
  // time went from `was` to `now`.
  auto apply = [&](Millis was, Millis now, std::int64_t nodes, std::int64_t weight) {
    for (Threshold* t : tier.thresholds) {
      const int d = int{now <= t->limit_ms} - int{was <= t->limit_ms};
      if (d == 0) continue;
      t->nodes_covered += d * nodes;
      t->demand_covered += d * weight;
    }
  };
  for (NodeIndex r : tracker.changed_ranks()) {
    NodeIndex o = original_rank_[r];
    if (o != r) {
      // A copy: counted as a node through its original, as a demand point
      // (if one was snapped to it) on its own.
      const Millis now = tracker.TimeAtRank(r);
      if (now != best[r]) {
        if (weight_[r] != 0) apply(best[r], now, 0, weight_[r]);
        best[r] = now;
      }
    }
    Millis now = tracker.TimeAtRank(o);
    if (!copy_first_.empty()) {
      for (NodeIndex k = copy_first_[o]; k < copy_first_[o + 1]; ++k) {
        now = std::min(now, tracker.TimeAtRank(copy_ranks_[k]));
      }
    }
    if (now == best[o]) continue;
    apply(best[o], now, 1, weight_[o]);
    best[o] = now;
  }
  tier.tracker->ClearChanges();
}

void CoverageModel::SetUnit(const std::string& unit_id, std::optional<NodeIndex> node) {
  auto it = units_.find(unit_id);
  if (it == units_.end() && !node) return;
  if (it != units_.end() && node && it->second == *node) return;
  for (auto& tier : tiers_) {
    auto id = tier->ids.find(unit_id);
    if (id != tier->ids.end()) {
      tier->tracker->RemoveSource(id->second);
      tier->ids.erase(id);
    }
    if (node) tier->ids[unit_id] = tier->tracker->AddSource(*node);
    ApplyChanges(*tier);
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
  for (auto& tier : tiers_) {
    auto ids = tier->tracker->Reset(nodes);
    tier->tracker->ClearChanges();
    tier->ids.clear();
    size_t k = 0;
    for (const auto& [id, node] : units_) tier->ids[id] = ids[k++];
    Recount(*tier);
  }
}

void CoverageModel::AddDemand(NodeIndex node, std::int64_t weight) {
  auto [at, added] = demand_.try_emplace(node, 0);
  at->second += weight;
  demand_total_ += weight;
  const NodeIndex r = ch_.rank[node];
  if (added) demand_ranks_.push_back(r);
  weight_[r] += weight;
  for (auto& t : thresholds_) {
    if (t->tier->best[r] <= t->limit_ms) t->demand_covered += weight;
  }
}

CoverageCounts CoverageModel::Counts(int seconds) {
  const Threshold& t = GetThreshold(seconds);
  CoverageCounts c;
  c.units = static_cast<std::int64_t>(t.tier->tracker->active_sources());
  c.nodes_total = copies_.originals();
  c.nodes_covered = t.nodes_covered;
  c.demand_total = demand_total_;
  c.demand_covered = t.demand_covered;
  return c;
}

std::vector<CoverageCell> CoverageModel::Cells(int seconds) {
  // From the kept least times per rank: one sequential pass.
  const Threshold& t = GetThreshold(seconds);
  const Millis* best = t.tier->best.data();
  std::vector<std::uint32_t> hit;
  hit.reserve(static_cast<size_t>(t.nodes_covered));
  const auto n = static_cast<NodeIndex>(t.tier->best.size());
  for (NodeIndex r = 0; r < n; ++r) {
    if (original_rank_[r] == r && best[r] <= t.limit_ms) hit.push_back(cell_by_rank_[r]);
  }
  return grid_.Draw(std::move(hit));
}

routing::CoverageTracker& CoverageModel::Tracker(int seconds) {
  return *GetThreshold(seconds).tier->tracker;
}

}  // namespace beacon::planning
