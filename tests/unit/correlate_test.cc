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

TEST(Duplicates, CandidatesAreEveryMatchNearestFirstUpToTheLimit) {
  std::vector<OpenIncident> open = {{IncidentId{1}, North(kHere, 200), "medical", 0},
                                    {IncidentId{2}, North(kHere, 50), "medical", 0},
                                    {IncidentId{3}, North(kHere, 250), "medical", 0},
                                    {IncidentId{4}, North(kHere, 100), "fire", 0},
                                    {IncidentId{5}, North(kHere, 900), "medical", 0}};
  auto all =
      FindCandidates(NewCall{kHere, "medical", 0}, open, DuplicateRule{300, 1200}, SameOrAlarm, 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].incident_id, IncidentId{2});
  EXPECT_EQ(all[1].incident_id, IncidentId{1});
  EXPECT_EQ(all[2].incident_id, IncidentId{3});
  EXPECT_NE(all[1].reason.find("200 m"), std::string::npos);
  auto two =
      FindCandidates(NewCall{kHere, "medical", 0}, open, DuplicateRule{300, 1200}, SameOrAlarm, 2);
  ASSERT_EQ(two.size(), 2u);
  // The first candidate is the incident the link mode links.
  EXPECT_EQ(two[0].incident_id, Find({kHere, "medical", 0}, open)->incident_id);
}

}  // namespace
}  // namespace beacon::correlate

#include <algorithm>
#include <random>

#include "correlate/incident_index.h"

namespace beacon::correlate {
namespace {

// The index never misses an incident within the radius, at any latitude.
TEST(IncidentIndex, NeverMissesAnIncidentWithinTheRadius) {
  std::mt19937 rng(7);
  for (double base_lat : {0.0, 37.75, -60.0, 78.0}) {
    IncidentIndex index(300);
    std::uniform_real_distribution<double> dlat(-0.02, 0.02), dlon(-0.05, 0.05);
    std::vector<LatLon> where;
    for (int i = 0; i < 2000; ++i) {
      where.push_back({base_lat + dlat(rng), 10 + dlon(rng)});
      index.Insert(IncidentId{i}, where.back());
    }
    for (int q = 0; q < 300; ++q) {
      LatLon p{base_lat + dlat(rng), 10 + dlon(rng)};
      auto near = index.Near(p, 300);
      for (int i = 0; i < 2000; ++i) {
        if (HaversineM(p, where[i]) <= 300) {
          EXPECT_NE(std::find(near.begin(), near.end(), IncidentId{i}), near.end())
              << "lat " << base_lat << " incident " << i;
        }
      }
    }
  }
}

TEST(IncidentIndex, EraseRemovesOnlyThatIncident) {
  IncidentIndex index(300);
  index.Insert(IncidentId{1}, kHere);
  index.Insert(IncidentId{2}, kHere);
  index.Erase(IncidentId{1}, kHere);
  index.Erase(IncidentId{9}, kHere);  // unknown: no effect
  EXPECT_EQ(index.size(), 1u);
  EXPECT_EQ(index.Near(kHere, 100), std::vector<IncidentId>{IncidentId{2}});
}

}  // namespace
}  // namespace beacon::correlate
