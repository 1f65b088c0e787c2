// GeoJSON views of incidents and units against the real beacon binary:
// FeatureCollections of points at [lon, lat], the literal paths
// /incidents.geojson and /units.geojson beside /incidents/{id}, role rules,
// and no caller personal data in any property for any role.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "integration/scenario.h"

namespace beacon::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr Place kCentre{48.8566, 2.3522};

class GeoJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_.Start();
    api_.emplace(fixture_);
  }

  // The FeatureCollection at `path` as `role`, checked for its shape.
  json Collection(const std::string& path, const std::string& role) {
    auto r = api_->Get(path, role);
    EXPECT_EQ(r.status, 200) << path << " as " << role << ": " << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/geo+json");
    json fc = r.Json();
    EXPECT_EQ(fc.value("type", ""), "FeatureCollection") << r.body;
    EXPECT_TRUE(fc["features"].is_array()) << r.body;
    for (const auto& f : fc["features"]) {
      EXPECT_EQ(f.value("type", ""), "Feature");
      EXPECT_EQ(f["geometry"].value("type", ""), "Point");
      EXPECT_EQ(f["geometry"]["coordinates"].size(), 2u);
      EXPECT_TRUE(f["properties"].is_object());
    }
    return fc;
  }

  static std::map<std::string, json> ById(const json& fc) {
    std::map<std::string, json> out;
    for (const auto& f : fc["features"]) {
      out[f["id"].is_string() ? f["id"].get<std::string>() : f["id"].dump()] = f;
    }
    return out;
  }

  Fixture fixture_;
  std::optional<Api> api_;
};

TEST_F(GeoJsonTest, IncidentsArePointsWithoutCallerData) {
  Place a = kCentre, b = Offset(kCentre, 3000);
  json with_caller = api_->PostCall(
      CallBody("STRUCTURE_FIRE", a,
               {{"address", "1 Rue de Rivoli"},
                {"narrative", "smoke"},
                {"caller", {{"name", "Zoe Secretname"}, {"phone", "+33 1 99 88 77 66"}}}}));
  json other = api_->PostCall(CallBody("MEDICAL", b));
  json unlocated =
      api_->PostCall({{"channel", "phone"}, {"incident_type", "MEDICAL"}, {"address", "nowhere"}});
  std::string fire = std::to_string(with_caller.at("incident_id").get<int>());
  std::string med = std::to_string(other.at("incident_id").get<int>());

  for (const auto& role : {"call_taker", "dispatcher", "supervisor", "analyst"}) {
    SCOPED_TRACE(role);
    auto raw = api_->Get("/incidents.geojson", role);
    EXPECT_THAT(raw.body, Not(HasSubstr("Secretname")));
    EXPECT_THAT(raw.body, Not(HasSubstr("99 88 77")));
    EXPECT_THAT(raw.body, Not(HasSubstr("caller")));
    EXPECT_THAT(raw.body, Not(HasSubstr("smoke")));
    auto features = ById(Collection("/incidents.geojson", role));
    ASSERT_EQ(features.size(), 2u) << "the unlocated incident has no feature";
    ASSERT_TRUE(features.count(fire));
    const json& f = features[fire];
    EXPECT_DOUBLE_EQ(f["geometry"]["coordinates"][0].get<double>(), a.lon);
    EXPECT_DOUBLE_EQ(f["geometry"]["coordinates"][1].get<double>(), a.lat);
    EXPECT_EQ(f["properties"].value("incident_type", ""), "STRUCTURE_FIRE");
    EXPECT_EQ(f["properties"].value("priority", 0), 1);
    EXPECT_EQ(f["properties"].value("status", ""), "open");
    EXPECT_EQ(f["properties"].value("address", ""), "1 Rue de Rivoli");
    EXPECT_EQ(f["properties"].value("calls", 0), 1);
    EXPECT_DOUBLE_EQ(features[med]["geometry"]["coordinates"][1].get<double>(), b.lat);
  }
  EXPECT_EQ(api_->Get("/incidents.geojson", "auditor").status, 403);
  EXPECT_EQ(api_->Get("/incidents.geojson", "admin").status, 403);
  EXPECT_EQ(api_->Get("/incidents.geojson", "").status, 401);

  // The status filter works as on /incidents.
  api_->MustPost("/incidents/" + fire + "/close", {{"disposition", "out"}}, "supervisor", 200);
  EXPECT_EQ(ById(Collection("/incidents.geojson", "analyst")).count(fire), 0u);
  auto closed = ById(Collection("/incidents.geojson?status=closed", "analyst"));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed.begin()->first, fire);
  EXPECT_EQ(ById(Collection("/incidents.geojson?status=all", "analyst")).size(), 2u);
  auto bad = api_->Get("/incidents.geojson?status=burning", "analyst");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.Json()["error"].value("field", ""), "status");
  (void)unlocated;
}

TEST_F(GeoJsonTest, LiteralPathsDoNotCollideWithIncidentIds) {
  std::int64_t id = api_->PostCall(CallBody("MEDICAL", kCentre)).at("incident_id").get<int>();
  // /incidents/{id} still answers incidents; the .geojson path is its own route.
  EXPECT_EQ(api_->MustGet("/incidents/" + std::to_string(id), "dispatcher").value("incident_id", 0),
            id);
  EXPECT_EQ(api_->Get("/incidents/geojson", "dispatcher").status, 404);
  EXPECT_EQ(api_->Get("/incidents.geojson/1", "dispatcher").status, 404);
  EXPECT_EQ(api_->Get("/units/x.geojson", "dispatcher").status, 404);
  auto post = api_->Post("/incidents.geojson", json::object(), "dispatcher");
  EXPECT_EQ(post.status, 405) << post.body;
}

TEST_F(GeoJsonTest, UnitsAtTheirPositionOrStation) {
  Place station = Offset(kCentre, -2000);
  Place seen = Offset(kCentre, 500, 500);
  api_->CreateStation("ST1", station);
  api_->CreateUnit("E1", "engine", "ST1");
  api_->CreateUnit("M1", "medic", "ST1", seen);
  api_->CreateUnit("P1", "patrol", "");  // nowhere known: no feature
  std::int64_t incident = api_->PostCall(CallBody("MEDICAL", kCentre)).at("incident_id").get<int>();
  api_->Assign(incident, "M1");

  for (const auto& role : {"call_taker", "dispatcher", "supervisor", "analyst", "admin"}) {
    SCOPED_TRACE(role);
    auto units = ById(Collection("/units.geojson", role));
    ASSERT_EQ(units.size(), 2u);
    const json& e1 = units["E1"];
    EXPECT_DOUBLE_EQ(e1["geometry"]["coordinates"][0].get<double>(), station.lon);
    EXPECT_DOUBLE_EQ(e1["geometry"]["coordinates"][1].get<double>(), station.lat);
    EXPECT_EQ(e1["properties"].value("position_source", ""), "station");
    EXPECT_EQ(e1["properties"].value("status", ""), "available");
    EXPECT_EQ(e1["properties"].value("station_id", ""), "ST1");
    const json& m1 = units["M1"];
    EXPECT_DOUBLE_EQ(m1["geometry"]["coordinates"][0].get<double>(), seen.lon);
    EXPECT_DOUBLE_EQ(m1["geometry"]["coordinates"][1].get<double>(), seen.lat);
    EXPECT_EQ(m1["properties"].value("position_source", ""), "reported");
    EXPECT_EQ(m1["properties"].value("status", ""), "dispatched");
    EXPECT_EQ(m1["properties"].value("incident_id", 0), incident);
    EXPECT_EQ(m1["properties"].value("unit_type", ""), "medic");
  }
  EXPECT_EQ(api_->Get("/units.geojson", "auditor").status, 403);
}

}  // namespace
}  // namespace beacon::testing
