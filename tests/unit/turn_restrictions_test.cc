// Turn restrictions by node splitting (routing/turn_restrictions.h): hand-made
// intersections, and random graphs checked against a brute-force edge-based
// Dijkstra (state = the arc arrived by) that applies the restrictions itself.
#include "routing/turn_restrictions.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>
#include <random>
#include <vector>

#include "routing/contraction.h"
#include "routing/dijkstra.h"
#include "routing/query.h"
#include "routing/road_graph.h"

namespace beacon::routing {
namespace {

using Kind = TurnRestriction::Kind;

RoadGraph Graph(NodeIndex nodes, std::vector<ArcInput> arcs) {
  std::vector<LatLon> coords(nodes);
  for (NodeIndex v = 0; v < nodes; ++v) coords[v] = {41.0 + v * 1e-4, -8.6};
  return BuildGraph(std::move(coords), std::move(arcs));
}

ArcIndex FindArc(const RoadGraph& g, NodeIndex from, NodeIndex to) {
  for (ArcIndex a = g.first_out[from]; a < g.first_out[from + 1]; ++a) {
    if (g.head[a] == to) return a;
  }
  ADD_FAILURE() << "no arc " << from << " -> " << to;
  return 0;
}

// Turn-aware reference: Dijkstra over arcs. The time to node t is 0 at the
// source, else the fastest arrival over any arc ending at t.
std::vector<Millis> EdgeBasedTimes(const RoadGraph& g, NodeIndex source) {
  const ArcIndex m = g.arcs();
  auto allowed = [&](ArcIndex from, ArcIndex to) {
    bool has_only = false, in_only = false;
    for (const auto& r : g.restrictions) {
      if (r.from != from) continue;
      if (r.kind == Kind::kNo && r.to == to) return false;
      if (r.kind == Kind::kOnly) {
        has_only = true;
        in_only = in_only || r.to == to;
      }
    }
    return !has_only || in_only;
  };
  std::vector<std::uint64_t> dist(m, kUnreachable);
  using Entry = std::pair<std::uint64_t, ArcIndex>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  for (ArcIndex a = g.first_out[source]; a < g.first_out[source + 1]; ++a) {
    if (g.time_ms[a] < dist[a]) heap.push({dist[a] = g.time_ms[a], a});
  }
  while (!heap.empty()) {
    auto [d, a] = heap.top();
    heap.pop();
    if (d != dist[a]) continue;
    const NodeIndex v = g.head[a];
    for (ArcIndex t = g.first_out[v]; t < g.first_out[v + 1]; ++t) {
      if (!allowed(a, t)) continue;
      std::uint64_t nd = d + g.time_ms[t];
      if (nd < dist[t]) heap.push({dist[t] = nd, t});
    }
  }
  std::vector<Millis> out(g.nodes(), kUnreachable);
  out[source] = 0;
  for (ArcIndex a = 0; a < m; ++a) {
    if (dist[a] < kUnreachable) out[g.head[a]] = std::min<Millis>(out[g.head[a]], dist[a]);
  }
  return out;
}

// Dijkstra on the split graph, folded back to the input's nodes.
std::vector<Millis> SplitTimes(const SplitGraph& s, NodeIndex source) {
  Dijkstra dijkstra(s.graph);
  std::vector<Millis> all = dijkstra.OneToAll(source);
  NodeIndex n = 0;
  while (n < s.original_node.size() && s.original_node[n] == n) ++n;
  std::vector<Millis> out(all.begin(), all.begin() + n);
  for (NodeIndex v = n; v < s.graph.nodes(); ++v) {
    out[s.original_node[v]] = std::min(out[s.original_node[v]], all[v]);
  }
  return out;
}

// A plus-shaped crossing: centre 0, north 1, east 2, south 3, west 4; every
// street two-way, 10 s to the centre and 10 s back, except west (1 s).
RoadGraph Crossing(std::vector<std::tuple<NodeIndex, NodeIndex, Kind>> turns) {
  std::vector<ArcInput> arcs;
  for (NodeIndex v = 1; v <= 4; ++v) {
    Millis t = v == 4 ? 1000 : 10000;
    arcs.push_back({v, 0, t, 1});
    arcs.push_back({0, v, t, 1});
  }
  RoadGraph g = Graph(5, std::move(arcs));
  for (auto [from, to, kind] : turns) {
    g.restrictions.push_back({FindArc(g, from, 0), 0, FindArc(g, 0, to), kind});
  }
  return g;
}

TEST(TurnRestrictions, NoRestrictionsGivesTheSameGraph) {
  RoadGraph g = Crossing({});
  SplitGraph s = SplitTurnRestrictions(g);
  EXPECT_EQ(s.copies, 0u);
  EXPECT_EQ(s.graph.head, g.head);
  EXPECT_EQ(s.graph.first_out, g.first_out);
  EXPECT_EQ(s.original_node, (std::vector<NodeIndex>{0, 1, 2, 3, 4}));
}

TEST(TurnRestrictions, NoLeftTurn) {
  // Heading north from the south arm, west is a left turn.
  SplitGraph s = SplitTurnRestrictions(Crossing({{3, 4, Kind::kNo}}));
  EXPECT_EQ(s.copies, 1u);
  EXPECT_TRUE(s.graph.restrictions.empty());
  EXPECT_EQ(s.graph.nodes(), 6u);
  EXPECT_EQ(s.original_node[5], 0u);
  EXPECT_EQ(s.graph.coords[5].lat, s.graph.coords[0].lat);
  // The copy of the centre keeps north, east and the U-turn south.
  EXPECT_EQ(s.graph.first_out[6] - s.graph.first_out[5], 3u);
  std::vector<Millis> t = SplitTimes(s, 3);
  // South -> west: the turn is forbidden, so round east and back (10+10+10+1).
  EXPECT_EQ(t[4], 31000u);
  EXPECT_EQ(t[1], 20000u);
  EXPECT_EQ(t[0], 10000u);
  // Other approaches may still turn west.
  EXPECT_EQ(SplitTimes(s, 1)[4], 11000u);
}

TEST(TurnRestrictions, OnlyStraightOn) {
  SplitGraph s = SplitTurnRestrictions(Crossing({{3, 1, Kind::kOnly}}));
  EXPECT_EQ(s.copies, 1u);
  EXPECT_EQ(s.graph.first_out[6] - s.graph.first_out[5], 1u);
  std::vector<Millis> t = SplitTimes(s, 3);
  EXPECT_EQ(t[1], 20000u);
  EXPECT_EQ(t[2], 40000u);  // north and back, then east
  EXPECT_EQ(t[4], 31000u);  // north and back, then west
  EXPECT_EQ(t[3], 0u);
}

TEST(TurnRestrictions, TwoRestrictionsOnOneFromArc) {
  // No left and no U-turn from the south arm: straight on or right only.
  SplitGraph s = SplitTurnRestrictions(Crossing({{3, 4, Kind::kNo}, {3, 3, Kind::kNo}}));
  EXPECT_EQ(s.copies, 1u);
  EXPECT_EQ(s.graph.first_out[6] - s.graph.first_out[5], 2u);
  std::vector<Millis> t = SplitTimes(s, 3);
  EXPECT_EQ(t[4], 31000u);
  // Two `only` restrictions on one arc: either target is allowed (union),
  // and a `no` on the same arc still removes its target.
  s = SplitTurnRestrictions(
      Crossing({{3, 1, Kind::kOnly}, {3, 2, Kind::kOnly}, {3, 2, Kind::kNo}}));
  EXPECT_EQ(s.graph.first_out[6] - s.graph.first_out[5], 1u);
  t = SplitTimes(s, 3);
  EXPECT_EQ(t[1], 20000u);
  EXPECT_EQ(t[2], 40000u);
  // Restrictions on two from-arcs at one node: one copy each.
  s = SplitTurnRestrictions(Crossing({{3, 4, Kind::kNo}, {1, 4, Kind::kNo}}));
  EXPECT_EQ(s.copies, 2u);
  EXPECT_EQ(SplitTimes(s, 1)[4], 31000u);
  EXPECT_EQ(SplitTimes(s, 2)[4], 11000u);
}

TEST(TurnRestrictions, ViaNodeAsSourceAndTarget) {
  SplitGraph s = SplitTurnRestrictions(Crossing({{3, 4, Kind::kOnly}}));
  // Starting at the centre is not arriving by a restricted arc: any turn.
  std::vector<Millis> from_centre = SplitTimes(s, 0);
  EXPECT_EQ(from_centre[1], 10000u);
  EXPECT_EQ(from_centre[3], 10000u);
  // Arriving at the centre from the south ends at its copy: the target is
  // reached there, not at node 0 itself.
  Dijkstra dijkstra(s.graph);
  std::vector<Millis> raw = dijkstra.OneToAll(3);
  EXPECT_EQ(raw[5], 10000u);
  EXPECT_EQ(raw[0], 12000u);  // south -> centre' -> west -> centre
  EXPECT_EQ(SplitTimes(s, 3)[0], 10000u);
  // The hierarchy answers the same for both arrivals.
  ContractedGraph ch = Contract(s.graph);
  RouteEngine engine(s.graph, ch);
  EXPECT_EQ(engine.TravelTime(3, 5), 10000u);
  EXPECT_EQ(engine.TravelTime(3, 0), 12000u);
  EXPECT_EQ(engine.TravelTime(0, 3), 10000u);
}

TEST(TurnRestrictions, ChainedViaNodes) {
  // A line 0 -> 1 -> 2 -> 3 plus a shortcut 1 -> 3 and a spur 2 -> 4.
  // At 1 arriving from 0: only on to 2. At 2 arriving from 1: no turn to 3.
  RoadGraph g = Graph(5, {{0, 1, 1000, 1},
                          {1, 2, 1000, 1},
                          {2, 3, 1000, 1},
                          {1, 3, 5000, 1},
                          {2, 4, 1000, 1},
                          {4, 2, 1000, 1}});
  g.restrictions.push_back({FindArc(g, 0, 1), 1, FindArc(g, 1, 2), Kind::kOnly});
  g.restrictions.push_back({FindArc(g, 1, 2), 2, FindArc(g, 2, 3), Kind::kNo});
  SplitGraph s = SplitTurnRestrictions(g);
  EXPECT_EQ(s.copies, 2u);
  // 0 -> 1 -> 2 (copy reached by the copy of 1->2) -> 4 -> 2 -> 3.
  EXPECT_EQ(SplitTimes(s, 0)[3], 5000u);
  EXPECT_EQ(EdgeBasedTimes(g, 0)[3], 5000u);
}

TEST(TurnRestrictions, InvalidRestrictionsAreLeftOut) {
  RoadGraph g = Crossing({});
  g.restrictions.push_back({FindArc(g, 0, 1), 0, FindArc(g, 0, 2), Kind::kNo});
  SplitGraph s = SplitTurnRestrictions(g);
  EXPECT_EQ(s.restrictions_invalid, 1u);
  EXPECT_EQ(s.copies, 0u);
}

// Random small graphs with random restrictions: the split graph's Dijkstra
// (and its hierarchy) equals the brute-force turn-aware search.
TEST(TurnRestrictions, RandomGraphsMatchEdgeBasedDijkstra) {
  for (std::uint32_t seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    auto uniform = [&](std::uint32_t lo, std::uint32_t hi) {
      return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng);
    };
    const NodeIndex n = uniform(2, 12);
    std::vector<ArcInput> arcs;
    const std::uint32_t m = uniform(1, 4 * n);
    for (std::uint32_t i = 0; i < m; ++i) {
      NodeIndex a = uniform(0, n - 1), b = uniform(0, n - 1);
      if (a == b && uniform(0, 3) != 0) continue;
      arcs.push_back({a, b, uniform(1, 30), 1});
      if (uniform(0, 1)) arcs.push_back({b, a, uniform(1, 30), 1});
    }
    RoadGraph g = Graph(n, std::move(arcs));
    if (g.arcs() == 0) continue;
    const std::uint32_t r = uniform(0, 2 * g.arcs());
    for (std::uint32_t i = 0; i < r; ++i) {
      ArcIndex from = uniform(0, g.arcs() - 1);
      NodeIndex via = g.head[from];
      if (g.first_out[via] == g.first_out[via + 1]) continue;
      ArcIndex to = uniform(g.first_out[via], g.first_out[via + 1] - 1);
      g.restrictions.push_back({from, via, to, uniform(0, 3) == 0 ? Kind::kOnly : Kind::kNo});
    }
    SplitGraph s = SplitTurnRestrictions(g);
    ASSERT_EQ(s.graph.nodes(), s.original_node.size());
    ContractedGraph ch = Contract(s.graph);
    RouteEngine engine(s.graph, ch);
    for (NodeIndex src = 0; src < n; ++src) {
      std::vector<Millis> expected = EdgeBasedTimes(g, src);
      ASSERT_EQ(SplitTimes(s, src), expected) << "seed " << seed << " source " << src;
      for (NodeIndex t = 0; t < n; ++t) {
        Millis best = engine.TravelTime(src, t);
        for (NodeIndex c = n; c < s.graph.nodes(); ++c) {
          if (s.original_node[c] == t) best = std::min(best, engine.TravelTime(src, c));
        }
        ASSERT_EQ(best, expected[t]) << "seed " << seed << " " << src << " -> " << t;
      }
    }
  }
}

}  // namespace
}  // namespace beacon::routing
