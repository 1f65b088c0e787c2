// The camera registry against the real beacon binary: adding cameras, the
// list without stream URLs, the nearest cameras of an incident, and the
// stream view that is answered only with a durable audit entry naming who
// viewed which camera for which incident. Beacon analyses no video.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <string>
#include <vector>

#include "integration/scenario.h"

namespace beacon::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr Place kCentre{37.7600, -122.4300};

class CamerasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_.Start();
    api_.emplace(fixture_);
  }

  std::int64_t AddCamera(const std::string& name, Place where,
                         const std::string& role = "supervisor") {
    json c = api_->MustPost("/cameras",
                            {{"name", name},
                             {"lat", where.lat},
                             {"lon", where.lon},
                             {"stream_url", "http://127.0.0.1:8554/example/" + name}},
                            role, 201);
    EXPECT_EQ(c.value("name", ""), name);
    EXPECT_EQ(c.value("stream_url", ""), "http://127.0.0.1:8554/example/" + name);
    EXPECT_EQ(c.value("created_by", ""), role);
    EXPECT_FALSE(c.value("created_at", "").empty());
    return c.at("id").get<std::int64_t>();
  }

  std::int64_t IncidentAt(Place where) {
    return api_->PostCall(CallBody("MEDICAL", where)).at("incident_id").get<std::int64_t>();
  }

  std::vector<json> AuditOf(const std::string& action) {
    std::vector<json> out;
    for (const auto& e : api_->AuditEntries()) {
      if (e.value("action", "") == action) out.push_back(e);
    }
    return out;
  }

  Fixture fixture_;
  std::optional<Api> api_;
};

TEST_F(CamerasTest, NearestFirstWithDistances) {
  std::int64_t far = AddCamera("far", Offset(kCentre, 1000));
  std::int64_t near = AddCamera("near", Offset(kCentre, 100));
  std::int64_t mid = AddCamera("mid", Offset(kCentre, 0, -300), "admin");
  std::int64_t incident = IncidentAt(kCentre);

  json r = api_->MustGet("/incidents/" + std::to_string(incident) + "/cameras", "call_taker");
  EXPECT_EQ(r.value("incident_id", 0), incident);
  ASSERT_EQ(r["cameras"].size(), 3u) << r;
  std::vector<std::int64_t> order;
  for (const auto& c : r["cameras"]) order.push_back(c.at("id").get<std::int64_t>());
  EXPECT_EQ(order, (std::vector<std::int64_t>{near, mid, far}));
  EXPECT_NEAR(r["cameras"][0].value("distance_m", -1.0), 100, 2);
  EXPECT_NEAR(r["cameras"][1].value("distance_m", -1.0), 300, 2);
  EXPECT_NEAR(r["cameras"][2].value("distance_m", -1.0), 1000, 2);
  for (const auto& c : r["cameras"]) EXPECT_FALSE(c.contains("stream_url")) << c;

  json two =
      api_->MustGet("/incidents/" + std::to_string(incident) + "/cameras?limit=2", "dispatcher");
  EXPECT_EQ(two["cameras"].size(), 2u);
  for (const char* bad : {"0", "51", "-1", "two", ""}) {
    auto res =
        api_->Get("/incidents/" + std::to_string(incident) + "/cameras?limit=" + bad, "dispatcher");
    EXPECT_EQ(res.status, 422) << bad << " " << res.body;
    EXPECT_EQ(res.Json()["error"].value("field", ""), "limit");
  }
  EXPECT_EQ(api_->Get("/incidents/999/cameras", "dispatcher").status, 404);
}

TEST_F(CamerasTest, DefaultLimitIsFiveAndUnlocatedIncidentsHaveNone) {
  for (int i = 0; i < 7; ++i) AddCamera("c" + std::to_string(i), Offset(kCentre, 50.0 * (i + 1)));
  std::int64_t located = IncidentAt(kCentre);
  json r = api_->MustGet("/incidents/" + std::to_string(located) + "/cameras", "supervisor");
  EXPECT_EQ(r["cameras"].size(), 5u);

  json call = api_->PostCall(
      {{"channel", "phone"}, {"incident_type", "MEDICAL"}, {"address", "somewhere unknown"}});
  std::int64_t unlocated = call.at("incident_id").get<std::int64_t>();
  json none = api_->MustGet("/incidents/" + std::to_string(unlocated) + "/cameras", "supervisor");
  EXPECT_EQ(none.value("incident_id", 0), unlocated);
  EXPECT_TRUE(none["cameras"].is_array() && none["cameras"].empty()) << none;
}

TEST_F(CamerasTest, ListHasNoStreamUrls) {
  AddCamera("north", Offset(kCentre, 500));
  for (const auto& role : {"call_taker", "analyst", "admin"}) {
    auto r = api_->Get("/cameras", role);
    ASSERT_EQ(r.status, 200) << role;
    EXPECT_THAT(r.body, Not(HasSubstr("stream_url")));
    EXPECT_THAT(r.body, Not(HasSubstr("8554")));
    ASSERT_EQ(r.Json()["cameras"].size(), 1u);
    EXPECT_EQ(r.Json()["cameras"][0].value("name", ""), "north");
  }
  EXPECT_EQ(api_->Get("/cameras", "auditor").status, 403);
}

TEST_F(CamerasTest, ViewIsAuditedWithCameraIncidentAndUser) {
  std::int64_t cam = AddCamera("gate", Offset(kCentre, 200));
  std::int64_t incident = IncidentAt(kCentre);
  std::string path =
      "/incidents/" + std::to_string(incident) + "/cameras/" + std::to_string(cam) + "/view";
  ASSERT_TRUE(AuditOf("camera.view").empty());

  json v = api_->MustPost(path, json::object(), "dispatcher", 200);
  EXPECT_EQ(v.value("incident_id", 0), incident);
  EXPECT_EQ(v.value("camera_id", 0), cam);
  EXPECT_EQ(v.value("name", ""), "gate");
  EXPECT_EQ(v.value("stream_url", ""), "http://127.0.0.1:8554/example/gate");

  auto views = AuditOf("camera.view");
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].value("user", ""), "dispatcher");
  EXPECT_EQ(views[0].value("role", ""), "dispatcher");
  std::string object = views[0].value("object", "");
  EXPECT_THAT(object, HasSubstr("camera/" + std::to_string(cam)));
  EXPECT_THAT(object, HasSubstr("incident/" + std::to_string(incident)));

  // The analyst may not view, and a refused view leaves no trace.
  auto denied = api_->Post(path, json::object(), "analyst");
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_THAT(denied.body, Not(HasSubstr("8554")));
  EXPECT_EQ(api_->Post(path, json::object(), "auditor").status, 403);
  EXPECT_EQ(api_->Post(path, json::object(), "admin").status, 403);
  EXPECT_EQ(AuditOf("camera.view").size(), 1u);

  // Unknown camera or incident: 404 and no audit entry.
  EXPECT_EQ(api_->Post("/incidents/" + std::to_string(incident) + "/cameras/999/view",
                       json::object(), "dispatcher")
                .status,
            404);
  EXPECT_EQ(api_->Post("/incidents/999/cameras/" + std::to_string(cam) + "/view", json::object(),
                       "dispatcher")
                .status,
            404);
  EXPECT_EQ(AuditOf("camera.view").size(), 1u);

  api_->MustPost(path, json::object(), "call_taker", 200);
  EXPECT_EQ(AuditOf("camera.view").size(), 2u);
}

TEST_F(CamerasTest, BadCamerasAreRefusedNamingTheField) {
  struct Case {
    json body;
    int status;
    std::string field;
  };
  json ok = {{"name", "x"}, {"lat", 1.0}, {"lon", 2.0}, {"stream_url", "https://127.0.0.1/x"}};
  auto with = [&](const char* key, json v) {
    json b = ok;
    if (v.is_null()) {
      b.erase(key);
    } else {
      b[key] = v;
    }
    return b;
  };
  const std::vector<Case> cases = {
      {with("stream_url", "file:///etc/passwd"), 422, "stream_url"},
      {with("stream_url", "javascript:alert(1)"), 422, "stream_url"},
      {with("stream_url", "http://"), 422, "stream_url"},
      {with("stream_url", "http://host/a b"), 422, "stream_url"},
      {with("stream_url", std::string(2001, 'a')), 422, "stream_url"},
      {with("stream_url", nullptr), 400, "stream_url"},
      {with("name", ""), 422, "name"},
      {with("name", std::string(201, 'n')), 422, "name"},
      {with("lat", 91.0), 422, "lat"},
      {with("lon", "east"), 400, "lon"},
      {with("fps", 25), 422, "fps"},
  };
  for (const auto& c : cases) {
    auto r = api_->Post("/cameras", c.body, "supervisor");
    EXPECT_EQ(r.status, c.status) << c.body.dump() << " " << r.body;
    EXPECT_EQ(r.Json()["error"].value("field", ""), c.field) << r.body;
  }
  EXPECT_TRUE(api_->MustGet("/cameras", "supervisor")["cameras"].empty());
  // rtsp is accepted, and so is an upper-case scheme.
  json rtsp = with("stream_url", "RTSP://127.0.0.1:8554/example");
  EXPECT_EQ(api_->Post("/cameras", rtsp, "supervisor").status, 201);
  EXPECT_EQ(api_->Post("/cameras", ok, "dispatcher").status, 403);
}

TEST_F(CamerasTest, CamerasSurviveARestart) {
  std::int64_t cam = AddCamera("durable", Offset(kCentre, 10));
  fixture_.server->Kill(SIGKILL);
  fixture_.server->Start();
  LoginAll(fixture_);
  api_.emplace(fixture_);
  json list = api_->MustGet("/cameras", "dispatcher");
  ASSERT_EQ(list["cameras"].size(), 1u);
  EXPECT_EQ(list["cameras"][0].value("id", 0), cam);
  std::int64_t next = AddCamera("next", Offset(kCentre, 20));
  EXPECT_GT(next, cam);
}

}  // namespace
}  // namespace beacon::testing
