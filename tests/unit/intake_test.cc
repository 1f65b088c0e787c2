// Intake parsers. The call-request cases are data-driven golden files in
// tests/golden/intake/: <case>.json is the raw body, <case>.expected.json
// is {"call": {...}} (the parsed call) or {"error": {"code", "field"}}.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "intake/json_body.h"
#include "intake/requests.h"

namespace beacon::intake {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json CallInputJson(const model::CallInput& in) {
  json j = {{"channel", model::ToString(in.channel)}, {"incident_type", in.incident_type}};
  if (in.received_at) j["received_at"] = FormatRfc3339(*in.received_at);
  if (in.location) {
    j["location"] = {{"lat", in.location->lat}, {"lon", in.location->lon}};
    if (in.accuracy_m) j["location"]["accuracy_m"] = *in.accuracy_m;
  }
  if (in.address) j["address"] = *in.address;
  if (in.narrative) j["narrative"] = *in.narrative;
  if (in.caller) {
    j["caller"] = json::object();
    if (in.caller->name) j["caller"]["name"] = *in.caller->name;
    if (in.caller->phone) j["caller"]["phone"] = *in.caller->phone;
  }
  return j;
}

TEST(IntakeGolden, CallRequests) {
  fs::path dir = fs::path(BEACON_SOURCE_DIR) / "tests/golden/intake";
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".expected.json") || !name.ends_with(".json")) continue;
    std::string stem = name.substr(0, name.size() - 5);
    SCOPED_TRACE(stem);
    auto expected = json::parse(ReadFile(dir / (stem + ".expected.json")));
    auto got = ParseCallRequest(ReadFile(entry.path()));
    if (expected.contains("call")) {
      ASSERT_TRUE(got.has_value()) << got.error().message();
      EXPECT_EQ(CallInputJson(*got), expected["call"]);
    } else {
      ASSERT_FALSE(got.has_value()) << "accepted: " << CallInputJson(*got).dump();
      const auto& e = expected["error"];
      if (e.contains("code")) {
        EXPECT_EQ(CodeName(got.error().code()), e["code"].get<std::string>());
      }
      if (e.contains("field")) {
        EXPECT_EQ(got.error().field(), e["field"].get<std::string>());
      }
      EXPECT_FALSE(got.error().message().empty());
    }
    ++cases;
  }
  EXPECT_GE(cases, 25);
}

TEST(Intake, LoginNeedsBothFields) {
  EXPECT_TRUE(ParseLoginRequest(R"({"username":"a","password":"b"})").has_value());
  auto r = ParseLoginRequest(R"({"username":"a"})");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().field(), "password");
}

TEST(Intake, UnitCreateChecksIdentifier) {
  auto ok =
      ParseUnitCreateRequest(R"({"unit_id":"E-21.b","unit_type":"engine","station_id":"S1"})");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->unit_id.value(), "E-21.b");
  auto bad = ParseUnitCreateRequest(R"({"unit_id":"E 21","unit_type":"engine"})");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().field(), "unit_id");
  auto pos = ParseUnitCreateRequest(
      R"({"unit_id":"P1","unit_type":"patrol","position":{"lat":99,"lon":0}})");
  ASSERT_FALSE(pos.has_value());
  EXPECT_EQ(pos.error().field(), "position.lat");
}

TEST(Intake, StatusMustBeKnown) {
  auto ok = ParseUnitStatusRequest(R"({"status":"en_route"})");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, model::UnitStatus::kEnRoute);
  auto bad = ParseUnitStatusRequest(R"({"status":"flying"})");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), Code::kInvalid);
  EXPECT_NE(bad.error().message().find("at_hospital"), std::string::npos);
}

TEST(Intake, SplitIdsArePositiveIntegers) {
  EXPECT_TRUE(ParseSplitRequest(R"({"call_ids":[1,2]})").has_value());
  auto empty = ParseSplitRequest(R"({"call_ids":[]})");
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), Code::kInvalid);
  auto neg = ParseSplitRequest(R"({"call_ids":[1,-2]})");
  ASSERT_FALSE(neg.has_value());
  EXPECT_EQ(neg.error().field(), "call_ids[1]");
  auto str = ParseSplitRequest(R"({"call_ids":["1"]})");
  ASSERT_FALSE(str.has_value());
  EXPECT_EQ(str.error().code(), Code::kMalformed);
}

TEST(Intake, MergeCloseAssignment) {
  EXPECT_EQ(ParseMergeRequest(R"({"into":7})")->value(), 7);
  EXPECT_FALSE(ParseMergeRequest(R"({"into":1.5})").has_value());
  EXPECT_EQ(*ParseCloseRequest(R"({"disposition":"treated"})"), "treated");
  EXPECT_FALSE(ParseCloseRequest(R"({"disposition":""})").has_value());
  EXPECT_EQ(ParseAssignmentRequest(R"({"unit_id":"M1"})")->unit_id.value(), "M1");
}

TEST(Intake, UserCreateNeedsKnownRoleAndLongPassword) {
  EXPECT_TRUE(
      ParseUserCreateRequest(R"({"username":"ann","role":"dispatcher","password":"12345678"})")
          .has_value());
  EXPECT_EQ(ParseUserCreateRequest(R"({"username":"ann","role":"king","password":"12345678"})")
                .error()
                .field(),
            "role");
  EXPECT_EQ(ParseUserCreateRequest(R"({"username":"ann","role":"admin","password":"short"})")
                .error()
                .field(),
            "password");
}

TEST(JsonBody, DepthLimitIgnoresBracketsInStrings) {
  std::string deep_string = R"({"a":")" + std::string(1000, '[') + R"("})";
  EXPECT_TRUE(ParseObject(deep_string).has_value());
  EXPECT_FALSE(ParseObject(std::string(kMaxNestingDepth + 1, '[')).has_value());
}

TEST(FloorRequests, AssignmentTakesDivert) {
  auto r = ParseAssignmentRequest(R"({"unit_id":"E1","divert":true})");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->divert);
  EXPECT_FALSE(ParseAssignmentRequest(R"({"unit_id":"E1"})")->divert);
  EXPECT_EQ(ParseAssignmentRequest(R"({"unit_id":"E1","divert":"yes"})").error().field(), "divert");
}

TEST(FloorRequests, IncidentPatch) {
  auto r = ParseIncidentPatchRequest(
      R"({"incident_type":"CARDIAC_ARREST","priority":1,"location":{"lat":1,"lon":2},)"
      R"("address":"a","disposition":"d"})");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r->incident_type, "CARDIAC_ARREST");
  EXPECT_EQ(*r->priority, 1);
  EXPECT_DOUBLE_EQ(r->location->lon, 2);
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {"{}", "incident_type"},
           {R"({"priority":6})", "priority"},
           {R"({"priority":1.5})", "priority"},
           {R"({"location":{"lat":1}})", "location.lon"},
           {R"({"location":{"lat":1,"lon":2,"x":3}})", "location.x"},
           {R"({"address":""})", "address"},
           {R"({"disposition":""})", "disposition"},
           {R"({"status":"open"})", "status"}}) {
    auto bad = ParseIncidentPatchRequest(body);
    ASSERT_FALSE(bad) << body;
    EXPECT_EQ(bad.error().field(), field) << body << ": " << bad.error().message();
  }
}

TEST(FloorRequests, CallPatchAndNote) {
  auto r = ParseCallPatchRequest(R"({"caller":{"phone":"+1 555 0100"},"narrative":"more"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->caller_phone, "+1 555 0100");
  EXPECT_FALSE(r->caller_name);
  EXPECT_EQ(*r->narrative, "more");
  EXPECT_EQ(ParseCallPatchRequest("{}").error().field(), "caller");
  EXPECT_EQ(ParseCallPatchRequest(R"({"caller":{"phone":"x"}})").error().field(), "caller.phone");
  EXPECT_EQ(ParseCallPatchRequest(R"({"narrative":""})").error().field(), "narrative");
  EXPECT_EQ(*ParseNoteRequest(R"({"text":"door locked"})"), "door locked");
  EXPECT_EQ(ParseNoteRequest(R"({"text":" \n"})").error().field(), "text");
  EXPECT_EQ(ParseNoteRequest(R"({"text":1})").error().field(), "text");
}

TEST(FloorRequests, CallLinkToAndAlarmPanel) {
  auto r = ParseCallRequest(
      R"({"channel":"alarm","address":"x","incident_type":"FIRE_ALARM","link_to":7,)"
      R"("alarm_panel":"ACME-1"})");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->link_to->value(), 7);
  EXPECT_EQ(*r->alarm_panel, "ACME-1");
  EXPECT_EQ(
      ParseCallRequest(R"({"channel":"phone","address":"x","incident_type":"M","link_to":-1})")
          .error()
          .field(),
      "link_to");
}

}  // namespace
}  // namespace beacon::intake

namespace beacon::intake {
namespace {

TEST(FloorRequests, StatusDestinationAndReason) {
  auto to = ParseUnitStatusRequest(R"({"status":"transporting","destination":"SFGH"})");
  ASSERT_TRUE(to.has_value());
  EXPECT_EQ(to->destination->value(), "SFGH");
  auto wrong = ParseUnitStatusRequest(R"({"status":"on_scene","destination":"SFGH"})");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().field(), "destination");
  auto oos = ParseUnitStatusRequest(R"({"status":"out_of_service"})");
  ASSERT_FALSE(oos.has_value());
  EXPECT_EQ(oos.error().field(), "reason");
  auto with = ParseUnitStatusRequest(R"({"status":"out_of_service","reason":"mechanical"})");
  ASSERT_TRUE(with.has_value());
  EXPECT_EQ(*with->reason, "mechanical");
  EXPECT_EQ(ParseUnitStatusRequest(R"({"status":"available","reason":""})").error().field(),
            "reason");
}

TEST(FloorRequests, Facility) {
  auto ok = ParseFacilityCreateRequest(
      R"({"facility_id":"SFGH","name":"General","kind":"trauma_centre",
          "location":{"lat":37.75,"lon":-122.4},"status":"diversion"})");
  ASSERT_TRUE(ok.has_value()) << ok.error().message();
  EXPECT_EQ(ok->status, model::FacilityStatus::kDiversion);
  auto kind = ParseFacilityCreateRequest(
      R"({"facility_id":"X","name":"n","kind":"spa","location":{"lat":1,"lon":1}})");
  EXPECT_EQ(kind.error().field(), "kind");
  auto where = ParseFacilityCreateRequest(R"({"facility_id":"X","name":"n","kind":"hospital"})");
  EXPECT_EQ(where.error().field(), "location");
  EXPECT_EQ(ParseFacilityStatusRequest(R"({"status":"full"})").error().field(), "status");
  EXPECT_EQ(ParseFacilityStatusRequest(R"({"status":"open","x":1})").error().code(),
            Code::kInvalid);
}

TEST(FloorRequests, PremisePolygonMustBeClosed) {
  auto ok = ParsePremiseCreateRequest(
      R"({"polygon":[[1,1],[1,2],[2,2],[1,1]],"text":"basement flooded","hazard":true,
          "names_resident":false,"review_by":"2027-01-31"})");
  ASSERT_TRUE(ok.has_value()) << ok.error().message();
  EXPECT_EQ(ok->polygon.size(), 4u);
  EXPECT_TRUE(ok->hazard);
  struct Case {
    const char* body;
    const char* field;
  };
  for (const auto& c : std::vector<Case>{
           {R"({"polygon":[[1,1],[1,2],[2,2],[2,1]],"text":"t"})", "polygon"},
           {R"({"polygon":[[1,1],[1,2],[1,1]],"text":"t"})", "polygon"},
           {R"({"polygon":[[1,1],[91,2],[2,2],[1,1]],"text":"t"})", "polygon[1]"},
           {R"({"polygon":[[1,1],"x",[2,2],[1,1]],"text":"t"})", "polygon[1]"},
           {R"({"polygon":{"a":1},"text":"t"})", "polygon"},
           {R"({"text":"t"})", "location"},
           {R"({"location":{"lat":1,"lon":1},"text":""})", "text"},
           {R"({"location":{"lat":1,"lon":1},"text":"t","review_by":"2027-13-01"})", "review_by"},
           {R"({"location":{"lat":1,"lon":1},"text":"t","hazard":"yes"})", "hazard"},
       }) {
    auto r = ParsePremiseCreateRequest(c.body);
    ASSERT_FALSE(r.has_value()) << c.body;
    EXPECT_EQ(r.error().field(), c.field) << c.body << ": " << r.error().message();
  }
}

}  // namespace
}  // namespace beacon::intake
