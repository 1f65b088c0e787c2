#include "routing/contraction.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "routing/min_heap.h"

namespace beacon::routing {
namespace {
// An arc of the graph being contracted, stored at both ends (in out_ of its
// tail and in in_ of its head); `other` is the far end.
struct Edge {
  NodeIndex other;
  Millis time;
  NodeIndex middle;    // (working id of) the node a shortcut bypasses, or kNoNode
  std::uint32_t hops;  // road-graph arcs it stands for (for the priority)
};

// A finished arc of the hierarchy, in working ids, before renumbering by rank.
struct FinalArc {
  NodeIndex low;   // the end contracted first: where the arc is stored
  NodeIndex high;  // the other end
  Millis time;
  NodeIndex middle;
};

// Position of (x, y) on a Hilbert curve over a 2^16 x 2^16 grid.
std::uint32_t HilbertIndex(std::uint32_t x, std::uint32_t y) {
  std::uint32_t d = 0;
  for (std::uint32_t s = 1u << 15; s > 0; s >>= 1) {
    std::uint32_t rx = (x & s) ? 1 : 0;
    std::uint32_t ry = (y & s) ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    if (ry == 0) {
      if (rx == 1) {
        x = s - 1 - x;
        y = s - 1 - y;
      }
      std::swap(x, y);
    }
  }
  return d;
}

// Hilbert keys of the nodes' coordinates within the graph's bounding box.
std::vector<std::uint32_t> SpatialKeys(const RoadGraph& graph) {
  const NodeIndex n = graph.nodes();
  std::vector<std::uint32_t> keys(n, 0);
  if (n == 0) return keys;
  double min_lat = graph.coords[0].lat, max_lat = min_lat;
  double min_lon = graph.coords[0].lon, max_lon = min_lon;
  for (const LatLon& c : graph.coords) {
    min_lat = std::min(min_lat, c.lat);
    max_lat = std::max(max_lat, c.lat);
    min_lon = std::min(min_lon, c.lon);
    max_lon = std::max(max_lon, c.lon);
  }
  if (!(max_lat > min_lat) || !(max_lon > min_lon)) return keys;
  const double kScale = 65535.0;
  for (NodeIndex v = 0; v < n; ++v) {
    double fx = (graph.coords[v].lon - min_lon) / (max_lon - min_lon) * kScale;
    double fy = (graph.coords[v].lat - min_lat) / (max_lat - min_lat) * kScale;
    if (!(fx >= 0)) fx = 0;  // also catches NaN
    if (!(fy >= 0)) fy = 0;
    keys[v] = HilbertIndex(static_cast<std::uint32_t>(std::min(fx, kScale)),
                           static_cast<std::uint32_t>(std::min(fy, kScale)));
  }
  return keys;
}

class Contractor {
 public:
  Contractor(const RoadGraph& graph, const ContractionOptions& options)
      : graph_(graph),
        options_(options),
        n_(graph.nodes()),
        out_(n_),
        in_(n_),
        depth_(n_, 0),
        witness_(n_, WitnessLabel{0, 0}),
        target_stamp_(n_, 0),
        neighbour_stamp_(n_, 0),
        queue_(n_),
        stale_(n_, 0) {}

  ContractedGraph Run(ContractionStats* stats) {
    Report(0);
    // Work on nodes renumbered along a Hilbert curve: the witness searches
    // then touch nearby memory, whatever the importer's numbering.
    {
      std::vector<std::uint32_t> keys = SpatialKeys(graph_);
      std::vector<std::pair<std::uint32_t, NodeIndex>> sorted(n_);
      for (NodeIndex v = 0; v < n_; ++v) sorted[v] = {keys[v], v};
      std::sort(sorted.begin(), sorted.end());
      to_original_.resize(n_);
      to_internal_.resize(n_);
      for (NodeIndex i = 0; i < n_; ++i) {
        to_original_[i] = sorted[i].second;
        to_internal_[sorted[i].second] = i;
      }
    }
    // Reserve every list in node order first so they lie in memory in that order.
    {
      std::vector<std::uint32_t> out_degree(n_, 0), in_degree(n_, 0);
      for (NodeIndex v = 0; v < n_; ++v) {
        for (ArcIndex a = graph_.first_out[v]; a < graph_.first_out[v + 1]; ++a) {
          ++out_degree[to_internal_[v]];
          ++in_degree[to_internal_[graph_.head[a]]];
        }
      }
      for (NodeIndex i = 0; i < n_; ++i) {
        out_[i].reserve(out_degree[i]);
        in_[i].reserve(in_degree[i]);
      }
    }
    for (NodeIndex i = 0; i < n_; ++i) {
      const NodeIndex v = to_original_[i];
      for (ArcIndex a = graph_.first_out[v]; a < graph_.first_out[v + 1]; ++a) {
        NodeIndex h = graph_.head[a];
        Millis t = graph_.time_ms[a];
        if (h == v || t == kUnreachable) continue;  // never on a fastest path
        AddEdge(i, to_internal_[h], t, kNoNode, 1);
      }
    }
    for (NodeIndex v = 0; v < n_; ++v) {
      queue_.Push(v, Priority(v));
      if ((v & 0xfff) == 0) Report(kInitShare * v / std::max<NodeIndex>(n_, 1));
    }
    NodeIndex done = 0;
    while (!queue_.Empty()) {
      NodeIndex v = queue_.Pop();
      // Lazy update of a key left stale on purpose (see ContractNode).
      if (stale_[v]) {
        stale_[v] = 0;
        float fresh = Priority(v);
        if (!queue_.Empty() && fresh > queue_.MinKey()) {
          queue_.Push(v, fresh);
          continue;
        }
      }
      ContractNode(v);
      ++done;
      if ((done & 0x3ff) == 0) {
        Report(kInitShare + (kContractShare * done) / std::max<NodeIndex>(n_, 1));
      }
    }
    ContractedGraph ch = Finish();
    if (stats != nullptr) {
      stats->shortcuts = shortcuts_;
      stats->witness_searches = witness_searches_;
      stats->levels = levels_;
    }
    Report(1);
    return ch;
  }

 private:
  static constexpr double kInitShare = 0.05;
  static constexpr std::size_t kMaxEagerUpdateArcs = 6;
  static constexpr double kContractShare = 0.92;

  void Report(double fraction) {
    if (!options_.progress) return;
    if (fraction < 1 && fraction - last_report_ < 0.005) return;
    last_report_ = fraction;
    options_.progress(fraction);
  }

  // Adds from->to or lowers the time of the existing one.
  void AddEdge(NodeIndex from, NodeIndex to, Millis time, NodeIndex middle, std::uint32_t hops) {
    for (Edge& e : out_[from]) {
      if (e.other != to) continue;
      if (time < e.time) {
        e = {to, time, middle, hops};
        for (Edge& r : in_[to]) {
          if (r.other == from) {
            r = {from, time, middle, hops};
            break;
          }
        }
      }
      return;
    }
    out_[from].push_back({to, time, middle, hops});
    in_[to].push_back({from, time, middle, hops});
  }

  static void RemoveEdgeTo(std::vector<Edge>& list, NodeIndex other) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (list[i].other == other) {
        list[i] = list.back();
        list.pop_back();
        return;
      }
    }
  }

  bool Witnessed(NodeIndex x, std::uint64_t time) const {
    return witness_[x].stamp == witness_current_ && witness_[x].time <= time;
  }

  // Dijkstra from `source` on the remaining graph without `avoid`, up to
  // `max_time`, `settle_limit` settled nodes, or until `targets` marked
  // nodes are settled. Tentative times count as witnesses too: each is the
  // time of a real path. The searches are small, so a plain binary heap with
  // lazy deletion (no position array to keep) is the cheapest queue.
  void WitnessSearch(NodeIndex source, NodeIndex avoid, std::uint64_t max_time,
                     std::uint32_t settle_limit, std::size_t targets) {
    ++witness_searches_;
    if (++witness_current_ == 0) {
      for (WitnessLabel& l : witness_) l.stamp = 0;
      witness_current_ = 1;
    }
    const std::uint32_t current = witness_current_;
    auto later = [](const QueueEntry& a, const QueueEntry& b) { return a.time > b.time; };
    witness_queue_.clear();
    witness_[source] = {current, 0};
    witness_queue_.push_back({0, source});
    std::uint32_t settled = 0;
    while (!witness_queue_.empty()) {
      std::pop_heap(witness_queue_.begin(), witness_queue_.end(), later);
      const QueueEntry top = witness_queue_.back();
      witness_queue_.pop_back();
      const NodeIndex x = top.node;
      if (top.time != witness_[x].time) continue;  // superseded entry
      if (top.time > max_time) break;
      if (target_stamp_[x] == target_current_ && --targets == 0) break;
      if (++settled > settle_limit) break;
      for (const Edge& e : out_[x]) {
        if (e.other == avoid) continue;
        std::uint64_t nd = std::uint64_t{top.time} + e.time;
        if (nd > max_time) continue;
        WitnessLabel& l = witness_[e.other];
        if (l.stamp != current || nd < l.time) {
          l = {current, static_cast<Millis>(nd)};
          witness_queue_.push_back({static_cast<Millis>(nd), e.other});
          std::push_heap(witness_queue_.begin(), witness_queue_.end(), later);
        }
      }
    }
  }

  struct Estimate {
    std::uint32_t added = 0;
    std::uint32_t added_hops = 0;
  };

  // The shortcuts contracting v needs: counted when kEstimate, else added.
  template <bool kEstimate>
  Estimate Shortcuts(NodeIndex v) {
    Estimate est;
    const std::vector<Edge>& in = in_[v];
    const std::vector<Edge>& out = out_[v];
    if (in.empty() || out.empty()) return est;
    if (++target_current_ == 0) {
      std::fill(target_stamp_.begin(), target_stamp_.end(), 0);
      target_current_ = 1;
    }
    Millis max_out = 0;
    for (const Edge& e : out) {
      target_stamp_[e.other] = target_current_;
      max_out = std::max(max_out, e.time);
    }
    if constexpr (kEstimate) {
      // At most two neighbours (inside a chain of road geometry): estimate
      // one shortcut per pair without searching; witnesses are rare there.
      NodeIndex a = in.front().other, b = kNoNode;
      bool chain = in.size() <= 2 && out.size() <= 2;
      for (const auto* list : {&in, &out}) {
        for (const Edge& e : *list) {
          if (e.other == a || e.other == b) continue;
          if (b == kNoNode) {
            b = e.other;
          } else {
            chain = false;
          }
        }
      }
      if (chain) {
        for (const Edge& ei : in) {
          for (const Edge& eo : out) {
            if (ei.other == eo.other) continue;
            ++est.added;
            est.added_hops += ei.hops + eo.hops;
          }
        }
        return est;
      }
    }
    const std::uint32_t limit =
        kEstimate ? options_.estimate_settle_limit : options_.witness_settle_limit;
    for (std::size_t i = 0; i < in.size(); ++i) {
      const Edge ein = in[i];  // copy: AddEdge never touches v's lists, but be plain
      const NodeIndex u = ein.other;
      bool any = false;
      for (const Edge& e : out) any |= e.other != u;
      if (!any) continue;
      WitnessSearch(u, v, std::uint64_t{ein.time} + max_out, limit, out.size());
      for (const Edge& eout : out) {
        const NodeIndex x = eout.other;
        if (x == u) continue;
        std::uint64_t via = std::uint64_t{ein.time} + eout.time;
        if (via >= kUnreachable || Witnessed(x, via)) continue;
        if constexpr (kEstimate) {
          ++est.added;
          est.added_hops += ein.hops + eout.hops;
        } else {
          ++shortcuts_;
          AddEdge(u, x, static_cast<Millis>(via), v, ein.hops + eout.hops);
        }
      }
    }
    return est;
  }

  float Priority(NodeIndex v) {
    Estimate est = Shortcuts<true>(v);
    std::uint32_t removed = static_cast<std::uint32_t>(in_[v].size() + out_[v].size());
    std::uint32_t removed_hops = 0;
    for (const Edge& e : in_[v]) removed_hops += e.hops;
    for (const Edge& e : out_[v]) removed_hops += e.hops;
    // As in OSRM: shortcuts per arc removed, road arcs they stand for per
    // road arcs removed, and the depth (which spreads contractions evenly).
    float p = static_cast<float>(depth_[v]);
    if (removed > 0) {
      p += 2.0f * static_cast<float>(est.added) / static_cast<float>(removed) +
           4.0f * static_cast<float>(est.added_hops) / static_cast<float>(removed_hops);
    }
    return p;
  }

  void ContractNode(NodeIndex v) {
    Shortcuts<false>(v);
    for (const Edge& e : out_[v]) final_up_.push_back({v, e.other, e.time, e.middle});
    for (const Edge& e : in_[v]) final_down_.push_back({v, e.other, e.time, e.middle});
    for (const Edge& e : in_[v]) RemoveEdgeTo(out_[e.other], v);
    for (const Edge& e : out_[v]) RemoveEdgeTo(in_[e.other], v);

    if (++neighbour_current_ == 0) {
      std::fill(neighbour_stamp_.begin(), neighbour_stamp_.end(), 0);
      neighbour_current_ = 1;
    }
    neighbours_.clear();
    for (const auto* list : {&in_[v], &out_[v]}) {
      for (const Edge& e : *list) {
        if (neighbour_stamp_[e.other] == neighbour_current_) continue;
        neighbour_stamp_[e.other] = neighbour_current_;
        neighbours_.push_back(e.other);
      }
    }
    levels_ = std::max(levels_, depth_[v] + 1);
    std::vector<Edge>().swap(in_[v]);
    std::vector<Edge>().swap(out_[v]);
    for (NodeIndex u : neighbours_) {
      depth_[u] = std::max(depth_[u], depth_[v] + 1);
      // Re-estimating a neighbour with many arcs is costly and its priority
      // rarely drops much: mark it stale and re-estimate when it comes up.
      if (in_[u].size() + out_[u].size() > kMaxEagerUpdateArcs) {
        stale_[u] = 1;
        continue;
      }
      queue_.Update(u, Priority(u));
    }
  }

  ContractedGraph Finish() {
    ContractedGraph ch;
    // Rank: by level (a topological order of the upward graph: every arc
    // leads to a strictly deeper node), then along a Hilbert curve.
    std::vector<std::uint64_t> sorted(n_);
    for (NodeIndex i = 0; i < n_; ++i) sorted[i] = (std::uint64_t{depth_[i]} << 32) | i;
    std::sort(sorted.begin(), sorted.end());
    std::vector<NodeIndex> rank(n_);  // per internal id
    ch.order.resize(n_);
    ch.rank.resize(n_);
    for (NodeIndex r = 0; r < n_; ++r) {
      const NodeIndex i = static_cast<NodeIndex>(sorted[r] & 0xffffffffu);
      rank[i] = r;
      ch.order[r] = to_original_[i];
      ch.rank[to_original_[i]] = r;
    }
    Report(kInitShare + kContractShare + 0.01);
    BuildCsr(final_up_, rank, ch.up_first, ch.up_head, ch.up_time, ch.up_middle);
    std::vector<FinalArc>().swap(final_up_);
    BuildCsr(final_down_, rank, ch.down_first, ch.down_tail, ch.down_time, ch.down_middle);
    std::vector<FinalArc>().swap(final_down_);
    return ch;
  }

  void BuildCsr(const std::vector<FinalArc>& arcs, const std::vector<NodeIndex>& rank,
                std::vector<ArcIndex>& first, std::vector<NodeIndex>& other,
                std::vector<Millis>& time, std::vector<NodeIndex>& middle) {
    first.assign(n_ + 1, 0);
    for (const FinalArc& a : arcs) ++first[rank[a.low] + 1];
    for (NodeIndex r = 0; r < n_; ++r) first[r + 1] += first[r];
    std::vector<ArcIndex> fill(first.begin(), first.end() - 1);
    std::vector<std::pair<NodeIndex, ArcIndex>> slots(arcs.size());
    for (ArcIndex i = 0; i < arcs.size(); ++i) {
      slots[fill[rank[arcs[i].low]]++] = {rank[arcs[i].high], i};
    }
    // Within a node, arcs by the rank of the other end: deterministic and
    // lower ranks (more often in cache) first.
    for (NodeIndex r = 0; r < n_; ++r) {
      std::sort(slots.begin() + first[r], slots.begin() + first[r + 1]);
    }
    other.resize(arcs.size());
    time.resize(arcs.size());
    middle.resize(arcs.size());
    for (ArcIndex s = 0; s < slots.size(); ++s) {
      const FinalArc& a = arcs[slots[s].second];
      other[s] = slots[s].first;
      time[s] = a.time;
      middle[s] = a.middle == kNoNode ? kNoNode : rank[a.middle];
    }
  }

  const RoadGraph& graph_;
  const ContractionOptions& options_;
  const NodeIndex n_;
  std::vector<std::vector<Edge>> out_;
  std::vector<std::vector<Edge>> in_;
  std::vector<std::uint32_t> depth_;
  std::vector<NodeIndex> to_internal_;  // road-graph node -> working id
  std::vector<NodeIndex> to_original_;

  struct WitnessLabel {
    std::uint32_t stamp;
    Millis time;
  };
  struct QueueEntry {
    Millis time;
    NodeIndex node;
  };
  std::vector<WitnessLabel> witness_;
  std::vector<QueueEntry> witness_queue_;
  std::uint32_t witness_current_ = 0;
  std::vector<std::uint32_t> target_stamp_;
  std::uint32_t target_current_ = 0;
  std::vector<std::uint32_t> neighbour_stamp_;
  std::uint32_t neighbour_current_ = 0;
  std::vector<NodeIndex> neighbours_;
  IndexedMinHeap<float> queue_;
  std::vector<std::uint8_t> stale_;  // per node: key not re-estimated

  std::vector<FinalArc> final_up_;
  std::vector<FinalArc> final_down_;
  std::uint64_t shortcuts_ = 0;
  std::uint64_t witness_searches_ = 0;
  std::uint32_t levels_ = 0;
  double last_report_ = -1;
};

}  // namespace

ContractedGraph Contract(const RoadGraph& graph, const ContractionOptions& options,
                         ContractionStats* stats) {
  Contractor contractor(graph, options);
  return contractor.Run(stats);
}

Status CheckContractedGraph(const RoadGraph& graph, const ContractedGraph& ch) {
  const NodeIndex n = graph.nodes();
  auto bad = [](std::string what) {
    return Status(Code::kInvalid, "contraction hierarchy: " + std::move(what));
  };
  if (ch.rank.size() != n || ch.order.size() != n) {
    return bad("node count differs from the road graph (" + std::to_string(n) + ")");
  }
  for (NodeIndex v = 0; v < n; ++v) {
    if (ch.rank[v] >= n || ch.order[ch.rank[v]] != v) {
      return bad("rank and order are not inverse permutations at node " + std::to_string(v));
    }
  }
  struct Side {
    const char* name;
    const std::vector<ArcIndex>& first;
    const std::vector<NodeIndex>& other;
    const std::vector<Millis>& time;
    const std::vector<NodeIndex>& middle;
  };
  for (const Side& side :
       {Side{"up", ch.up_first, ch.up_head, ch.up_time, ch.up_middle},
        Side{"down", ch.down_first, ch.down_tail, ch.down_time, ch.down_middle}}) {
    const std::string name = side.name;
    const std::size_t m = side.other.size();
    if (side.first.size() != std::size_t{n} + 1 || side.time.size() != m ||
        side.middle.size() != m) {
      return bad(name + " arrays have inconsistent sizes");
    }
    if (side.first[0] != 0 || side.first[n] != m) return bad(name + "_first has wrong ends");
    for (NodeIndex r = 0; r < n; ++r) {
      if (side.first[r] > side.first[r + 1])
        return bad(name + "_first decreases at " + std::to_string(r));
      for (ArcIndex a = side.first[r]; a < side.first[r + 1]; ++a) {
        NodeIndex o = side.other[a];
        if (o >= n || o <= r) return bad(name + " arc " + std::to_string(a) + " is not upward");
        NodeIndex mid = side.middle[a];
        if (mid != kNoNode && (mid >= r)) {
          return bad(name + " arc " + std::to_string(a) + " has a middle node not below it");
        }
        if (side.time[a] == kUnreachable)
          return bad(name + " arc " + std::to_string(a) + " has an unreachable time");
      }
    }
  }
  // Every shortcut x->y via m must unpack: x->m (stored at m, tail x) and
  // m->y (stored at m, head y) exist and their times add up to its time.
  auto find = [](const std::vector<ArcIndex>& first, const std::vector<NodeIndex>& other,
                 NodeIndex at, NodeIndex end) -> ArcIndex {
    for (ArcIndex a = first[at]; a < first[at + 1]; ++a) {
      if (other[a] == end) return a;
    }
    return std::numeric_limits<ArcIndex>::max();
  };
  auto halves_ok = [&](NodeIndex x, NodeIndex y, NodeIndex m, Millis time) {
    ArcIndex first_half = find(ch.down_first, ch.down_tail, m, x);
    ArcIndex second_half = find(ch.up_first, ch.up_head, m, y);
    if (first_half == std::numeric_limits<ArcIndex>::max() ||
        second_half == std::numeric_limits<ArcIndex>::max()) {
      return false;
    }
    return std::uint64_t{ch.down_time[first_half]} + ch.up_time[second_half] == time;
  };
  // An arc that is not a shortcut must be a road-graph arc with that time.
  auto road_arc_ok = [&](NodeIndex x, NodeIndex y, Millis time) {
    NodeIndex from = ch.order[x], to = ch.order[y];
    for (ArcIndex a = graph.first_out[from]; a < graph.first_out[from + 1]; ++a) {
      if (graph.head[a] == to && graph.time_ms[a] == time) return true;
    }
    return false;
  };
  auto arc_ok = [&](NodeIndex x, NodeIndex y, NodeIndex m, Millis time) {
    return m == kNoNode ? road_arc_ok(x, y, time) : halves_ok(x, y, m, time);
  };
  for (NodeIndex r = 0; r < n; ++r) {
    for (ArcIndex a = ch.up_first[r]; a < ch.up_first[r + 1]; ++a) {
      if (!arc_ok(r, ch.up_head[a], ch.up_middle[a], ch.up_time[a])) {
        return bad("up arc " + std::to_string(a) + " matches no road arc or does not unpack");
      }
    }
    for (ArcIndex a = ch.down_first[r]; a < ch.down_first[r + 1]; ++a) {
      if (!arc_ok(ch.down_tail[a], r, ch.down_middle[a], ch.down_time[a])) {
        return bad("down arc " + std::to_string(a) + " matches no road arc or does not unpack");
      }
    }
  }
  return Status::Ok();
}

}  // namespace beacon::routing
