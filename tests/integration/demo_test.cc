// `beacon demo` is what every new user sees first: this runs it (the same
// command `make demo` runs, with the shared San Francisco extract when it is
// there) at a high call rate and a fast pace, and checks over the API what
// the README promises: calls become incidents, simulated dispatchers assign
// units, crews walk them through every status, incidents close. Bounded:
// every wait has a deadline; nothing is timed.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "support/harness.h"

namespace beacon::testing {
namespace {

constexpr const char* kOsm = "../shared/data/osm/sf_mission_bayview_2014.osm.pbf";

TEST(DemoTest, CrewsWalkUnitsThroughEveryStatusAndIncidentsClose) {
  TempDir parent;
  std::string dir = parent.path() + "/demo";
  std::vector<std::string> extra = {"--calls-per-min", "240", "--pace", "0.1", "--seed", "7"};
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
  int closed = 0, opened = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
  while (std::chrono::steady_clock::now() < deadline &&
         (seen_after_dispatch.size() < kStatuses.size() || closed < 3)) {
    auto ev = stream.Next(std::chrono::seconds(20));
    ASSERT_TRUE(ev.has_value()) << "the demo went quiet: no event for 20 s";
    std::string type = (*ev)["type"];
    if (type == "incident.opened") ++opened;
    if (type == "incident.closed") ++closed;
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

  // What the command room shows agrees: closed incidents are listed.
  auto incidents = http.Get("/api/v1/incidents?status=closed", token);
  ASSERT_EQ(incidents.status, 200);
  EXPECT_GE(incidents.Json()["incidents"].size(), 3u);
  demo.Kill(SIGTERM);
}

}  // namespace
}  // namespace beacon::testing
