#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "dispatch/recommender.h"
#include "dispatch/response_plan.h"
#include "dispatch/timers.h"
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

namespace beacon::dispatch {
namespace {

TimerSubject Pending(std::int64_t incident) { return {"pending", incident, {}, {}, 2}; }

TEST(TimerBoard, FiresOnceAndStaysRaisedUntilAcknowledged) {
  TimerBoard b;
  b.Watch("incident:1:pending", Pending(1), /*since=*/0, /*threshold_s=*/60);
  EXPECT_TRUE(b.Due(59'999).empty());
  auto first = b.Due(60'000);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].crossing, 1);
  EXPECT_EQ(first[0].state, TimerState::kRaised);
  EXPECT_TRUE(b.Due(60'500).empty()) << "one crossing fires once";
  EXPECT_TRUE(b.Due(10 * 60'000).empty()) << "a raised timer does not fire again";
  // Acknowledged after five more thresholds passed unseen: silent until the
  // next one, then one fire at that crossing.
  ASSERT_TRUE(b.Acknowledge("incident:1:pending", "ann", 6 * 60'000 + 10).has_value());
  EXPECT_TRUE(b.Due(6 * 60'000 + 20).empty());
  auto late = b.Due(7 * 60'000);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].crossing, 7);
}

TEST(TimerBoard, OnlyTheLatestCrossingFiresAfterAPause) {
  TimerBoard b;
  b.Watch("t", Pending(1), 0, 60);
  auto fired = b.Due(5 * 60'000 + 1);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].crossing, 5);
}

TEST(TimerBoard, AcknowledgeSilencesUntilTheNextCrossing) {
  TimerBoard b;
  b.Watch("t", Pending(1), 0, 10);
  EXPECT_FALSE(b.Acknowledge("t", "ann", 1).has_value()) << "not raised yet";
  ASSERT_EQ(b.Due(10'000).size(), 1u);
  auto ack = b.Acknowledge("t", "ann", 10'500);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->state, TimerState::kAcknowledged);
  EXPECT_EQ(b.Acknowledge("t", "bob", 10'600).error().code(), Code::kConflict);
  EXPECT_EQ(b.Acknowledge("nope", "bob", 10'600).error().code(), Code::kNotFound);
  EXPECT_TRUE(b.Due(19'999).empty());
  auto next = b.Due(20'000);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].state, TimerState::kRaised);
  EXPECT_FALSE(next[0].acknowledged_by.has_value());
  ASSERT_EQ(b.Fired().size(), 1u);
}

TEST(TimerBoard, UnwatchAndRewatchReportFiredTimersOnly) {
  TimerBoard b;
  b.Watch("t", Pending(1), 0, 10);
  EXPECT_FALSE(b.Unwatch("t").has_value()) << "never fired: nothing to clear";
  b.Watch("t", Pending(1), 0, 10);
  b.Due(10'000);
  // The same watch again changes nothing; a new start ends the old timer.
  EXPECT_FALSE(b.Watch("t", Pending(1), 0, 10).has_value());
  EXPECT_EQ(b.Fired().size(), 1u);
  auto ended = b.Watch("t", Pending(1), 15'000, 10);
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->crossing, 1);
  EXPECT_TRUE(b.Fired().empty());
  EXPECT_TRUE(b.Due(24'999).empty());
  EXPECT_EQ(b.Due(25'000).size(), 1u);
  EXPECT_TRUE(b.Unwatch("t").has_value());
  EXPECT_EQ(b.watch_count(), 0u);
}

TEST(TimerBoard, RestoreKeepsFiredCrossingsAcrossARestart) {
  TimerBoard before;
  before.Watch("t", Pending(7), 0, 10);
  before.Due(10'000);
  auto acked = before.Acknowledge("t", "ann", 11'000);
  // The stored record goes through JSON, as in the store.
  Timer stored = TimerFromJson(ToJson(*acked));
  EXPECT_EQ(stored.subject.incident_id, 7);
  EXPECT_EQ(stored.state, TimerState::kAcknowledged);

  TimerBoard after;
  after.Watch("t", Pending(7), 0, 10);
  ASSERT_TRUE(after.Restore(stored));
  EXPECT_TRUE(after.Due(15'000).empty()) << "crossing 1 already fired before the restart";
  EXPECT_EQ(after.Due(20'000).size(), 1u);
  // A record whose watch ended (or whose threshold changed) is stale.
  TimerBoard other;
  other.Watch("t", Pending(7), 0, 30);
  EXPECT_FALSE(other.Restore(stored));
  EXPECT_FALSE(TimerBoard().Restore(stored));
}

}  // namespace
}  // namespace beacon::dispatch
