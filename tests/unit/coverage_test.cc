// Coverage and move-up planning against brute force: a plain Dijkstra from
// every available unit, then counting, on hand-made and random graphs.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <tuple>

#include "planning/coverage_model.h"
#include "planning/planner.h"
#include "routing/contraction.h"
#include "routing/dijkstra.h"

namespace beacon::planning {
namespace {

using routing::ArcInput;
using routing::kUnreachable;
using routing::RoadGraph;

struct Brute {
  std::int64_t nodes = 0;
  std::int64_t demand = 0;
  bool operator==(const Brute&) const = default;
};

// Covered originals and demand by a Dijkstra from every source.
Brute BruteCoverage(const RoadGraph& g, const std::vector<NodeIndex>& original,
                    const std::vector<NodeIndex>& sources, Millis limit,
                    const DemandPoints& demand) {
  std::vector<Millis> best(g.nodes(), kUnreachable);
  routing::Dijkstra dijkstra(g);
  for (NodeIndex s : sources) {
    auto t = dijkstra.OneToAll(s);
    for (NodeIndex v = 0; v < g.nodes(); ++v) best[v] = std::min(best[v], t[v]);
  }
  std::vector<bool> covered(g.nodes(), false);
  for (NodeIndex v = 0; v < g.nodes(); ++v) {
    if (best[v] <= limit) covered[original.empty() ? v : original[v]] = true;
  }
  Brute b;
  for (NodeIndex v = 0; v < g.nodes(); ++v) {
    bool is_original = original.empty() || original[v] == v;
    if (is_original && covered[v]) ++b.nodes;
  }
  for (const auto& [v, w] : demand) {
    if (covered[v]) b.demand += w;
  }
  return b;
}

RoadGraph RandomGraph(std::mt19937_64& rng, NodeIndex n, int extra_arcs) {
  std::vector<LatLon> coords(n);
  std::uniform_real_distribution<double> lat(41.10, 41.20), lon(-8.70, -8.55);
  for (auto& c : coords) c = {lat(rng), lon(rng)};
  std::uniform_int_distribution<NodeIndex> node(0, n - 1);
  std::uniform_int_distribution<Millis> time(200, 3000);
  std::vector<ArcInput> arcs;
  // A random spanning path in both directions (with different times), then
  // random one-way arcs.
  for (NodeIndex v = 1; v < n; ++v) {
    NodeIndex u = std::uniform_int_distribution<NodeIndex>(0, v - 1)(rng);
    arcs.push_back({u, v, time(rng), 10});
    arcs.push_back({v, u, time(rng), 10});
  }
  for (int i = 0; i < extra_arcs; ++i) {
    NodeIndex a = node(rng), b = node(rng);
    if (a != b) arcs.push_back({a, b, time(rng), 10});
  }
  return routing::BuildGraph(std::move(coords), std::move(arcs));
}

// Some nodes declared copies of others (the counting only reads the table).
std::vector<NodeIndex> RandomCopies(std::mt19937_64& rng, NodeIndex n) {
  std::vector<NodeIndex> original(n);
  for (NodeIndex v = 0; v < n; ++v) original[v] = v;
  for (NodeIndex v = n / 2; v < n; v += 5) {
    original[v] = std::uniform_int_distribution<NodeIndex>(0, n / 2 - 1)(rng);
  }
  return original;
}

TEST(NodeCopiesTest, ListsCopiesByOriginal) {
  NodeCopies c(5, {0, 1, 0, 3, 1});
  EXPECT_EQ(c.originals(), 3u);
  EXPECT_TRUE(c.IsOriginal(0));
  EXPECT_FALSE(c.IsOriginal(2));
  EXPECT_EQ(c.Original(4), 1u);
  ASSERT_EQ(c.CopiesOf(0).size(), 1u);
  EXPECT_EQ(c.CopiesOf(0)[0], 2u);
  EXPECT_EQ(c.CopiesOf(3).size(), 0u);
  EXPECT_EQ(c.with_copies(), (std::vector<NodeIndex>{0, 1}));
  NodeCopies none(3, {});
  EXPECT_EQ(none.originals(), 3u);
  EXPECT_TRUE(none.with_copies().empty());
}

// 0 - 1 - 2 - 3 - 4 in a row, 1 s per arc both ways.
RoadGraph Line() {
  std::vector<LatLon> coords;
  for (int i = 0; i < 5; ++i) coords.push_back({41.15, -8.61 + 0.001 * i});
  std::vector<ArcInput> arcs;
  for (NodeIndex v = 0; v + 1 < 5; ++v) {
    arcs.push_back({v, v + 1, 1000, 80});
    arcs.push_back({v + 1, v, 1000, 80});
  }
  return routing::BuildGraph(std::move(coords), std::move(arcs));
}

TEST(CoverageModelTest, HandMadeLine) {
  RoadGraph g = Line();
  auto ch = routing::Contract(g);
  NodeCopies copies(g.nodes(), {});
  CoverageModel model(g, ch, copies, {1, 2});
  model.AddDemand(3, 2);
  model.AddDemand(4, 1);
  EXPECT_EQ(model.Counts(1).nodes_covered, 0);
  model.SetUnit("E1", 0);
  auto one = model.Counts(1);
  EXPECT_EQ(one.units, 1);
  EXPECT_EQ(one.nodes_total, 5);
  EXPECT_EQ(one.nodes_covered, 2);  // 0 and 1
  EXPECT_EQ(one.demand_total, 3);
  EXPECT_EQ(one.demand_covered, 0);
  EXPECT_EQ(model.Counts(2).nodes_covered, 3);
  model.SetUnit("E2", 4);
  EXPECT_EQ(model.Counts(1).nodes_covered, 4);
  EXPECT_EQ(model.Counts(1).demand_covered, 3);
  model.SetUnit("E2", std::nullopt);  // dispatched
  EXPECT_EQ(model.Counts(1).demand_covered, 0);
  EXPECT_EQ(model.Counts(3).nodes_covered, 4);  // on demand: 0..3

  // Move-ups: E1 at station A (node 0), stations B (node 3) and C (node 4).
  auto& tracker = model.Tracker(1);
  std::vector<MovableUnit> movable = {{"E1", "A", 0, 0}};
  std::vector<StationSite> sites = {{"A", 0}, {"B", 3}, {"C", 4}};
  EXPECT_EQ(tracker.limit_ms(), 2000u);  // one tracker serves 1 s and 2 s
  auto plan = PlanMoveUps(g, copies, tracker, movable, sites, model.demand(), 3, 3, 1000);
  ASSERT_EQ(plan.moves.size(), 1u);
  EXPECT_EQ(plan.moves[0].unit_id, "E1");
  EXPECT_EQ(plan.moves[0].from_station_id, "A");
  EXPECT_EQ(plan.moves[0].to_station_id, "B");  // covers 2, 3 and 4: all the demand
  EXPECT_EQ(plan.moves[0].demand_gain, 3);
  EXPECT_EQ(plan.moves[0].node_gain, 1);
  EXPECT_EQ(plan.before.demand_covered, 0);
  EXPECT_EQ(plan.after.demand_covered, 3);
  // The tracker is back where it was.
  EXPECT_EQ(model.Counts(1).nodes_covered, 2);
  EXPECT_EQ(tracker.TimeAt(1), 1000u);
  EXPECT_EQ(tracker.TimeAt(2), 2000u);
  EXPECT_EQ(tracker.TimeAt(3), kUnreachable);
}

TEST(CoverageModelTest, NoMoveWhenNothingGains) {
  RoadGraph g = Line();
  auto ch = routing::Contract(g);
  NodeCopies copies(g.nodes(), {});
  CoverageModel model(g, ch, copies, {10});
  model.SetUnit("E1", 0);
  std::vector<MovableUnit> movable = {{"E1", "A", 0, 0}};
  std::vector<StationSite> sites = {{"A", 0}, {"B", 3}};
  auto plan = PlanMoveUps(g, copies, model.Tracker(10), movable, sites, {}, 0, 3);
  EXPECT_TRUE(plan.moves.empty());  // everything is covered already
}

class RandomCoverageTest : public ::testing::TestWithParam<int> {};

TEST_P(RandomCoverageTest, CountsEqualBruteForceThroughChanges) {
  std::mt19937_64 rng(GetParam());
  const NodeIndex n = 60 + GetParam() * 7;
  RoadGraph g = RandomGraph(rng, n, static_cast<int>(n));
  auto ch = routing::Contract(g);
  std::vector<NodeIndex> original =
      GetParam() % 2 ? RandomCopies(rng, n) : std::vector<NodeIndex>{};
  NodeCopies copies(n, original);
  CoverageModel model(g, ch, copies, {3, 6}, /*max_extra=*/1);
  std::uniform_int_distribution<NodeIndex> node(0, n - 1);
  DemandPoints demand;
  auto original_of = [&](NodeIndex v) { return original.empty() ? v : original[v]; };
  std::map<std::string, NodeIndex> units;
  for (int step = 0; step < 60; ++step) {
    std::string id = "U" + std::to_string(rng() % 8);
    int what = static_cast<int>(rng() % 4);
    if (what == 0) {
      units.erase(id);
      model.SetUnit(id, std::nullopt);
    } else if (what == 3) {
      NodeIndex v = original_of(node(rng));
      demand[v] += 1;
      model.AddDemand(v);
    } else {
      NodeIndex v = original_of(node(rng));
      units[id] = v;
      model.SetUnit(id, v);
    }
    std::vector<NodeIndex> sources;
    for (const auto& [u, v] : units) sources.push_back(v);
    std::int64_t total = 0;
    for (const auto& [v, w] : demand) total += w;
    for (int seconds : {3, 6, 4, 5}) {  // two standing, two on demand (one kept)
      auto c = model.Counts(seconds);
      Brute want = BruteCoverage(g, original, sources, seconds * 1000, demand);
      ASSERT_EQ(c.nodes_covered, want.nodes) << "step " << step << " seconds " << seconds;
      ASSERT_EQ(c.demand_covered, want.demand) << "step " << step << " seconds " << seconds;
      ASSERT_EQ(c.demand_total, total);
      ASSERT_EQ(c.nodes_total, copies.originals());
      ASSERT_EQ(c.units, static_cast<std::int64_t>(units.size()));
      std::int64_t in_cells = 0;
      for (const auto& cell : model.Cells(seconds)) {
        EXPECT_LT(cell.south, cell.north);
        EXPECT_LT(cell.west, cell.east);
        in_cells += cell.nodes;
      }
      ASSERT_EQ(in_cells, want.nodes);
    }
  }
  EXPECT_LE(model.layers(), 3u);
}

// One tracker (limit: the largest standing threshold) answers every
// threshold up to it; a threshold above it gets its own tracker. Counts for
// all of them equal brute force through unit changes and demand.
TEST_P(RandomCoverageTest, ThresholdsFromOneTrackerEqualBruteForce) {
  std::mt19937_64 rng(500 + GetParam());
  const NodeIndex n = 70 + GetParam() * 6;
  RoadGraph g = RandomGraph(rng, n, static_cast<int>(n));
  auto ch = routing::Contract(g);
  std::vector<NodeIndex> original =
      GetParam() % 2 ? RandomCopies(rng, n) : std::vector<NodeIndex>{};
  NodeCopies copies(n, original);
  auto original_of = [&](NodeIndex v) { return original.empty() ? v : original[v]; };
  std::uniform_int_distribution<NodeIndex> node(0, n - 1);
  CoverageModel model(g, ch, copies, {6, 4}, /*max_extra=*/4);
  EXPECT_EQ(model.layers(), 1u);
  EXPECT_EQ(model.Tracker(4).limit_ms(), 6000u);
  DemandPoints demand;
  std::map<std::string, NodeIndex> units;
  for (int step = 0; step < 50; ++step) {
    std::string id = "U" + std::to_string(rng() % 6);
    int what = static_cast<int>(rng() % 5);
    if (what == 0) {
      units.erase(id);
      model.SetUnit(id, std::nullopt);
    } else if (what == 4) {
      NodeIndex v = original_of(node(rng));
      demand[v] += 2;
      model.AddDemand(v, 2);
    } else {
      NodeIndex v = original_of(node(rng));
      units[id] = v;
      model.SetUnit(id, v);
    }
    if (step == 25) model.Rebuild();
    std::vector<NodeIndex> sources;
    for (const auto& [u, v] : units) sources.push_back(v);
    // 2, 3 and 5 come from the 6 s tracker; 9 (above every standing one)
    // from a tracker of its own.
    for (int seconds : {2, 3, 4, 5, 6, 9}) {
      auto c = model.Counts(seconds);
      Brute want = BruteCoverage(g, original, sources, seconds * 1000, demand);
      ASSERT_EQ(c.nodes_covered, want.nodes) << "step " << step << " seconds " << seconds;
      ASSERT_EQ(c.demand_covered, want.demand) << "step " << step << " seconds " << seconds;
      ASSERT_EQ(c.units, static_cast<std::int64_t>(units.size()));
      auto direct = Count(model.Tracker(seconds), copies, demand, 0, seconds * 1000);
      ASSERT_EQ(direct.nodes_covered, want.nodes) << "step " << step << " seconds " << seconds;
      ASSERT_EQ(direct.demand_covered, want.demand) << "step " << step << " seconds " << seconds;
      std::int64_t in_cells = 0;
      for (const auto& cell : model.Cells(seconds)) in_cells += cell.nodes;
      ASSERT_EQ(in_cells, want.nodes) << "step " << step << " seconds " << seconds;
    }
    ASSERT_EQ(model.layers(), 2u);
    EXPECT_EQ(model.Tracker(9).limit_ms(), 9000u);
    EXPECT_EQ(model.Tracker(5).limit_ms(), 6000u);
  }
  // Four newer extra thresholds (max 4 kept) push 9 s out, and its tracker.
  for (int seconds : {1, 2, 3, 5}) model.Counts(seconds);
  EXPECT_EQ(model.layers(), 1u);
}

// PlanMoveUps within a limit below the tracker's equals planning on a
// tracker whose limit is that threshold.
TEST_P(RandomCoverageTest, MoveUpsWithinSmallerLimitMatchOwnTracker) {
  std::mt19937_64 rng(700 + GetParam());
  const NodeIndex n = 80 + GetParam() * 5;
  RoadGraph g = RandomGraph(rng, n, static_cast<int>(n) / 2);
  auto ch = routing::Contract(g);
  std::vector<NodeIndex> original =
      GetParam() % 2 ? RandomCopies(rng, n) : std::vector<NodeIndex>{};
  NodeCopies copies(n, original);
  auto original_of = [&](NodeIndex v) { return original.empty() ? v : original[v]; };
  std::uniform_int_distribution<NodeIndex> node(0, n - 1);
  std::vector<StationSite> sites;
  for (int i = 0; i < 6; ++i) sites.push_back({"S" + std::to_string(i), original_of(node(rng))});
  DemandPoints demand;
  for (int i = 0; i < 40; ++i) demand[original_of(node(rng))] += 1 + static_cast<int>(rng() % 3);
  std::vector<NodeIndex> fixed = {original_of(node(rng)), original_of(node(rng))};
  std::vector<MovableUnit> movable;
  for (int i = 0; i < 4; ++i) {
    const auto& s = sites[rng() % 3];
    movable.push_back({"E" + std::to_string(i), s.station_id, s.node, 0});
  }
  auto plan_with = [&](Millis tracker_limit, std::optional<Millis> limit) {
    routing::CoverageTracker tracker(g, ch, tracker_limit);
    tracker.Reset(fixed);
    auto ms = movable;
    for (auto& m : ms) m.source = tracker.AddSource(m.node);
    return PlanMoveUps(g, copies, tracker, ms, sites, demand, 100, 3, limit);
  };
  MoveUpPlan want = plan_with(3000, std::nullopt);
  MoveUpPlan got = plan_with(7000, 3000);
  ASSERT_EQ(got.moves.size(), want.moves.size());
  for (size_t i = 0; i < want.moves.size(); ++i) {
    EXPECT_EQ(got.moves[i].unit_id, want.moves[i].unit_id);
    EXPECT_EQ(got.moves[i].to_station_id, want.moves[i].to_station_id);
    EXPECT_EQ(got.moves[i].demand_gain, want.moves[i].demand_gain);
    EXPECT_EQ(got.moves[i].node_gain, want.moves[i].node_gain);
  }
  EXPECT_EQ(got.before.nodes_covered, want.before.nodes_covered);
  EXPECT_EQ(got.after.nodes_covered, want.after.nodes_covered);
  EXPECT_EQ(got.after.demand_covered, want.after.demand_covered);
}

TEST_P(RandomCoverageTest, GreedyFirstMoveIsTheBestSingleMove) {
  std::mt19937_64 rng(1000 + GetParam());
  const NodeIndex n = 80 + GetParam() * 5;
  RoadGraph g = RandomGraph(rng, n, static_cast<int>(n) / 2);
  auto ch = routing::Contract(g);
  std::vector<NodeIndex> original =
      GetParam() % 2 ? RandomCopies(rng, n) : std::vector<NodeIndex>{};
  NodeCopies copies(n, original);
  auto original_of = [&](NodeIndex v) { return original.empty() ? v : original[v]; };
  std::uniform_int_distribution<NodeIndex> node(0, n - 1);
  const int seconds = 3;
  const Millis limit = seconds * 1000;

  std::vector<StationSite> sites;
  for (int i = 0; i < 6; ++i) sites.push_back({"S" + std::to_string(i), original_of(node(rng))});
  DemandPoints demand;
  for (int i = 0; i < 40; ++i) demand[original_of(node(rng))] += 1 + static_cast<int>(rng() % 3);
  std::int64_t total = 0;
  for (const auto& [v, w] : demand) total += w;

  // Units: some at stations (movable), some elsewhere (fixed).
  CoverageModel model(g, ch, copies, {seconds});
  std::vector<MovableUnit> movable;
  std::vector<NodeIndex> fixed;
  for (int i = 0; i < 4; ++i) {
    const auto& s = sites[rng() % 3];  // crowd the first stations
    std::string id = "E" + std::to_string(i);
    model.SetUnit(id, s.node);
    movable.push_back({id, s.station_id, s.node, 0});
  }
  for (int i = 0; i < 2; ++i) {
    NodeIndex v = original_of(node(rng));
    fixed.push_back(v);
    model.SetUnit("M" + std::to_string(i), v);
  }
  auto& tracker = model.Tracker(seconds);
  // The ids the model gave: re-add the movable ones to know theirs.
  for (auto& m : movable) {
    model.SetUnit(m.unit_id, std::nullopt);
    m.source = tracker.AddSource(m.node);
  }
  auto sources_with = [&](const std::vector<NodeIndex>& at) {
    std::vector<NodeIndex> s = fixed;
    s.insert(s.end(), at.begin(), at.end());
    return s;
  };
  std::vector<NodeIndex> now;
  for (const auto& m : movable) now.push_back(m.node);
  Brute base = BruteCoverage(g, original, sources_with(now), limit, demand);

  // Every single move by brute force.
  std::tuple<std::int64_t, std::int64_t> best{0, 0};
  for (size_t j = 0; j < movable.size(); ++j) {
    for (const auto& s : sites) {
      if (s.station_id == movable[j].station_id) continue;
      auto at = now;
      at[j] = s.node;
      Brute b = BruteCoverage(g, original, sources_with(at), limit, demand);
      best = std::max(best, std::tuple{b.demand - base.demand, b.nodes - base.nodes});
    }
  }

  std::vector<Millis> times_before = tracker.Times();
  auto plan = PlanMoveUps(g, copies, tracker, movable, sites, demand, total, 3);
  EXPECT_EQ(plan.before.demand_covered, base.demand);
  EXPECT_EQ(plan.before.nodes_covered, base.nodes);
  if (best <= std::tuple<std::int64_t, std::int64_t>{0, 0}) {
    EXPECT_TRUE(plan.moves.empty());
  } else {
    ASSERT_FALSE(plan.moves.empty());
    EXPECT_EQ(std::tuple(plan.moves[0].demand_gain, plan.moves[0].node_gain), best);
  }
  // Each reported gain is what brute force gives for the moves so far.
  auto at = now;
  Brute running = base;
  std::set<std::string> moved;
  for (const auto& mv : plan.moves) {
    EXPECT_TRUE(moved.insert(mv.unit_id).second) << "a unit moved twice";
    auto j =
        static_cast<size_t>(std::find_if(movable.begin(), movable.end(),
                                         [&](const auto& m) { return m.unit_id == mv.unit_id; }) -
                            movable.begin());
    ASSERT_LT(j, movable.size());
    EXPECT_EQ(mv.from_station_id, movable[j].station_id);
    EXPECT_NE(mv.to_station_id, mv.from_station_id);
    at[j] = std::find_if(sites.begin(), sites.end(), [&](const auto& s) {
              return s.station_id == mv.to_station_id;
            })->node;
    Brute next = BruteCoverage(g, original, sources_with(at), limit, demand);
    EXPECT_EQ(next.demand - running.demand, mv.demand_gain);
    EXPECT_EQ(next.nodes - running.nodes, mv.node_gain);
    EXPECT_GT(std::tuple(mv.demand_gain, mv.node_gain),
              (std::tuple<std::int64_t, std::int64_t>{0, 0}));
    running = next;
  }
  EXPECT_EQ(plan.after.demand_covered, running.demand);
  EXPECT_EQ(plan.after.nodes_covered, running.nodes);
  // Planning left the tracker as it found it.
  EXPECT_EQ(tracker.Times(), times_before);
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomCoverageTest, ::testing::Range(1, 13));

TEST(DemandStatsTest, CountsByHourWeekdayTypeAndDistrict) {
  // 2024-05-06 was a Monday.
  auto t = [](const char* s) { return *ParseRfc3339(s); };
  std::vector<DemandRecord> records = {
      {t("2024-05-06T00:30:00Z"), "MEDICAL", LatLon{41.15, -8.61}},
      {t("2024-05-06T23:59:59Z"), "MEDICAL", LatLon{41.20, -8.61}},
      {t("2024-05-12T13:00:00Z"), "STRUCTURE_FIRE", std::nullopt},
      {t("1969-12-31T23:00:00Z"), "MEDICAL", LatLon{41.15, -8.61}},  // a Wednesday
  };
  std::vector<model::Station> stations = {{StationId{"S1"}, "one", {41.15, -8.61}},
                                          {StationId{"S2"}, "two", {41.21, -8.61}},
                                          {StationId{"S3"}, "three", {10, 10}}};
  auto by_hour = CountDemand(records, stations, DemandBy::kHour, std::nullopt, std::nullopt);
  ASSERT_EQ(by_hour.size(), 24u);
  EXPECT_EQ(by_hour[0].key, "00");
  EXPECT_EQ(by_hour[0].count, 1);
  EXPECT_EQ(by_hour[13].count, 1);
  EXPECT_EQ(by_hour[23].key, "23");
  EXPECT_EQ(by_hour[23].count, 2);
  auto by_day = CountDemand(records, stations, DemandBy::kWeekday, std::nullopt, std::nullopt);
  ASSERT_EQ(by_day.size(), 7u);
  EXPECT_EQ(by_day[0].key, "mon");
  EXPECT_EQ(by_day[0].count, 2);
  EXPECT_EQ(by_day[2].count, 1);  // wed
  EXPECT_EQ(by_day[6].key, "sun");
  EXPECT_EQ(by_day[6].count, 1);
  auto by_type = CountDemand(records, stations, DemandBy::kType, std::nullopt, std::nullopt);
  ASSERT_EQ(by_type.size(), 2u);
  EXPECT_EQ(by_type[0].key, "MEDICAL");
  EXPECT_EQ(by_type[0].count, 3);
  auto by_district =
      CountDemand(records, stations, DemandBy::kDistrict, t("2024-01-01T00:00:00Z"), std::nullopt);
  ASSERT_EQ(by_district.size(), 4u);  // none, S1, S2, S3 (zero)
  std::map<std::string, std::int64_t> d;
  for (const auto& b : by_district) d[b.key] = b.count;
  EXPECT_EQ(d["S1"], 1);
  EXPECT_EQ(d["S2"], 1);
  EXPECT_EQ(d["S3"], 0);
  EXPECT_EQ(d["none"], 1);
  // [from, to): the end is excluded.
  auto window = CountDemand(records, stations, DemandBy::kType, t("2024-05-06T00:30:00Z"),
                            t("2024-05-12T13:00:00Z"));
  ASSERT_EQ(window.size(), 1u);
  EXPECT_EQ(window[0].count, 2);
}

TEST(DemandStatsTest, ParsesBy) {
  EXPECT_EQ(ParseDemandBy("hour"), DemandBy::kHour);
  EXPECT_EQ(ParseDemandBy("district"), DemandBy::kDistrict);
  EXPECT_FALSE(ParseDemandBy("caller"));
  EXPECT_EQ(ToString(DemandBy::kWeekday), "weekday");
}

TEST(PlannerTest, WithoutGraphCountsDemandButNoCoverage) {
  Planner planner(nullptr);
  model::Call c;
  c.received_at = 3600 * 1000;
  c.incident_type = "MEDICAL";
  planner.OnCall(c);
  model::Call dup = c;
  dup.duplicate_of = IncidentId{1};
  planner.OnCall(dup);  // the same incident again: not counted
  auto b = planner.Demand(DemandBy::kHour, std::nullopt, std::nullopt);
  EXPECT_EQ(b[1].count, 1);
  auto cov = planner.Coverage(240);
  ASSERT_FALSE(cov);
  EXPECT_EQ(cov.error().code(), Code::kConflict);
  EXPECT_FALSE(planner.MoveUps(240, 3));
}

}  // namespace
}  // namespace beacon::planning
