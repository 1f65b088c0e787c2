// The dispatch floor against the real binary: notes, incidents and calls
// that change (old values kept, audited, streamed), and diverting a unit
// committed to a less urgent incident.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "integration/scenario.h"

namespace beacon::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr Place kCentre{52.3700, 4.9000};

std::vector<json> TimelineOf(const json& incident, const std::string& kind) {
  std::vector<json> out;
  for (const auto& t : incident.at("timeline")) {
    if (t.value("kind", "") == kind) out.push_back(t);
  }
  return out;
}

class FloorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_.Start();
    api_.emplace(fixture_);
  }
  Api& api() { return *api_; }
  std::int64_t NewIncident(const std::string& type, Place where, const json& extra = {}) {
    return api()
        .PostCall(CallBody(type, where, extra.is_null() ? json::object() : extra))
        .at("incident_id")
        .get<std::int64_t>();
  }
  std::vector<std::string> AuditActions() {
    std::vector<std::string> out;
    for (const auto& e : api().AuditEntries()) out.push_back(e.value("action", ""));
    return out;
  }
  std::string Path(std::int64_t id, const std::string& tail = "") {
    return "/incidents/" + std::to_string(id) + tail;
  }
  Fixture fixture_;
  std::optional<Api> api_;
};

TEST_F(FloorTest, NoteIsInTheTimelineTheStreamAndTheAudit) {
  std::int64_t id = NewIncident("MEDICAL", kCentre);
  StreamClient stream(fixture_.server->port(), fixture_.Token("dispatcher"));
  auto note = api().MustPost(Path(id, "/notes"), {{"text", "caller says he's not breathing"}},
                             "call_taker", 201);
  EXPECT_EQ(note.value("incident_id", 0), id);
  EXPECT_EQ(note["note"].value("kind", ""), "note");
  EXPECT_EQ(note["note"].value("user", ""), "call_taker");

  auto notes = TimelineOf(api().Incident(id), "note");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].value("text", ""), "caller says he's not breathing");

  // Another dispatcher's screen gets it without reloading.
  bool seen = false;
  for (int i = 0; i < 20 && !seen; ++i) {
    auto ev = stream.Next(std::chrono::seconds(5));
    if (!ev) break;
    if (ev->value("type", "") != "incident.updated") continue;
    for (const auto& t : (*ev)["data"]["timeline_added"]) {
      seen = seen || t.value("text", "") == "caller says he's not breathing";
    }
  }
  EXPECT_TRUE(seen) << "the note never reached the stream";
  EXPECT_THAT(AuditActions(), ::testing::Contains("incident.note"));
}

TEST_F(FloorTest, ChangingTheTypeChangesThePlanAndKeepsTheOldValue) {
  api().CreateUnit("M1", "medic", "", Offset(kCentre, 500));
  api().CreateUnit("E1", "engine", "", Offset(kCentre, 700));
  std::int64_t id = NewIncident("MEDICAL", kCentre);
  auto before = api().MustGet(Path(id, "/recommendations"), "dispatcher");
  ASSERT_EQ(before["units"].size(), 1u) << before;  // a medic only

  // "It's not a fall, he's not breathing."
  auto patched =
      api().MustPatch(Path(id), {{"incident_type", "CARDIAC_ARREST"}}, "dispatcher", 200);
  EXPECT_EQ(patched.value("incident_type", ""), "CARDIAC_ARREST");
  EXPECT_EQ(patched.value("priority", 0), 1) << "the new plan's priority";
  auto changed = TimelineOf(patched, "changed");
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_THAT(changed[0].value("text", ""), HasSubstr("MEDICAL -> CARDIAC_ARREST"));
  EXPECT_EQ(changed[0].value("user", ""), "dispatcher");

  auto after = api().MustGet(Path(id, "/recommendations"), "dispatcher");
  EXPECT_EQ(after["units"].size(), 2u) << "a cardiac arrest gets a medic and an engine: " << after;

  // Priority set by hand wins over the plan; location and address move it.
  Place moved = Offset(kCentre, 250);
  patched = api().MustPatch(Path(id),
                            {{"priority", 2},
                             {"location", ToJson(moved)},
                             {"address", "19th St & Hartford St"},
                             {"disposition", "transported"}},
                            "supervisor", 200);
  EXPECT_EQ(patched.value("priority", 0), 2);
  EXPECT_NEAR(patched["location"].value("lat", 0.0), moved.lat, 1e-6);
  EXPECT_EQ(patched.value("address", ""), "19th St & Hartford St");
  changed = TimelineOf(patched, "changed");
  ASSERT_EQ(changed.size(), 2u);
  EXPECT_THAT(changed[1].value("text", ""), HasSubstr("priority 1 -> 2"));
  EXPECT_THAT(changed[1].value("text", ""), HasSubstr("address none -> \"19th St & Hartford St\""));
  EXPECT_THAT(AuditActions(), ::testing::Contains("incident.patch"));

  // Duplicate detection follows the new location.
  auto near_new = api().PostCall(CallBody("MEDICAL", Offset(moved, 20)));
  ASSERT_FALSE(near_new["possible_duplicates"].empty()) << near_new;
  EXPECT_EQ(near_new["possible_duplicates"][0].value("incident_id", 0), id);
}

TEST_F(FloorTest, PatchRefusals) {
  std::int64_t id = NewIncident("MEDICAL", kCentre);
  struct Case {
    json body;
    int status;
    std::string field;
  };
  for (const auto& c : std::vector<Case>{
           {json::object(), 422, "incident_type"},
           {{{"incident_type", "NOT_A_TYPE"}}, 422, "incident_type"},
           {{{"priority", 0}}, 422, "priority"},
           {{{"priority", "high"}}, 400, "priority"},
           {{{"location", {{"lat", 91}, {"lon", 0}}}}, 422, "location.lat"},
           {{{"address", ""}}, 422, "address"},
           {{{"status", "closed"}}, 422, "status"},
       }) {
    auto r = api().Patch(Path(id), c.body, "dispatcher");
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
    EXPECT_EQ(r.Json()["error"].value("field", ""), c.field) << c.body << " -> " << r.body;
  }
  EXPECT_EQ(api().Patch("/incidents/999999", {{"priority", 1}}, "dispatcher").status, 404);
  EXPECT_EQ(api().Patch("/incidents/abc", {{"priority", 1}}, "dispatcher").status, 404);
  EXPECT_EQ(api().Patch(Path(id), {{"priority", 1}}, "call_taker").status, 403);

  api().MustPost(Path(id, "/close"), {{"disposition", "done"}}, "supervisor", 200);
  auto closed = api().Patch(Path(id), {{"priority", 1}}, "dispatcher");
  EXPECT_EQ(closed.status, 409) << "patch of a closed incident: " << closed.body;
  EXPECT_TRUE(closed.Json()["error"].contains("message"));
  // A closed incident still takes notes; bad notes are refused.
  api().MustPost(Path(id, "/notes"), {{"text", "follow-up call"}}, "dispatcher", 201);
  EXPECT_EQ(api().Post(Path(id, "/notes"), {{"text", "  "}}, "dispatcher").status, 422);
  EXPECT_EQ(api().Post(Path(id, "/notes"), {{"note", "x"}}, "dispatcher").status, 422);
  EXPECT_EQ(api().Post("/incidents/999999/notes", {{"text", "x"}}, "dispatcher").status, 404);
}

TEST_F(FloorTest, CallCorrectionsKeepTheOldValueAndAppendTheNarrative) {
  auto call = api().PostCall(CallBody(
      "MEDICAL", kCentre,
      {{"narrative", "fall at home"}, {"caller", {{"name", "A. Caller"}, {"phone", "555 0100"}}}}));
  std::int64_t cid = call.at("call_id").get<std::int64_t>();
  auto patched = api().MustPatch(
      "/calls/" + std::to_string(cid),
      {{"caller", {{"phone", "+1 415 555 0111"}}}, {"narrative", "not breathing now"}},
      "call_taker", 200);
  EXPECT_EQ(patched["caller"].value("phone", ""), "+1 415 555 0111");
  std::string narrative = patched.value("narrative", "");
  EXPECT_THAT(narrative, ::testing::StartsWith("fall at home\n"));
  EXPECT_THAT(narrative, HasSubstr("call_taker] not breathing now"));
  ASSERT_EQ(patched["corrections"].size(), 2u) << patched;
  EXPECT_EQ(patched["corrections"][0].value("field", ""), "caller.phone");
  EXPECT_EQ(patched["corrections"][0].value("old_value", ""), "555 0100");

  // The analyst sees that it changed, never the numbers.
  auto as_analyst = api().Call(cid, "analyst");
  EXPECT_THAT(as_analyst.dump(), Not(HasSubstr("555 0100")));
  EXPECT_THAT(as_analyst.dump(), Not(HasSubstr("555 0111")));
  EXPECT_EQ(as_analyst["corrections"].size(), 2u);

  // The timeline names what changed without caller data.
  auto inc = api().Incident(call.at("incident_id").get<std::int64_t>());
  auto corrected = TimelineOf(inc, "call_corrected");
  ASSERT_EQ(corrected.size(), 1u);
  EXPECT_THAT(corrected[0].value("text", ""), HasSubstr("caller.phone"));
  EXPECT_THAT(corrected[0].value("text", ""), Not(HasSubstr("0111")));
  EXPECT_THAT(AuditActions(), ::testing::Contains("call.patch"));

  // The corrected number now links a call back for certain.
  auto back = api().PostCall(
      CallBody("MEDICAL", Offset(kCentre, 40), {{"caller", {{"phone", "415-555-0111"}}}}));
  EXPECT_EQ(back.value("duplicate_of", 0), call.at("incident_id").get<std::int64_t>()) << back;

  EXPECT_EQ(api().Patch("/calls/" + std::to_string(cid), json::object(), "call_taker").status, 422);
  EXPECT_EQ(api().Patch("/calls/" + std::to_string(cid), {{"narrative", "x"}}, "analyst").status,
            403);
  EXPECT_EQ(api().Patch("/calls/999999", {{"narrative", "x"}}, "call_taker").status, 404);
  auto bad = api().Patch("/calls/" + std::to_string(cid), {{"caller", {{"phone", "call me"}}}},
                         "call_taker");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.Json()["error"].value("field", ""), "caller.phone");
}

TEST_F(FloorTest, AUnitEnRouteToAMinorCallIsDivertedToACardiacArrest) {
  api().CreateUnit("E1", "engine", "", Offset(kCentre, 100));
  api().CreateUnit("M1", "medic", "", Offset(kCentre, 9000));
  std::int64_t minor = NewIncident("GAS_LEAK", Offset(kCentre, 3000));  // priority 2
  api().Assign(minor, "E1");
  api().SetStatus("E1", "en_route");
  std::int64_t arrest = NewIncident("CARDIAC_ARREST", kCentre);  // priority 1, engine + medic

  auto rec = api().MustGet(Path(arrest, "/recommendations"), "dispatcher");
  json divert;
  for (const auto& u : rec["units"]) {
    if (u.value("unit_id", "") == "E1") divert = u;
  }
  ASSERT_FALSE(divert.is_null()) << "E1 should be offered for diversion: " << rec;
  EXPECT_EQ(divert.value("divert_from", 0), minor);
  EXPECT_EQ(rec["units"][0].value("unit_id", ""), "M1") << "available units come first";

  // Without divert: 409 that says how.
  auto refused = api().Post(Path(arrest, "/assignments"), {{"unit_id", "E1"}}, "dispatcher");
  EXPECT_EQ(refused.status, 409);
  EXPECT_THAT(refused.Json()["error"].value("message", ""), HasSubstr("divert"));

  auto sent = api().MustPost(Path(arrest, "/assignments"), {{"unit_id", "E1"}, {"divert", true}},
                             "dispatcher", 201);
  EXPECT_EQ(sent.value("diverted_from", 0), minor);
  auto left = api().Incident(minor);
  EXPECT_TRUE(left["assigned_units"].empty()) << left;
  EXPECT_EQ(TimelineOf(left, "unit_diverted").size(), 1u);
  auto again = api().MustGet(Path(minor, "/recommendations"), "dispatcher");
  EXPECT_FALSE(again["unmet"].empty()) << "the first incident's plan is unmet again: " << again;
  EXPECT_THAT(AuditActions(), ::testing::Contains("assignment.divert"));

  // Units on scene or out of service are never diverted; nor to their own incident.
  api().SetStatus("E1", "en_route");
  auto same =
      api().Post(Path(arrest, "/assignments"), {{"unit_id", "E1"}, {"divert", true}}, "dispatcher");
  EXPECT_EQ(same.status, 409) << same.body;
  api().CreateUnit("E2", "engine", "", Offset(kCentre, 200));
  api().SetStatus("E2", "out_of_service");
  auto oos =
      api().Post(Path(minor, "/assignments"), {{"unit_id", "E2"}, {"divert", true}}, "dispatcher");
  EXPECT_EQ(oos.status, 409) << "divert of an out-of-service unit: " << oos.body;
  EXPECT_EQ(
      api()
          .Post(Path(minor, "/assignments"), {{"unit_id", "E1"}, {"divert", "yes"}}, "dispatcher")
          .status,
      400);
}

TEST_F(FloorTest, TransportToAFacilityAndDiversion) {
  auto facility = [&](const std::string& id, const std::string& kind) {
    return api().MustPost("/facilities",
                          {{"facility_id", id},
                           {"name", "Hospital " + id},
                           {"kind", kind},
                           {"location", ToJson(Offset(kCentre, 2000))}},
                          "supervisor", 201);
  };
  auto h1 = facility("H1", "trauma_centre");
  EXPECT_EQ(h1.value("status", ""), "open");
  facility("H2", "hospital");
  facility("H3", "hospital");
  EXPECT_EQ(api().MustGet("/facilities", "call_taker")["facilities"].size(), 3u);

  api().CreateUnit("M1", "medic", "", Offset(kCentre, 100));
  std::int64_t id = NewIncident("MEDICAL", kCentre);
  api().Assign(id, "M1");
  api().SetStatus("M1", "en_route");
  api().SetStatus("M1", "on_scene");
  auto going = api().MustPost(
      "/units/M1/status", {{"status", "transporting"}, {"destination", "H1"}}, "dispatcher", 200);
  EXPECT_EQ(going.value("destination", ""), "H1");
  EXPECT_FALSE(going.contains("warning"));
  auto inc = api().Incident(id);
  auto moves = TimelineOf(inc, "unit_status");
  ASSERT_FALSE(moves.empty());
  EXPECT_THAT(moves.back().value("text", ""), HasSubstr("to Hospital H1 (H1)"));
  EXPECT_EQ(api().SetStatus("M1", "at_hospital").value("destination", ""), "H1")
      << "kept while at hospital";
  EXPECT_FALSE(api().SetStatus("M1", "available").contains("destination"));

  // Diversion is set by a dispatcher and shown as a warning; closed refuses.
  auto diverted =
      api().MustPost("/facilities/H2/status", {{"status", "diversion"}}, "dispatcher", 200);
  EXPECT_EQ(diverted.value("status", ""), "diversion");
  EXPECT_EQ(diverted.value("status_by", ""), "dispatcher");
  api().MustPost("/facilities/H3/status", {{"status", "closed"}}, "supervisor", 200);
  std::int64_t second = NewIncident("MEDICAL", Offset(kCentre, 1000));
  api().Assign(second, "M1");
  api().SetStatus("M1", "en_route");
  api().SetStatus("M1", "on_scene");
  auto closed = api().Post("/units/M1/status", {{"status", "transporting"}, {"destination", "H3"}},
                           "dispatcher");
  EXPECT_EQ(closed.status, 409) << closed.body;
  EXPECT_EQ(closed.Json()["error"].value("field", ""), "destination");
  auto unknown = api().Post("/units/M1/status",
                            {{"status", "transporting"}, {"destination", "NOPE"}}, "dispatcher");
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_EQ(unknown.Json()["error"].value("field", ""), "destination");
  auto warned = api().MustPost(
      "/units/M1/status", {{"status", "transporting"}, {"destination", "H2"}}, "dispatcher", 200);
  EXPECT_THAT(warned.value("warning", ""), HasSubstr("diversion"));
  EXPECT_THAT(AuditActions(), ::testing::Contains("facility.status"));

  // Bad facilities and statuses name the field; nothing accepted is lost.
  struct Case {
    json body;
    int status;
    std::string field;
  };
  for (const auto& c : std::vector<Case>{
           {{{"facility_id", "H1"},
             {"name", "x"},
             {"kind", "hospital"},
             {"location", ToJson(kCentre)}},
            409,
            "facility_id"},
           {{{"facility_id", "H9"}, {"name", "x"}, {"kind", "spa"}, {"location", ToJson(kCentre)}},
            422,
            "kind"},
           {{{"facility_id", "H9"}, {"name", "x"}, {"kind", "hospital"}}, 422, "location"},
           {{{"facility_id", "a b"},
             {"name", "x"},
             {"kind", "hospital"},
             {"location", ToJson(kCentre)}},
            422,
            "facility_id"},
       }) {
    auto r = api().Post("/facilities", c.body, "supervisor");
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
    EXPECT_EQ(r.Json()["error"].value("field", ""), c.field) << r.body;
  }
  EXPECT_EQ(api().Post("/facilities/H1/status", {{"status", "full"}}, "dispatcher").status, 422);
  EXPECT_EQ(api().Post("/facilities/NOPE/status", {{"status", "open"}}, "dispatcher").status, 404);
  EXPECT_EQ(api().MustGet("/facilities", "dispatcher")["facilities"].size(), 3u);
  auto no_reason = api().Post("/units/M1/status", {{"status", "out_of_service"}}, "dispatcher");
  EXPECT_EQ(no_reason.status, 422);
  EXPECT_EQ(no_reason.Json()["error"].value("field", ""), "reason");
}

TEST_F(FloorTest, PremiseNotesMatchTheIncidentAndResidentNamesAreAudited) {
  auto note = [&](const json& body) {
    return api().MustPost("/premises", body, "supervisor", 201);
  };
  note({{"location", ToJson(Offset(kCentre, 10))},
        {"text", "propane cylinders in the yard"},
        {"hazard", true}});
  Place c = kCentre;
  note({{"polygon",
         {{c.lat - 0.001, c.lon - 0.001},
          {c.lat - 0.001, c.lon + 0.001},
          {c.lat + 0.001, c.lon + 0.001},
          {c.lat + 0.001, c.lon - 0.001},
          {c.lat - 0.001, c.lon - 0.001}}},
        {"text", "gated estate: code 1234"}});
  note({{"location", ToJson(kCentre)},
        {"text", "Mrs. Example, 2nd floor, uses oxygen"},
        {"hazard", true},
        {"names_resident", true},
        {"review_by", "2020-01-01"}});
  note({{"location", ToJson(Offset(kCentre, 500))}, {"text", "far away"}});

  api().CreateUnit("E1", "engine", "", Offset(kCentre, 300));
  std::int64_t id = NewIncident("MEDICAL", kCentre);
  auto detail = api().Incident(id, "dispatcher");
  ASSERT_EQ(detail["premises"].size(), 3u) << detail["premises"];
  bool saw_name = false, saw_review = false;
  for (const auto& p : detail["premises"]) {
    saw_name = saw_name || p.value("text", "").find("Mrs. Example") != std::string::npos;
    saw_review = saw_review || p.value("needs_review", false);
    EXPECT_NE(p.value("text", ""), "far away");
  }
  EXPECT_TRUE(saw_name);
  EXPECT_TRUE(saw_review) << "a note past its review date is marked";
  EXPECT_THAT(AuditActions(), ::testing::Contains("premise.read"));

  // The analyst sees that a note is there, not whom it names.
  auto as_analyst = api().Incident(id, "analyst");
  EXPECT_EQ(as_analyst["premises"].size(), 3u);
  EXPECT_THAT(as_analyst.dump(), Not(HasSubstr("Mrs. Example")));
  auto listed = api().MustGet("/premises", "analyst");
  EXPECT_THAT(listed.dump(), Not(HasSubstr("Mrs. Example")));
  auto near = api().MustGet(
      "/premises?lat=" + std::to_string(kCentre.lat) + "&lon=" + std::to_string(kCentre.lon),
      "dispatcher");
  EXPECT_EQ(near["premises"].size(), 3u);

  // The assigned crew gets the hazards with its assignment.
  auto sent = api().Assign(id, "E1");
  ASSERT_EQ(sent["hazards"].size(), 2u) << sent;
  auto assigned = TimelineOf(api().Incident(id), "assigned");
  EXPECT_THAT(assigned.back().value("text", ""), HasSubstr("2 hazard note(s)"));

  struct Case {
    json body;
    std::string field;
    int status = 422;
  };
  for (const auto& bad : std::vector<Case>{
           {{{"polygon", {{1, 1}, {1, 2}, {2, 2}, {2, 1}}}, {"text", "t"}}, "polygon"},
           {{{"polygon", {{1, 1}, {1, 2}, {1, 1}}}, {"text", "t"}}, "polygon"},
           {{{"text", "nowhere"}}, "location"},
           {{{"location", ToJson(kCentre)}, {"text", "t"}, {"review_by", "soon"}}, "review_by"},
           {{{"location", ToJson(kCentre)}}, "text", 400},
       }) {
    auto r = api().Post("/premises", bad.body, "supervisor");
    EXPECT_EQ(r.status, bad.status) << bad.body << " -> " << r.body;
    EXPECT_EQ(r.Json()["error"].value("field", ""), bad.field) << r.body;
  }
  EXPECT_EQ(
      api().Post("/premises", {{"location", ToJson(kCentre)}, {"text", "x"}}, "dispatcher").status,
      403);
  EXPECT_EQ(api().Get("/premises?lat=95&lon=1", "dispatcher").status, 422);
  EXPECT_EQ(api().MustGet("/premises", "supervisor")["premises"].size(), 4u);
}

}  // namespace
}  // namespace beacon::testing
