#include "routing/road_network.h"

#include <algorithm>

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
  return std::make_unique<RoadNetwork>(std::move(*graph), std::move(*ch), max_snap_m,
                                       std::move(*original));
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

Result<RouteAnswer> RoadNetwork::Route(LatLon from, LatLon to) const {
  auto a = SnapPoint(from);
  if (!a) return Status(a.error().code(), "from: " + a.error().message(), "from");
  auto b = SnapPoint(to);
  if (!b) return Status(b.error().code(), "to: " + b.error().message(), "to");
  auto engine = Borrow();
  // The fastest arrival at the target or one of its copies; the time queries
  // are cheap, so only the winner's path is unpacked.
  NodeIndex target = b->node;
  const std::vector<NodeIndex> arrivals = Arrivals(b->node);
  if (arrivals.size() > 1) {
    Millis best = kUnreachable;
    for (NodeIndex t : arrivals) {
      if (Millis time = engine->TravelTime(a->node, t); time < best) {
        best = time;
        target = t;
      }
    }
  }
  auto r = engine->ShortestPath(a->node, target);
  if (r.time_ms == kUnreachable) {
    return Status(Code::kNotFound, "no road route between the two points", "to");
  }
  RouteAnswer out;
  out.eta_s = r.time_ms / 1000.0;
  out.distance_m = r.length_m;
  out.from_snap_m = a->snap_distance_m;
  out.to_snap_m = b->snap_distance_m;
  out.geometry.reserve(r.path.size());
  for (NodeIndex v : r.path) out.geometry.push_back(graph_.coords[v]);
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
    out[which[k]] = dispatch::TravelEstimate{times[k] / 1000.0, -1, true};
  }
  return out;
}

std::optional<dispatch::TravelEstimate> RoadNetwork::Between(LatLon from, LatLon to) const {
  auto r = Route(from, to);
  if (!r) return fallback_.Between(from, to);
  return dispatch::TravelEstimate{r->eta_s, r->distance_m, true};
}

}  // namespace beacon::routing
