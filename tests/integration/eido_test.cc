// NENA EIDO exchange against the real beacon binary: the NENA sample
// imports; re-sends are idempotent and updates land; exports validate
// against NENA's schema (tests/eido_validate.py with Debian's
// python3-jsonschema, which must also reject broken documents); a transfer
// from one centre to another and back keeps every field Beacon models; the
// EIDO id mapping survives a restart; hostile messages are refused with the
// field at fault and leave the server serving.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "integration/scenario.h"
#include "support/process.h"

namespace beacon::testing {
namespace {

using ::testing::HasSubstr;

const std::string kEidoDir = std::string(BEACON_SOURCE_DIR) + "/../shared/data/standards/eido";
const std::string kSchema = kEidoDir + "/EIDO-openapi.yaml";
const std::string kSampleId = "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us";
constexpr Place kCentre{39.7391, -75.5398};

json ReadJson(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::stringstream s;
  s << in.rdbuf();
  return json::parse(s.str(), nullptr, false);
}

json Sample() { return ReadJson(kEidoDir + "/Sample_call_transfer_EIDO.json"); }

struct Validation {
  int exit_code = -1;
  std::string output;
};

// Runs tests/eido_validate.py (Debian's python3 with python3-jsonschema
// and python3-yaml, installed by scripts/setup.sh) on `doc`.
Validation Validate(const json& doc) {
  TempDir dir;
  std::string path = dir.path() + "/doc.json";
  std::ofstream(path) << doc.dump(2);
  char out[] = "/tmp/beacon-eido-validate-XXXXXX";
  int fd = ::mkstemp(out);
  pid_t pid =
      support::Spawn({"/usr/bin/python3",
                      std::string(BEACON_SOURCE_DIR) + "/tests/eido_validate.py", kSchema, path},
                     fd, fd, "");
  int status = 0;
  ::waitpid(pid, &status, 0);
  Validation v;
  v.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ::lseek(fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) v.output.append(buf, static_cast<size_t>(n));
  ::close(fd);
  ::unlink(out);
  return v;
}

void ExpectValid(const json& doc) {
  auto v = Validate(doc);
  EXPECT_EQ(v.exit_code, 0) << "export does not validate against NENA's EIDO schema "
                               "(needs python3-jsonschema and python3-yaml: scripts/setup.sh):\n"
                            << v.output;
}

// Components of `doc`'s array `key`, by $id.
std::map<std::string, json> ById(const json& doc, const std::string& key) {
  std::map<std::string, json> out;
  if (!doc.contains(key)) return out;
  for (const auto& c : doc.at(key)) out[c.at("$id").get<std::string>()] = c;
  return out;
}

std::vector<json> TimelineOf(const json& incident, const std::string& kind) {
  std::vector<json> out;
  for (const auto& t : incident.at("timeline")) {
    if (t.value("kind", "") == kind) out.push_back(t);
  }
  return out;
}

// Call fields Beacon models, for comparing calls across centres.
json CallFields(const json& c) {
  json out = c;
  for (const char* k : {"call_id", "incident_id", "created_at", "created_by", "duplicate_of"}) {
    out.erase(k);
  }
  return out;
}

class EidoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_.Start({"--agency", "psap-a.example"});
    api_.emplace(fixture_);
  }

  json Import(Api& api, const json& doc, const std::string& role = "dispatcher") {
    return api.MustPost("/eido", doc, role, 200);
  }
  json Export(Api& api, std::int64_t incident, const std::string& role = "dispatcher") {
    return api.MustGet("/incidents/" + std::to_string(incident) + "/eido", role);
  }
  std::vector<json> AuditOf(const std::string& action) {
    std::vector<json> out;
    for (const auto& e : api_->AuditEntries()) {
      if (e.value("action", "") == action) out.push_back(e);
    }
    return out;
  }

  // A Beacon-made incident with two calls (caller data, narratives), one
  // unit released and one still assigned.
  std::int64_t BeaconIncident() {
    api_->CreateStation("ST1", Offset(kCentre, -1500));
    api_->CreateUnit("E1", "engine", "ST1");
    api_->CreateUnit("M1", "medic", "ST1", Offset(kCentre, 300));
    json first = api_->PostCall(
        CallBody("STRUCTURE_FIRE", kCentre,
                 {{"address", "42 Market St <rear> & yard"},
                  {"narrative", "smoke from the \"second\" floor"},
                  {"caller", {{"name", "Ann Caller"}, {"phone", "+1 302 555 0100"}}}}));
    std::int64_t incident = first.at("incident_id").get<std::int64_t>();
    json second = api_->PostCall(
        CallBody("STRUCTURE_FIRE", Offset(kCentre, 20),
                 {{"channel", "text"},
                  {"location",
                   {{"lat", Offset(kCentre, 20).lat}, {"lon", kCentre.lon}, {"accuracy_m", 35.5}}},
                  {"caller", {{"phone", "+1 302 555 0199"}}},
                  {"link_to", incident}}));
    EXPECT_EQ(second.at("incident_id").get<std::int64_t>(), incident);
    api_->Assign(incident, "E1");
    api_->Assign(incident, "M1");
    api_->SetStatus("E1", "available");
    return incident;
  }

  Fixture fixture_;
  std::optional<Api> api_;
};

TEST_F(EidoTest, NenaSampleImports) {
  json r = Import(*api_, Sample());
  EXPECT_EQ(r.value("created", false), true) << r;
  EXPECT_EQ(r.value("eido_id", ""), kSampleId);
  EXPECT_EQ(r.value("calls_added", 0), 1);
  std::int64_t id = r.at("incident_id").get<std::int64_t>();

  json inc = api_->Incident(id, "dispatcher");
  EXPECT_EQ(inc.value("status", ""), "open");
  EXPECT_EQ(inc.value("address", ""), "42 W Cellular Street, Wilmington, DE, US");
  ASSERT_EQ(inc["calls"].size(), 1u);
  const json& call = inc["calls"][0];
  EXPECT_EQ(call.value("received_at", ""), "2021-04-30T18:40:00.000Z");
  EXPECT_EQ(call.value("channel", ""), "agency");
  EXPECT_EQ(call.value("address", ""), "42 W Cellular Street, Wilmington, DE, US");
  EXPECT_EQ(call["caller"].value("phone", ""), "8195551212");
  EXPECT_EQ(inc["eido"].value("incident_id", ""), kSampleId);
  EXPECT_EQ(inc["eido"].value("agency", ""), "state.pa.us");

  auto provenance = TimelineOf(inc, "eido_import");
  ASSERT_EQ(provenance.size(), 1u);
  std::string text = provenance[0].value("text", "");
  EXPECT_THAT(text, HasSubstr("state.pa.us"));
  EXPECT_THAT(text, HasSubstr(kSampleId));
  EXPECT_THAT(text, HasSubstr("idx.state.pa.us"));
  EXPECT_THAT(text, HasSubstr("2021-04-30T18:43:49.439Z"));
  EXPECT_EQ(provenance[0].value("user", ""), "dispatcher");

  auto audit = AuditOf("incident.import_eido");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_THAT(audit[0].value("object", ""), HasSubstr("incident/" + std::to_string(id)));

  // The sample and its export are valid EIDOs.
  ExpectValid(Sample());
  ExpectValid(Export(*api_, id));
}

TEST_F(EidoTest, ResendIsIdempotentAndUpdatesLand) {
  json first = Import(*api_, Sample());
  std::int64_t id = first.at("incident_id").get<std::int64_t>();
  std::size_t timeline = api_->Incident(id)["timeline"].size();
  std::int64_t seq = api_->LastSeq();

  json again = Import(*api_, Sample());
  EXPECT_EQ(again.value("incident_id", 0), id);
  EXPECT_EQ(again.value("created", true), false);
  EXPECT_EQ(again.value("changed", true), false);
  EXPECT_EQ(api_->LastSeq(), seq) << "an identical re-send published events";
  json inc = api_->Incident(id);
  EXPECT_EQ(inc["timeline"].size(), timeline);
  EXPECT_EQ(inc["calls"].size(), 1u);
  EXPECT_EQ(api_->ListedIncidents("all").size(), 1u);
  EXPECT_EQ(AuditOf("incident.import_eido").size(), 2u) << "every receipt is audited";

  // A later version: a note, a second call with coordinates, a unit of the
  // other centre, and the type.
  json update = Sample();
  update["lastUpdateTimeStamp"] = "2021-04-30T14:50:00.0-04:00";
  update["notesComponent"] = {{{"$id", "note-1"},
                               {"lastUpdateTimeStamp", "2021-04-30T14:45:00Z"},
                               {"updatedByAgencyReference", {{"$ref", "state.pa.us"}}},
                               {"updatedByAgentReference", {{"$ref", "tjones.atroop@state.pa.us"}}},
                               {"notesActionComments", "Caller reports smoke &amp; flames"}}};
  update["locationComponent"].push_back(
      {{"$id", "loc-gps"},
       {"lastUpdateTimeStamp", "2021-04-30T14:44:00Z"},
       {"updatedByAgencyReference", {{"$ref", "state.pa.us"}}},
       {"locationTypeDescriptionRegistryText", "Caller"},
       {"locationByValue",
        "<presence><gml:Point><gml:pos>39.7391 -75.5398</gml:pos></gml:Point></presence>"}});
  json call2 = update["callComponent"][0];
  call2["$id"] = "urn:emergency:uid:callid:second:bcf.state.pa.us";
  call2["callStartTimestamp"] = "2021-04-30T14:44:00Z";
  call2["locationReference"] = {{{"$ref", "loc-gps"}}};
  update["callComponent"].push_back(call2);
  update["emergencyResourceComponent"] = {{{"$id", "res-e12"},
                                           {"lastUpdateTimeStamp", "2021-04-30T14:46:00Z"},
                                           {"updatedByAgencyReference", {{"$ref", "state.pa.us"}}},
                                           {"agentReference", json::array()},
                                           {"emergencyResourceTypeCommonRegistryText", "Engine"},
                                           {"emergencyResourceName", "Engine 12"},
                                           {"resourceAttributeRegistryText", json::array()},
                                           {"primaryUnitStatusRegistryText", "Dispatched"},
                                           {"secondaryUnitStatusRegistryText", json::array()}}};
  update["incidentComponent"] = {{"$id", "inc"},
                                 {"lastUpdateTimeStamp", "2021-04-30T14:50:00Z"},
                                 {"updatedByAgencyReference", {{"$ref", "state.pa.us"}}},
                                 {"incidentTypeCommonRegistryText", "Fire"},
                                 {"incidentTypeInternalCode", "structure_fire"}};
  ExpectValid(update);
  json r = Import(*api_, update);
  EXPECT_EQ(r.value("created", true), false);
  EXPECT_EQ(r.value("changed", false), true);
  EXPECT_EQ(r.value("calls_added", 0), 1);
  EXPECT_EQ(r.value("notes_added", 0), 1);
  EXPECT_EQ(r.value("resources_added", 0), 1);
  inc = api_->Incident(id);
  EXPECT_EQ(inc.value("incident_type", ""), "STRUCTURE_FIRE");
  EXPECT_EQ(inc.value("priority", 0), 1);
  EXPECT_DOUBLE_EQ(inc["location"].value("lat", 0.0), 39.7391);
  EXPECT_EQ(inc["calls"].size(), 2u);
  auto notes = TimelineOf(inc, "note");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].value("text", ""), "Caller reports smoke & flames");
  EXPECT_EQ(notes[0].value("user", ""), "tjones.atroop@state.pa.us");
  EXPECT_EQ(notes[0].value("time", ""), "2021-04-30T14:45:00.000Z");
  auto units = TimelineOf(inc, "eido_resource");
  ASSERT_EQ(units.size(), 1u);
  EXPECT_THAT(units[0].value("text", ""), HasSubstr("Engine 12"));
  EXPECT_THAT(units[0].value("text", ""), HasSubstr("not ours"));
  EXPECT_EQ(TimelineOf(inc, "eido_update").size(), 1u);
  // Imported units are not Beacon units.
  EXPECT_TRUE(api_->MustGet("/units", "dispatcher")["units"].empty());
  EXPECT_TRUE(inc["assignments"].empty());

  // The same update again changes nothing; an older one is refused.
  EXPECT_EQ(Import(*api_, update).value("changed", true), false);
  EXPECT_EQ(api_->Incident(id)["timeline"].size(), inc["timeline"].size());
  auto stale = api_->Post("/eido", Sample(), "dispatcher");
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.Json()["error"].value("field", ""), "lastUpdateTimeStamp");

  // Closing from the other centre closes here, with its disposition.
  json closing = update;
  closing["lastUpdateTimeStamp"] = "2021-04-30T20:00:00Z";
  closing["incidentComponent"]["incidentStatusCommonRegistryText"] = {"Closed"};
  closing["incidentComponent"]["dispositionComponent"] = {
      {{"$id", "disp"},
       {"lastUpdateTimeStamp", "2021-04-30T16:00:00Z"},
       {"updatedByAgencyReference", {{"$ref", "state.pa.us"}}},
       {"dispositionCommonRegistryCode", "Other"},
       {"dispositionDescriptionText", "extinguished"}}};
  ExpectValid(closing);
  Import(*api_, closing);
  inc = api_->Incident(id);
  EXPECT_EQ(inc.value("status", ""), "closed");
  EXPECT_EQ(inc.value("disposition", ""), "extinguished");
  EXPECT_EQ(Import(*api_, closing).value("changed", true), false);
}

TEST_F(EidoTest, BeaconExportValidatesAndCarriesEverything) {
  std::int64_t id = BeaconIncident();
  json doc = Export(*api_, id);
  ExpectValid(doc);

  EXPECT_EQ(doc.value("$id", ""),
            "urn:emergency:uid:incidentid:" + std::to_string(id) + ":psap-a.example");
  EXPECT_EQ(doc.value("eidoVersion", ""), "1.0");
  EXPECT_EQ(doc["incidentComponent"].value("incidentTypeInternalCode", ""), "STRUCTURE_FIRE");
  ASSERT_EQ(doc["callComponent"].size(), 2u);
  std::string text = doc.dump();
  EXPECT_THAT(text, HasSubstr("tel:+1 302 555 0100"));
  EXPECT_THAT(text, HasSubstr("Ann Caller"));
  EXPECT_THAT(text, HasSubstr("42 Market St <rear> & yard"));
  EXPECT_THAT(text, HasSubstr("smoke from the &quot;second&quot; floor"));
  auto resources = doc["emergencyResourceComponent"];
  ASSERT_EQ(resources.size(), 2u);
  std::map<std::string, std::string> status;
  for (const auto& r : resources)
    status[r.value("emergencyResourceName", "")] = r.value("primaryUnitStatusRegistryText", "");
  EXPECT_EQ(status["E1"], "released");
  EXPECT_EQ(status["M1"], "dispatched");
  EXPECT_EQ(doc["dispatchComponent"].size(), 2u);

  // Exports carry personal data: audited, and not for the analyst.
  auto audit = AuditOf("incident.export_eido");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].value("user", ""), "dispatcher");
  EXPECT_THAT(audit[0].value("object", ""), HasSubstr("incident/" + std::to_string(id)));
  EXPECT_EQ(api_->Get("/incidents/" + std::to_string(id) + "/eido", "analyst").status, 403);
  EXPECT_EQ(api_->Get("/incidents/" + std::to_string(id) + "/eido", "admin").status, 403);
  EXPECT_EQ(api_->Get("/incidents/999/eido", "dispatcher").status, 404);
  EXPECT_EQ(AuditOf("incident.export_eido").size(), 1u);

  // Our own incident sent back is refused rather than duplicated.
  auto own = api_->Post("/eido", doc, "dispatcher");
  EXPECT_EQ(own.status, 409) << own.body;
  EXPECT_EQ(own.Json()["error"].value("field", ""), "$id");
}

// The validator is a real check: broken documents fail it.
TEST_F(EidoTest, ValidatorRejectsInvalidDocuments) {
  json doc = Export(*api_, BeaconIncident());
  ASSERT_EQ(Validate(doc).exit_code, 0);
  std::vector<std::pair<std::string, json>> broken;
  json x = doc;
  x.erase("agencyComponent");
  broken.push_back({"no agencyComponent", x});
  x = doc;
  x["eidoVersion"] = "2.0";
  broken.push_back({"eidoVersion 2.0", x});
  x = doc;
  x["callComponent"][0]["direction"] = "sideways";
  broken.push_back({"bad direction", x});
  x = doc;
  x["callComponent"][0].erase("callStartTimestamp");
  broken.push_back({"call without start", x});
  x = doc;
  x["notesComponent"][0]["notesActionComments"] = 42;
  broken.push_back({"note not a string", x});
  for (const auto& [what, d] : broken) {
    auto v = Validate(d);
    EXPECT_EQ(v.exit_code, 1) << what << " passed the validator:\n" << v.output;
    EXPECT_THAT(v.output, HasSubstr("invalid")) << what;
  }
}

// Centre A exports, centre B imports and exports, A's incident's fields
// arrive unchanged; B's export re-imported into B changes nothing.
TEST_F(EidoTest, TransferBetweenCentresKeepsEveryField) {
  std::int64_t id = BeaconIncident();
  json a_incident = api_->Incident(id);
  json e1 = Export(*api_, id);

  Fixture b_fixture;
  b_fixture.Start({"--agency", "psap-b.example"});
  Api b(b_fixture);
  json r = Import(b, e1);
  ASSERT_EQ(r.value("created", false), true);
  std::int64_t b_id = r.at("incident_id").get<std::int64_t>();
  json b_incident = b.Incident(b_id);

  for (const char* k : {"incident_type", "priority", "status", "location", "address"}) {
    EXPECT_EQ(b_incident[k], a_incident[k]) << k;
  }
  ASSERT_EQ(b_incident["calls"].size(), a_incident["calls"].size());
  for (std::size_t i = 0; i < a_incident["calls"].size(); ++i) {
    EXPECT_EQ(CallFields(b_incident["calls"][i]), CallFields(a_incident["calls"][i]));
  }
  // A's timeline arrives as notes, with their times and authors.
  auto notes = TimelineOf(b_incident, "note");
  ASSERT_EQ(notes.size(), a_incident["timeline"].size());
  for (std::size_t i = 0; i < notes.size(); ++i) {
    EXPECT_EQ(notes[i].value("text", ""), a_incident["timeline"][i].value("text", ""));
    EXPECT_EQ(notes[i].value("time", ""), a_incident["timeline"][i].value("time", ""));
    EXPECT_EQ(notes[i].value("user", ""),
              a_incident["timeline"][i].value("user", "") + "@psap-a.example");
  }
  // A's units are B's foreign units, not B's own.
  EXPECT_TRUE(b.MustGet("/units", "dispatcher")["units"].empty());
  EXPECT_EQ(b_incident["eido"]["resources"].size(), 2u);

  json e2 = Export(b, b_id);
  ExpectValid(e2);
  EXPECT_EQ(e2.value("$id", ""), e1.value("$id", ""));
  auto calls1 = ById(e1, "callComponent"), calls2 = ById(e2, "callComponent");
  EXPECT_EQ(calls1.size(), calls2.size());
  for (const auto& [cid, c] : calls1) {
    ASSERT_TRUE(calls2.count(cid)) << "call " << cid << " lost its EIDO id";
    EXPECT_EQ(calls2[cid].value("callStartTimestamp", ""), c.value("callStartTimestamp", ""));
    EXPECT_EQ(calls2[cid].value("localCallType", ""), c.value("localCallType", ""));
  }
  auto res1 = ById(e1, "emergencyResourceComponent"), res2 = ById(e2, "emergencyResourceComponent");
  EXPECT_EQ(res1.size(), res2.size());
  for (const auto& [rid, res] : res1) {
    ASSERT_TRUE(res2.count(rid)) << "resource " << rid;
    for (const char* k : {"emergencyResourceName", "emergencyResourceTypeInternalText",
                          "primaryUnitStatusRegistryText", "updatedByAgencyReference"}) {
      EXPECT_EQ(res2[rid][k], res[k]) << k;
    }
  }
  auto notes1 = ById(e1, "notesComponent"), notes2 = ById(e2, "notesComponent");
  for (const auto& [nid, n] : notes1) {
    if (nid.find("-call-") != std::string::npos) continue;  // call narratives: checked above
    ASSERT_TRUE(notes2.count(nid)) << "note " << nid;
    EXPECT_EQ(notes2[nid]["notesActionComments"], n["notesActionComments"]);
  }

  // Import -> export -> import: B's own export changes nothing in B, and
  // exporting again gives the same document.
  json again = Import(b, e2);
  EXPECT_EQ(again.value("incident_id", 0), b_id);
  EXPECT_EQ(again.value("changed", true), false);
  json e3 = Export(b, b_id);
  for (auto* d : {&e2, &e3}) {
    (*d).erase("lastUpdateTimeStamp");
    for (auto& [key, value] : d->items()) {
      if (!value.is_array()) continue;
      for (auto& c : value) c.erase("lastUpdateTimeStamp");
    }
    (*d)["incidentComponent"].erase("lastUpdateTimeStamp");
  }
  EXPECT_EQ(e2, e3);

  // And A takes B's updates back? It is A's own incident: refused, not duplicated.
  auto back = api_->Post("/eido", Export(b, b_id), "supervisor");
  EXPECT_EQ(back.status, 409) << back.body;
}

// An EIDO may carry no calls and no coordinates: the incident still opens,
// its last activity is the EIDO's time, and it has no nearby cameras.
TEST_F(EidoTest, IncidentWithoutCallsOrPlace) {
  json doc = {{"$id", "urn:emergency:uid:incidentid:bare:other.example"},
              {"eidoVersion", "1.0"},
              {"lastUpdateTimeStamp", "2024-05-01T12:00:00Z"},
              {"updatedByAgencyReference", {{"$ref", "other.example"}}},
              {"issuingElementIdentification", "cad.other.example"},
              {"agencyComponent", json::array()}};
  ExpectValid(doc);
  json r = Import(*api_, doc);
  ASSERT_EQ(r.value("created", false), true);
  std::int64_t id = r.at("incident_id").get<std::int64_t>();
  json inc = api_->Incident(id);
  EXPECT_EQ(inc.value("last_call_at", ""), "2024-05-01T12:00:00.000Z");
  EXPECT_EQ(inc.value("incident_type", ""), "PUBLIC_SERVICE");
  EXPECT_THAT(TimelineOf(inc, "eido_import").at(0).value("text", ""),
              HasSubstr("no incident type given"));
  EXPECT_FALSE(inc.contains("location"));
  EXPECT_TRUE(
      api_->MustGet("/incidents/" + std::to_string(id) + "/cameras", "dispatcher")["cameras"]
          .empty());
  ExpectValid(Export(*api_, id));
}

TEST_F(EidoTest, MappingSurvivesARestart) {
  std::int64_t id = Import(*api_, Sample()).at("incident_id").get<std::int64_t>();
  fixture_.server->Kill(SIGKILL);
  fixture_.server->Start();
  LoginAll(fixture_);
  api_.emplace(fixture_);
  json again = Import(*api_, Sample());
  EXPECT_EQ(again.value("incident_id", 0), id);
  EXPECT_EQ(again.value("created", true), false);
  EXPECT_EQ(api_->ListedIncidents("all").size(), 1u);
}

TEST_F(EidoTest, HostileMessagesAreRefusedWithTheField) {
  struct Case {
    std::string what;
    std::string body;
    int status;
    std::string field;
  };
  auto with = [](const std::function<void(json&)>& change) {
    json d = Sample();
    change(d);
    return d.dump();
  };
  std::string many_calls;
  {
    json d = Sample();
    json calls = json::array();
    for (int i = 0; i < 1001; ++i) {
      calls.push_back(
          {{"$id", "c" + std::to_string(i)}, {"callStartTimestamp", "2021-01-01T00:00:00Z"}});
    }
    d["callComponent"] = calls;
    many_calls = d.dump();
  }
  const std::vector<Case> cases = {
      {"not json", "<EIDO/>", 400, ""},
      {"array", "[]", 400, ""},
      {"no $id", with([](json& d) { d.erase("$id"); }), 400, "$id"},
      {"$id number", with([](json& d) { d["$id"] = 7; }), 400, "$id"},
      {"version", with([](json& d) { d["eidoVersion"] = "2.0"; }), 422, "eidoVersion"},
      {"time", with([](json& d) { d["lastUpdateTimeStamp"] = "yesterday"; }), 422,
       "lastUpdateTimeStamp"},
      {"agency ref", with([](json& d) { d["updatedByAgencyReference"] = "state.pa.us"; }), 400,
       "updatedByAgencyReference"},
      {"no agencies", with([](json& d) { d.erase("agencyComponent"); }), 400, "agencyComponent"},
      {"calls object", with([](json& d) { d["callComponent"] = json::object(); }), 400,
       "callComponent"},
      {"call start", with([](json& d) { d["callComponent"][0].erase("callStartTimestamp"); }), 400,
       "callComponent[0].callStartTimestamp"},
      {"dangling location",
       with([](json& d) { d["callComponent"][0]["locationReference"][1]["$ref"] = "nowhere"; }),
       422, "callComponent[0].locationReference[1].$ref"},
      {"dangling person", with([](json& d) {
         d["callComponent"][0]["personReference"][0] = {{"$ref", "x"}};
       }),
       422, "callComponent[0].personReference[0].$ref"},
      {"duplicate id",
       with([](json& d) { d["locationComponent"][1]["$id"] = d["locationComponent"][0]["$id"]; }),
       422, "locationComponent[1].$id"},
      {"pos out of range", with([](json& d) {
         d["locationComponent"][0]["locationByValue"] = "<gml:pos>123.0 5</gml:pos>";
       }),
       422, "locationComponent[0].locationByValue"},
      {"pos garbage",
       with([](json& d) { d["locationComponent"][0]["locationByValue"] = "<pos>nan nan</pos>"; }),
       422, "locationComponent[0].locationByValue"},
      {"future call",
       with([](json& d) { d["callComponent"][0]["callStartTimestamp"] = "2999-01-01T00:00:00Z"; }),
       422, "callComponent[0].callStartTimestamp"},
      {"huge id", with([](json& d) { d["$id"] = std::string(600, 'x'); }), 422, "$id"},
      {"too many calls", many_calls, 422, "callComponent"},
      {"note text number", with([](json& d) {
         d["notesComponent"] = {{{"$id", "n"},
                                 {"lastUpdateTimeStamp", "2021-01-01T00:00:00Z"},
                                 {"updatedByAgencyReference", {{"$ref", "a"}}},
                                 {"notesActionComments", 5}}};
       }),
       400, "notesComponent[0].notesActionComments"},
      {"deep", std::string(5000, '[') + std::string(5000, ']'), 400, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto r = api_->http().Request("POST", "/api/v1/eido", c.body, fixture_.Token("dispatcher"));
    EXPECT_EQ(r.status, c.status) << r.body;
    json err = r.Json();
    ASSERT_TRUE(err.contains("error")) << r.body;
    EXPECT_FALSE(err["error"].value("message", "").empty());
    if (!c.field.empty()) {
      EXPECT_EQ(err["error"].value("field", ""), c.field) << r.body;
    }
  }
  EXPECT_TRUE(api_->ListedIncidents("all").empty());
  EXPECT_EQ(Import(*api_, Sample()).value("created", false), true) << "the server still imports";
}

}  // namespace
}  // namespace beacon::testing
