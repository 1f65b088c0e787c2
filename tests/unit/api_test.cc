#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <future>

#include "api/auth.h"
#include "api/http_server.h"
#include "api/metrics.h"
#include "api/router.h"
#include "store/sqlite/sqlite_store.h"
#include "support/harness.h"

namespace beacon::api {
namespace {

class FixedAuth final : public Authenticator {
 public:
  Result<service::Actor> Authenticate(const Request& req) const override {
    if (req.authorization == "Bearer analyst")
      return service::Actor{"a", model::Role::kAnalyst, ""};
    if (req.authorization == "Bearer super")
      return service::Actor{"s", model::Role::kSupervisor, ""};
    return Status(Code::kUnauthenticated, "no");
  }
};

Response Call(const Router& r, const std::string& method, const std::string& path,
              const std::string& auth = "") {
  auto req = std::make_shared<Request>();
  req->method = method;
  req->path = path;
  req->authorization = auth;
  Response out;
  r.Dispatch(
      req, [&](Response resp) { out = std::move(resp); }, nullptr);
  return out;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/api/v1/things/{id}/parts", model::Permission::kReadOperations,
                [](const Context& c, Reply reply) {
                  reply(JsonResponse(200, {{"id", c.params[0]}, {"user", c.actor.user}}));
                });
    router_.Add("POST", "/api/v1/things", model::Permission::kSupervise,
                [](const Context&, Reply reply) { reply(JsonResponse(201, {})); });
    router_.Add("GET", "/api/v1/open", std::nullopt,
                [](const Context&, Reply reply) { reply(JsonResponse(200, {})); });
  }
  FixedAuth auth_;
  Router router_{auth_};
};

TEST_F(RouterTest, MatchesParamsAndDecodes) {
  auto r = Call(router_, "GET", "/api/v1/things/E%2021/parts", "Bearer analyst");
  EXPECT_EQ(r.status, 200);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["id"], "E 21");
  EXPECT_EQ(j["user"], "a");
}

TEST_F(RouterTest, AuthAndPermission) {
  EXPECT_EQ(Call(router_, "GET", "/api/v1/things/1/parts").status, 401);
  EXPECT_EQ(Call(router_, "POST", "/api/v1/things", "Bearer analyst").status, 403);
  EXPECT_EQ(Call(router_, "POST", "/api/v1/things", "Bearer super").status, 201);
  EXPECT_EQ(Call(router_, "GET", "/api/v1/open").status, 200);
}

TEST_F(RouterTest, UnknownPathAndMethod) {
  EXPECT_EQ(Call(router_, "GET", "/api/v1/nothing").status, 404);
  auto r = Call(router_, "DELETE", "/api/v1/things");
  EXPECT_EQ(r.status, 405);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_TRUE(j["error"]["message"].get<std::string>().find("POST") != std::string::npos);
}

// "{id}.xml": the parameter is the segment without the literal suffix, and
// a segment without the suffix (or with nothing before it) does not match.
TEST_F(RouterTest, ParamWithSuffix) {
  router_.Add("GET", "/api/v1/docs/feed.atom", std::nullopt, [](const Context&, Reply reply) {
    reply(JsonResponse(200, {{"feed", true}}));
  });
  router_.Add("GET", "/api/v1/docs/{id}.xml", std::nullopt, [](const Context& c, Reply reply) {
    reply(JsonResponse(200, {{"id", c.params[0]}}));
  });
  auto r = Call(router_, "GET", "/api/v1/docs/42.xml");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["id"], "42");
  EXPECT_EQ(nlohmann::json::parse(Call(router_, "GET", "/api/v1/docs/feed.atom").body)["feed"],
            true);
  EXPECT_EQ(nlohmann::json::parse(Call(router_, "GET", "/api/v1/docs/a.b.xml").body)["id"], "a.b");
  EXPECT_EQ(Call(router_, "GET", "/api/v1/docs/42").status, 404);
  EXPECT_EQ(Call(router_, "GET", "/api/v1/docs/.xml").status, 404);
  EXPECT_EQ(Call(router_, "GET", "/api/v1/docs/42.json").status, 404);
}

TEST(ErrorBody, HasCodeMessageAndField) {
  auto r = ErrorResponse(Invalid("lat out of range", "location.lat"));
  EXPECT_EQ(r.status, 422);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "invalid");
  EXPECT_EQ(j["error"]["field"], "location.lat");
  EXPECT_EQ(j["error"]["message"], "lat out of range");
  EXPECT_FALSE(nlohmann::json::parse(ErrorResponse(NotFound("x")).body)["error"].contains("field"));
}

TEST(Query, ParsesAndRejectsBadEscapes) {
  std::map<std::string, std::string> q;
  ASSERT_TRUE(ParseQuery("status=open&user=ann%20lee&x", q));
  EXPECT_EQ(q["status"], "open");
  EXPECT_EQ(q["user"], "ann lee");
  EXPECT_EQ(q["x"], "");
  std::map<std::string, std::string> bad;
  EXPECT_FALSE(ParseQuery("a=%zz", bad));
  EXPECT_FALSE(ParseQuery("a=%4", bad));
}

TEST(Listen, ParsesHostPort) {
  auto a = ParseListen("127.0.0.1:8080");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->port, 8080);
  auto v6 = ParseListen("[::1]:0");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->address, "::1");
  EXPECT_FALSE(ParseListen("localhost").has_value());
  EXPECT_FALSE(ParseListen("127.0.0.1:99999").has_value());
  EXPECT_FALSE(ParseListen("example:80").has_value());
}

}  // namespace
}  // namespace beacon::api

namespace beacon::api {
namespace {

TEST(Metrics, MethodLabelsAreAClosedSet) {
  for (std::string m : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    EXPECT_EQ(Metrics::MethodLabel(m), m);
  }
  for (std::string m : {"FOOBAR", "get", "?", "", "PROPFIND", "GET "}) {
    EXPECT_EQ(Metrics::MethodLabel(m), "other") << m;
  }
  Metrics metrics;
  for (int i = 0; i < 100; ++i) metrics.Observe("unmatched", "X" + std::to_string(i), 405, 0);
  metrics.Observe("unmatched", "GET", 404, 0);
  std::string text = metrics.Render({});
  EXPECT_EQ(text.find("X1"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(method="other",status="405"} 100)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(method="GET")"), std::string::npos);
}

// Sessions end: logout, revocation, disabling, the user gone from the store.
class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::SqliteStore::Open(dir_.path());
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = std::move(*opened);
    store::Batch b;
    for (const char* name : {"ann", "bob"}) {
      auto hash = HashPassword(std::string("pw-") + name + "-long");
      ASSERT_TRUE(hash);
      b.users.push_back({name, model::Role::kDispatcher, *hash, kStart});
    }
    ASSERT_TRUE(store_->Commit(std::move(b)).ok());
    auth_.emplace(*store_, clock_, 60'000);
  }

  // Logs in and returns the token ("" on failure).
  std::string Login(const std::string& name, const std::string& password) {
    std::promise<Result<nlohmann::json>> p;
    auth_->Login(name, password, [&](Result<nlohmann::json> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    return r ? r->at("token").get<std::string>() : "";
  }
  bool Valid(const std::string& token) { return auth_->FromToken(token).has_value(); }
  std::vector<std::string> AuditActions() {
    store::AuditQuery q;
    q.limit = 100;
    std::vector<std::string> out;
    auto entries = store_->ReadAudit(q);
    if (!entries) return out;
    for (const auto& e : *entries) out.push_back(e.record.action);
    return out;
  }
  template <typename F>
  auto Wait(F start) {
    using R = Result<nlohmann::json>;
    std::promise<R> p;
    start([&](R r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  static constexpr TimeMs kStart = 1714564800000;
  beacon::testing::TempDir dir_;
  std::unique_ptr<store::SqliteStore> store_;
  ManualClock clock_{kStart};
  std::optional<Auth> auth_;
  const service::Actor admin_{"root", model::Role::kAdmin, ""};
};

TEST_F(AuthTest, LogoutEndsOnlyThatSession) {
  std::string a = Login("ann", "pw-ann-long"), b = Login("ann", "pw-ann-long");
  ASSERT_TRUE(Valid(a) && Valid(b));
  std::promise<Status> done;
  auth_->Logout({"ann", model::Role::kDispatcher, ""}, a,
                [&](const Status& s) { done.set_value(s); });
  EXPECT_TRUE(done.get_future().get().ok());
  EXPECT_FALSE(Valid(a));
  EXPECT_TRUE(Valid(b));
  // Durable: a restart loads only the other session.
  Auth restarted(*store_, clock_);
  restarted.Restore(store_->Load()->sessions);
  EXPECT_FALSE(restarted.FromToken(a).has_value());
  EXPECT_TRUE(restarted.FromToken(b).has_value());
  EXPECT_EQ(AuditActions().back(), "logout");
}

TEST_F(AuthTest, DisabledUserLosesSessionsAndCannotLogIn) {
  std::string a = Login("ann", "pw-ann-long"), b = Login("bob", "pw-bob-long");
  auto r = Wait([&](auto done) { auth_->SetDisabled(admin_, "ann", true, done); });
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ((*r)["disabled"], true);
  EXPECT_FALSE(Valid(a));
  EXPECT_TRUE(Valid(b));
  EXPECT_EQ(Login("ann", "pw-ann-long"), "");  // the same answer as a wrong password
  EXPECT_EQ(AuditActions().back(), "login.disabled");
  Auth restarted(*store_, clock_);
  restarted.Restore(store_->Load()->sessions);
  EXPECT_FALSE(restarted.FromToken(a).has_value());
  ASSERT_TRUE(Wait([&](auto done) { auth_->SetDisabled(admin_, "ann", false, done); }));
  EXPECT_NE(Login("ann", "pw-ann-long"), "");
  auto unknown = Wait([&](auto done) { auth_->SetDisabled(admin_, "zed", true, done); });
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code(), Code::kNotFound);
  auto actions = AuditActions();
  EXPECT_NE(std::find(actions.begin(), actions.end(), "user.disable"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "user.enable"), actions.end());
}

TEST_F(AuthTest, RevokeEndsEverySessionOfTheUser) {
  std::string a1 = Login("ann", "pw-ann-long"), a2 = Login("ann", "pw-ann-long");
  std::string b = Login("bob", "pw-bob-long");
  auto r = Wait([&](auto done) { auth_->RevokeSessions(admin_, "ann", done); });
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["revoked"], 2);
  EXPECT_FALSE(Valid(a1) || Valid(a2));
  EXPECT_TRUE(Valid(b));
  EXPECT_NE(Login("ann", "pw-ann-long"), "");  // revoking is not disabling
  EXPECT_EQ(AuditActions().back(), "login");
}

TEST_F(AuthTest, SessionsExpireAndFollowTheUserInTheStore) {
  std::string a = Login("ann", "pw-ann-long"), b = Login("bob", "pw-bob-long");
  // bob is removed from the store behind the server's back.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_.path() + "/beacon.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DELETE FROM users WHERE name='bob'", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  clock_.Advance(kUserRecheckMs);
  EXPECT_TRUE(Valid(a));
  EXPECT_FALSE(Valid(b));
  Auth restarted(*store_, clock_);
  restarted.Restore(store_->Load()->sessions);
  EXPECT_TRUE(restarted.FromToken(a).has_value());
  EXPECT_FALSE(restarted.FromToken(b).has_value());
  clock_.Advance(60'000);  // the lifetime given to auth_
  EXPECT_FALSE(Valid(a));
}

TEST(BearerToken, ParsesTheScheme) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bEARER abc"), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  EXPECT_EQ(BearerToken("Bearer "), "");
}

}  // namespace
}  // namespace beacon::api
