// `beacon demo` is what every new user sees first: this runs it (the same
// command `make demo` runs, with the shared San Francisco extract when it is
// there) at a high call rate and a fast pace, and checks over the API what
// the README promises: calls become incidents, simulated dispatchers assign
// units, crews walk them through every status, incidents close, timers are
// raised and acknowledged, and no unit stays dispatched past its timer
// without one being raised. Bounded: every wait has a deadline; nothing is
// timed.
#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "support/harness.h"

namespace beacon::testing {
namespace {

constexpr const char* kOsm = "../shared/data/osm/sf_mission_bayview_2014.osm.pbf";

// Milliseconds since the epoch of the server's "2026-12-04T16:12:21.523Z".
std::optional<std::int64_t> ParseTimeMs(const std::string& text) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

// Seconds a demo unit may stay dispatched in this test (the built-in plans
// say 90; the demo's crews run ten times faster here).
constexpr double kDispatchedS = 4;

TEST(DemoTest, CrewsWalkUnitsThroughEveryStatusAndIncidentsClose) {
  TempDir parent;
  std::string dir = parent.path() + "/demo";
  std::ifstream in(std::string(BEACON_SOURCE_DIR) + "/config/response_plans.json");
  json plans = json::parse(in);
  plans["timers"] = json::parse(
      R"({"pending_s": {"1": 5, "2": 5, "3": 5, "4": 5, "5": 5}, "status_s": {"dispatched": 4}})");
  std::string plans_file = parent.path() + "/plans.json";
  std::ofstream(plans_file) << plans.dump();
  std::vector<std::string> extra = {"--calls-per-min", "240", "--pace",  "0.1",
                                    "--seed",          "7",   "--plans", plans_file};
  if (std::filesystem::exists(kOsm)) {
    extra.push_back("--osm");
    extra.push_back(kOsm);
  }
  BeaconProcess demo(dir, extra);
  demo.StartCommand("demo");
  HttpClient http(demo.port());
  // The README's demo users.
  std::string token = Login(http, "dispatcher", "demo-dispatcher");

  auto units = http.Get("/api/v1/units", token);
  ASSERT_EQ(units.status, 200) << units.body;
  ASSERT_GE(units.Json()["units"].size(), 18u) << "the demo city has 9 stations with 2+ units";

  StreamClient stream(demo.port(), token, 0);
  const std::set<std::string> kStatuses = {"dispatched",   "en_route",    "on_scene",
                                           "transporting", "at_hospital", "available"};
  std::set<std::string> seen_after_dispatch;  // statuses a unit reached after being dispatched
  std::set<std::string> dispatched_units;
  int closed = 0, opened = 0, raised = 0, acknowledged = 0, checks = 0;
  auto next_check = std::chrono::steady_clock::now();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
  while (std::chrono::steady_clock::now() < deadline &&
         (seen_after_dispatch.size() < kStatuses.size() || closed < 3 || raised < 1 ||
          acknowledged < 1 || checks < 5)) {
    auto ev = stream.Next(std::chrono::seconds(20));
    ASSERT_TRUE(ev.has_value()) << "the demo went quiet: no event for 20 s";
    std::string type = (*ev)["type"];
    if (type == "incident.opened") ++opened;
    if (type == "incident.closed") ++closed;
    if (type == "timer.raised") ++raised;
    if (type == "timer.acknowledged") ++acknowledged;
    // Now and then: every unit dispatched for longer than its threshold
    // (plus the one-second tick and some slack) has a timer raised.
    if (std::chrono::steady_clock::now() >= next_check) {
      next_check = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      ++checks;
      const json listed_units = http.Get("/api/v1/units", token).Json();
      const json timers = http.Get("/api/v1/timers", token).Json();
      std::set<std::string> timed;
      for (const auto& t : timers["timers"]) timed.insert(t.value("timer_id", ""));
      const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count();
      for (const auto& u : listed_units["units"]) {
        if (u.value("status", "") != "dispatched") continue;
        auto since = ParseTimeMs(u.value("status_at", ""));
        if (!since || now_ms - *since < (kDispatchedS + 3) * 1000) continue;
        std::string id = "unit:" + u.value("unit_id", "") + ":dispatched";
        EXPECT_TRUE(timed.count(id)) << u.value("unit_id", "") << " dispatched since "
                                     << u.value("status_at", "") << " without a timer";
      }
    }
    if (type == "unit.updated") {
      const auto& u = (*ev)["data"]["unit"];
      std::string id = u["unit_id"], status = u["status"];
      if (status == "dispatched") dispatched_units.insert(id);
      if (dispatched_units.count(id)) seen_after_dispatch.insert(status);
    }
  }
  for (const auto& s : kStatuses) {
    EXPECT_TRUE(seen_after_dispatch.count(s)) << "no demo unit ever reached " << s;
  }
  EXPECT_GT(opened, 0);
  EXPECT_GE(closed, 3) << "the demo's incidents never close";
  EXPECT_GE(raised, 1) << "no timer was ever raised in the demo";
  EXPECT_GE(acknowledged, 1) << "the demo's dispatchers never acknowledged a timer";

  // What the command room shows agrees: closed incidents are listed.
  auto incidents = http.Get("/api/v1/incidents?status=closed", token);
  ASSERT_EQ(incidents.status, 200);
  EXPECT_GE(incidents.Json()["incidents"].size(), 3u);
  demo.Kill(SIGTERM);
}

}  // namespace
}  // namespace beacon::testing
