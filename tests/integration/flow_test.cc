// End-to-end flow against the real beacon binary: resources, calls,
// duplicate linking, recommendations, assignments and the unit status
// machine, merge/split/close, caller personal data and its audit trail, and
// durability across a restart. Each test gets its own server and data dir.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "integration/scenario.h"

namespace beacon::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr Place kCentre{52.3700, 4.9000};

std::vector<std::int64_t> Ids(const json& array) {
  std::vector<std::int64_t> out;
  for (const auto& v : array) out.push_back(v.get<std::int64_t>());
  return out;
}

std::vector<std::string> Strings(const json& array) {
  std::vector<std::string> out;
  for (const auto& v : array) out.push_back(v.get<std::string>());
  return out;
}

// Timeline entries of `incident` of the given kind.
std::vector<json> TimelineOf(const json& incident, const std::string& kind) {
  std::vector<json> out;
  for (const auto& t : incident.at("timeline")) {
    if (t.value("kind", "") == kind) out.push_back(t);
  }
  return out;
}

// The incident's assignment of `unit` (null when there is none).
json AssignmentOf(const json& incident, const std::string& unit) {
  for (const auto& a : incident.at("assignments")) {
    if (a.value("unit_id", "") == unit) return a;
  }
  return nullptr;
}

std::int64_t IdOf(const json& j, const char* key) { return j.at(key).get<std::int64_t>(); }

std::string Path(const std::string& prefix, std::int64_t id, const std::string& suffix = "") {
  return prefix + std::to_string(id) + suffix;
}

class FlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_.Start();
    api_.emplace(fixture_);
  }

  Api& api() { return *api_; }

  // Posts a call of `type` at `where` and returns its incident id.
  std::int64_t NewIncident(const std::string& type, Place where) {
    return IdOf(api().PostCall(CallBody(type, where)), "incident_id");
  }

  Fixture fixture_;
  std::optional<Api> api_;
};

// The same server with "duplicate": {"mode": "link"} in its response plans:
// the behaviour before suggestions, kept available.
class LinkModeFlowTest : public FlowTest {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(BEACON_SOURCE_DIR) + "/config/response_plans.json");
    std::stringstream text;
    text << in.rdbuf();
    json plans = json::parse(text.str());
    plans["duplicate"]["mode"] = "link";
    plans_path_ = plans_dir_.path() + "/plans.json";
    std::ofstream(plans_path_) << plans.dump();
    fixture_.Start({"--plans", plans_path_});
    api_.emplace(fixture_);
  }
  TempDir plans_dir_;
  std::string plans_path_;
};

TEST_F(FlowTest, CallToCloseLifecycle) {
  auto station = api().CreateStation("ST1", kCentre);
  EXPECT_EQ(station.value("station_id", ""), "ST1");
  api().CreateUnit("E1", "engine", "ST1");
  auto medic = api().CreateUnit("M1", "medic", "", Offset(kCentre, 500));
  EXPECT_EQ(medic.value("status", ""), "available");

  auto call =
      api().PostCall(CallBody("MEDICAL", Offset(kCentre, 100),
                              {{"address", "1 Dam Square"}, {"narrative", "man collapsed"}}));
  ASSERT_TRUE(call.contains("call_id")) << call;
  ASSERT_TRUE(call.contains("incident_id")) << call;
  EXPECT_FALSE(call.contains("duplicate_of")) << call;
  std::int64_t call_id = IdOf(call, "call_id");
  std::int64_t id = IdOf(call, "incident_id");

  auto inc = api().Incident(id);
  EXPECT_EQ(IdOf(inc, "incident_id"), id);
  EXPECT_EQ(inc.value("status", ""), "open");
  EXPECT_EQ(inc.value("incident_type", ""), "MEDICAL");
  EXPECT_EQ(inc.value("priority", 0), 2);
  EXPECT_THAT(Ids(inc["call_ids"]), ElementsAre(call_id));
  EXPECT_EQ(inc["assigned_units"], json::array());
  EXPECT_FALSE(inc["timeline"].empty()) << inc;
  ASSERT_EQ(inc["calls"].size(), 1u);
  EXPECT_EQ(inc["calls"][0].value("narrative", ""), "man collapsed");
  EXPECT_THAT(api().ListedIncidents("open"), ElementsAre(id));

  // Dispatch the medic and walk it through the status machine.
  auto assigned = api().Assign(id, "M1");
  EXPECT_EQ(assigned.value("status", ""), "dispatched");
  EXPECT_EQ(api().Unit("M1").value("status", ""), "dispatched");
  EXPECT_EQ(api().Unit("M1").value("incident_id", 0), id);
  EXPECT_THAT(Strings(api().Incident(id)["assigned_units"]), ElementsAre("M1"));
  EXPECT_EQ(api().SetStatus("M1", "en_route").value("status", ""), "en_route");
  EXPECT_EQ(api().SetStatus("M1", "on_scene").value("status", ""), "on_scene");
  inc = api().Incident(id);
  EXPECT_THAT(Strings(inc["assigned_units"]), ElementsAre("M1"));

  auto cleared = api().SetStatus("M1", "available");
  EXPECT_EQ(cleared.value("status", ""), "available");
  EXPECT_FALSE(cleared.contains("incident_id")) << cleared;
  inc = api().Incident(id);
  EXPECT_EQ(inc["assigned_units"], json::array());
  auto assignment = AssignmentOf(inc, "M1");
  ASSERT_TRUE(assignment.is_object()) << inc["assignments"];
  EXPECT_TRUE(assignment.contains("released_at")) << assignment;

  // Closing needs a disposition and releases the units still committed.
  api().Assign(id, "E1");
  api().SetStatus("E1", "en_route");
  api().MustPost(Path("/incidents/", id, "/close"), {{"disposition", ""}}, "supervisor", 422);
  api().MustPost(Path("/incidents/", id, "/close"), json::object(), "supervisor", 400);
  EXPECT_EQ(api().Incident(id).value("status", ""), "open");
  auto closed = api().MustPost(Path("/incidents/", id, "/close"),
                               {{"disposition", "patient transported"}}, "supervisor", 200);
  EXPECT_EQ(closed.value("status", ""), "closed");
  EXPECT_EQ(closed.value("disposition", ""), "patient transported");
  EXPECT_TRUE(closed.contains("closed_at")) << closed;
  EXPECT_EQ(closed["assigned_units"], json::array());
  EXPECT_TRUE(AssignmentOf(closed, "E1").contains("released_at")) << closed["assignments"];
  auto engine = api().Unit("E1");
  EXPECT_EQ(engine.value("status", ""), "available");
  EXPECT_FALSE(engine.contains("incident_id")) << engine;
  EXPECT_EQ(api().Incident(id).value("status", ""), "closed");

  EXPECT_THAT(api().ListedIncidents("closed"), ElementsAre(id));
  EXPECT_THAT(api().ListedIncidents("open"), Not(::testing::Contains(id)));
  EXPECT_THAT(api().ListedIncidents(""), Not(::testing::Contains(id)));
  EXPECT_THAT(api().ListedIncidents("all"), ElementsAre(id));
  // A closed incident is over: no assignments, no second close.
  api().Assign(id, "E1", 409);
  api().MustPost(Path("/incidents/", id, "/close"), {{"disposition", "again"}}, "supervisor", 409);
}

TEST_F(FlowTest, RecommendationsRankByEtaAndReportUnmetTypes) {
  // STRUCTURE_FIRE wants engine x3, truck, chief, medic; no chief exists and
  // only two engines are available.
  api().CreateStation("ST1", Offset(kCentre, 1000));
  api().CreateUnit("E-NEAR", "engine", "", Offset(kCentre, 200));
  api().CreateUnit("E-STATION", "engine", "ST1");
  api().CreateUnit("E-OFF", "engine", "", Offset(kCentre, 50));
  api().SetStatus("E-OFF", "out_of_service");
  api().CreateUnit("T1", "truck", "", Offset(kCentre, 0, 1500));
  api().CreateUnit("M1", "medic", "", Offset(kCentre, -800));
  api().CreateUnit("P1", "patrol", "", Offset(kCentre, 10));
  std::int64_t id = NewIncident("STRUCTURE_FIRE", kCentre);

  auto rec = api().MustGet(Path("/incidents/", id, "/recommendations"), "dispatcher");
  EXPECT_EQ(IdOf(rec, "incident_id"), id);
  EXPECT_EQ(rec.value("incident_type", ""), "STRUCTURE_FIRE");
  std::vector<std::string> units;
  double last_eta = -1;
  for (const auto& u : rec["units"]) {
    units.push_back(u.value("unit_id", ""));
    EXPECT_EQ(u.value("fills", ""), u.value("unit_type", "")) << u;
    double eta = u.value("eta_s", -1.0);
    EXPECT_GE(eta, last_eta) << "units must be in ascending eta_s: " << rec["units"];
    last_eta = eta;
  }
  EXPECT_THAT(units, ElementsAre("E-NEAR", "M1", "E-STATION", "T1"));
  EXPECT_THAT(rec["unmet"].get<std::vector<json>>(),
              UnorderedElementsAre(json{{"unit_type", "chief"}, {"missing", 1}},
                                   json{{"unit_type", "engine"}, {"missing", 1}}));

  // An assigned unit counts towards the plan and is no longer offered.
  api().Assign(id, "E-NEAR");
  rec = api().MustGet(Path("/incidents/", id, "/recommendations"), "dispatcher");
  units.clear();
  for (const auto& u : rec["units"]) units.push_back(u.value("unit_id", ""));
  EXPECT_THAT(units, ElementsAre("M1", "E-STATION", "T1"));
  EXPECT_THAT(rec["unmet"].get<std::vector<json>>(),
              UnorderedElementsAre(json{{"unit_type", "chief"}, {"missing", 1}},
                                   json{{"unit_type", "engine"}, {"missing", 1}}));
}

TEST_F(FlowTest, IllegalStatusTransitionIsConflictNamingAllowedNext) {
  api().CreateUnit("M1", "medic", "", kCentre);
  auto expect_refused = [&](const std::string& to, const std::vector<std::string>& allowed) {
    SCOPED_TRACE("to " + to);
    std::string before = api().Unit("M1").value("status", "");
    auto err = api().SetStatus("M1", to, 409)["error"];
    EXPECT_EQ(err.value("code", ""), "conflict") << err;
    EXPECT_EQ(err.value("field", ""), "status") << err;
    std::string message = err.value("message", "");
    for (const auto& s : allowed) EXPECT_THAT(message, HasSubstr(s));
    EXPECT_EQ(api().Unit("M1").value("status", ""), before);
  };
  expect_refused("on_scene", {"out_of_service"});
  expect_refused("dispatched", {"out_of_service"});
  expect_refused("available", {"out_of_service"});

  std::int64_t id = NewIncident("MEDICAL", kCentre);
  api().Assign(id, "M1");
  expect_refused("at_hospital", {"en_route", "on_scene", "available"});
  expect_refused("out_of_service", {"en_route", "on_scene", "available"});
  api().SetStatus("M1", "on_scene");
  expect_refused("en_route", {"transporting", "available"});

  auto err = api().SetStatus("M1", "flying", 422)["error"];
  EXPECT_EQ(err.value("field", ""), "status") << err;
  api().MustPost("/units/NOPE/status", {{"status", "available"}}, "dispatcher", 404);
}

// The default duplicate mode suggests: a call near an open incident opens
// its own and answers the candidates; the call-taker's link_to links it.
TEST_F(FlowTest, DuplicateCallsAreSuggestedNotLinked) {
  auto first = api().PostCall(CallBody("MEDICAL", kCentre));
  std::int64_t id = IdOf(first, "incident_id");

  auto near = api().PostCall(CallBody("CARDIAC_ARREST", Offset(kCentre, 150)));
  EXPECT_FALSE(near.contains("duplicate_of")) << near;
  EXPECT_NE(IdOf(near, "incident_id"), id) << "suggest mode must not link silently";
  ASSERT_EQ(near["possible_duplicates"].size(), 1u) << near;
  EXPECT_EQ(near["possible_duplicates"][0].value("incident_id", 0), id);
  EXPECT_NEAR(near["possible_duplicates"][0].value("distance_m", 0.0), 150, 2);
  EXPECT_THAT(near["possible_duplicates"][0].value("reason", ""), HasSubstr("150 m"));
  auto own = api().Incident(IdOf(near, "incident_id"));
  ASSERT_EQ(own["possible_duplicates"].size(), 1u) << own;
  EXPECT_EQ(TimelineOf(own, "possible_duplicate").size(), 1u) << own["timeline"];

  // The check the call form runs before the call is taken agrees.
  auto check = api().MustGet("/duplicates?lat=" + std::to_string(Offset(kCentre, 150).lat) +
                                 "&lon=" + std::to_string(kCentre.lon) + "&incident_type=MEDICAL",
                             "call_taker");
  ASSERT_EQ(check["possible_duplicates"].size(), 2u) << check;
  EXPECT_EQ(check["possible_duplicates"][0].value("incident_id", 0), IdOf(near, "incident_id"));
  EXPECT_EQ(check["possible_duplicates"][1].value("incident_id", 0), id);

  // Confirmed by the call-taker: linked, and the more urgent type upgrades.
  auto confirmed =
      api().PostCall(CallBody("CARDIAC_ARREST", Offset(kCentre, 150), {{"link_to", id}}));
  EXPECT_EQ(IdOf(confirmed, "incident_id"), id) << confirmed;
  EXPECT_EQ(confirmed.value("duplicate_of", 0), id);
  EXPECT_THAT(confirmed.value("link_reason", ""), HasSubstr("confirmed"));
  EXPECT_EQ(api().Incident(id).value("priority", 0), 1);

  // Far away: nothing suggested.
  auto far = api().PostCall(CallBody("MEDICAL", Offset(kCentre, 5000)));
  EXPECT_TRUE(far["possible_duplicates"].empty()) << far;

  // link_to an incident that is not open: refused, naming the field.
  auto r = api().Post("/calls", CallBody("MEDICAL", kCentre, {{"link_to", 999999}}), "call_taker");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.Json()["error"].value("field", ""), "link_to") << r.body;
}

// Certain matches are linked even in suggest mode: the same callback number
// or the same alarm panel within the window.
TEST_F(FlowTest, SameCallbackNumberOrAlarmPanelLinksForCertain) {
  auto first =
      api().PostCall(CallBody("MEDICAL", kCentre, {{"caller", {{"phone", "+1 415 555 0100"}}}}));
  std::int64_t id = IdOf(first, "incident_id");
  auto again = api().PostCall(
      CallBody("MEDICAL", Offset(kCentre, 900), {{"caller", {{"phone", "(415) 555-0100"}}}}));
  EXPECT_EQ(again.value("duplicate_of", 0), id) << again;
  EXPECT_THAT(again.value("link_reason", ""), HasSubstr("callback number"));

  auto alarm = api().PostCall(CallBody("FIRE_ALARM", Offset(kCentre, 0, 3000),
                                       {{"channel", "alarm"}, {"alarm_panel", "ACME-77"}}));
  auto alarm2 = api().PostCall(CallBody("FIRE_ALARM", Offset(kCentre, 0, 3000),
                                        {{"channel", "alarm"}, {"alarm_panel", "ACME-77"}}));
  EXPECT_EQ(alarm2.value("duplicate_of", 0), IdOf(alarm, "incident_id")) << alarm2;

  // Another number: only suggested.
  auto other = api().PostCall(
      CallBody("MEDICAL", Offset(kCentre, 20), {{"caller", {{"phone", "+1 415 555 0199"}}}}));
  EXPECT_FALSE(other.contains("duplicate_of")) << other;
}

TEST_F(FlowTest, MergeMovesCallsAndActiveUnitsAndRetiresTheSource) {
  api().CreateUnit("M1", "medic", "", kCentre);
  api().CreateUnit("M2", "medic", "", kCentre);
  api().CreateUnit("E1", "engine", "", kCentre);
  auto a1 = api().PostCall(CallBody("MEDICAL", kCentre));
  std::int64_t a = IdOf(a1, "incident_id");
  auto a2 = api().PostCall(CallBody("MEDICAL", Offset(kCentre, 30), {{"link_to", a}}));
  ASSERT_EQ(IdOf(a2, "incident_id"), a);
  auto b1 = api().PostCall(CallBody("TRAFFIC_COLLISION", Offset(kCentre, 5000)));
  std::int64_t b = IdOf(b1, "incident_id");
  ASSERT_NE(a, b);
  api().Assign(a, "M1");
  api().SetStatus("M1", "en_route");
  api().Assign(a, "M2");
  api().SetStatus("M2", "available");  // released before the merge: stays behind
  api().Assign(b, "E1");

  auto into = api().MustPost(Path("/incidents/", a, "/merge"), {{"into", b}}, "supervisor", 200);
  EXPECT_EQ(IdOf(into, "incident_id"), b);
  EXPECT_THAT(Ids(into["call_ids"]),
              UnorderedElementsAre(IdOf(b1, "call_id"), IdOf(a1, "call_id"), IdOf(a2, "call_id")));
  EXPECT_THAT(Strings(into["assigned_units"]), UnorderedElementsAre("E1", "M1"));
  EXPECT_EQ(into.value("priority", 0), 2);

  auto from = api().Incident(a);
  EXPECT_EQ(from.value("status", ""), "merged");
  EXPECT_EQ(from.value("merged_into", 0), b);
  EXPECT_EQ(from["call_ids"], json::array());
  EXPECT_EQ(from["assigned_units"], json::array());
  EXPECT_EQ(api().Call(IdOf(a2, "call_id")).value("incident_id", 0), b);
  auto m1 = api().Unit("M1");
  EXPECT_EQ(m1.value("incident_id", 0), b) << m1;
  EXPECT_EQ(m1.value("status", ""), "en_route") << "a merge does not change unit status";
  EXPECT_THAT(api().ListedIncidents("open"), ElementsAre(b));

  // A merged incident is finished: no assignments, merges or closing.
  auto err = api().Assign(a, "M2", 409)["error"];
  EXPECT_EQ(err.value("code", ""), "conflict") << err;
  EXPECT_THAT(err.value("message", ""), HasSubstr("merged"));
  api().MustPost(Path("/incidents/", a, "/merge"), {{"into", b}}, "supervisor", 409);
  api().MustPost(Path("/incidents/", b, "/merge"), {{"into", a}}, "supervisor", 409);
  api().MustPost(Path("/incidents/", b, "/merge"), {{"into", b}}, "supervisor", 422);
  api().MustPost(Path("/incidents/", b, "/merge"), {{"into", 999}}, "supervisor", 422);

  // The moved unit now belongs to b: clearing it releases b's assignment.
  api().SetStatus("M1", "available");
  EXPECT_THAT(Strings(api().Incident(b)["assigned_units"]), ElementsAre("E1"));

  api().MustPost(Path("/incidents/", b, "/close"), {{"disposition", "resolved"}}, "supervisor",
                 200);
  err = api().Assign(b, "M2", 409)["error"];
  EXPECT_THAT(err.value("message", ""), HasSubstr("closed"));
  EXPECT_EQ(api().Unit("M2").value("status", ""), "available");
}

TEST_F(FlowTest, SplitMovesChosenCallsToANewIncident) {
  auto c1 = api().PostCall(CallBody("MEDICAL", kCentre));
  std::int64_t b = IdOf(c1, "incident_id");
  auto c2 = api().PostCall(CallBody("TRAFFIC_COLLISION", Offset(kCentre, 100), {{"link_to", b}}));
  auto c3 = api().PostCall(CallBody("TRAFFIC_COLLISION", Offset(kCentre, 120), {{"link_to", b}}));
  ASSERT_EQ(IdOf(c2, "incident_id"), b);
  ASSERT_EQ(IdOf(c3, "incident_id"), b);
  std::int64_t id2 = IdOf(c2, "call_id");
  std::int64_t id3 = IdOf(c3, "call_id");

  auto fresh = api().MustPost(Path("/incidents/", b, "/split"), {{"call_ids", {id2, id3}}},
                              "supervisor", 201);
  std::int64_t n = IdOf(fresh, "incident_id");
  EXPECT_NE(n, b);
  EXPECT_EQ(fresh.value("status", ""), "open");
  EXPECT_EQ(fresh.value("incident_type", ""), "TRAFFIC_COLLISION");
  EXPECT_THAT(Ids(fresh["call_ids"]), ElementsAre(id2, id3));
  EXPECT_TRUE(fresh.contains("location")) << fresh;

  EXPECT_THAT(Ids(api().Incident(b)["call_ids"]), ElementsAre(IdOf(c1, "call_id")));
  auto stored = api().Incident(n);
  EXPECT_THAT(Ids(stored["call_ids"]), ElementsAre(id2, id3));
  EXPECT_EQ(api().Call(id2).value("incident_id", 0), n);
  EXPECT_EQ(api().Call(id3).value("incident_id", 0), n);
  EXPECT_THAT(api().ListedIncidents("open"), UnorderedElementsAre(b, n));

  auto refuse = [&](std::int64_t incident, const json& call_ids, const std::string& field) {
    SCOPED_TRACE("split " + call_ids.dump() + " from " + std::to_string(incident));
    auto err = api().MustPost(Path("/incidents/", incident, "/split"), {{"call_ids", call_ids}},
                              "supervisor", 422)["error"];
    EXPECT_EQ(err.value("field", ""), field) << err;
  };
  refuse(b, {IdOf(c1, "call_id")}, "call_ids");     // every call of b
  refuse(n, {id2, id3}, "call_ids");                // every call of n
  refuse(n, {IdOf(c1, "call_id")}, "call_ids[0]");  // not n's call
  refuse(n, {id2, id2}, "call_ids[1]");             // listed twice
  refuse(n, json::array(), "call_ids");
  EXPECT_THAT(Ids(api().Incident(n)["call_ids"]), ElementsAre(id2, id3));
}

TEST_F(FlowTest, CallerDataOnlyForOperationalRolesAndEveryReadIsAudited) {
  const std::string kName = "Grace Hopper";
  const std::string kPhone = "+31 20 555 0199";
  auto call = api().PostCall(
      CallBody("MEDICAL", kCentre, {{"caller", {{"name", kName}, {"phone", kPhone}}}}));
  std::int64_t call_id = IdOf(call, "call_id");
  std::int64_t id = IdOf(call, "incident_id");
  const std::string call_object = "call/" + std::to_string(call_id);
  const std::string incident_object = "incident/" + std::to_string(id);

  for (const std::string role : {"call_taker", "dispatcher", "supervisor"}) {
    SCOPED_TRACE(role);
    auto c = api().Call(call_id, role);
    EXPECT_EQ(c["caller"].value("name", ""), kName) << c;
    EXPECT_EQ(c["caller"].value("phone", ""), kPhone) << c;
    auto inc = api().Incident(id, role);
    ASSERT_EQ(inc["calls"].size(), 1u) << inc;
    EXPECT_EQ(inc["calls"][0]["caller"].value("name", ""), kName) << inc;
    EXPECT_EQ(inc["calls"][0]["caller"].value("phone", ""), kPhone) << inc;
  }
  for (const auto& path : {Path("/calls/", call_id), Path("/incidents/", id)}) {
    auto r = api().Get(path, "analyst");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_THAT(r.body, Not(HasSubstr(kName)));
    EXPECT_THAT(r.body, Not(HasSubstr(kPhone)));
    EXPECT_THAT(r.body, Not(HasSubstr("\"caller\"")));
  }
  EXPECT_THAT(api().MustGet("/incidents?status=all", "analyst").dump(), Not(HasSubstr(kName)));
  // A call without caller data is not a personal read.
  std::int64_t anonymous =
      IdOf(api().PostCall(CallBody("MEDICAL", Offset(kCentre, 9000))), "call_id");
  api().Call(anonymous, "dispatcher");

  std::multiset<std::tuple<std::string, std::string, std::string, std::string>> personal;
  for (const auto& e : api().AuditEntries()) {
    std::string action = e.value("action", "");
    if (action.size() > 14 && action.ends_with(".read_personal")) {
      personal.insert({e.value("user", ""), e.value("role", ""), action, e.value("object", "")});
    }
  }
  std::multiset<std::tuple<std::string, std::string, std::string, std::string>> want;
  for (const std::string role : {"call_taker", "dispatcher", "supervisor"}) {
    want.insert({role, role, "call.read_personal", call_object});
    want.insert({role, role, "incident.read_personal", incident_object});
  }
  EXPECT_EQ(personal, want);
  api().MustGet("/audit", "analyst", 403);
}

TEST_F(FlowTest, StateSurvivesRestartAndAuditChainVerifies) {
  api().CreateStation("ST1", kCentre);
  api().CreateUnit("E1", "engine", "ST1");
  api().CreateUnit("M1", "medic", "", Offset(kCentre, 300));
  auto open_call = api().PostCall(
      CallBody("MEDICAL", kCentre, {{"caller", {{"name", "Ada"}, {"phone", "555 0100"}}}}));
  std::int64_t open_id = IdOf(open_call, "incident_id");
  api().Assign(open_id, "M1");
  api().SetStatus("M1", "en_route");
  std::int64_t closed_id = NewIncident("OUTSIDE_FIRE", Offset(kCentre, 8000));
  api().Assign(closed_id, "E1");
  api().MustPost(Path("/incidents/", closed_id, "/close"), {{"disposition", "extinguished"}},
                 "supervisor", 200);

  auto open_before = api().Incident(open_id);
  auto closed_before = api().Incident(closed_id);
  auto units_before = api().MustGet("/units", "dispatcher");
  auto stations_before = api().MustGet("/stations", "dispatcher");
  std::int64_t seq_before = api().LastSeq();
  auto audit_before = api().AuditEntries();
  ASSERT_GT(seq_before, 0);

  fixture_.server->Kill(SIGTERM);
  api_.reset();
  fixture_.server->Start();
  LoginAll(fixture_);
  api_.emplace(fixture_);

  EXPECT_EQ(api().Incident(open_id), open_before);
  EXPECT_EQ(api().Incident(closed_id), closed_before);
  EXPECT_EQ(api().MustGet("/units", "dispatcher"), units_before);
  EXPECT_EQ(api().MustGet("/stations", "dispatcher"), stations_before);
  EXPECT_EQ(api().LastSeq(), seq_before) << "event seqs must continue, not restart";
  EXPECT_THAT(api().ListedIncidents("open"), ElementsAre(open_id));
  EXPECT_THAT(api().ListedIncidents("closed"), ElementsAre(closed_id));
  auto audit_after = api().AuditEntries();
  ASSERT_GE(audit_after.size(), audit_before.size());
  for (size_t i = 0; i < audit_before.size(); ++i) {
    EXPECT_EQ(audit_after[i], audit_before[i]) << "audit entry " << i << " changed";
  }

  // New records get fresh ids and the live state keeps working.
  auto next = api().PostCall(CallBody("MEDICAL", Offset(kCentre, 20000)));
  EXPECT_GT(IdOf(next, "call_id"), IdOf(open_call, "call_id"));
  EXPECT_GT(IdOf(next, "incident_id"), closed_id);
  EXPECT_GT(api().LastSeq(), seq_before);
  api().SetStatus("M1", "on_scene");
  EXPECT_THAT(Strings(api().Incident(open_id)["assigned_units"]), ElementsAre("M1"));
  api().Assign(IdOf(next, "incident_id"), "E1");

  fixture_.server->Kill(SIGTERM);
  auto verify = RunBeacon({"audit", "verify", "--data", fixture_.server->data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

TEST_F(FlowTest, AcknowledgedWritesSurviveAKill) {
  api().CreateUnit("M1", "medic", "", kCentre);
  std::int64_t id = NewIncident("MEDICAL", kCentre);
  api().Assign(id, "M1");
  auto before = api().Incident(id);
  std::int64_t seq_before = api().LastSeq();

  fixture_.server->Kill(SIGKILL);
  api_.reset();
  fixture_.server->Start();
  LoginAll(fixture_);
  api_.emplace(fixture_);

  EXPECT_EQ(api().Incident(id), before);
  EXPECT_EQ(api().Unit("M1").value("status", ""), "dispatched");
  EXPECT_EQ(api().LastSeq(), seq_before);
  fixture_.server->Kill(SIGTERM);
  auto verify = RunBeacon({"audit", "verify", "--data", fixture_.server->data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

TEST_F(LinkModeFlowTest, DuplicateCallsAreLinkedOnlyWhenNearRecentAndCompatible) {
  auto first = api().PostCall(CallBody("MEDICAL", kCentre));
  std::int64_t id = IdOf(first, "incident_id");

  // 150 m away, same category, higher priority: linked, priority raised.
  auto same = api().PostCall(CallBody("CARDIAC_ARREST", Offset(kCentre, 150)));
  EXPECT_EQ(IdOf(same, "incident_id"), id) << same;
  EXPECT_EQ(same.value("duplicate_of", 0), id) << same;
  EXPECT_FALSE(same.value("link_reason", "").empty()) << same;

  // 200 m away, traffic is compatible with medical: linked.
  auto compatible = api().PostCall(CallBody("TRAFFIC_COLLISION", Offset(kCentre, 0, 200)));
  EXPECT_EQ(compatible.value("duplicate_of", 0), id) << compatible;

  auto inc = api().Incident(id);
  EXPECT_THAT(Ids(inc["call_ids"]), ElementsAre(IdOf(first, "call_id"), IdOf(same, "call_id"),
                                                IdOf(compatible, "call_id")));
  EXPECT_EQ(inc.value("priority", 0), 1) << "CARDIAC_ARREST is priority 1";
  auto linked = TimelineOf(inc, "call_linked");
  ASSERT_EQ(linked.size(), 2u) << inc["timeline"];
  std::string why = linked[0].value("text", "");
  EXPECT_THAT(why, HasSubstr("call " + std::to_string(IdOf(same, "call_id"))));
  EXPECT_THAT(why, HasSubstr("150 m"));  // the distance that made it a duplicate
  EXPECT_THAT(linked[1].value("text", ""), HasSubstr("200 m"));
  EXPECT_EQ(api().Call(IdOf(same, "call_id")).value("duplicate_of", 0), id);

  auto expect_new_incident = [&](const json& body, const std::string& why_not) {
    SCOPED_TRACE(why_not);
    auto r = api().PostCall(body);
    EXPECT_FALSE(r.contains("duplicate_of")) << r;
    EXPECT_NE(IdOf(r, "incident_id"), id) << r;
    EXPECT_EQ(api().Incident(IdOf(r, "incident_id"))["call_ids"].size(), 1u);
  };
  expect_new_incident(CallBody("MEDICAL", Offset(kCentre, 5000)), "5 km away");
  expect_new_incident(CallBody("MEDICAL", Offset(kCentre, 0, 400)), "400 m away");
  expect_new_incident(CallBody("BURGLARY_ALARM", Offset(kCentre, 50)),
                      "police is not compatible with medical");
  expect_new_incident(CallBody("MEDICAL", Offset(kCentre, -50),
                               {{"received_at", Rfc3339Ago(std::chrono::minutes(25))}}),
                      "received 25 min before the incident's last call");
  EXPECT_EQ(api().Incident(id)["call_ids"].size(), 3u);
}

}  // namespace
}  // namespace beacon::testing
