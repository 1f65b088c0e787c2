// Property tests on the real OpenStreetMap extracts in ../shared/data/osm:
// every contraction-hierarchy query equals plain Dijkstra on the same graph,
// for hundreds of random pairs, unit sets and coverage source sets.
#include <gtest/gtest.h>

#include <random>

#include "routing/contraction.h"
#include "routing/dijkstra.h"
#include "routing/osm_import.h"
#include "routing/query.h"

namespace beacon::routing {
namespace {

struct Extract {
  const char* name;
  const char* path;
  int pairs;
  int unit_sets;
};

class ExtractTest : public ::testing::TestWithParam<Extract> {
 protected:
  void SetUp() override {
    auto profile = Profile::Load(std::string(BEACON_SOURCE_DIR) + "/config/routing_profile.json");
    ASSERT_TRUE(profile.has_value()) << profile.error().message();
    auto imported = ImportOsm(GetParam().path, *profile);
    ASSERT_TRUE(imported.has_value()) << imported.error().message();
    graph_ = std::move(imported->graph);
    ch_ = Contract(graph_);
    ASSERT_TRUE(CheckContractedGraph(graph_, ch_).ok());
  }
  RoadGraph graph_;
  ContractedGraph ch_;
};

TEST_P(ExtractTest, PointToPointEqualsDijkstra) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<NodeIndex> node(0, graph_.nodes() - 1);
  RouteEngine engine(graph_, ch_);
  Dijkstra dijkstra(graph_);
  for (int i = 0; i < GetParam().pairs; ++i) {
    NodeIndex s = node(rng), t = node(rng);
    auto expected = dijkstra.OneToOne(s, t);
    auto got = engine.ShortestPath(s, t);
    ASSERT_EQ(got.time_ms, expected.time_ms) << s << " -> " << t;
    // The unpacked path is a real path of that time.
    ASSERT_FALSE(got.path.empty());
    EXPECT_EQ(got.path.front(), s);
    EXPECT_EQ(got.path.back(), t);
    std::uint64_t sum = 0;
    for (size_t k = 0; k + 1 < got.path.size(); ++k) {
      Millis best = kUnreachable;
      for (ArcIndex a = graph_.first_out[got.path[k]]; a < graph_.first_out[got.path[k] + 1]; ++a) {
        if (graph_.head[a] == got.path[k + 1]) best = std::min(best, graph_.time_ms[a]);
      }
      ASSERT_NE(best, kUnreachable) << "not an arc: " << got.path[k] << " " << got.path[k + 1];
      sum += best;
    }
    EXPECT_EQ(sum, got.time_ms);
  }
}

TEST_P(ExtractTest, ManyToOneAndCoverageEqualDijkstra) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<NodeIndex> node(0, graph_.nodes() - 1);
  RouteEngine engine(graph_, ch_);
  Dijkstra dijkstra(graph_);
  for (int set = 0; set < GetParam().unit_sets; ++set) {
    std::vector<NodeIndex> units(50 + set * 20);
    for (auto& u : units) u = node(rng);
    engine.PrepareSources(units);
    for (int incident = 0; incident < 5; ++incident) {
      NodeIndex t = node(rng);
      EXPECT_EQ(engine.TimesToTarget(t), dijkstra.ManyToOne(units, t)) << "set " << set;
    }
    Millis limit = 240'000;
    EXPECT_EQ(engine.Reachable(units, limit), dijkstra.MultiSourceWithin(units, limit));
  }
}

INSTANTIATE_TEST_SUITE_P(
    SharedData, ExtractTest,
    ::testing::Values(Extract{"Monaco", "../shared/data/osm/monaco.osm.pbf", 300, 6},
                      Extract{"SanFrancisco", "../shared/data/osm/sf_mission_bayview_2014.osm.pbf",
                              300, 6},
                      Extract{"Porto", "../shared/data/osm/porto_2015.osm.pbf", 200, 4}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace beacon::routing
