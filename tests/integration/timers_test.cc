// Status and pending timers against the real binary (docs/dispatch.md,
// "Timers"): raised on the server's own tick, acknowledged (audited),
// raised again at the next threshold, cleared when the condition ends, and
// neither forgotten nor fired twice for one crossing across a SIGKILL.
// Thresholds are one and two seconds (a plans file of the test's own);
// every wait is a bounded poll.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <thread>

#include "integration/scenario.h"

namespace beacon::testing {
namespace {

using ::testing::Contains;

constexpr Place kCentre{48.8566, 2.3522};

class TimersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(BEACON_SOURCE_DIR) + "/config/response_plans.json");
    json plans = json::parse(in);
    // Priority 2 (MEDICAL) waits 1 s for a unit; a dispatched unit 2 s.
    plans["timers"] = json::parse(R"({"pending_s": {"2": 1}, "status_s": {"dispatched": 2}})");
    plans_file_ = fixture_.dir.path() + "/plans.json";
    std::ofstream(plans_file_) << plans.dump();
    fixture_.Start({"--plans", plans_file_});
    api_.emplace(fixture_);
  }
  Api& api() { return *api_; }

  // The timer `id` as GET /timers lists it once `ready` holds (polled every
  // 100 ms for at most 15 s); null when it never does.
  json WaitForTimer(const std::string& id, const std::function<bool(const json&)>& ready) {
    for (int i = 0; i < 150; ++i) {
      const json timers = api().MustGet("/timers", "dispatcher");
      for (const auto& t : timers["timers"]) {
        if (t.value("timer_id", "") == id && ready(t)) return t;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "timer " << id << " never reached the expected state; GET /timers: "
                  << api().MustGet("/timers", "dispatcher").dump();
    return nullptr;
  }
  bool Listed(const std::string& id) {
    const json timers = api().MustGet("/timers", "dispatcher");
    for (const auto& t : timers["timers"]) {
      if (t.value("timer_id", "") == id) return true;
    }
    return false;
  }
  // Every stream event of `type` for timer `id` since the start.
  std::vector<json> TimerEvents(const std::string& type, const std::string& id) {
    StreamClient stream(fixture_.server->port(), fixture_.Token("dispatcher"), 0);
    std::vector<json> out;
    std::int64_t last = api().LastSeq();
    for (const auto& e : ReadThrough(stream, last)) {
      if (e.value("type", "") == type && e["data"]["timer"].value("timer_id", "") == id) {
        out.push_back(e["data"]["timer"]);
      }
    }
    return out;
  }
  std::vector<std::string> AuditActions() {
    std::vector<std::string> out;
    for (const auto& e : api().AuditEntries()) out.push_back(e.value("action", ""));
    return out;
  }

  Fixture fixture_;
  std::string plans_file_;
  std::optional<Api> api_;
};

TEST_F(TimersTest, PendingTimerIsRaisedAcknowledgedRaisedAgainAndClearedByAnAssignment) {
  std::int64_t id = api().PostCall(CallBody("MEDICAL", kCentre)).at("incident_id");
  const std::string timer = "incident:" + std::to_string(id) + ":pending";
  json raised = WaitForTimer(timer, [](const json& t) { return t.value("state", "") == "raised"; });
  ASSERT_FALSE(raised.is_null());
  EXPECT_EQ(raised.value("kind", ""), "pending");
  EXPECT_EQ(raised.value("incident_id", 0), id);
  EXPECT_EQ(raised.value("priority", 0), 2);
  EXPECT_EQ(raised.value("threshold_s", 0.0), 1.0);
  EXPECT_GE(raised.value("crossing", 0), 1);

  const std::string ack = "/timers/" + timer + "/acknowledge";
  EXPECT_EQ(api().Post(ack, json::object(), "call_taker").status, 403);
  auto done = api().MustPost(ack, json::object(), "dispatcher", 200);
  EXPECT_EQ(done["timer"].value("state", ""), "acknowledged");
  EXPECT_EQ(done["timer"].value("acknowledged_by", ""), "dispatcher");
  int acked_crossing = done["timer"].value("crossing", 0);
  EXPECT_THAT(AuditActions(), Contains("timer.acknowledge"));

  // Silenced until the next threshold, then raised again.
  json again = WaitForTimer(timer, [&](const json& t) {
    return t.value("state", "") == "raised" && t.value("crossing", 0) > acked_crossing;
  });
  ASSERT_FALSE(again.is_null());

  // A unit assigned: the incident no longer waits, its timer is cleared.
  api().CreateUnit("M1", "medic", "", Offset(kCentre, 300));
  api().Assign(id, "M1");
  EXPECT_FALSE(Listed(timer)) << "an assignment clears the pending timer";
  EXPECT_EQ(TimerEvents("timer.cleared", timer).size(), 1u);
  EXPECT_GE(TimerEvents("timer.raised", timer).size(), 2u);
  EXPECT_EQ(TimerEvents("timer.acknowledged", timer).size(), 1u);

  // The unit now sits in dispatched: its status timer, cleared by en route.
  const std::string status_timer = "unit:M1:dispatched";
  json unit =
      WaitForTimer(status_timer, [](const json& t) { return t.value("state", "") == "raised"; });
  ASSERT_FALSE(unit.is_null());
  EXPECT_EQ(unit.value("kind", ""), "status");
  EXPECT_EQ(unit.value("unit_id", ""), "M1");
  EXPECT_EQ(unit.value("status", ""), "dispatched");
  EXPECT_EQ(unit.value("incident_id", 0), id);
  api().SetStatus("M1", "en_route");
  EXPECT_FALSE(Listed(status_timer));
}

TEST_F(TimersTest, AcknowledgeRefusals) {
  std::int64_t id = api().PostCall(CallBody("MEDICAL", kCentre)).at("incident_id");
  const std::string timer = "incident:" + std::to_string(id) + ":pending";
  ASSERT_FALSE(WaitForTimer(timer, [](const json& t) {
                 return t.value("state", "") == "raised";
               }).is_null());
  auto unknown =
      api().Post("/timers/incident:999999:pending/acknowledge", json::object(), "dispatcher");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(unknown.Json()["error"].value("code", ""), "not_found");
  EXPECT_EQ(api().Post("/timers/nonsense/acknowledge", json::object(), "dispatcher").status, 404);
  // A threshold not in the plans (priority 1 here) raises nothing to acknowledge.
  std::int64_t p1 =
      api().PostCall(CallBody("CARDIAC_ARREST", Offset(kCentre, 5000))).at("incident_id");
  EXPECT_EQ(api()
                .Post("/timers/incident:" + std::to_string(p1) + ":pending/acknowledge",
                      json::object(), "dispatcher")
                .status,
            404);
  api().MustPost("/timers/" + timer + "/acknowledge", json::object(), "dispatcher", 200);
  auto twice = api().Post("/timers/" + timer + "/acknowledge", json::object(), "dispatcher");
  // Either still acknowledged (409) or already raised again by the next
  // crossing (200); never a 5xx.
  EXPECT_TRUE(twice.status == 409 || twice.status == 200) << twice.body;
}

TEST_F(TimersTest, ADivertRestartsTheFirstIncidentsPendingTimer) {
  api().CreateUnit("E1", "engine", "", Offset(kCentre, 100));
  std::int64_t minor =
      api().PostCall(CallBody("GAS_LEAK", Offset(kCentre, 3000))).at("incident_id");
  api().Assign(minor, "E1");
  api().SetStatus("E1", "en_route");
  std::int64_t arrest = api().PostCall(CallBody("CARDIAC_ARREST", kCentre)).at("incident_id");
  api().MustPost("/incidents/" + std::to_string(arrest) + "/assignments",
                 {{"unit_id", "E1"}, {"divert", true}}, "dispatcher", 201);
  auto left = api().Incident(minor);
  ASSERT_TRUE(left.contains("pending_since")) << left;
  json t = WaitForTimer("incident:" + std::to_string(minor) + ":pending",
                        [](const json& x) { return x.value("state", "") == "raised"; });
  ASSERT_FALSE(t.is_null());
  EXPECT_EQ(t.value("since", ""), left.value("pending_since", ""))
      << "it waits again from the divert";
}

TEST_F(TimersTest, SurviveASigkillAndNeverFireTwiceForOneCrossing) {
  std::int64_t id = api().PostCall(CallBody("MEDICAL", kCentre)).at("incident_id");
  const std::string timer = "incident:" + std::to_string(id) + ":pending";
  ASSERT_FALSE(WaitForTimer(timer, [](const json& t) {
                 return t.value("state", "") == "raised";
               }).is_null());
  auto acked =
      api().MustPost("/timers/" + timer + "/acknowledge", json::object(), "dispatcher", 200);
  int crossing = acked["timer"].value("crossing", 0);

  fixture_.server->Kill(SIGKILL);
  fixture_.server->Start();
  LoginAll(fixture_);
  api_.emplace(fixture_);
  // Still there after the restart, and fired again only at a later crossing.
  json after = WaitForTimer(timer, [&](const json& t) {
    return t.value("state", "") == "raised" && t.value("crossing", 0) > crossing;
  });
  ASSERT_FALSE(after.is_null());
  std::map<int, int> fired;  // crossing -> times raised
  for (const auto& t : TimerEvents("timer.raised", timer)) ++fired[t.value("crossing", 0)];
  for (const auto& [c, n] : fired)
    EXPECT_EQ(n, 1) << "crossing " << c << " fired " << n << " times";
  EXPECT_GE(fired.size(), 2u);
}

}  // namespace
}  // namespace beacon::testing
