// Response-time intervals (stats/intervals.h) on hand-made timelines: each
// definition, missing and out-of-order times, thresholds, groups, and the
// timelines built from events.
#include <gtest/gtest.h>

#include "stats/intervals.h"

namespace beacon::stats {
namespace {

using nlohmann::json;

constexpr TimeMs kT0 = 1'700'000'000'000;

std::optional<Stamp> At(double s, std::int64_t ref) {
  return Stamp{kT0 + static_cast<TimeMs>(s * 1000), ref};
}

IncidentTimes Incident(std::int64_t id, std::string category = "fire", int priority = 1) {
  IncidentTimes x;
  x.incident_id = id;
  x.incident_type = category == "medical" ? "MEDICAL" : "FIRE";
  x.category = category;
  x.priority = priority;
  x.station = "S1";
  x.received = At(0, 1);
  return x;
}

TEST(IntervalsTest, EachDefinitionOnOneTimeline) {
  auto x = Incident(7);
  // E1 dispatched at 50 s, en route 120 s, on scene 400 s; E2 dispatched
  // at 70 s, en route 100 s, on scene 300 s: E2 is first on scene.
  x.units.push_back({"E1", At(50, 2), At(120, 4), At(400, 7)});
  x.units.push_back({"E2", At(70, 3), At(100, 5), At(300, 6)});
  auto m = Measure(x);
  ASSERT_TRUE(m.call_processing.s);
  EXPECT_DOUBLE_EQ(*m.call_processing.s, 50);  // first dispatch
  EXPECT_EQ(m.call_processing.from_ref, 1);
  EXPECT_EQ(m.call_processing.to_ref, 2);
  EXPECT_DOUBLE_EQ(*m.turnout.s, 30);  // E2: 70 -> 100
  EXPECT_EQ(m.turnout.unit_id, "E2");
  EXPECT_DOUBLE_EQ(*m.travel.s, 200);  // E2: 100 -> 300
  EXPECT_EQ(m.travel.from_ref, 5);
  EXPECT_EQ(m.travel.to_ref, 6);
  EXPECT_DOUBLE_EQ(*m.total.s, 300);
}

TEST(IntervalsTest, MissingAndOutOfOrderTimesAreExcludedNotClamped) {
  auto no_en_route = Incident(1);
  no_en_route.units.push_back({"E1", At(30, 2), std::nullopt, At(200, 3)});
  auto m = Measure(no_en_route);
  EXPECT_FALSE(m.travel.s);
  EXPECT_EQ(m.travel.excluded, "missing");
  EXPECT_FALSE(m.turnout.s);
  EXPECT_DOUBLE_EQ(*m.total.s, 200);

  auto backwards = Incident(2);
  backwards.units.push_back({"E1", At(30, 2), At(90, 3), At(60, 4)});  // on scene before en route
  m = Measure(backwards);
  EXPECT_EQ(m.travel.excluded, "out_of_order");
  EXPECT_EQ(m.travel.from_ref, 3);
  EXPECT_DOUBLE_EQ(*m.turnout.s, 60);

  auto dispatched_first = Incident(3);
  dispatched_first.received = At(100, 1);
  dispatched_first.units.push_back({"E1", At(40, 2), std::nullopt, std::nullopt});
  m = Measure(dispatched_first);
  EXPECT_EQ(m.call_processing.excluded, "out_of_order");
  EXPECT_EQ(m.total.excluded, "missing");  // nobody arrived

  auto no_units = Incident(4);
  m = Measure(no_units);
  EXPECT_EQ(m.call_processing.excluded, "missing");
  EXPECT_EQ(m.turnout.excluded, "missing");

  auto not_arrived = Incident(5);  // turnout of the first unit en route
  not_arrived.units.push_back({"E1", At(10, 2), At(80, 4), std::nullopt});
  not_arrived.units.push_back({"E2", At(20, 3), At(50, 5), std::nullopt});
  m = Measure(not_arrived);
  EXPECT_EQ(m.turnout.unit_id, "E2");
  EXPECT_DOUBLE_EQ(*m.turnout.s, 30);
}

TEST(IntervalsTest, ReportCountsMediansSharesAndThresholds) {
  std::vector<IncidentTimes> list;
  // Turnout 70 s: within the fire threshold (80), not the EMS one (60).
  for (int i = 0; i < 4; ++i) {
    auto x = Incident(i + 1, i < 2 ? "fire" : "medical", i < 2 ? 1 : 2);
    x.units.push_back({"U", At(60 + i * 10, 2), At(130 + i * 10, 3), At(330 + i * 10, 4)});
    list.push_back(x);
  }
  auto broken = Incident(9);
  broken.units.push_back({"U", At(10, 2), At(5, 3), std::nullopt});
  list.push_back(broken);
  json r = Report(list, GroupBy::kPriority, /*explain=*/true);
  EXPECT_EQ(r["incidents"], 5);
  const auto& cp = r["intervals"]["call_processing"];
  EXPECT_EQ(cp["count"], 5);  // 60, 70, 80, 90 and 10
  EXPECT_DOUBLE_EQ(cp["median_s"].get<double>(), 70);
  EXPECT_DOUBLE_EQ(cp["share_within_threshold"].get<double>(), 0.4);  // 60 and 10 <= 64
  const auto& turnout = r["intervals"]["turnout"];
  EXPECT_EQ(turnout["count"], 4);
  EXPECT_EQ(turnout["excluded"]["out_of_order"], 1);
  EXPECT_DOUBLE_EQ(turnout["share_within_threshold"].get<double>(), 0.5);  // fire ones only
  EXPECT_EQ(turnout["threshold_s"]["ems"], 60);
  const auto& travel = r["intervals"]["travel"];
  EXPECT_EQ(travel["count"], 4);
  EXPECT_EQ(travel["excluded"]["missing"], 1);
  EXPECT_DOUBLE_EQ(travel["p90_s"].get<double>(), 200);
  EXPECT_DOUBLE_EQ(travel["share_within_threshold"].get<double>(), 1.0);
  ASSERT_EQ(travel["values"].size(), 4u);
  EXPECT_EQ(travel["values"][0]["from_ref"], 3);
  EXPECT_EQ(travel["excluded_incidents"][0]["incident_id"], 9);
  // Total: 330 340 (fire, <= 384), 350 360 (EMS, <= 364).
  EXPECT_DOUBLE_EQ(r["intervals"]["total"]["share_within_threshold"].get<double>(), 1.0);
  ASSERT_EQ(r["groups"].size(), 2u);
  EXPECT_EQ(r["groups"][0]["key"], "1");
  EXPECT_EQ(r["groups"][0]["incidents"], 3);
  EXPECT_EQ(r["groups"][1]["intervals"]["turnout"]["share_within_threshold"], 0.0);
  json plain = Report(list, GroupBy::kNone, false);
  EXPECT_FALSE(plain.contains("groups"));
  EXPECT_FALSE(plain["intervals"]["travel"].contains("values"));
}

TEST(IntervalsTest, GroupByAndNearestStation) {
  EXPECT_EQ(ParseGroupBy("type"), GroupBy::kType);
  EXPECT_FALSE(ParseGroupBy("hour"));
  std::vector<model::Station> st = {{StationId{"S1"}, "One", {37.75, -122.42}},
                                    {StationId{"S2"}, "Two", {37.76, -122.40}}};
  EXPECT_EQ(NearestStation(LatLon{37.759, -122.401}, st), "S2");
  EXPECT_EQ(NearestStation(std::nullopt, st), "none");
  EXPECT_EQ(NearestStation(LatLon{37.75, -122.42}, {}), "none");
}

TEST(IntervalsTest, TimelinesFromEvents) {
  TimelineBuilder b;
  std::vector<json> keep;
  auto add = [&](std::int64_t seq, double s, const std::string& type, json data) {
    keep.push_back(std::move(data));
    b.Add({seq, kT0 + static_cast<TimeMs>(s * 1000), type, &keep.back()});
  };
  keep.reserve(32);
  auto iso = [](double s) { return FormatRfc3339(kT0 + static_cast<TimeMs>(s * 1000)); };
  add(1, 5, "call.created", {{"call", {{"incident_id", 3}, {"received_at", iso(0)}}}});
  add(2, 5, "incident.opened",
      {{"incident",
        {{"incident_id", 3},
         {"incident_type", "MEDICAL"},
         {"priority", 2},
         {"status", "open"},
         {"location", {{"lat", 37.75}, {"lon", -122.42}}}}}});
  add(3, 40, "unit.updated",
      {{"unit", {{"unit_id", "M1"}, {"status", "dispatched"}, {"incident_id", 3}}}});
  add(4, 45, "unit.updated",  // a position report: no status change
      {{"unit", {{"unit_id", "M1"}, {"status", "dispatched"}, {"incident_id", 3}}}});
  add(5, 90, "unit.updated",
      {{"unit", {{"unit_id", "M1"}, {"status", "en_route"}, {"incident_id", 3}}}});
  add(6, 300, "unit.updated",
      {{"unit", {{"unit_id", "M1"}, {"status", "on_scene"}, {"incident_id", 3}}}});
  add(7, 600, "unit.updated", {{"unit", {{"unit_id", "M1"}, {"status", "available"}}}});
  // A second call of the same incident received earlier (a late entry).
  add(8, 700, "call.created", {{"call", {{"incident_id", 3}, {"received_at", iso(-10)}}}});
  // A merged incident is left out.
  add(9, 800, "call.created", {{"call", {{"incident_id", 4}, {"received_at", iso(700)}}}});
  add(10, 900, "incident.merged", {{"incident", {{"incident_id", 4}, {"status", "merged"}}}});
  std::vector<model::Station> st = {{StationId{"S9"}, "Nine", {37.75, -122.42}}};
  auto list = b.Incidents(std::nullopt, std::nullopt, {{"MEDICAL", "medical"}}, st);
  ASSERT_EQ(list.size(), 1u);
  const auto& x = list[0];
  EXPECT_EQ(x.incident_id, 3);
  EXPECT_EQ(x.priority, 2);
  EXPECT_EQ(x.category, "medical");
  EXPECT_EQ(x.station, "S9");
  EXPECT_EQ(x.received->ref, 8);
  ASSERT_EQ(x.units.size(), 1u);
  EXPECT_EQ(x.units[0].dispatched->ref, 3);
  EXPECT_EQ(x.units[0].en_route->ref, 5);
  EXPECT_EQ(x.units[0].on_scene->ref, 6);
  auto m = Measure(x);
  EXPECT_DOUBLE_EQ(*m.call_processing.s, 50);
  EXPECT_DOUBLE_EQ(*m.travel.s, 210);
  // The period is by the first call received.
  EXPECT_TRUE(b.Incidents(kT0, std::nullopt, {}, st).empty());
  EXPECT_EQ(b.Incidents(kT0 - 20'000, kT0, {}, st).size(), 1u);
}

}  // namespace
}  // namespace beacon::stats
