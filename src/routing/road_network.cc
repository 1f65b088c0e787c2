#include "routing/road_network.h"

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

Result<std::unique_ptr<RoadNetwork>> RoadNetwork::Open(const std::string& path, double max_snap_m) {
  auto file = GraphFile::Open(path);
  if (!file) return file.error();
  auto graph = LoadRoadGraph(*file);
  if (!graph) return graph.error();
  auto ch = LoadContractedGraph(*file, *graph);
  if (!ch) return ch.error();
  return std::make_unique<RoadNetwork>(std::move(*graph), std::move(*ch), max_snap_m);
}

RoadNetwork::RoadNetwork(RoadGraph graph, ContractedGraph ch, double max_snap_m)
    : graph_(std::move(graph)), ch_(std::move(ch)), snapper_(graph_), max_snap_m_(max_snap_m) {}

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
  auto a = snapper_.Nearest(from, max_snap_m_);
  if (!a) return Status(a.error().code(), "from: " + a.error().message(), "from");
  auto b = snapper_.Nearest(to, max_snap_m_);
  if (!b) return Status(b.error().code(), "to: " + b.error().message(), "to");
  auto engine = Borrow();
  auto r = engine->ShortestPath(a->node, b->node);
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
  auto t = snapper_.Nearest(target, max_snap_m_);
  if (!t) return fallback_.ToTarget(sources, target);
  std::vector<NodeIndex> nodes;
  std::vector<size_t> which;  // index into sources of each snapped node
  for (size_t i = 0; i < sources.size(); ++i) {
    if (auto s = snapper_.Nearest(sources[i], max_snap_m_)) {
      nodes.push_back(s->node);
      which.push_back(i);
    }
  }
  std::vector<std::optional<dispatch::TravelEstimate>> out(sources.size());
  if (nodes.empty()) return out;
  auto engine = Borrow();
  engine->PrepareSources(nodes);
  auto times = engine->TimesToTarget(t->node);
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
