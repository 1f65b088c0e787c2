// The EIDO mapping (src/eido/) on its own: the NENA sample, PIDF-LO
// reading, Export followed by Parse giving back every field Beacon models,
// and refusals naming the field.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "eido/eido.h"

namespace beacon::eido {
namespace {

using nlohmann::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json Minimal() {
  return {{"$id", "urn:emergency:uid:incidentid:1:other.example"},
          {"eidoVersion", "1.0"},
          {"lastUpdateTimeStamp", "2024-05-01T12:00:00Z"},
          {"updatedByAgencyReference", {{"$ref", "other.example"}}},
          {"issuingElementIdentification", "cad.other.example"},
          {"agencyComponent", json::array()}};
}

TEST(EidoParse, NenaSample) {
  std::string text = ReadFile(std::string(BEACON_SOURCE_DIR) +
                              "/../shared/data/standards/eido/Sample_call_transfer_EIDO.json");
  ASSERT_FALSE(text.empty()) << "the NENA sample is missing from ../shared/data";
  auto doc = Parse(text);
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ(doc->incident_id, "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us");
  EXPECT_EQ(doc->agency, "state.pa.us");
  EXPECT_EQ(doc->agent.value_or(""), "tjones.atroop@state.pa.us");
  EXPECT_EQ(doc->element, "idx.state.pa.us");
  EXPECT_EQ(FormatRfc3339(doc->updated_at), "2021-04-30T18:43:49.439Z");
  ASSERT_EQ(doc->calls.size(), 1u);
  const Call& c = doc->calls[0];
  EXPECT_EQ(FormatRfc3339(c.received_at), "2021-04-30T18:40:00.000Z");
  EXPECT_FALSE(c.channel.has_value());
  EXPECT_FALSE(c.location.point.has_value());
  EXPECT_EQ(c.location.address.value_or(""), "42 W Cellular Street, Wilmington, DE, US");
  ASSERT_TRUE(c.caller.has_value());
  EXPECT_EQ(c.caller->phone.value_or(""), "8195551212");
  EXPECT_TRUE(doc->notes.empty());
  EXPECT_TRUE(doc->resources.empty());
  EXPECT_TRUE(doc->type_candidates.empty());
}

TEST(EidoParse, PidfCircleAndEntities) {
  json d = Minimal();
  d["locationComponent"] = {
      {{"$id", "l"},
       {"locationTypeDescriptionRegistryText", "Caller"},
       {"locationByValue",
        "<p:presence><gs:Circle srsName=\"x\"><gml:pos>\n 52.5 13.25 </gml:pos>"
        "<gs:radius uom=\"m\">40</gs:radius></gs:Circle></p:presence>"}}};
  d["notesComponent"] = {{{"$id", "n"},
                          {"lastUpdateTimeStamp", "2024-05-01T11:00:00+01:00"},
                          {"updatedByAgencyReference", {{"$ref", "other.example"}}},
                          {"notesActionComments", "a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;"}}};
  d["callComponent"] = {{{"$id", "c"},
                         {"callStartTimestamp", "2024-05-01T11:59:00Z"},
                         {"localCallType", "beacon:text:MEDICAL"},
                         {"locationReference", {{{"$ref", "l"}}}}}};
  auto doc = Parse(d.dump());
  ASSERT_TRUE(doc) << doc.error().message();
  const Call& c = doc->calls.at(0);
  ASSERT_TRUE(c.location.point.has_value());
  EXPECT_DOUBLE_EQ(c.location.point->lat, 52.5);
  EXPECT_DOUBLE_EQ(c.location.point->lon, 13.25);
  EXPECT_DOUBLE_EQ(c.location.radius_m.value_or(0), 40);
  EXPECT_EQ(c.channel, model::Channel::kText);
  EXPECT_EQ(c.incident_type.value_or(""), "MEDICAL");
  ASSERT_EQ(doc->notes.size(), 1u);
  EXPECT_EQ(doc->notes[0].text, "a <b> & \"c\" 'd'");
  EXPECT_EQ(doc->notes[0].author, "other.example");
  EXPECT_EQ(FormatRfc3339(doc->notes[0].time), "2024-05-01T10:00:00.000Z");
  // The incident takes its first call's place when it has none of its own.
  ASSERT_TRUE(doc->location.point.has_value());
  EXPECT_DOUBLE_EQ(doc->location.point->lat, 52.5);
}

TEST(EidoParse, RefusalsNameTheField) {
  struct Case {
    std::function<void(json&)> change;
    Code code;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](json& d) { d.erase("$id"); }, Code::kMalformed, "$id"},
      {[](json& d) { d["eidoVersion"] = "1.1"; }, Code::kInvalid, "eidoVersion"},
      {[](json& d) { d["updatedByAgencyReference"] = json::object(); }, Code::kMalformed,
       "updatedByAgencyReference.$ref"},
      {[](json& d) {
         d["callComponent"] = {{{"$id", "c"}}};
       },
       Code::kMalformed, "callComponent[0].callStartTimestamp"},
      {[](json& d) {
         d["callComponent"] = {{{"$id", "c"},
                                {"callStartTimestamp", "2024-05-01T11:59:00Z"},
                                {"notesReference", {{{"$ref", "missing"}}}}}};
       },
       Code::kInvalid, "callComponent[0].notesReference[0].$ref"},
      {[](json& d) {
         d["emergencyResourceComponent"] = {{{"$id", "r"}, {"emergencyResourceName", 3}}};
       },
       Code::kMalformed, "emergencyResourceComponent[0].emergencyResourceName"},
      {[](json& d) {
         d["incidentComponent"] = {{"incidentStatusCommonRegistryText", "Closed"}};
       },
       Code::kMalformed, "incidentComponent.incidentStatusCommonRegistryText"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    json d = Minimal();
    cases[i].change(d);
    auto doc = Parse(d.dump());
    ASSERT_FALSE(doc) << "case " << i;
    EXPECT_EQ(doc.error().code(), cases[i].code) << "case " << i << ": " << doc.error().message();
    EXPECT_EQ(doc.error().field(), cases[i].field) << "case " << i;
  }
}

TEST(EidoIds, OwnIdsAreRecognised) {
  EXPECT_EQ(IncidentTrackingId(IncidentId{7}, "a.example"),
            "urn:emergency:uid:incidentid:7:a.example");
  EXPECT_TRUE(IsOwnId("urn:emergency:uid:noteid:7-1:a.example", "a.example"));
  EXPECT_FALSE(IsOwnId("urn:emergency:uid:noteid:7-1:b.a.example", "a.example"));
  EXPECT_FALSE(IsOwnId("urn:emergency:uid:noteid:7-1:a.example.org", "a.example"));
  EXPECT_FALSE(IsOwnId("note-1", "a.example"));
}

// Export then Parse gives back what Beacon models of the calls, the
// timeline and the units.
TEST(EidoExport, ParseReadsBackWhatExportWrote) {
  model::Incident inc;
  inc.id = IncidentId{3};
  inc.incident_type = "MEDICAL";
  inc.priority = 2;
  inc.location = LatLon{52.370216519, 4.895168};
  inc.address = "Dam 1 <Palace> & square";
  inc.opened_at = 1714564800000;
  inc.timeline = {{1714564800000, "opened", "opened from call 1", "ann"},
                  {1714564860000, "assigned", "M1 (medic) dispatched", "dan"}};
  inc.assignments = {{UnitId{"M1"}, 1714564860000, std::nullopt}};
  model::Call call;
  call.id = CallId{1};
  call.incident_id = inc.id;
  call.channel = model::Channel::kWeb;
  call.received_at = 1714564790000;
  call.created_at = 1714564800000;
  call.created_by = "ann";
  call.location = inc.location;
  call.accuracy_m = 12.5;
  call.address = inc.address;
  call.incident_type = "MEDICAL";
  call.narrative = "fell, \"conscious\"";
  call.caller = model::Caller{"Ann Example", "+31 20 555 0100"};
  inc.call_ids = {call.id};

  ExportInput in;
  in.incident = &inc;
  in.calls = {&call};
  in.units = {{"M1", {"medic", "dispatched", inc.id}}};
  in.type_name = "Medical emergency";
  in.category = "medical";
  in.self = {"a.example", "beacon.a.example"};
  in.now = 1714564900000;
  json doc = Export(in);

  auto back = Parse(doc.dump());
  ASSERT_TRUE(back) << back.error().message() << " at " << back.error().field();
  EXPECT_EQ(back->incident_id, "urn:emergency:uid:incidentid:3:a.example");
  EXPECT_EQ(back->agency, "a.example");
  ASSERT_FALSE(back->type_candidates.empty());
  EXPECT_EQ(back->type_candidates[0], "MEDICAL");
  EXPECT_FALSE(back->closed);
  ASSERT_EQ(back->calls.size(), 1u);
  const Call& c = back->calls[0];
  EXPECT_EQ(c.received_at, call.received_at);
  EXPECT_EQ(c.channel, call.channel);
  EXPECT_EQ(c.incident_type, call.incident_type);
  ASSERT_TRUE(c.location.point.has_value());
  EXPECT_EQ(c.location.point->lat, call.location->lat);  // exact
  EXPECT_EQ(c.location.point->lon, call.location->lon);
  EXPECT_EQ(c.location.radius_m, call.accuracy_m);
  EXPECT_EQ(c.location.address, call.address);
  EXPECT_EQ(c.narrative, call.narrative);
  ASSERT_TRUE(c.caller.has_value());
  EXPECT_EQ(c.caller->name, call.caller->name);
  EXPECT_EQ(c.caller->phone, call.caller->phone);
  EXPECT_EQ(back->location.address, inc.address);
  ASSERT_EQ(back->notes.size(), 2u);
  EXPECT_EQ(back->notes[1].text, "M1 (medic) dispatched");
  EXPECT_EQ(back->notes[1].author, "dan@a.example");
  EXPECT_EQ(back->notes[1].time, 1714564860000);
  ASSERT_EQ(back->resources.size(), 1u);
  EXPECT_EQ(back->resources[0].name, "M1");
  EXPECT_EQ(back->resources[0].unit_type, "medic");
  EXPECT_EQ(back->resources[0].status, "dispatched");
  EXPECT_EQ(back->resources[0].agency, "a.example");
}

}  // namespace
}  // namespace beacon::eido
