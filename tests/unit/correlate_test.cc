#include <gtest/gtest.h>

#include "correlate/duplicate_detector.h"

namespace beacon::correlate {
namespace {

constexpr TimeMs kMin = 60 * 1000;
const LatLon kHere{37.7500, -122.4100};

LatLon North(LatLon p, double m) { return {p.lat + m / 111195.0, p.lon}; }

auto SameOrAlarm = [](const std::string& a, const std::string& b) {
  return a == b || (a == "fire" && b == "alarm") || (a == "alarm" && b == "fire");
};

std::optional<Match> Find(NewCall call, std::vector<OpenIncident> open) {
  return FindDuplicate(call, open, DuplicateRule{300, 1200}, SameOrAlarm);
}

TEST(Duplicates, LinksNearbyRecentCompatible) {
  auto m =
      Find({North(kHere, 120), "fire", 10 * kMin}, {{IncidentId{1}, kHere, "alarm", 5 * kMin}});
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->incident_id, IncidentId{1});
  EXPECT_NEAR(m->distance_m, 120, 1);
  EXPECT_NE(m->reason.find("120 m"), std::string::npos);
  EXPECT_NE(m->reason.find("compatible"), std::string::npos);
}

TEST(Duplicates, RespectsDistanceTimeAndCategory) {
  EXPECT_FALSE(Find({North(kHere, 301), "fire", 0}, {{IncidentId{1}, kHere, "fire", 0}}));
  EXPECT_FALSE(Find({kHere, "fire", 21 * kMin}, {{IncidentId{1}, kHere, "fire", 0}}));
  EXPECT_FALSE(Find({kHere, "medical", 0}, {{IncidentId{1}, kHere, "fire", 0}}));
  EXPECT_TRUE(Find({North(kHere, 299), "fire", 20 * kMin}, {{IncidentId{1}, kHere, "fire", 0}}));
}

TEST(Duplicates, PrefersTheNearestIncident) {
  auto m = Find({kHere, "medical", 0}, {{IncidentId{1}, North(kHere, 200), "medical", 0},
                                        {IncidentId{2}, North(kHere, 50), "medical", 0},
                                        {IncidentId{3}, North(kHere, 250), "medical", 0}});
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->incident_id, IncidentId{2});
}

TEST(Duplicates, NothingOpenNothingLinked) { EXPECT_FALSE(Find({kHere, "fire", 0}, {})); }

}  // namespace
}  // namespace beacon::correlate
