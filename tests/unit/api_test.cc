#include <gtest/gtest.h>

#include "api/http_server.h"
#include "api/router.h"

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
