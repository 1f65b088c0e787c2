// routing::BuildBasemap: chains merged between junctions, both directions
// drawn once, turn-restriction copies folded in, straight chains simplified.
#include "routing/basemap.h"

#include <gtest/gtest.h>

namespace beacon::routing {
namespace {

// Two-way arc pair a<->b of `len` metres at `speed` m/s.
void Both(std::vector<ArcInput>& arcs, NodeIndex a, NodeIndex b, float len, double speed) {
  Millis t = static_cast<Millis>(len / speed * 1000);
  arcs.push_back({a, b, t, len});
  arcs.push_back({b, a, t, len});
}

TEST(Basemap, MergesChainsBetweenJunctionsAndSimplifiesStraightOnes) {
  // A straight street 0-1-2-3 (1 and 2 are plain road nodes), and a side
  // street 3-4 at a junction with 3-5.
  std::vector<LatLon> coords = {{37.0, -122.0},   {37.0, -121.999},   {37.0, -121.998},
                                {37.0, -121.997}, {37.001, -121.997}, {36.999, -121.997}};
  std::vector<ArcInput> arcs;
  Both(arcs, 0, 1, 89, 8);
  Both(arcs, 1, 2, 89, 8);
  Both(arcs, 2, 3, 89, 8);
  Both(arcs, 3, 4, 111, 20);
  arcs.push_back({3, 5, 55550, 111});  // one-way, slow
  auto g = BuildGraph(coords, std::move(arcs));
  auto map = BuildBasemap(g, {}, 2.0);
  ASSERT_EQ(map.lines.size(), 3u);
  size_t major = 0;
  for (const auto& l : map.lines) {
    EXPECT_EQ(l.points.size(), 2u);  // the straight 4-node chain becomes 2 points
    major += l.major;
  }
  EXPECT_EQ(major, 1u);  // 3-4 at 20 m/s
  EXPECT_DOUBLE_EQ(map.min.lat, 36.999);
  EXPECT_DOUBLE_EQ(map.max.lat, 37.001);
  EXPECT_DOUBLE_EQ(map.min.lon, -122.0);
}

TEST(Basemap, KeepsBendsAndClosedLoops) {
  // An L-shaped street 0-1-2 (bend at 1) and a triangle loop 3-4-5.
  std::vector<LatLon> coords = {{37.0, -122.0}, {37.0, -121.99},  {37.01, -121.99},
                                {37.1, -122.0}, {37.1, -121.999}, {37.101, -121.9995}};
  std::vector<ArcInput> arcs;
  Both(arcs, 0, 1, 880, 8);
  Both(arcs, 1, 2, 1110, 8);
  Both(arcs, 3, 4, 88, 8);
  Both(arcs, 4, 5, 120, 8);
  Both(arcs, 5, 3, 120, 8);
  auto map = BuildBasemap(BuildGraph(coords, std::move(arcs)), {}, 2.0);
  ASSERT_EQ(map.lines.size(), 2u);
  size_t points = 0;
  for (const auto& l : map.lines) points += l.points.size();
  EXPECT_EQ(points, 3u + 4u);  // the bend is kept; the loop closes on itself
}

TEST(Basemap, FoldsTurnRestrictionCopiesIntoTheirNode) {
  std::vector<LatLon> coords = {{37.0, -122.0}, {37.0, -121.999}, {37.0, -121.999}};
  std::vector<ArcInput> arcs;
  Both(arcs, 0, 1, 89, 8);
  arcs.push_back({0, 2, 11000, 89});  // 2 is a copy of 1
  auto map = BuildBasemap(BuildGraph(coords, std::move(arcs)), {0, 1, 1}, 2.0);
  ASSERT_EQ(map.lines.size(), 1u);
  EXPECT_EQ(map.lines[0].points.size(), 2u);
}

TEST(Basemap, EmptyGraph) {
  auto map = BuildBasemap(BuildGraph({}, {}), {}, 2.0);
  EXPECT_TRUE(map.lines.empty());
}

}  // namespace
}  // namespace beacon::routing
