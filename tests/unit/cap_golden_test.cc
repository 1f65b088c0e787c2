// CAP 1.2 reader, writer and alert -> call mapping.
//
// Golden tests: every tests/golden/cap/<case>.xml has <case>.expected.json,
// either {"accepted": {"call": {...}, "source": {...}}} (the call the alert
// becomes, compared structurally; "location" within 1e-4 degrees, null when
// there must be none) or {"refused": {"code", "rule", "field"?}}, plus
// "xsd_valid": what the official XSD says. Every OASIS example in
// ../shared/data/standards/cap/examples/ must be accepted and have
// tests/golden/cap/oasis/<name>.expected.json. Adding a case needs no C++.
//
// Cross-check: every golden input and OASIS example also goes through
// xmllint --nonet --schema CAP-v1.2.xsd; whatever the XSD refuses Beacon
// refuses, whatever Beacon accepts the XSD accepts, and every alert the
// writer produces validates.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cap/mapping.h"
#include "cap/parser.h"
#include "cap/writer.h"
#include "dispatch/response_plan.h"
#include "support/json_match.h"
#include "support/process.h"

namespace beacon::cap {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kSource = BEACON_SOURCE_DIR;
const std::string kGolden = kSource + "/tests/golden/cap";
const std::string kStandards = kSource + "/../shared/data/standards/cap";
const std::string kXsd = kStandards + "/CAP-v1.2.xsd";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const CallMapping& Mapping() {
  static const CallMapping m = [] {
    auto r = CallMapping::Parse(ReadFile(kSource + "/config/cap_mapping.json"));
    if (!r) throw std::runtime_error(r.error().message());
    return *r;
  }();
  return m;
}

// What Beacon does with the bytes, as JSON: {"call": ..., "source": ...}
// when accepted, {"code", "rule", "field"} when refused.
json Outcome(const std::string& bytes, bool& accepted) {
  auto a = Parse(bytes);
  Status s = a ? CheckAcceptable(*a) : a.error();
  accepted = s.ok();
  if (!s.ok()) {
    json r = {{"code", CodeName(s.code())}, {"rule", RuleOf(s)}, {"message", s.message()}};
    if (!s.field().empty()) r["field"] = s.field();
    return r;
  }
  json call = nullptr;
  if (a->msg_type != "Cancel") {
    auto in = ToCallInput(*a, Mapping());
    call = {{"channel", model::ToString(in.channel)}, {"incident_type", in.incident_type}};
    if (in.location) call["location"] = {{"lat", in.location->lat}, {"lon", in.location->lon}};
    if (in.address) call["address"] = *in.address;
    if (in.narrative) call["narrative"] = *in.narrative;
  }
  return {{"call", call},
          {"source",
           {{"identifier", a->identifier},
            {"sender", a->sender},
            {"sent", a->sent},
            {"msg_type", a->msg_type},
            {"signed", a->signed_xml},
            {"infos", a->infos.size()}}}};
}

void ExpectCall(const json& got, const json& want) {
  if (want.is_null()) {
    EXPECT_TRUE(got.is_null()) << got.dump(2);
    return;
  }
  ASSERT_TRUE(got.is_object()) << "no call";
  json rest = want;
  if (want.contains("location")) {
    rest.erase("location");
    if (want["location"].is_null()) {
      EXPECT_FALSE(got.contains("location")) << got.dump(2);
    } else {
      ASSERT_TRUE(got.contains("location")) << got.dump(2);
      EXPECT_NEAR(got["location"]["lat"].get<double>(), want["location"]["lat"].get<double>(),
                  1e-4);
      EXPECT_NEAR(got["location"]["lon"].get<double>(), want["location"]["lon"].get<double>(),
                  1e-4);
    }
  }
  std::string where;
  EXPECT_TRUE(testing::JsonContains(got, rest, &where))
      << "differs at " << where << "\n got: " << got.dump(2) << "\nwant: " << rest.dump(2);
}

void CheckCase(const std::string& xml_path, const std::string& expected_path) {
  SCOPED_TRACE(xml_path);
  ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path;
  json want = json::parse(ReadFile(expected_path));
  bool accepted = false;
  json got = Outcome(ReadFile(xml_path), accepted);
  if (want.contains("refused")) {
    ASSERT_FALSE(accepted) << "accepted, expected refusal " << want["refused"].dump();
    std::string where;
    EXPECT_TRUE(testing::JsonContains(got, want["refused"], &where))
        << "differs at " << where << "\n got: " << got.dump(2);
  } else {
    ASSERT_TRUE(accepted) << "refused: " << got.dump(2);
    ExpectCall(got["call"], want["accepted"]["call"]);
    if (want["accepted"].contains("source")) {
      std::string where;
      EXPECT_TRUE(testing::JsonContains(got["source"], want["accepted"]["source"], &where))
          << "differs at " << where << "\n got: " << got["source"].dump(2);
    }
  }
}

std::vector<fs::path> Files(const std::string& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ext) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(CapGolden, EveryCase) {
  auto cases = Files(kGolden, ".xml");
  ASSERT_GE(cases.size(), 40u);
  for (const auto& p : cases) {
    CheckCase(p.string(), (p.parent_path() / (p.stem().string() + ".expected.json")).string());
  }
}

TEST(CapGolden, EveryOasisExampleIsAcceptedWithTheExpectedCall) {
  auto examples = Files(kStandards + "/examples", ".xml");
  ASSERT_GE(examples.size(), 4u) << "OASIS examples not found under " << kStandards;
  for (const auto& p : examples) {
    CheckCase(p.string(), kGolden + "/oasis/" + p.stem().string() + ".expected.json");
  }
}

// ---- the XSD cross-check ----------------------------------------------------

std::string Xmllint() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && fs::exists(dir + "/xmllint")) return dir + "/xmllint";
  }
  throw std::runtime_error("xmllint not found on PATH (install libxml2-utils: scripts/setup.sh)");
}

// xmllint's verdict on `path`: true when valid against the CAP XSD.
bool XsdValid(const std::string& path, std::string* output = nullptr) {
  support::TempDir tmp;
  std::string out_path = tmp.path() + "/out";
  FILE* out = std::fopen(out_path.c_str(), "w");
  if (!out) throw std::runtime_error("cannot write " + out_path);
  pid_t pid = support::Spawn({Xmllint(), "--nonet", "--noout", "--schema", kXsd, path}, fileno(out),
                             fileno(out), "");
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::fclose(out);
  if (output) *output = ReadFile(out_path);
  if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
    throw std::runtime_error("xmllint did not run (install libxml2-utils): " + ReadFile(out_path));
  }
  return WEXITSTATUS(status) == 0;
}

TEST(CapXsdCrossCheck, BeaconIsAtLeastAsStrictAsTheXsd) {
  ASSERT_TRUE(fs::exists(kXsd)) << kXsd;
  std::vector<fs::path> inputs = Files(kGolden, ".xml");
  for (const auto& p : Files(kStandards + "/examples", ".xml")) inputs.push_back(p);
  int refused_by_xsd = 0;
  for (const auto& p : inputs) {
    SCOPED_TRACE(p.string());
    std::string log;
    bool xsd = XsdValid(p.string(), &log);
    auto parsed = Parse(ReadFile(p.string()));
    if (!xsd) {
      ++refused_by_xsd;
      EXPECT_FALSE(parsed.has_value()) << "the XSD refuses it but Beacon accepts it:\n" << log;
    }
    if (parsed) {
      EXPECT_TRUE(xsd) << "Beacon accepts it but the XSD refuses it:\n" << log;
    }
    auto expected = kGolden + "/" + p.stem().string() + ".expected.json";
    if (p.parent_path() == fs::path(kGolden)) {
      json want = json::parse(ReadFile(expected));
      EXPECT_EQ(xsd, want.value("xsd_valid", !xsd)) << "xsd_valid in " << expected << "\n" << log;
    }
  }
  EXPECT_GT(refused_by_xsd, 10) << "the cross-check should see XSD refusals";
}

// ---- the writer ---------------------------------------------------------------

Alert Sample() {
  Alert a;
  a.identifier = "beacon-1";
  a.sender = "beacon@example.org";
  a.sent = "2026-11-23T16:12:47-00:00";
  a.status = "Actual";
  a.msg_type = "Update";
  a.scope = "Public";
  a.references = {{"beacon@example.org", "beacon-0", "2026-11-23T16:00:00-00:00"}};
  a.incidents = "beacon-incident-7";
  Info en;
  en.language = "en-US";
  en.categories = {"Fire", "Safety"};
  en.event = "Wildfire";
  en.response_types = {"Evacuate"};
  en.urgency = "Immediate";
  en.severity = "Extreme";
  en.certainty = "Observed";
  en.expires = "2026-11-23T20:00:00-00:00";
  en.headline = "Evacuate <now> & go \"north\"";
  en.instruction = "Leave by Mission St.\r\nDo not return.";
  Area area;
  area.desc = "Bernal Heights";
  area.polygons = {
      {{37.744, -122.416}, {37.744, -122.412}, {37.742, -122.412}, {37.744, -122.416}}};
  area.circles = {{{37.7525, -122.415}, 1.5}};
  en.areas = {area};
  Info es = en;
  es.language = "es-US";
  es.event = "Incendio forestal";
  es.headline = "Evacúe ahora";
  a.infos = {en, es};
  return a;
}

TEST(CapWriter, RoundTripsThroughTheReader) {
  Alert a = Sample();
  auto back = Parse(ToXml(a));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->identifier, a.identifier);
  EXPECT_EQ(back->references.size(), 1u);
  EXPECT_EQ(back->references[0].Key(), a.references[0].Key());
  ASSERT_EQ(back->infos.size(), 2u);
  EXPECT_EQ(back->infos[0].headline, a.infos[0].headline);
  EXPECT_EQ(back->infos[0].instruction, a.infos[0].instruction);
  EXPECT_EQ(back->infos[1].headline, "Evacúe ahora");
  EXPECT_EQ(back->infos[0].areas[0].polygons[0].size(), 4u);
  EXPECT_DOUBLE_EQ(back->infos[0].areas[0].circles[0].radius_km, 1.5);
}

TEST(CapWriter, EveryWrittenAlertValidatesAgainstTheXsd) {
  support::TempDir tmp;
  std::vector<Alert> alerts;
  alerts.push_back(Sample());
  Alert minimal;
  minimal.identifier = "x";
  minimal.sender = "y";
  minimal.sent = "2026-01-01T00:00:00+01:00";
  minimal.status = "Exercise";
  minimal.msg_type = "Cancel";
  minimal.scope = "Public";
  minimal.references = {{"y", "w", "2025-12-31T23:00:00-00:00"}};
  alerts.push_back(minimal);
  for (size_t i = 0; i < alerts.size(); ++i) {
    std::string path = tmp.path() + "/alert" + std::to_string(i) + ".xml";
    std::ofstream(path) << ToXml(alerts[i]);
    std::string log;
    EXPECT_TRUE(XsdValid(path, &log)) << log << ReadFile(path);
  }
}

TEST(CapWriter, AtomFeedEscapesAndLinks) {
  Feed f{"urn:beacon:alerts:x", "Warnings & more", "/feed.atom", "2026-11-23T16:12:47-00:00", {}};
  f.entries.push_back({"urn:a", "<Fire>", "2026-11-23T16:12:47-00:00", "/api/v1/alerts/1.xml", ""});
  std::string atom = ToAtom(f);
  EXPECT_NE(atom.find("<feed xmlns=\"http://www.w3.org/2005/Atom\">"), std::string::npos);
  EXPECT_NE(atom.find("<title>&lt;Fire&gt;</title>"), std::string::npos);
  EXPECT_NE(atom.find("type=\"application/cap+xml\" href=\"/api/v1/alerts/1.xml\""),
            std::string::npos);
  EXPECT_NE(atom.find("Warnings &amp; more"), std::string::npos);
}

// ---- times, hostile shapes, mapping ---------------------------------------------

TEST(CapTime, ParsesOnlyTheCapForm) {
  EXPECT_EQ(ParseCapTime("1970-01-01T00:00:00-00:00"), 0);
  EXPECT_EQ(ParseCapTime("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(ParseCapTime(" 2003-06-11T22:39:00-07:00\n"), ParseRfc3339("2003-06-12T05:39:00Z"));
  for (const char* bad : {"2003-06-11T22:39:00Z", "2003-06-11T22:39:00", "2003-06-11T22:39-07:00",
                          "2003-02-29T00:00:00-00:00", "2003-06-11T22:39:00,07:00",
                          "2003-13-01T00:00:00-00:00", "2003-06-11T22:39:00.1-07:00", ""}) {
    EXPECT_FALSE(ParseCapTime(bad)) << bad;
  }
  EXPECT_TRUE(ParseCapTime("2004-02-29T00:00:00-00:00"));
  EXPECT_EQ(FormatCapTime(0), "1970-01-01T00:00:00-00:00");
}

std::string Minimal(const std::string& tail) {
  return "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>i</identifier>"
         "<sender>s</sender><sent>2026-01-01T00:00:00-00:00</sent><status>Actual</status>"
         "<msgType>Alert</msgType><scope>Public</scope>" +
         tail + "</alert>";
}

// RFC 7303: the Content-Type charset wins over the declaration; a BOM wins
// over both.
TEST(CapEncoding, CharsetParameterWinsOverTheDeclaration) {
  std::string latin1 = Minimal("<note>caf\xE9</note>");
  EXPECT_FALSE(Parse(latin1));  // no declaration: UTF-8, and \xE9 alone is not UTF-8
  auto a = Parse(latin1, "ISO-8859-1");
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->note, "caf\xC3\xA9");
  std::string declared = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + latin1;
  EXPECT_TRUE(Parse(declared));
  EXPECT_FALSE(Parse(declared, "utf-8"));
  EXPECT_EQ(RuleOf(Parse(latin1, "koi8-r").error()), "xml.encoding");
  auto bom = Parse("\xEF\xBB\xBF" + Minimal("<note>caf\xC3\xA9</note>"), "ISO-8859-1");
  ASSERT_TRUE(bom) << bom.error().message();
  EXPECT_EQ(bom->note, "caf\xC3\xA9");
}

TEST(CapHostile, DeepSignatureNestingIsHandledWithoutRecursion) {
  std::string deep;
  const int kDepth = 200000;
  deep.reserve(kDepth * 12);
  deep += "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">";
  for (int i = 0; i < kDepth; ++i) deep += "<a>";
  for (int i = 0; i < kDepth; ++i) deep += "</a>";
  deep += "</Signature>";
  auto a = Parse(Minimal(deep));
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_TRUE(a->signed_xml);
}

TEST(CapHostile, GarbageIsRefusedNotCrashing) {
  for (std::string bad :
       {std::string(""), std::string("\0\0\0", 3), std::string("<"), std::string("<alert"),
        std::string("<?xml version='1.0'?>"), std::string("<!-- x -->"),
        std::string("<![CDATA[x]]>"), std::string("<a:alert xmlns:a=''/>"), Minimal("<info>")}) {
    auto a = Parse(bad);
    EXPECT_FALSE(a.has_value()) << bad;
    if (!a) {
      EXPECT_FALSE(RuleOf(a.error()).empty()) << a.error().message();
    }
  }
}

TEST(CapMapping, ShippedMappingNamesOnlyPlannedTypes) {
  auto plans = dispatch::ResponsePlans::Load(kSource + "/config/response_plans.json");
  ASSERT_TRUE(plans) << plans.error().message();
  for (const auto& t : Mapping().IncidentTypes()) EXPECT_TRUE(plans->Find(t)) << t;
}

TEST(CapMapping, RulesAndErrors) {
  auto m = CallMapping::Parse(R"({"version": 1, "default_incident_type": "D", "rules": [
      {"category": "Fire", "event_contains": ["Wild"], "incident_type": "W"},
      {"severity": ["Extreme"], "incident_type": "X"}]})");
  ASSERT_TRUE(m) << m.error().message();
  Info i;
  i.categories = {"Fire"};
  i.event = "WILDFIRE";
  i.severity = "Minor";
  EXPECT_EQ(m->IncidentType(i), "W");
  i.categories = {"Met"};
  EXPECT_EQ(m->IncidentType(i), "D");
  i.severity = "Extreme";
  EXPECT_EQ(m->IncidentType(i), "X");
  auto bad = CallMapping::Parse(R"({"version": 1, "default_incident_type": "D",
      "rules": [{"incident_type": "W", "colour": "red"}]})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field(), "rules[0].colour");
  EXPECT_FALSE(CallMapping::Parse("[]"));
  EXPECT_FALSE(CallMapping::Parse(R"({"version": 1, "rules": []})"));
}

TEST(CapMapping, PicksTheCentresLanguage) {
  Alert a;
  Info fr, en;
  fr.language = "fr-CA";
  en.language = "EN-ca";
  a.infos = {fr, en};
  EXPECT_EQ(&Mapping().ChooseInfo(a), &a.infos[1]);
  a.infos = {fr};
  EXPECT_EQ(&Mapping().ChooseInfo(a), &a.infos[0]);
}

}  // namespace
}  // namespace beacon::cap
