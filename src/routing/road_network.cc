#include "routing/road_network.h"

#include <algorithm>
#include <cmath>

namespace beacon::routing {

void SaveContractedGraph(GraphFileWriter& w, const ContractedGraph& ch) {
  w.Add("ch.rank", ch.rank);
  w.Add("ch.order", ch.order);
  w.Add("ch.up_first", ch.up_first);
  w.Add("ch.up_head", ch.up_head);
  w.Add("ch.up_time", ch.up_time);
  w.Add("ch.up_middle", ch.up_middle);
  w.Add("ch.down_first", ch.down_first);
  w.Add("ch.down_tail", ch.down_tail);
  w.Add("ch.down_time", ch.down_time);
  w.Add("ch.down_middle", ch.down_middle);
}

namespace {

template <typename T>
Status Read(const GraphFile& f, const char* name, std::vector<T>& out) {
  auto s = f.Section<T>(name);
  if (!s) return s.error();
  out.assign(s->begin(), s->end());
  return Status::Ok();
}

}  // namespace

Result<ContractedGraph> LoadContractedGraph(const GraphFile& f, const RoadGraph& graph) {
  ContractedGraph ch;
  BEACON_RETURN_IF_ERROR(Read(f, "ch.rank", ch.rank));
  BEACON_RETURN_IF_ERROR(Read(f, "ch.order", ch.order));
  BEACON_RETURN_IF_ERROR(Read(f, "ch.up_first", ch.up_first));
  BEACON_RETURN_IF_ERROR(Read(f, "ch.up_head", ch.up_head));
  BEACON_RETURN_IF_ERROR(Read(f, "ch.up_time", ch.up_time));
  BEACON_RETURN_IF_ERROR(Read(f, "ch.up_middle", ch.up_middle));
  BEACON_RETURN_IF_ERROR(Read(f, "ch.down_first", ch.down_first));
  BEACON_RETURN_IF_ERROR(Read(f, "ch.down_tail", ch.down_tail));
  BEACON_RETURN_IF_ERROR(Read(f, "ch.down_time", ch.down_time));
  BEACON_RETURN_IF_ERROR(Read(f, "ch.down_middle", ch.down_middle));
  // Every index is checked before a query can follow it.
  if (auto s = CheckContractedGraph(graph, ch); !s.ok()) {
    return Status(Code::kInvalid, "graph file: contraction hierarchy is inconsistent (" +
                                      s.message() + "); re-run beacon import-osm");
  }
  return ch;
}

void SaveOriginalNodes(GraphFileWriter& w, const std::vector<NodeIndex>& original_node) {
  for (NodeIndex v = 0; v < original_node.size(); ++v) {
    if (original_node[v] != v) {
      w.Add(std::string(kTurnOriginalNode), original_node);
      return;
    }
  }
}

Result<std::vector<NodeIndex>> LoadOriginalNodes(const GraphFile& f, const RoadGraph& graph) {
  std::vector<NodeIndex> original;
  if (!f.HasSection(kTurnOriginalNode)) return original;
  BEACON_RETURN_IF_ERROR(Read(f, std::string(kTurnOriginalNode).c_str(), original));
  auto bad = [&](const std::string& what) {
    return Status(Code::kMalformed, "graph file " + f.path() + ": section " +
                                        std::string(kTurnOriginalNode) + " " + what +
                                        "; re-run beacon import-osm");
  };
  if (original.size() != graph.nodes()) return bad("does not have one entry per node");
  for (NodeIndex o : original) {
    if (o >= original.size() || original[o] != o) return bad("names a node that is a copy");
  }
  return original;
}

Result<std::unique_ptr<RoadNetwork>> RoadNetwork::Open(const std::string& path, double max_snap_m) {
  auto file = GraphFile::Open(path);
  if (!file) return file.error();
  auto graph = LoadRoadGraph(*file);
  if (!graph) return graph.error();
  auto ch = LoadContractedGraph(*file, *graph);
  if (!ch) return ch.error();
  auto original = LoadOriginalNodes(*file, *graph);
  if (!original) return original.error();
  auto net = std::make_unique<RoadNetwork>(std::move(*graph), std::move(*ch), max_snap_m,
                                           std::move(*original));
  net->profile_hash_ = file->profile_hash();
  return net;
}

Result<std::unique_ptr<RoadNetwork>> RoadNetwork::Adjusted(const RoadNetwork& base,
                                                           const EtaAdjustment& adj) {
  const RoadGraph& g = base.graph_;
  const bool classes = !g.road_class_names.empty() && g.road_class.size() == g.arcs();
  if (adj.class_factor.size() != (classes ? g.road_class_names.size() : 1)) {
    return Invalid("calibration: " + std::to_string(adj.class_factor.size()) +
                   " road class factors for a graph with " +
                   std::to_string(classes ? g.road_class_names.size() : 0) + " road classes");
  }
  for (double f : adj.class_factor) {
    if (!std::isfinite(f) || f <= 0) {
      return Invalid("calibration: road class factors must be finite and > 0");
    }
  }
  if (!std::isfinite(adj.fixed_s) || adj.fixed_s < 0) {
    return Invalid("calibration: the fixed time must be finite and >= 0");
  }
  RoadGraph scaled = g;
  for (ArcIndex a = 0; a < scaled.arcs(); ++a) {
    double f = adj.class_factor[classes ? g.road_class[a] : 0];
    double ms = std::round(static_cast<double>(g.time_ms[a]) * f);
    scaled.time_ms[a] =
        static_cast<Millis>(std::clamp(ms, 1.0, static_cast<double>(kUnreachable / 4)));
  }
  ContractedGraph ch = Contract(scaled);
  auto net = std::make_unique<RoadNetwork>(std::move(scaled), std::move(ch), base.max_snap_m_,
                                           base.original_node_);
  net->fixed_s_ = adj.fixed_s;
  net->calibrated_ = true;
  net->profile_hash_ = base.profile_hash_;
  return net;
}

RoadNetwork::RoadNetwork(RoadGraph graph, ContractedGraph ch, double max_snap_m,
                         std::vector<NodeIndex> original_node)
    : graph_(std::move(graph)),
      ch_(std::move(ch)),
      original_node_(std::move(original_node)),
      snapper_(graph_),
      max_snap_m_(max_snap_m) {
  for (NodeIndex v = 0; v < original_node_.size(); ++v) {
    if (original_node_[v] != v) copies_.push_back({original_node_[v], v});
  }
  std::sort(copies_.begin(), copies_.end());
}

Result<Snap> RoadNetwork::SnapPoint(LatLon where) const {
  auto s = snapper_.Nearest(where, max_snap_m_);
  // A snap is a position, not an arrival: the original node, where every
  // turn is allowed.
  if (s && !original_node_.empty()) s->node = original_node_[s->node];
  return s;
}

std::vector<NodeIndex> RoadNetwork::Arrivals(NodeIndex node) const {
  std::vector<NodeIndex> out{node};
  auto it = std::lower_bound(copies_.begin(), copies_.end(), std::pair{node, NodeIndex{0}});
  for (; it != copies_.end() && it->first == node; ++it) out.push_back(it->second);
  return out;
}

RoadNetwork::Lease::~Lease() {
  std::lock_guard lock(n_.pool_mu_);
  n_.pool_.push_back(std::move(e_));
}

RoadNetwork::Lease RoadNetwork::Borrow() const {
  std::unique_ptr<RouteEngine> e;
  {
    std::lock_guard lock(pool_mu_);
    if (!pool_.empty()) {
      e = std::move(pool_.back());
      pool_.pop_back();
    }
  }
  if (!e) e = std::make_unique<RouteEngine>(graph_, ch_);
  return Lease(*this, std::move(e));
}

routing::Route RoadNetwork::PathBetween(NodeIndex from, NodeIndex to) const {
  auto engine = Borrow();
  // The fastest arrival at the target or one of its copies; the time queries
  // are cheap, so only the winner's path is unpacked.
  NodeIndex target = to;
  const std::vector<NodeIndex> arrivals = Arrivals(to);
  if (arrivals.size() > 1) {
    Millis best = kUnreachable;
    for (NodeIndex t : arrivals) {
      if (Millis time = engine->TravelTime(from, t); time < best) {
        best = time;
        target = t;
      }
    }
  }
  return engine->ShortestPath(from, target);
}

Result<RoadNetwork::Path> RoadNetwork::FastestPath(LatLon from, LatLon to) const {
  auto a = SnapPoint(from);
  if (!a) return Status(a.error().code(), "from: " + a.error().message(), "from");
  auto b = SnapPoint(to);
  if (!b) return Status(b.error().code(), "to: " + b.error().message(), "to");
  auto r = PathBetween(a->node, b->node);
  if (r.time_ms == kUnreachable) {
    return Status(Code::kNotFound, "no road route between the two points", "to");
  }
  return Path{*a, *b, std::move(r)};
}

std::optional<dispatch::TravelEstimate> RoadNetwork::BetweenNodes(NodeIndex from,
                                                                  NodeIndex to) const {
  auto r = PathBetween(from, to);
  if (r.time_ms == kUnreachable) return std::nullopt;
  return dispatch::TravelEstimate{r.time_ms / 1000.0 + fixed_s_, r.length_m, true, calibrated_};
}

Result<RouteAnswer> RoadNetwork::Route(LatLon from, LatLon to) const {
  auto p = FastestPath(from, to);
  if (!p) return p.error();
  const routing::Route& r = p->route;
  RouteAnswer out;
  out.eta_s = r.time_ms / 1000.0 + fixed_s_;
  out.distance_m = r.length_m;
  out.from_snap_m = p->from.snap_distance_m;
  out.to_snap_m = p->to.snap_distance_m;
  out.geometry.reserve(r.path.size());
  for (NodeIndex v : r.path) out.geometry.push_back(graph_.coords[v]);
  return out;
}

Result<ClassTimes> RoadNetwork::TimeByClass(LatLon from, LatLon to) const {
  auto p = FastestPath(from, to);
  if (!p) return p.error();
  const auto& path = p->route.path;
  ClassTimes out;
  out.eta_s = p->route.time_ms / 1000.0;
  const bool classes =
      !graph_.road_class_names.empty() && graph_.road_class.size() == graph_.arcs();
  if (!classes) return out;
  out.class_s.assign(graph_.road_class_names.size(), 0.0);
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    // The fastest arc between consecutive path nodes is the one the path took.
    ArcIndex best = kNoNode;
    for (ArcIndex a = graph_.first_out[path[i]]; a < graph_.first_out[path[i] + 1]; ++a) {
      if (graph_.head[a] == path[i + 1] &&
          (best == kNoNode || graph_.time_ms[a] < graph_.time_ms[best])) {
        best = a;
      }
    }
    if (best != kNoNode) out.class_s[graph_.road_class[best]] += graph_.time_ms[best] / 1000.0;
  }
  return out;
}

std::vector<std::optional<dispatch::TravelEstimate>> RoadNetwork::ToTarget(
    std::span<const LatLon> sources, LatLon target) const {
  auto t = SnapPoint(target);
  if (!t) return fallback_.ToTarget(sources, target);
  std::vector<NodeIndex> snapped(sources.size(), kNoNode);
  for (size_t i = 0; i < sources.size(); ++i) {
    if (auto s = SnapPoint(sources[i])) snapped[i] = s->node;
  }
  return ToTargetNode(snapped, t->node);
}

std::vector<std::optional<dispatch::TravelEstimate>> RoadNetwork::ToTargetNode(
    std::span<const NodeIndex> sources, NodeIndex target) const {
  std::vector<NodeIndex> nodes;
  std::vector<size_t> which;  // index into sources of each snapped node
  nodes.reserve(sources.size());
  which.reserve(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    if (sources[i] != kNoNode) {
      nodes.push_back(sources[i]);
      which.push_back(i);
    }
  }
  std::vector<std::optional<dispatch::TravelEstimate>> out(sources.size());
  if (nodes.empty()) return out;
  auto engine = Borrow();
  engine->PrepareSources(nodes);
  auto times = engine->TimesToTarget(target);
  for (NodeIndex copy : Arrivals(target)) {
    if (copy == target) continue;
    auto more = engine->TimesToTarget(copy);
    for (size_t k = 0; k < times.size(); ++k) times[k] = std::min(times[k], more[k]);
  }
  for (size_t k = 0; k < which.size(); ++k) {
    if (times[k] == kUnreachable) continue;
    out[which[k]] = dispatch::TravelEstimate{times[k] / 1000.0 + fixed_s_, -1, true, calibrated_};
  }
  return out;
}

std::optional<dispatch::TravelEstimate> RoadNetwork::Between(LatLon from, LatLon to) const {
  auto r = Route(from, to);
  if (!r) return fallback_.Between(from, to);
  return dispatch::TravelEstimate{r->eta_s, r->distance_m, true, calibrated_};
}

}  // namespace beacon::routing
