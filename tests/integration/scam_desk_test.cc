// The anti-scam desk against the real beacon binary (docs/scam.md): reports
// linked into campaigns that explain every member, the analysts' splits and
// pin-outs kept across a restart, blocklists in three formats, reporter
// data read only by the roles that may (and audited), never streamed, a
// batch of 1,000 in one commit, and a public warning that validates
// against the OASIS CAP 1.2 schema (xmllint) and is on the Atom feed.
// Malformed and hostile bodies are in tests/golden/api/bad_input.json.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "integration/scenario.h"

namespace beacon::testing {
namespace {

const std::string kSource = BEACON_SOURCE_DIR;
const std::string kXsd = kSource + "/../shared/data/standards/cap/CAP-v1.2.xsd";

// xmllint --nonet --schema CAP-v1.2.xsd on `xml`; "" when valid, else its output.
std::string XsdProblems(const std::string& xml) {
  TempDir tmp;
  std::string path = tmp.path() + "/alert.xml";
  std::ofstream(path, std::ios::binary) << xml;
  std::string cmd = "xmllint --nonet --noout --schema '" + kXsd + "' '" + path + "' 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "cannot run xmllint";
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : "xmllint: " + out;
}

const char* kScript =
    "Hello, this is the Social Security Administration. Your social security number has been "
    "suspended because of suspicious activity. Press one to speak to an officer now or call us "
    "back at ";

json Report(const std::string& channel, const std::string& text, json identifiers = nullptr) {
  json r = {{"channel", channel}};
  if (!text.empty()) r["text"] = text;
  if (!identifiers.is_null()) r["identifiers"] = std::move(identifiers);
  return r;
}

json Phone(const std::string& v) { return {{{"kind", "phone"}, {"value", v}}}; }

class ScamDeskTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixture_ = std::make_unique<Fixture>();
    fixture_->Start();
  }
  static void TearDownTestSuite() { fixture_.reset(); }
  ScamDeskTest() : api_(*fixture_) {}

  json Post(const json& report, const std::string& role = "fraud_analyst") {
    return api_.MustPost("/scam/reports", report, role, 201);
  }
  json Campaign(std::int64_t id) {
    return api_.MustGet("/scam/campaigns/" + std::to_string(id), "fraud_analyst");
  }

  static inline std::unique_ptr<Fixture> fixture_;
  Api api_;
};

TEST_F(ScamDeskTest, ReportsLinkIntoACampaignThatExplainsEveryMember) {
  // A script heard with two callback numbers, a text with the first
  // number, a web report of its site, and an unrelated report.
  auto a = Post(Report("phone", std::string(kScript) + "eight three three, three oh four, one "
                                                       "four four seven. Thank you."));
  auto b = Post(Report("phone", std::string(kScript) + "855-228-4781. Thank you."));
  auto c = Post(Report(
      "sms", "Final notice: your SSN is suspended, visit https://ssa-help.example.net/verify",
      Phone("+1 (833) 304-1447")));
  auto d = Post(
      Report("web", "", json{{{"kind", "url"}, {"value", "http://login.ssa-help.example.net/x"}}}));
  auto other = Post(
      Report("sms", "Your package could not be delivered, reschedule at parcel-fee.example.org/x"));

  std::int64_t campaign = a.at("campaign_id").get<std::int64_t>();
  EXPECT_EQ(campaign, a.at("report_id").get<std::int64_t>())
      << "a campaign's id is its first report";
  for (const auto& r : {b, c, d}) EXPECT_EQ(r.at("campaign_id"), campaign) << r;
  EXPECT_NE(other.at("campaign_id"), campaign);

  json detail = Campaign(campaign);
  EXPECT_EQ(detail["reports"], 4);
  EXPECT_EQ(detail["report_ids"].size(), 4u);
  EXPECT_EQ(detail["links"].size(), 3u) << "a spanning tree: one link per member but the first";
  std::set<std::string> reasons;
  for (const auto& m : detail["members"]) {
    if (m["report_id"] == campaign) {
      EXPECT_TRUE(m["link"].is_null()) << m;
      continue;
    }
    ASSERT_TRUE(m["link"].is_object()) << "no explanation for " << m;
    reasons.insert(m["link"]["reason"].get<std::string>());
    if (m["link"]["reason"] == "text") {
      EXPECT_GE(m["link"]["similarity"].get<double>(), 0.5) << m;
    } else {
      EXPECT_TRUE(m["link"]["identifier"].contains("kind")) << m;
    }
  }
  EXPECT_EQ(reasons, (std::set<std::string>{"identifier", "text"}));
  // The spoken number was extracted with its span.
  json first = api_.MustGet("/scam/reports/" + std::to_string(campaign), "fraud_analyst");
  bool spoken = false;
  for (const auto& id : first["identifiers"]) {
    if (id["value"] == "+18333041447" && id["source"] == "spoken") {
      spoken = true;
      auto span = id["span"];
      std::string text = first["text"];
      EXPECT_EQ(text.substr(span[0], span[1].get<size_t>() - span[0].get<size_t>()),
                "eight three three, three oh four, one four four seven");
    }
  }
  EXPECT_TRUE(spoken) << first;

  // Ranked: this campaign first by reports.
  json list = api_.MustGet("/scam/campaigns?sort=reports&limit=3", "supervisor");
  ASSERT_FALSE(list["campaigns"].empty());
  EXPECT_EQ(list["campaigns"][0]["campaign_id"], campaign);
  for (const char* key : {"reports", "first_seen", "last_seen", "loss_total", "identifiers",
                          "sample_text", "channels"}) {
    EXPECT_TRUE(list["campaigns"][0].contains(key)) << key;
  }
  for (const char* sort : {"loss", "recent", "growth"}) {
    EXPECT_EQ(api_.Get(std::string("/scam/campaigns?sort=") + sort, "fraud_analyst").status, 200);
  }
  json since = api_.MustGet("/scam/campaigns?since=2999-01-01T00:00:00Z", "fraud_analyst");
  EXPECT_TRUE(since["campaigns"].empty());

  // The blocklist names the campaign for each number and domain.
  json phones = api_.MustGet("/scam/blocklist?kind=phone&min_reports=2", "fraud_analyst");
  bool listed = false;
  for (const auto& e : phones["entries"]) {
    if (e["value"] == "+18333041447") {
      listed = true;
      EXPECT_EQ(e["campaign_id"], campaign);
      EXPECT_EQ(e["reports"], 2);
    }
  }
  EXPECT_TRUE(listed) << phones;
  auto txt = api_.Get("/scam/blocklist?kind=domain&format=txt", "fraud_analyst");
  EXPECT_EQ(txt.status, 200);
  EXPECT_EQ(txt.headers["content-type"].rfind("text/plain", 0), 0u);
  EXPECT_NE(txt.body.find("example.net\n"), std::string::npos) << txt.body;
  auto csv = api_.Get("/scam/blocklist?kind=phone&format=csv", "fraud_analyst");
  EXPECT_EQ(csv.body.rfind("value,campaign_id,reports,first_seen,last_seen\r\n", 0), 0u);
  EXPECT_NE(csv.body.find("+18333041447," + std::to_string(campaign) + ",2,"), std::string::npos);
}

TEST_F(ScamDeskTest, SplitAndPinOutAreAuditedKeptAndRespectedAfterARestart) {
  // Two scripts that share a compromised site, one report wrongly linked.
  auto a1 = Post(Report("sms", "Bank alert: card blocked, call 855-457-7745 now", nullptr));
  auto a2 = Post(Report("sms", "", Phone("855-457-7745")));
  auto b1 = Post(Report("web", "",
                        json{{{"kind", "url"}, {"value", "http://shared-hacked.example.com/bank"}},
                             {{"kind", "phone"}, {"value", "855-457-7745"}}}));
  auto b2 = Post(Report(
      "web", "", json{{{"kind", "url"}, {"value", "http://shared-hacked.example.com/parcel"}}}));
  std::int64_t campaign = a1["campaign_id"];
  ASSERT_EQ(b2["campaign_id"], campaign);
  std::int64_t b1_id = b1["report_id"], b2_id = b2["report_id"], a2_id = a2["report_id"];

  // Cut the link that brought b1 in: b1 and b2 go, a1 and a2 stay.
  json detail = Campaign(campaign);
  json cut;
  for (const auto& m : detail["members"]) {
    if (m["report_id"] == b1_id) cut = m["link"];
  }
  ASSERT_TRUE(cut.is_object()) << detail;
  auto split =
      api_.MustPost("/scam/campaigns/" + std::to_string(campaign) + "/split",
                    {{"report_id", b1_id}, {"with", cut["with"]}, {"reason", "shared host"}},
                    "fraud_analyst", 200);
  EXPECT_EQ(split["campaigns"].size(), 2u) << split;
  EXPECT_EQ(Campaign(campaign)["report_ids"], (json{campaign, a2_id}));
  EXPECT_EQ(Campaign(b1_id)["report_ids"], (json{b1_id, b2_id}));
  // A later report with both the number and the site joins one side only
  // (the one its first identifier points to: the site's).
  auto both = Post(Report("web", "",
                          json{{{"kind", "url"}, {"value", "http://shared-hacked.example.com/x"}},
                               {{"kind", "phone"}, {"value", "+18554577745"}}}));
  EXPECT_EQ(both["campaign_id"], b1_id);
  EXPECT_EQ(Campaign(campaign)["reports"], 2);
  EXPECT_EQ(Campaign(b1_id)["reports"], 3);

  // Pin a2 out of its campaign.
  api_.MustPost("/scam/campaigns/" + std::to_string(campaign) + "/pin-out", {{"report_id", a2_id}},
                "fraud_analyst", 200);
  EXPECT_EQ(Campaign(a2_id)["report_ids"], (json{a2_id}));

  bool split_audited = false, pin_audited = false;
  for (const auto& e : api_.AuditEntries()) {
    split_audited = split_audited || e["action"] == "scam_campaign.split";
    pin_audited = pin_audited || e["action"] == "scam_campaign.pin_out";
  }
  EXPECT_TRUE(split_audited && pin_audited);

  // Kill -9 and restart: the campaigns come back as they were.
  json before = {Campaign(campaign)["report_ids"], Campaign(b1_id)["report_ids"],
                 Campaign(a2_id)["report_ids"]};
  fixture_->server->Kill(9);
  fixture_->server->Start();
  LoginAll(*fixture_);
  Api restarted(*fixture_);
  auto ids = [&](std::int64_t id) {
    return restarted.MustGet("/scam/campaigns/" + std::to_string(id),
                             "fraud_analyst")["report_ids"];
  };
  json after = {ids(campaign), ids(b1_id), ids(a2_id)};
  EXPECT_EQ(after, before);
  // And new reports still respect the decisions.
  auto again = restarted.MustPost("/scam/reports", Report("sms", "", Phone("855-457-7745")),
                                  "fraud_analyst", 201);
  EXPECT_EQ(again["campaign_id"], campaign);
  EXPECT_EQ(ids(a2_id), (json{a2_id}));
}

TEST_F(ScamDeskTest, ReporterDataOnlyForTheRolesThatMayReadItAuditedNeverStreamed) {
  StreamClient stream(fixture_->server->port(), fixture_->Token("supervisor"));
  ASSERT_TRUE(stream.Next().has_value());  // hello
  json report = Report("phone", "IRS: a warrant is out, pay with gift cards at 888-604-0734");
  report["reporter"] = {
      {"name", "Reporter Rita"}, {"phone", "+1 415 555 0142"}, {"email", "rita@example.org"}};
  report["loss"] = {{"amount", 500}, {"currency", "USD"}};
  auto r = Post(report, "call_taker");
  std::string path = "/scam/reports/" + std::to_string(r["report_id"].get<std::int64_t>());

  json as_analyst = api_.MustGet(path, "fraud_analyst");
  EXPECT_EQ(as_analyst["reporter"], (json{{"redacted", true}}));
  EXPECT_EQ(as_analyst.dump().find("Rita"), std::string::npos);
  json campaign = Campaign(r["campaign_id"]);
  EXPECT_EQ(campaign.dump().find("Rita"), std::string::npos);
  EXPECT_EQ(campaign["loss_total"], 500);

  auto audited = [&] {
    int n = 0;
    for (const auto& e : api_.AuditEntries()) {
      n += e["action"] == "scam_report.read_personal" &&
           e["object"] == "scam_report/" + r["report_id"].dump();
    }
    return n;
  };
  int before = audited();
  json as_call_taker = api_.MustGet(path, "call_taker");
  EXPECT_EQ(as_call_taker["reporter"]["name"], "Reporter Rita");
  EXPECT_EQ(audited(), before + 1) << "a read of the reporter's data is audited";

  // The stream carried the new report, without the reporter or the text.
  bool seen = false;
  for (int i = 0; i < 50 && !seen; ++i) {
    auto m = stream.Next(std::chrono::seconds(5));
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->dump().find("Rita"), std::string::npos) << *m;
    EXPECT_EQ(m->dump().find("gift cards"), std::string::npos) << *m;
    if (m->value("type", "") == "scam.reports") {
      for (const auto& x : (*m)["data"]["reports"]) seen = seen || x["report_id"] == r["report_id"];
    }
  }
  EXPECT_TRUE(seen);
}

TEST_F(ScamDeskTest, ABatchOf1000IsOneCommitAndARefusedBatchAcceptsNothing) {
  json reports = json::array();
  for (int i = 0; i < 1000; ++i) {
    reports.push_back(Report("sms", "batch number " + std::to_string(i % 50),
                             Phone("+1 833 631 " + std::to_string(7000 + i % 50))));
  }
  std::int64_t seq = api_.LastSeq();
  json r = api_.MustPost("/scam/reports:batch", {{"reports", reports}}, "fraud_analyst", 201);
  ASSERT_EQ(r["results"].size(), 1000u);
  EXPECT_EQ(api_.LastSeq(), seq + 1) << "one event for the whole batch";
  std::int64_t first = r["results"][0]["report_id"];
  for (size_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(r["results"][i]["report_id"], first + static_cast<std::int64_t>(i));
  }
  EXPECT_EQ(r["results"][999]["campaign_id"], r["results"][49]["campaign_id"]);

  // A batch with one bad report in the middle: nothing of it is filed.
  json list = api_.MustGet("/scam/campaigns?limit=1", "fraud_analyst");
  json bad = json::array();
  for (int i = 0; i < 10; ++i) bad.push_back(Report("sms", "fine " + std::to_string(i)));
  bad[5]["identifiers"] = json{{{"kind", "iban"}, {"value", "GB82 WEST 1234 5698 7654 33"}}};
  auto refused = api_.Post("/scam/reports:batch", {{"reports", bad}}, "fraud_analyst");
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.Json()["error"]["field"], "reports[5].identifiers[0].value");
  EXPECT_EQ(api_.MustGet("/scam/campaigns?limit=1", "fraud_analyst")["reports"], list["reports"]);

  // The same external id again answers the first report.
  json ext = Report("sms", "dup test");
  ext["external_id"] = "ftc-dnc:test:1";
  auto once = Post(ext);
  auto twice = Post(ext);
  EXPECT_EQ(twice["report_id"], once["report_id"]);
  EXPECT_EQ(twice["duplicate"], true);
}

TEST_F(ScamDeskTest, AWarningIsAValidCapAlertOnTheFeed) {
  auto a = Post(Report("phone", std::string(kScript) + "833-769-1634."));
  Post(Report("sms", "", Phone("833-769-1634")));
  std::int64_t campaign = a["campaign_id"];
  json w = api_.MustPost("/scam/campaigns/" + std::to_string(campaign) + "/warning",
                         {{"area",
                           {{"description", "Test City"},
                            {"circle", {{"lat", 37.75}, {"lon", -122.41}, {"radius_km", 30}}}}}},
                         "supervisor", 201);
  EXPECT_EQ(w["campaign_id"], campaign);
  HttpClient http(fixture_->server->port());
  auto xml = http.Get(w["xml_url"].get<std::string>());
  ASSERT_EQ(xml.status, 200);
  EXPECT_EQ(XsdProblems(xml.body), "");
  EXPECT_NE(xml.body.find("<category>Security</category>"), std::string::npos) << xml.body;
  EXPECT_NE(xml.body.find("+18337691634"), std::string::npos) << "the number to ignore";
  EXPECT_NE(xml.body.find("Social Security Administration"), std::string::npos) << "the script";
  EXPECT_NE(xml.body.find("beacon-scam-campaign-" + std::to_string(campaign)), std::string::npos);
  auto feed = http.Get("/api/v1/alerts/feed.atom");
  EXPECT_NE(feed.body.find("/api/v1/alerts/" + w["id"].dump() + ".xml"), std::string::npos);
  EXPECT_EQ(Campaign(campaign)["warnings"], json::array({w["id"]}));
  // With the built-in default area too.
  json d = api_.MustPost("/scam/campaigns/" + std::to_string(campaign) + "/warning", json::object(),
                         "supervisor", 201);
  EXPECT_EQ(XsdProblems(http.Get(d["xml_url"].get<std::string>()).body), "");
}

}  // namespace
}  // namespace beacon::testing
