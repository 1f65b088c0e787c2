#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "dispatch/recommender.h"
#include "dispatch/response_plan.h"
#include "dispatch/travel_times.h"

namespace beacon::dispatch {
namespace {

constexpr const char* kPlans = R"({
  "version": 1,
  "unit_types": {"engine": "E", "truck": "T", "medic": "ALS", "bls": "BLS"},
  "substitutes": {"bls": ["medic"]},
  "compatible_categories": {"fire": ["alarm"]},
  "types": [
    {"code": "FIRE", "name": "Fire", "category": "fire", "priority": 1,
     "units": {"engine": 2, "truck": 1}},
    {"code": "SICK", "name": "Sick", "category": "medical", "priority": 4, "units": {"bls": 1}}
  ]
})";

// Travel time = metres north of the target / 10 m/s: easy to reason about.
class LineTravelTimes final : public TravelTimes {
 public:
  std::vector<std::optional<TravelEstimate>> ToTarget(std::span<const LatLon> sources,
                                                      LatLon target) const override {
    std::vector<std::optional<TravelEstimate>> out;
    for (const auto& s : sources) {
      if (s.lat < 0) {
        out.push_back(std::nullopt);  // "unreachable"
        continue;
      }
      double d = std::abs(s.lat - target.lat) * 1000;
      out.push_back(TravelEstimate{d / 10, d});
    }
    return out;
  }
};

model::Unit MakeUnit(const std::string& id, const std::string& type, double lat,
                     model::UnitStatus status = model::UnitStatus::kAvailable) {
  model::Unit u;
  u.id = UnitId{id};
  u.unit_type = type;
  u.position = LatLon{lat, 0};
  u.status = status;
  return u;
}

class RecommenderTest : public ::testing::Test {
 protected:
  ResponsePlans plans_ = *ResponsePlans::Parse(kPlans);
  LineTravelTimes tt_;
  Recommendation Run(const std::string& code, const std::vector<model::Unit>& units,
                     std::vector<std::string> assigned = {}) {
    return Recommend(*plans_.Find(code), plans_, {0, 0}, units, {}, assigned, tt_);
  }
};

TEST_F(RecommenderTest, PicksNearestOfEachTypeRankedByEta) {
  auto r = Run("FIRE", {MakeUnit("E1", "engine", 3), MakeUnit("E2", "engine", 1),
                        MakeUnit("E3", "engine", 2), MakeUnit("T1", "truck", 0.5)});
  ASSERT_EQ(r.units.size(), 3u);
  EXPECT_EQ(r.units[0].unit_id.value(), "T1");
  EXPECT_EQ(r.units[1].unit_id.value(), "E2");
  EXPECT_EQ(r.units[2].unit_id.value(), "E3");
  EXPECT_DOUBLE_EQ(r.units[1].eta_s, 100);
  EXPECT_TRUE(r.unmet.empty());
}

TEST_F(RecommenderTest, ReportsUnmetTypes) {
  auto r = Run("FIRE", {MakeUnit("E1", "engine", 1)});
  ASSERT_EQ(r.unmet.size(), 2u);
  EXPECT_EQ(r.unmet[0].unit_type, "engine");
  EXPECT_EQ(r.unmet[0].missing, 1);
  EXPECT_EQ(r.unmet[1].unit_type, "truck");
}

TEST_F(RecommenderTest, SkipsBusyAndUnreachableUnits) {
  auto r = Run("FIRE", {MakeUnit("E1", "engine", 1, model::UnitStatus::kEnRoute),
                        MakeUnit("E2", "engine", -1), MakeUnit("E3", "engine", 5),
                        MakeUnit("E4", "engine", 6), MakeUnit("T1", "truck", 1)});
  ASSERT_EQ(r.units.size(), 3u);
  EXPECT_EQ(r.units[1].unit_id.value(), "E3");
  EXPECT_EQ(r.units[2].unit_id.value(), "E4");
}

TEST_F(RecommenderTest, AssignedUnitsCountAgainstThePlan) {
  auto r =
      Run("FIRE", {MakeUnit("E3", "engine", 5), MakeUnit("T1", "truck", 1)}, {"engine", "truck"});
  ASSERT_EQ(r.units.size(), 1u);
  EXPECT_EQ(r.units[0].unit_id.value(), "E3");
  EXPECT_TRUE(r.unmet.empty());
}

TEST_F(RecommenderTest, SubstituteFillsWhenNoExactType) {
  auto r = Run("SICK", {MakeUnit("M1", "medic", 1)});
  ASSERT_EQ(r.units.size(), 1u);
  EXPECT_EQ(r.units[0].fills, "bls");
  auto exact = Run("SICK", {MakeUnit("M1", "medic", 1), MakeUnit("A1", "bls", 9)});
  EXPECT_EQ(exact.units[0].unit_id.value(), "A1");  // exact type first, even if slower
}

TEST_F(RecommenderTest, StationLocationWhenNoPosition) {
  model::Unit u = MakeUnit("E1", "engine", 0);
  u.position.reset();
  u.station_id = StationId{"S1"};
  std::vector<model::Station> stations = {{StationId{"S1"}, "One", {2, 0}}};
  auto where = UnitLocation(u, stations);
  ASSERT_TRUE(where.has_value());
  EXPECT_DOUBLE_EQ(where->lat, 2);
  u.station_id.reset();
  EXPECT_FALSE(UnitLocation(u, stations).has_value());
}

TEST(ResponsePlansTest, ShippedFileLoads) {
  auto p = ResponsePlans::Load(std::string(BEACON_SOURCE_DIR) + "/config/response_plans.json");
  ASSERT_TRUE(p.has_value()) << p.error().message();
  EXPECT_NE(p->Find("STRUCTURE_FIRE"), nullptr);
  EXPECT_TRUE(p->Compatible("alarm", "fire"));
  EXPECT_FALSE(p->Compatible("police", "fire"));
  for (const auto& t : p->types()) {
    EXPECT_GE(t.priority, 1);
    EXPECT_LE(t.priority, 5);
    EXPECT_FALSE(t.units.empty()) << t.code;
  }
}

TEST(ResponsePlansTest, ErrorsNameTheProblem) {
  auto unknown_unit = ResponsePlans::Parse(
      R"({"version":1,"unit_types":{"engine":"E"},"types":[{"code":"X","name":"X",
      "category":"c","priority":1,"units":{"boat":1}}]})");
  ASSERT_FALSE(unknown_unit.has_value());
  EXPECT_NE(unknown_unit.error().message().find("boat"), std::string::npos);
  auto bad_priority = ResponsePlans::Parse(
      R"({"version":1,"unit_types":{"engine":"E"},"types":[{"code":"X","name":"X",
      "category":"c","priority":9,"units":{"engine":1}}]})");
  ASSERT_FALSE(bad_priority.has_value());
  EXPECT_FALSE(ResponsePlans::Parse("not json").has_value());
  EXPECT_FALSE(ResponsePlans::Parse(R"({"version":2})").has_value());
}

TEST(ResponsePlansTest, DuplicateModeAndTimers) {
  const std::string head =
      R"({"version":1,"unit_types":{"engine":"E"},"types":[{"code":"X","name":"X",
      "category":"c","priority":1,"units":{"engine":1}}])";
  auto plans = ResponsePlans::Parse(head + "}");
  ASSERT_TRUE(plans);
  EXPECT_EQ(plans->duplicate_mode(), DuplicateMode::kSuggest) << "suggest is the default";
  EXPECT_TRUE(plans->timers().pending_s.empty());
  auto link = ResponsePlans::Parse(
      head + R"(,"duplicate":{"mode":"link"},"timers":{"pending_s":{"1":60,"5":1800},
      "status_s":{"dispatched":90}}})");
  ASSERT_TRUE(link) << link.error().message();
  EXPECT_EQ(link->duplicate_mode(), DuplicateMode::kLink);
  EXPECT_EQ(link->timers().pending_s.at(1), 60);
  EXPECT_EQ(link->timers().status_s.at("dispatched"), 90);
  for (const auto& [extra, field] : std::vector<std::pair<std::string, std::string>>{
           {R"(,"duplicate":{"mode":"merge"}})", "duplicate.mode"},
           {R"(,"timers":{"pending_s":{"6":60}}})", "timers.pending_s.6"},
           {R"(,"timers":{"pending_s":{"1":-1}}})", "timers.pending_s.1"},
           {R"(,"timers":{"status_s":{"sleeping":60}}})", "timers.status_s.sleeping"},
           {R"(,"timers":{"idle_s":{}}})", "timers.idle_s"}}) {
    auto bad = ResponsePlans::Parse(head + extra);
    ASSERT_FALSE(bad) << extra;
    EXPECT_EQ(bad.error().field(), field) << extra << ": " << bad.error().message();
  }
  // The shipped plans carry the timers of the contract.
  auto shipped =
      ResponsePlans::Load(std::string(BEACON_SOURCE_DIR) + "/config/response_plans.json");
  ASSERT_TRUE(shipped);
  EXPECT_EQ(shipped->timers().pending_s.at(2), 90);
  EXPECT_EQ(shipped->timers().status_s.at("en_route"), 600);
}

TEST(StraightLine, UsesDetourAndSpeed) {
  StraightLineTravelTimes tt(10, 1.5);
  std::vector<LatLon> from = {{1, 0}};
  auto r = tt.ToTarget(from, {0, 0});
  ASSERT_TRUE(r[0].has_value());
  EXPECT_NEAR(r[0]->distance_m, 111195 * 1.5, 100);
  EXPECT_NEAR(r[0]->eta_s, r[0]->distance_m / 10, 1e-9);
}

}  // namespace
}  // namespace beacon::dispatch
