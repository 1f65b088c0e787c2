#include <gtest/gtest.h>

#include "routing/snapper.h"

namespace beacon::routing {
namespace {

// Three parallel east-west streets ~111 m apart, each 2 segments long:
//
//   6 --- 7 --- 8      lat 0.002
//   3 --- 4 --- 5      lat 0.001
//   0 --- 1 --- 2      lat 0.000
//   lon 0     0.001   0.002
RoadGraph Grid() {
  std::vector<LatLon> coords;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) coords.push_back({r * 0.001, c * 0.001});
  }
  std::vector<ArcInput> arcs;
  for (NodeIndex r = 0; r < 3; ++r) {
    for (NodeIndex c = 0; c < 2; ++c) {
      arcs.push_back({r * 3 + c, r * 3 + c + 1, 10000, 111});
      arcs.push_back({r * 3 + c + 1, r * 3 + c, 10000, 111});
    }
  }
  return BuildGraph(std::move(coords), std::move(arcs));
}

TEST(Snapper, NearestSegmentAndNearerEnd) {
  RoadGraph g = Grid();
  Snapper s(g, 50);
  auto r = s.Nearest({0.0012, 0.0003}, 200);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->node, 3u);  // the middle street, nearer its west end
  EXPECT_NEAR(r->snap_distance_m, 22.2, 1.0);
  EXPECT_NEAR(r->point.lat, 0.001, 1e-6);
  EXPECT_NEAR(r->point.lon, 0.0003, 1e-6);
  auto east = s.Nearest({-0.0001, 0.0018}, 200);
  ASSERT_TRUE(east.has_value());
  EXPECT_EQ(east->node, 2u);
}

TEST(Snapper, FarPointIsAnErrorNotAGuess) {
  RoadGraph g = Grid();
  Snapper s(g, 50);
  auto near_limit = s.Nearest({0.0035, 0.001}, 100);  // ~167 m north of the top street
  ASSERT_FALSE(near_limit.has_value());
  EXPECT_EQ(near_limit.error().code(), Code::kInvalid);
  EXPECT_NE(near_limit.error().message().find("limit"), std::string::npos);
  auto far = s.Nearest({45, 45}, 500);
  ASSERT_FALSE(far.has_value());
  EXPECT_NE(far.error().message().find("outside"), std::string::npos);
  EXPECT_TRUE(s.Nearest({0.0035, 0.001}, 300).has_value());
}

TEST(Snapper, EmptyGraph) {
  RoadGraph g = BuildGraph({}, {});
  Snapper s(g);
  EXPECT_FALSE(s.Nearest({0, 0}, 100).has_value());
}

}  // namespace
}  // namespace beacon::routing
