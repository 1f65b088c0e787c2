// CAP 1.2 against the real beacon binary: the OASIS examples become agency
// calls; Update and Cancel find the earlier alert's incident, also after a
// restart; duplicates are idempotent; hostile messages (billion laughs,
// external entities at a local file and at a 127.0.0.1 listener this test
// opens, XInclude, external DTD) are refused and nothing is read or
// fetched; issued alerts and their Update/Cancel validate against the
// official XSD (xmllint) and appear in the Atom feed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "integration/scenario.h"
#include "support/json_match.h"

namespace beacon::testing {
namespace {

namespace fs = std::filesystem;

const std::string kSource = BEACON_SOURCE_DIR;
const std::string kGolden = kSource + "/tests/golden/cap";
const std::string kStandards = kSource + "/../shared/data/standards/cap";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

HttpResult PostCap(HttpClient& http, const std::string& xml, const std::string& token,
                   const std::string& type = "application/cap+xml") {
  return http.Request("POST", "/api/v1/cap", xml, token, {{"Content-Type", type}});
}

// xmllint --nonet --schema CAP-v1.2.xsd on `xml`; "" when valid, else its output.
std::string XsdProblems(const std::string& xml) {
  TempDir tmp;
  std::string path = tmp.path() + "/alert.xml";
  std::ofstream(path, std::ios::binary) << xml;
  std::string cmd =
      "xmllint --nonet --noout --schema '" + kStandards + "/CAP-v1.2.xsd' '" + path + "' 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "cannot run xmllint";
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : "xmllint: " + out;
}

// A CAP alert in San Francisco with the given identity and references.
std::string SfAlert(const std::string& id, const std::string& msg_type,
                    const std::string& references = "", const std::string& instruction = "") {
  std::string refs = references.empty() ? "" : "<references>" + references + "</references>";
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>)" +
         id + R"(</identifier>
  <sender>eoc@sf.example</sender>
  <sent>2026-03-01T10:15:00-08:00</sent>
  <status>Actual</status>
  <msgType>)" +
         msg_type + R"(</msgType>
  <scope>Public</scope>)" +
         refs + R"(
  <info>
    <category>Fire</category>
    <event>Wildfire</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <headline>Grass fire on Twin Peaks</headline>
    <instruction>)" +
         instruction + R"(</instruction>
    <area>
      <areaDesc>Twin Peaks</areaDesc>
      <circle>37.7544,-122.4477 0.8</circle>
    </area>
  </info>
</alert>
)";
}

std::string ReplaceFirst(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

std::string Key(const std::string& id) {
  return "eoc@sf.example," + id + ",2026-03-01T10:15:00-08:00";
}

class CapTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixture_ = new Fixture();
    fixture_->Start();
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }
  Api api() { return Api(*fixture_); }
  static Fixture* fixture_;
};
Fixture* CapTest::fixture_ = nullptr;

TEST_F(CapTest, OasisExamplesBecomeAgencyCalls) {
  Api a = api();
  int seen = 0;
  for (const auto& e : fs::directory_iterator(kStandards + "/examples")) {
    if (e.path().extension() != ".xml") continue;
    ++seen;
    SCOPED_TRACE(e.path().string());
    std::string xml = ReadFile(e.path().string());
    auto r = PostCap(a.http(), xml, fixture_->Token("call_taker"));
    ASSERT_EQ(r.status, 201) << r.body;
    json body = r.Json();
    json want = json::parse(ReadFile(kGolden + "/oasis/" + e.path().stem().string() +
                                     ".expected.json"))["accepted"]["call"];
    json call = a.Call(body.at("call_id").get<std::int64_t>());
    EXPECT_EQ(call["incident_id"], body["incident_id"]);
    EXPECT_EQ(call["source"]["identifier"], body["identifier"]);
    EXPECT_EQ(call["source"]["standard"], "CAP 1.2");
    EXPECT_EQ(call["source"]["sha256"].get<std::string>().size(), 64u);
    json loc = want["location"];
    want.erase("location");
    std::string where;
    EXPECT_TRUE(JsonContains(call, want, &where)) << where << "\n" << call.dump(2);
    if (loc.is_null()) {
      EXPECT_FALSE(call.contains("location"));
    } else {
      EXPECT_NEAR(call["location"]["lat"].get<double>(), loc["lat"].get<double>(), 1e-4);
    }
    // The same message again: the first answer, no second call.
    auto again = PostCap(a.http(), xml, fixture_->Token("dispatcher"));
    ASSERT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(again.Json()["call_id"], body["call_id"]);
    EXPECT_EQ(again.Json()["duplicate"], true);
    // Same sender+identifier+sent, different bytes: a conflict.
    auto changed = PostCap(a.http(), xml + "<!-- changed -->", fixture_->Token("call_taker"));
    EXPECT_EQ(changed.status, 409) << changed.body;
  }
  EXPECT_EQ(seen, 4);
}

TEST_F(CapTest, UpdateAndCancelFollowTheEarlierAlertAcrossARestart) {
  Api a = api();
  std::string t = fixture_->Token("call_taker");
  auto first = PostCap(a.http(), SfAlert("TP-1", "Alert"), t);
  ASSERT_EQ(first.status, 201) << first.body;
  std::int64_t incident = first.Json()["incident_id"].get<std::int64_t>();
  EXPECT_EQ(first.Json()["linked"], false);

  auto update = PostCap(a.http(), SfAlert("TP-2", "Update", Key("TP-1"), "Leave now"), t);
  ASSERT_EQ(update.status, 201) << update.body;
  EXPECT_EQ(update.Json()["incident_id"], incident);
  EXPECT_EQ(update.Json()["linked_to"], Key("TP-1"));

  // The mapping is rebuilt from the store on start.
  fixture_->server->Kill(SIGTERM);
  fixture_->server->Start();
  Api b = api();
  auto cancel = PostCap(b.http(), SfAlert("TP-3", "Cancel", Key("TP-1") + " " + Key("TP-2")), t);
  ASSERT_EQ(cancel.status, 201) << cancel.body;
  EXPECT_EQ(cancel.Json()["incident_id"], incident);
  EXPECT_FALSE(cancel.Json().contains("call_id"));
  auto again = PostCap(b.http(), SfAlert("TP-1", "Alert"), t);
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.Json()["duplicate"], true);

  json inc = b.Incident(incident);
  EXPECT_EQ(inc["calls"].size(), 2u);
  EXPECT_EQ(inc["status"], "open");
  bool cancelled = false;
  for (const auto& e : inc["timeline"]) cancelled = cancelled || e["kind"] == "cap_cancel";
  EXPECT_TRUE(cancelled) << inc["timeline"].dump(2);
}

TEST_F(CapTest, Latin1HeadlineBecomesUtf8) {
  Api a = api();
  auto r = PostCap(a.http(), ReadFile(kGolden + "/latin1.xml"), fixture_->Token("call_taker"),
                   "application/xml; charset=ISO-8859-1");
  ASSERT_EQ(r.status, 201) << r.body;
  json call = a.Call(r.Json()["call_id"].get<std::int64_t>());
  EXPECT_NE(
      call["narrative"].get<std::string>().find("Feu de for\xC3\xAAt pr\xC3\xA8s de l'\xC3\xA9"
                                                "cole"),
      std::string::npos)
      << call["narrative"];
}

TEST_F(CapTest, EveryRefusedGoldenCaseIsRefusedWithItsRule) {
  Api a = api();
  int cases = 0;
  for (const auto& e : fs::directory_iterator(kGolden)) {
    if (e.path().extension() != ".xml") continue;
    json want = json::parse(ReadFile(kGolden + "/" + e.path().stem().string() + ".expected.json"));
    if (!want.contains("refused")) continue;
    ++cases;
    SCOPED_TRACE(e.path().string());
    auto r = PostCap(a.http(), ReadFile(e.path().string()), fixture_->Token("call_taker"));
    EXPECT_EQ(r.status, want["refused"]["code"] == "malformed" ? 400 : 422) << r.body;
    json err = r.Json()["error"];
    EXPECT_EQ(err["rule"], want["refused"]["rule"]) << r.body;
    if (want["refused"].contains("field")) {
      EXPECT_EQ(err["field"], want["refused"]["field"]);
    }
  }
  EXPECT_GT(cases, 40);
  EXPECT_EQ(
      PostCap(a.http(), SfAlert("X", "Alert"), fixture_->Token("call_taker"), "text/plain").status,
      415);
  EXPECT_EQ(PostCap(a.http(), SfAlert("X", "Alert"), fixture_->Token("analyst")).status, 403);
}

// A TCP listener on 127.0.0.1 that must never see a connection.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 16) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::fcntl(fd_, F_SETFL, O_NONBLOCK);
  }
  ~Listener() { ::close(fd_); }
  int port() const { return port_; }
  // Connections accepted so far (non-blocking).
  int Connections() {
    int n = 0;
    for (int c; (c = ::accept(fd_, nullptr, nullptr)) >= 0; ++n) ::close(c);
    return n;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST_F(CapTest, HostileMessagesReadAndFetchNothing) {
  Api a = api();
  TempDir tmp;
  std::mt19937_64 rng(std::random_device{}());
  std::string secret = "beacon-secret-" + std::to_string(rng());
  std::string secret_path = tmp.path() + "/secret.txt";
  std::ofstream(secret_path) << secret;
  Listener listener;
  std::string url = "http://127.0.0.1:" + std::to_string(listener.port());

  std::string base = SfAlert("HOST-1", "Alert", "", "&xxe;");
  auto with_doctype = [&](const std::string& doctype) {
    std::string xml = base;
    xml.insert(xml.find("<alert"), doctype + "\n");
    return xml;
  };
  std::string billion = "<!DOCTYPE alert [\n<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n";
  std::string prev = "a";
  for (int i = 0; i < 12; ++i) {
    std::string name = "e" + std::to_string(i);
    billion += "<!ENTITY " + name + " \"";
    for (int k = 0; k < 10; ++k) billion += "&" + prev + ";";
    billion += "\">\n";
    prev = name;
  }
  billion += "<!ENTITY xxe \"&" + prev + ";\">\n]>";
  const std::vector<std::pair<std::string, std::string>> attacks = {
      {"billion laughs", with_doctype(billion)},
      {"external entity, local file",
       with_doctype("<!DOCTYPE alert [<!ENTITY xxe SYSTEM \"file://" + secret_path + "\">]>")},
      {"external entity, plain path",
       with_doctype("<!DOCTYPE alert [<!ENTITY xxe SYSTEM \"" + secret_path + "\">]>")},
      {"external entity, 127.0.0.1",
       with_doctype("<!DOCTYPE alert [<!ENTITY xxe SYSTEM \"" + url + "/xxe\">]>")},
      {"parameter entity, 127.0.0.1",
       with_doctype("<!DOCTYPE alert [<!ENTITY % p SYSTEM \"" + url + "/p.dtd\"> %p;]>")},
      {"external DTD, 127.0.0.1", with_doctype("<!DOCTYPE alert SYSTEM \"" + url + "/cap.dtd\">")},
      {"XInclude, local file",
       SfAlert("HOST-2", "Alert", "",
               "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"" + secret_path +
                   "\" parse=\"text\"/>")},
      {"XInclude, 127.0.0.1",
       SfAlert(
           "HOST-3", "Alert", "",
           "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"" + url + "/x\"/>")},
      {"schemaLocation hint, 127.0.0.1",
       ReplaceFirst(SfAlert("HOST-4", "Alert", "", "ok"),
                    "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">",
                    "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\" "
                    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                    "xsi:schemaLocation=\"urn:oasis:names:tc:emergency:cap:1.2 " +
                        url + "/cap.xsd\">")},
  };
  std::int64_t seq_before = a.LastSeq();
  for (const auto& [what, xml] : attacks) {
    SCOPED_TRACE(what);
    auto r = PostCap(a.http(), xml, fixture_->Token("call_taker"));
    EXPECT_EQ(r.body.find(secret), std::string::npos);
    if (what.rfind("schemaLocation", 0) == 0) {
      // A hint is ignored, not followed: the alert is taken, nothing fetched.
      EXPECT_EQ(r.status, 201) << r.body;
      continue;
    }
    EXPECT_EQ(r.status, 400) << r.body;
    std::string rule = r.Json()["error"].value("rule", "");
    EXPECT_TRUE(rule == "xml.doctype" || rule == "xml.xinclude") << r.body;
  }
  EXPECT_EQ(listener.Connections(), 0) << "the server connected to 127.0.0.1";
  // Only the schemaLocation alert changed state; the server still answers.
  EXPECT_GT(a.LastSeq(), seq_before);
  json all = a.MustGet("/incidents?status=all", "dispatcher");
  EXPECT_EQ(all.dump().find(secret), std::string::npos);
  for (const auto& inc : all["incidents"]) {
    EXPECT_EQ(a.Incident(inc["incident_id"].get<std::int64_t>()).dump().find(secret),
              std::string::npos);
  }
}

TEST_F(CapTest, IssuedAlertsValidateAndAppearInTheFeed) {
  Api a = api();
  auto call = a.PostCall(CallBody("OUTSIDE_FIRE", {37.7544, -122.4477}));
  std::int64_t incident = call["incident_id"].get<std::int64_t>();
  json alert = {{"incident_id", incident},
                {"category", "Fire"},
                {"urgency", "Immediate"},
                {"severity", "Severe"},
                {"certainty", "Observed"},
                {"response_types", {"Evacuate"}},
                {"expires", "2099-01-01T00:00:00Z"},
                {"languages",
                 {{{"language", "en-US"},
                   {"event", "Wildfire"},
                   {"headline", "Evacuate Twin Peaks & Clarendon <now>"},
                   {"instruction", "Leave by Portola Dr."}},
                  {{"language", "es-US"},
                   {"event", "Incendio forestal"},
                   {"headline", "Evacúe Twin Peaks"}}}},
                {"area",
                 {{"description", "Twin Peaks"},
                  {"polygon", {{37.756, -122.451}, {37.756, -122.444}, {37.751, -122.444}}}}}};
  EXPECT_EQ(a.Post("/alerts", alert, "dispatcher").status, 403);
  json issued = a.MustPost("/alerts", alert, "supervisor", 201);
  std::int64_t id = issued["id"].get<std::int64_t>();
  EXPECT_EQ(issued["xml_url"], "/api/v1/alerts/" + std::to_string(id) + ".xml");

  // Public: no token needed for the XML and the feed.
  auto xml = a.http().Get("/api/v1/alerts/" + std::to_string(id) + ".xml");
  ASSERT_EQ(xml.status, 200);
  EXPECT_EQ(xml.headers["content-type"], "application/cap+xml");
  EXPECT_EQ(XsdProblems(xml.body), "");
  EXPECT_NE(xml.body.find("Evac\xC3\xBA"), std::string::npos);
  EXPECT_EQ(a.http().Get("/api/v1/alerts/" + std::to_string(id) + ".xml").body, xml.body);

  json update = a.MustPost("/alerts",
                           {{"msg_type", "Update"},
                            {"references_alert_id", id},
                            {"severity", "Extreme"},
                            {"area",
                             {{"description", "Twin Peaks and Glen Park"},
                              {"circle", {{"lat", 37.75}, {"lon", -122.44}, {"radius_km", 2}}}}}},
                           "supervisor", 201);
  std::string update_xml = a.http().Get("/api/v1/alerts/" + update["id"].dump() + ".xml").body;
  EXPECT_EQ(XsdProblems(update_xml), "");
  EXPECT_NE(update_xml.find("<msgType>Update</msgType>"), std::string::npos);
  EXPECT_NE(update_xml.find("<references>" + issued["sender"].get<std::string>() + "," +
                            issued["identifier"].get<std::string>() + "," +
                            issued["sent"].get<std::string>() + "</references>"),
            std::string::npos)
      << update_xml;
  EXPECT_NE(update_xml.find("<circle>37.75,-122.44 2.0</circle>"), std::string::npos);

  // The first alert was replaced: only the newest can be updated or cancelled.
  EXPECT_EQ(
      a.Post("/alerts", {{"msg_type", "Cancel"}, {"references_alert_id", id}}, "supervisor").status,
      409);
  json cancel =
      a.MustPost("/alerts", {{"msg_type", "Cancel"}, {"references_alert_id", update["id"]}},
                 "supervisor", 201);
  EXPECT_EQ(cancel["references"].size(), 2u);
  std::string cancel_xml = a.http().Get("/api/v1/alerts/" + cancel["id"].dump() + ".xml").body;
  EXPECT_EQ(XsdProblems(cancel_xml), "");

  auto feed = a.http().Get("/api/v1/alerts/feed.atom");
  ASSERT_EQ(feed.status, 200);
  EXPECT_EQ(feed.headers["content-type"], "application/atom+xml");
  for (const auto& x : {issued, update, cancel}) {
    EXPECT_NE(feed.body.find("href=\"/api/v1/alerts/" + x["id"].dump() + ".xml\""),
              std::string::npos);
  }
  EXPECT_NE(feed.body.find("<feed xmlns=\"http://www.w3.org/2005/Atom\">"), std::string::npos);

  json inc = a.Incident(incident);
  int issued_entries = 0;
  for (const auto& e : inc["timeline"]) issued_entries += e["kind"] == "alert_issued";
  EXPECT_EQ(issued_entries, 3);

  // Bad requests name the field.
  json no_area = alert;
  no_area.erase("area");
  auto r = a.Post("/alerts", no_area, "supervisor");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()["error"]["field"], "area");
  r = a.Post("/alerts", {{"msg_type", "Update"}, {"references_alert_id", 999999}}, "supervisor");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.Json()["error"]["field"], "references_alert_id");
  json bad_lang = alert;
  bad_lang["languages"][0]["language"] = "en US";
  EXPECT_EQ(a.Post("/alerts", bad_lang, "supervisor").Json()["error"]["field"],
            "languages[0].language");
  EXPECT_EQ(a.http().Get("/api/v1/alerts/999999.xml").status, 404);
  EXPECT_EQ(a.http().Get("/api/v1/alerts/x.xml").status, 404);
}

TEST_F(CapTest, IssuedAlertsSurviveARestart) {
  std::string xml;
  json issued;
  {
    Api a = api();
    auto call = a.PostCall(CallBody("GAS_LEAK", {37.76, -122.43}));
    issued = a.MustPost("/alerts",
                        {{"incident_id", call["incident_id"]},
                         {"category", "Safety"},
                         {"urgency", "Expected"},
                         {"severity", "Moderate"},
                         {"certainty", "Likely"},
                         {"languages", {{{"language", "en"}, {"event", "Gas leak"}}}},
                         {"area",
                          {{"description", "Castro"},
                           {"circle", {{"lat", 37.76}, {"lon", -122.43}, {"radius_km", 0.3}}}}}},
                        "supervisor", 201);
    xml = a.http().Get("/api/v1/alerts/" + issued["id"].dump() + ".xml").body;
  }
  fixture_->server->Kill(SIGTERM);
  fixture_->server->Start();
  Api b = api();
  // Stable: the same bytes after a restart, and the chain continues.
  EXPECT_EQ(b.http().Get("/api/v1/alerts/" + issued["id"].dump() + ".xml").body, xml);
  json cancel =
      b.MustPost("/alerts", {{"msg_type", "Cancel"}, {"references_alert_id", issued["id"]}},
                 "supervisor", 201);
  EXPECT_GT(cancel["id"].get<std::int64_t>(), issued["id"].get<std::int64_t>());
  EXPECT_NE(cancel["identifier"], issued["identifier"]);
  EXPECT_EQ(b.Post("/alerts", {{"msg_type", "Cancel"}, {"references_alert_id", issued["id"]}},
                   "supervisor")
                .status,
            409);
  EXPECT_EQ(XsdProblems(b.http().Get("/api/v1/alerts/" + cancel["id"].dump() + ".xml").body), "");
}

}  // namespace
}  // namespace beacon::testing
