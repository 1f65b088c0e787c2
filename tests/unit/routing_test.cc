// Exactness of the contraction-hierarchy queries against plain Dijkstra on
// random grid-like graphs and small hand-made ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "routing/contraction.h"
#include "routing/dijkstra.h"
#include "routing/query.h"
#include "routing/road_graph.h"

namespace beacon::routing {
namespace {

struct Built {
  RoadGraph graph;
  ContractedGraph ch;
};

Built Build(RoadGraph graph) {
  Built b{std::move(graph), {}};
  b.ch = Contract(b.graph);
  return b;
}

RoadGraph FromArcs(NodeIndex nodes, std::vector<ArcInput> arcs) {
  std::vector<LatLon> coords(nodes);
  for (NodeIndex v = 0; v < nodes; ++v) coords[v] = {41.0 + v * 1e-4, -8.6};
  return BuildGraph(std::move(coords), std::move(arcs));
}

// A grid of w x h nodes: each street segment is missing, one-way (either
// direction) or two-way, with random times; plus parallel arcs, self-loops,
// a few long random arcs and a second grid that is not connected to the
// first (and a few isolated nodes).
RoadGraph RandomGrid(std::uint32_t seed, NodeIndex w, NodeIndex h) {
  std::mt19937 rng(seed);
  auto uniform = [&](std::uint32_t lo, std::uint32_t hi) {
    return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng);
  };
  const NodeIndex part = w * h;
  const NodeIndex isolated = 3;
  const NodeIndex n = 2 * part + isolated;
  std::vector<LatLon> coords(n);
  std::vector<ArcInput> arcs;
  for (NodeIndex p = 0; p < 2; ++p) {
    const NodeIndex base = p * part;
    for (NodeIndex y = 0; y < h; ++y) {
      for (NodeIndex x = 0; x < w; ++x) {
        NodeIndex v = base + y * w + x;
        coords[v] = {41.1 + y * 1e-3 + p * 0.1, -8.6 + x * 1e-3};
        for (int dir = 0; dir < 2; ++dir) {
          NodeIndex nx = x + (dir == 0), ny = y + (dir == 1);
          if (nx >= w || ny >= h) continue;
          NodeIndex u = base + ny * w + nx;
          std::uint32_t kind = uniform(0, 9);
          if (kind == 0) continue;  // no street
          Millis t = uniform(1, 20) * 1000 + uniform(0, 999);
          float len = static_cast<float>(t) / 100.0f;
          if (kind != 1) arcs.push_back({v, u, t, len});
          if (kind != 2) arcs.push_back({u, v, t + uniform(0, 3) * 500, len});
          if (kind == 3) arcs.push_back({v, u, uniform(1, 30000), len * 2});  // parallel
        }
        if (uniform(0, 40) == 0) arcs.push_back({v, v, uniform(1, 100), 1});
      }
    }
    for (int i = 0; i < 5; ++i) {  // a few fast "highway" jumps
      NodeIndex a = base + uniform(0, part - 1), b = base + uniform(0, part - 1);
      arcs.push_back({a, b, uniform(1000, 5000), 5000});
    }
  }
  for (NodeIndex i = 0; i < isolated; ++i) coords[2 * part + i] = {40.0, -8.0 - i};
  // One isolated node with only an outgoing arc.
  arcs.push_back({2 * part, 0, 1000, 10});
  return BuildGraph(std::move(coords), std::move(arcs));
}

// The fastest arc from -> to (shortest among equally fast), or nullopt.
std::optional<std::pair<Millis, float>> FastestArc(const RoadGraph& g, NodeIndex from,
                                                   NodeIndex to) {
  std::optional<std::pair<Millis, float>> best;
  for (ArcIndex a = g.first_out[from]; a < g.first_out[from + 1]; ++a) {
    if (g.head[a] != to) continue;
    std::pair<Millis, float> c{g.time_ms[a], g.length_m[a]};
    if (!best || c < *best) best = c;
  }
  return best;
}

// Checks a route's path: starts and ends right, every step is an arc, and
// the arcs' times add up to the route's time (lengths to its length).
void ExpectValidRoute(const RoadGraph& g, const Route& route, NodeIndex s, NodeIndex t,
                      bool check_length = true) {
  ASSERT_FALSE(route.path.empty());
  EXPECT_EQ(route.path.front(), s);
  EXPECT_EQ(route.path.back(), t);
  std::uint64_t time = 0;
  double length = 0;
  for (std::size_t i = 0; i + 1 < route.path.size(); ++i) {
    auto arc = FastestArc(g, route.path[i], route.path[i + 1]);
    ASSERT_TRUE(arc.has_value()) << "no arc " << route.path[i] << " -> " << route.path[i + 1];
    time += arc->first;
    length += arc->second;
  }
  EXPECT_EQ(time, route.time_ms);
  if (check_length) {
    EXPECT_NEAR(length, route.length_m, 1e-3 * (1 + length));
  }
}

class RandomGraphs : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(RandomGraphs, HierarchyIsWellFormed) {
  Built b = Build(RandomGrid(GetParam(), 23, 19));
  Status st = CheckContractedGraph(b.graph, b.ch);
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST_P(RandomGraphs, ShortestPathEqualsDijkstra) {
  Built b = Build(RandomGrid(GetParam(), 25, 21));
  const NodeIndex n = b.graph.nodes();
  Dijkstra dijkstra(b.graph);
  RouteEngine engine(b.graph, b.ch);
  std::mt19937 rng(GetParam() * 7 + 1);
  std::uniform_int_distribution<NodeIndex> node(0, n - 1);
  int reachable = 0, unreachable = 0;
  for (int i = 0; i < 20; ++i) {
    NodeIndex s = node(rng);
    std::vector<Millis> all = dijkstra.OneToAll(s);
    for (int j = 0; j < 25; ++j) {
      NodeIndex t = node(rng);
      Route route = engine.ShortestPath(s, t);
      ASSERT_EQ(route.time_ms, all[t]) << "s=" << s << " t=" << t;
      EXPECT_EQ(engine.TravelTime(s, t), all[t]);
      if (all[t] == kUnreachable) {
        EXPECT_TRUE(route.path.empty());
        ++unreachable;
      } else {
        ExpectValidRoute(b.graph, route, s, t);
        ++reachable;
      }
    }
  }
  EXPECT_GT(reachable, 100);
  EXPECT_GT(unreachable, 10);  // the two grids are not connected
}

TEST_P(RandomGraphs, OneToOneDijkstraAgreesWithOneToAll) {
  RoadGraph g = RandomGrid(GetParam(), 12, 10);
  Dijkstra dijkstra(g);
  std::mt19937 rng(GetParam());
  std::uniform_int_distribution<NodeIndex> node(0, g.nodes() - 1);
  for (int i = 0; i < 30; ++i) {
    NodeIndex s = node(rng), t = node(rng);
    TimedPath p = dijkstra.OneToOne(s, t);
    EXPECT_EQ(p.time_ms, dijkstra.OneToAll(s)[t]);
    if (p.time_ms != kUnreachable) {
      ExpectValidRoute(g, Route{p.time_ms, 0, p.path}, s, t, /*check_length=*/false);
    }
  }
}

TEST_P(RandomGraphs, ManyToOneEqualsPerSourceDijkstra) {
  Built b = Build(RandomGrid(GetParam(), 24, 20));
  const NodeIndex n = b.graph.nodes();
  Dijkstra dijkstra(b.graph);
  RouteEngine engine(b.graph, b.ch);
  std::mt19937 rng(GetParam() * 13 + 5);
  std::uniform_int_distribution<NodeIndex> node(0, n - 1);
  for (int round = 0; round < 3; ++round) {
    std::vector<NodeIndex> sources;
    for (int i = 0; i < 40; ++i) sources.push_back(node(rng));
    sources.push_back(sources[3]);  // two units at one place
    engine.PrepareSources(sources);
    ASSERT_EQ(engine.prepared_sources(), sources.size());
    std::vector<std::vector<Millis>> from(sources.size());
    for (std::size_t i = 0; i < sources.size(); ++i) from[i] = dijkstra.OneToAll(sources[i]);
    for (int j = 0; j < 40; ++j) {
      NodeIndex t = node(rng);
      std::vector<Millis> times = engine.TimesToTarget(t);
      ASSERT_EQ(times.size(), sources.size());
      for (std::size_t i = 0; i < sources.size(); ++i) {
        ASSERT_EQ(times[i], from[i][t]) << "source " << sources[i] << " target " << t;
      }
      EXPECT_EQ(dijkstra.ManyToOne(sources, t), times);
    }
  }
}

TEST_P(RandomGraphs, ManyToOneAfterSourcesMove) {
  // PrepareSources keeps the search spaces of nodes already prepared; moving
  // a few units, removing and adding some must still give exact times.
  Built b = Build(RandomGrid(GetParam(), 20, 18));
  const NodeIndex n = b.graph.nodes();
  Dijkstra dijkstra(b.graph);
  RouteEngine engine(b.graph, b.ch);
  std::mt19937 rng(GetParam() * 19 + 7);
  std::uniform_int_distribution<NodeIndex> node(0, n - 1);
  std::vector<NodeIndex> sources;
  for (int i = 0; i < 30; ++i) sources.push_back(node(rng));
  for (int step = 0; step < 12; ++step) {
    engine.PrepareSources(sources);
    if (step > 0) {
      EXPECT_GT(engine.last_stats().reused, 0u);
    }
    for (int j = 0; j < 8; ++j) {
      NodeIndex t = node(rng);
      ASSERT_EQ(engine.TimesToTarget(t), dijkstra.ManyToOne(sources, t)) << "step " << step;
    }
    sources[std::uniform_int_distribution<std::size_t>(0, sources.size() - 1)(rng)] = node(rng);
    if (step % 3 == 0) sources.pop_back();
    if (step % 4 == 0) sources.push_back(node(rng));
    std::shuffle(sources.begin(), sources.end(), rng);
  }
  engine.PrepareSources({});
  EXPECT_TRUE(engine.TimesToTarget(0).empty());
}

TEST_P(RandomGraphs, ManyToOneExactForAnyCoreSize) {
  // PrepareSources leaves the top `many_to_one_core` ranks to TimesToTarget:
  // from no core (buckets only) to all nodes (each source is its own core
  // entry), through sizes that split the search spaces; with sources that
  // move between calls (reused spaces) and targets inside the core.
  Built b = Build(RandomGrid(GetParam(), 18, 16));
  const NodeIndex n = b.graph.nodes();
  Dijkstra dijkstra(b.graph);
  for (NodeIndex core :
       {NodeIndex{0}, NodeIndex{1}, NodeIndex{5}, NodeIndex{40}, n / 3, n - 1, n, n + 10}) {
    RouteEngine engine(b.graph, b.ch, RouteEngineOptions{.many_to_one_core = core});
    std::mt19937 rng(GetParam() * 23 + core);
    std::uniform_int_distribution<NodeIndex> node(0, n - 1);
    std::vector<NodeIndex> sources;
    for (int i = 0; i < 25; ++i) sources.push_back(node(rng));
    sources.push_back(b.ch.order[n - 1]);  // the top of the hierarchy
    sources.push_back(sources[2]);
    for (int step = 0; step < 4; ++step) {
      engine.PrepareSources(sources);
      std::vector<NodeIndex> targets{b.ch.order[n - 1], b.ch.order[n / 2], sources[0]};
      for (int j = 0; j < 15; ++j) targets.push_back(node(rng));
      for (NodeIndex t : targets) {
        ASSERT_EQ(engine.TimesToTarget(t), dijkstra.ManyToOne(sources, t))
            << "core " << core << " step " << step << " target " << t;
      }
      sources[std::uniform_int_distribution<std::size_t>(0, sources.size() - 1)(rng)] = node(rng);
      sources.push_back(node(rng));
    }
  }
}

TEST_P(RandomGraphs, CoverageEqualsBoundedMultiSourceDijkstra) {
  Built b = Build(RandomGrid(GetParam(), 26, 22));
  const NodeIndex n = b.graph.nodes();
  Dijkstra dijkstra(b.graph);
  RouteEngine engine(b.graph, b.ch);
  std::mt19937 rng(GetParam() * 31 + 2);
  std::uniform_int_distribution<NodeIndex> node(0, n - 1);
  for (Millis limit : {Millis{0}, Millis{4000}, Millis{30000}, Millis{120000}, kUnreachable}) {
    for (std::size_t k : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{40}}) {
      std::vector<NodeIndex> sources;
      for (std::size_t i = 0; i < k; ++i) sources.push_back(node(rng));
      std::vector<Millis> expected = dijkstra.MultiSourceWithin(sources, limit);
      ASSERT_EQ(engine.Reachable(sources, limit), expected) << "limit " << limit << " k " << k;
    }
  }
}

// Random AddSource / RemoveSource steps (some sources on top of others),
// each checked against a full recompute, then every source removed.
void ExpectIncrementalCoverageExact(const RoadGraph& graph, const ContractedGraph& ch, Millis limit,
                                    std::uint32_t seed, int steps) {
  const NodeIndex n = graph.nodes();
  RouteEngine engine(graph, ch);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<NodeIndex> node(0, n - 1);
  CoverageTracker tracker(graph, ch, limit);
  std::vector<NodeIndex> initial;
  for (int i = 0; i < 12; ++i) initial.push_back(node(rng));
  initial.push_back(initial[0]);  // co-located sources
  std::vector<CoverageTracker::SourceId> ids = tracker.Reset(initial);
  std::vector<std::pair<CoverageTracker::SourceId, NodeIndex>> active;
  for (std::size_t i = 0; i < ids.size(); ++i) active.push_back({ids[i], initial[i]});
  auto check = [&](const char* step) {
    std::vector<NodeIndex> nodes;
    for (auto& [id, v] : active) nodes.push_back(v);
    std::vector<Millis> full = engine.Reachable(nodes, limit);
    ASSERT_EQ(tracker.Times(), full) << step;
    NodeIndex covered = 0;
    for (Millis t : full) covered += t != kUnreachable;
    ASSERT_EQ(tracker.covered(), covered) << step;
    ASSERT_EQ(tracker.active_sources(), active.size());
    for (NodeIndex v = 0; v < n; v += 7) ASSERT_EQ(tracker.TimeAt(v), full[v]);
  };
  check("reset");
  for (int step = 0; step < steps; ++step) {
    bool add = active.empty() || std::uniform_int_distribution<int>(0, 1)(rng) == 0;
    if (add) {
      // Sometimes on top of an existing source.
      NodeIndex v =
          (!active.empty() && step % 5 == 0) ? active[step % active.size()].second : node(rng);
      active.push_back({tracker.AddSource(v), v});
      check("add");
    } else {
      std::size_t i = std::uniform_int_distribution<std::size_t>(0, active.size() - 1)(rng);
      tracker.RemoveSource(active[i].first);
      active.erase(active.begin() + static_cast<std::ptrdiff_t>(i));
      check("remove");
    }
  }
  while (!active.empty()) {  // down to no source at all
    tracker.RemoveSource(active.back().first);
    active.pop_back();
    check("drain");
  }
  EXPECT_EQ(tracker.covered(), 0u);
}

TEST_P(RandomGraphs, IncrementalCoverageEqualsFullRecompute) {
  Built b = Build(RandomGrid(GetParam(), 22, 18));
  ExpectIncrementalCoverageExact(b.graph, b.ch, 45000, GetParam() * 17 + 3, 120);
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomGraphs, ::testing::Values(1u, 2u, 3u, 4u, 5u, 6u));

TEST(RoutingSmall, SingleNode) {
  Built b = Build(FromArcs(1, {}));
  RouteEngine engine(b.graph, b.ch);
  Route r = engine.ShortestPath(0, 0);
  EXPECT_EQ(r.time_ms, 0u);
  EXPECT_EQ(r.path, std::vector<NodeIndex>{0});
  std::vector<NodeIndex> src{0, 0};
  engine.PrepareSources(src);
  EXPECT_EQ(engine.TimesToTarget(0), (std::vector<Millis>{0, 0}));
  EXPECT_EQ(engine.Reachable(src, 0), std::vector<Millis>{0});
}

TEST(RoutingSmall, EmptyGraph) {
  Built b = Build(FromArcs(0, {}));
  EXPECT_EQ(b.ch.nodes(), 0u);
  RouteEngine engine(b.graph, b.ch);
  EXPECT_TRUE(engine.Reachable({}, 1000).empty());
}

TEST(RoutingSmall, UnreachableTarget) {
  // 0 -> 1 only: 1 cannot reach 0; 2 is isolated.
  Built b = Build(FromArcs(3, {{0, 1, 500, 5}}));
  RouteEngine engine(b.graph, b.ch);
  EXPECT_EQ(engine.ShortestPath(0, 1).time_ms, 500u);
  Route back = engine.ShortestPath(1, 0);
  EXPECT_EQ(back.time_ms, kUnreachable);
  EXPECT_TRUE(back.path.empty());
  EXPECT_EQ(engine.TravelTime(0, 2), kUnreachable);
  std::vector<NodeIndex> src{0, 1, 2};
  engine.PrepareSources(src);
  EXPECT_EQ(engine.TimesToTarget(1), (std::vector<Millis>{500, 0, kUnreachable}));
  EXPECT_EQ(engine.Reachable(std::vector<NodeIndex>{1}, 10000),
            (std::vector<Millis>{kUnreachable, 0, kUnreachable}));
}

TEST(RoutingSmall, ParallelArcsAndSelfLoops) {
  // Two arcs 0 -> 1 (the faster one is longer), a self-loop on 1, then 1 -> 2.
  Built b = Build(FromArcs(
      3, {{0, 1, 900, 10}, {0, 1, 700, 30}, {0, 1, 700, 20}, {1, 1, 1, 1}, {1, 2, 300, 3}}));
  RouteEngine engine(b.graph, b.ch);
  Route r = engine.ShortestPath(0, 2);
  EXPECT_EQ(r.time_ms, 1000u);
  EXPECT_EQ(r.path, (std::vector<NodeIndex>{0, 1, 2}));
  EXPECT_FLOAT_EQ(r.length_m, 23.0f);  // the shorter of the two fastest arcs
  EXPECT_TRUE(CheckContractedGraph(b.graph, b.ch).ok());
}

TEST(RoutingSmall, TiesKeepExactTimes) {
  // A 3 x 3 grid of unit times: many equally fast paths.
  std::vector<ArcInput> arcs;
  for (NodeIndex y = 0; y < 3; ++y) {
    for (NodeIndex x = 0; x < 3; ++x) {
      NodeIndex v = y * 3 + x;
      if (x < 2) arcs.insert(arcs.end(), {{v, v + 1, 1000, 1}, {v + 1, v, 1000, 1}});
      if (y < 2) arcs.insert(arcs.end(), {{v, v + 3, 1000, 1}, {v + 3, v, 1000, 1}});
    }
  }
  Built b = Build(FromArcs(9, arcs));
  RouteEngine engine(b.graph, b.ch);
  Dijkstra dijkstra(b.graph);
  for (NodeIndex s = 0; s < 9; ++s) {
    std::vector<Millis> all = dijkstra.OneToAll(s);
    for (NodeIndex t = 0; t < 9; ++t) {
      Route r = engine.ShortestPath(s, t);
      EXPECT_EQ(r.time_ms, all[t]);
      ExpectValidRoute(b.graph, r, s, t);
    }
  }
}

TEST(RoutingSmall, IncrementalCoverageWithTies) {
  // A 15 x 15 grid of equal times: most nodes are equally near two sources,
  // which is where removing a source must not lose a node's other path.
  std::vector<ArcInput> arcs;
  const NodeIndex w = 15;
  for (NodeIndex y = 0; y < w; ++y) {
    for (NodeIndex x = 0; x < w; ++x) {
      NodeIndex v = y * w + x;
      if (x + 1 < w) arcs.insert(arcs.end(), {{v, v + 1, 1000, 1}, {v + 1, v, 1000, 1}});
      if (y + 1 < w) arcs.insert(arcs.end(), {{v, v + w, 1000, 1}, {v + w, v, 1000, 1}});
    }
  }
  Built b = Build(FromArcs(w * w, arcs));
  for (Millis limit : {Millis{3000}, Millis{8000}, kUnreachable}) {
    ExpectIncrementalCoverageExact(b.graph, b.ch, limit, limit, 150);
  }
}

TEST(RoutingSmall, LongChainUnpacks) {
  // A two-way chain of 2000 nodes: deep shortcuts, full unpacking.
  std::vector<ArcInput> arcs;
  const NodeIndex n = 2000;
  for (NodeIndex v = 0; v + 1 < n; ++v) {
    arcs.push_back({v, v + 1, 1000 + v % 7, 10});
    arcs.push_back({v + 1, v, 1000 + v % 5, 10});
  }
  Built b = Build(FromArcs(n, arcs));
  RouteEngine engine(b.graph, b.ch);
  Dijkstra dijkstra(b.graph);
  Route r = engine.ShortestPath(0, n - 1);
  EXPECT_EQ(r.time_ms, dijkstra.OneToAll(0)[n - 1]);
  EXPECT_EQ(r.path.size(), n);
  ExpectValidRoute(b.graph, r, 0, n - 1);
  EXPECT_FLOAT_EQ(r.length_m, 10.0f * (n - 1));
}

TEST(RoutingSmall, SumsNeverWrap) {
  // 0 -> 1 -> 2 with arcs of 2^31 ms: the whole path reaches 2^32 ms, which
  // counts as no path (it would wrap to 0 in 32 bits); 0 -> 3 directly is
  // just below the limit.
  const Millis half = 1u << 31;
  RoadGraph g = FromArcs(4, {{0, 1, half, 1},
                             {1, 2, half, 1},
                             {0, 3, kUnreachable - 1, 1},
                             {3, 2, 5, 1},
                             {2, 0, kUnreachable, 1}});
  Built b = Build(std::move(g));
  Dijkstra dijkstra(b.graph);
  RouteEngine engine(b.graph, b.ch);
  std::vector<Millis> from0 = dijkstra.OneToAll(0);
  EXPECT_EQ(from0, (std::vector<Millis>{0, half, kUnreachable, kUnreachable - 1}));
  EXPECT_EQ(engine.ShortestPath(0, 2).time_ms, kUnreachable);
  EXPECT_EQ(engine.ShortestPath(0, 3).time_ms, kUnreachable - 1);
  EXPECT_EQ(engine.ShortestPath(2, 0).time_ms, kUnreachable);
  EXPECT_EQ(engine.ShortestPath(1, 2).time_ms, half);
  std::vector<NodeIndex> src{0, 1};
  engine.PrepareSources(src);
  EXPECT_EQ(engine.TimesToTarget(2), (std::vector<Millis>{kUnreachable, half}));
  EXPECT_EQ(engine.Reachable(src, kUnreachable), dijkstra.MultiSourceWithin(src, kUnreachable));
}

TEST(RoutingSmall, ManyToOneSumsNeverWrapInTheCore) {
  // As SumsNeverWrap, with the many-to-one core covering none, part or all
  // of the graph: sums that reach 2^32 ms count as no path on both sides.
  const Millis half = 1u << 31;
  RoadGraph g = FromArcs(5, {{0, 1, half, 1},
                             {1, 2, half, 1},
                             {0, 3, kUnreachable - 1, 1},
                             {3, 2, 5, 1},
                             {2, 0, kUnreachable, 1},
                             {4, 1, half, 1},
                             {2, 4, 7, 1}});
  Built b = Build(std::move(g));
  Dijkstra dijkstra(b.graph);
  std::vector<NodeIndex> src{0, 1, 2, 3, 4};
  for (NodeIndex core = 0; core <= 5; ++core) {
    RouteEngine engine(b.graph, b.ch, RouteEngineOptions{.many_to_one_core = core});
    engine.PrepareSources(src);
    for (NodeIndex t = 0; t < 5; ++t) {
      EXPECT_EQ(engine.TimesToTarget(t), dijkstra.ManyToOne(src, t))
          << "core " << core << " t " << t;
    }
  }
}

TEST(RoutingSmall, DijkstraReference) {
  // 0 -> 1 -> 3 (3 s) beats 0 -> 2 -> 3 (4 s); 4 unreachable.
  RoadGraph g = FromArcs(5, {{0, 1, 1000, 1}, {1, 3, 2000, 1}, {0, 2, 1000, 1}, {2, 3, 3000, 1}});
  Dijkstra d(g);
  EXPECT_EQ(d.OneToAll(0), (std::vector<Millis>{0, 1000, 1000, 3000, kUnreachable}));
  TimedPath p = d.OneToOne(0, 3);
  EXPECT_EQ(p.time_ms, 3000u);
  EXPECT_EQ(p.path, (std::vector<NodeIndex>{0, 1, 3}));
  EXPECT_EQ(d.OneToOne(3, 0).time_ms, kUnreachable);
  std::vector<NodeIndex> src{0, 2};
  EXPECT_EQ(d.ManyToOne(src, 3), (std::vector<Millis>{3000, 3000}));
  EXPECT_EQ(d.MultiSourceWithin(src, 2000),
            (std::vector<Millis>{0, 1000, 0, kUnreachable, kUnreachable}));
}

TEST(Contraction, ReportsProgressToCompletion) {
  RoadGraph g = RandomGrid(9, 30, 30);
  std::vector<double> seen;
  ContractionOptions options;
  options.progress = [&](double f) { seen.push_back(f); };
  ContractionStats stats;
  ContractedGraph ch = Contract(g, options, &stats);
  ASSERT_GE(seen.size(), 3u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen.front(), 0.0);
  EXPECT_EQ(seen.back(), 1.0);
  EXPECT_LE(seen.size(), 250u);
  EXPECT_GT(stats.levels, 1u);
  EXPECT_EQ(ch.nodes(), g.nodes());
}

TEST(Contraction, LimitsDoNotChangeAnswers) {
  // Tiny witness limits add needless shortcuts but must stay exact.
  RoadGraph g = RandomGrid(11, 20, 16);
  ContractionOptions options;
  options.witness_settle_limit = 1;
  options.estimate_settle_limit = 1;
  ContractedGraph ch = Contract(g, options);
  ASSERT_TRUE(CheckContractedGraph(g, ch).ok());
  RouteEngine engine(g, ch);
  Dijkstra dijkstra(g);
  std::mt19937 rng(5);
  std::uniform_int_distribution<NodeIndex> node(0, g.nodes() - 1);
  for (int i = 0; i < 10; ++i) {
    NodeIndex s = node(rng);
    std::vector<Millis> all = dijkstra.OneToAll(s);
    for (int j = 0; j < 20; ++j) {
      NodeIndex t = node(rng);
      ASSERT_EQ(engine.ShortestPath(s, t).time_ms, all[t]);
    }
  }
}

TEST(Contraction, CheckRejectsCorruptHierarchy) {
  RoadGraph g = RandomGrid(3, 10, 10);
  ContractedGraph ch = Contract(g);
  ASSERT_TRUE(CheckContractedGraph(g, ch).ok());
  {
    ContractedGraph bad = ch;
    std::swap(bad.order[0], bad.order[1]);
    EXPECT_FALSE(CheckContractedGraph(g, bad).ok());
  }
  {
    ContractedGraph bad = ch;
    ASSERT_GT(bad.up_arcs(), 0u);
    bad.up_time[0] += 1;
    EXPECT_FALSE(CheckContractedGraph(g, bad).ok());
  }
  {
    ContractedGraph bad = ch;
    bad.down_first.pop_back();
    EXPECT_FALSE(CheckContractedGraph(g, bad).ok());
  }
}

}  // namespace
}  // namespace beacon::routing
