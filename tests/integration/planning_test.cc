// Live planning end to end with the real binary and the shared San
// Francisco extract: coverage follows unit status and position changes,
// move-up suggestions fill a hole and their gain is what the move really
// brings, demand counts, and bad query parameters are refused by field.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "support/harness.h"

namespace beacon::testing {
namespace {

const std::string kSfPbf = "../shared/data/osm/sf_mission_bayview_2014.osm.pbf";
const std::string kStations = "../shared/data/stations/sf_fire_stations_osm.geojson";

struct Station {
  std::string id;
  double lat, lon;
};

// The shared fire stations that lie inside the extract's bounding box.
std::vector<Station> StationsInExtract() {
  std::ifstream in(kStations);
  json fc = json::parse(in);
  std::vector<Station> out;
  for (const auto& f : fc["features"]) {
    double lon = f["geometry"]["coordinates"][0], lat = f["geometry"]["coordinates"][1];
    if (lat < 37.7308 || lat > 37.7743 || lon < -122.4461 || lon > -122.3769) continue;
    std::string name = f["properties"]["name"];
    out.push_back({"S" + name.substr(name.rfind(' ') + 1), lat, lon});
  }
  return out;
}

json Place(double lat, double lon) { return {{"lat", lat}, {"lon", lon}}; }

class PlanningTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    graph_ = dir_->path() + "/sf.graph";
    auto r = RunBeacon({"import-osm", kSfPbf, "--out", graph_});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override {
    fx_.Start({"--graph", graph_});
    http_ = std::make_unique<HttpClient>(fx_.server->port());
    stations_ = StationsInExtract();
    ASSERT_GE(stations_.size(), 10u);
    for (const auto& s : stations_) {
      auto r =
          http_->Post("/api/v1/stations",
                      {{"station_id", s.id}, {"name", s.id}, {"location", Place(s.lat, s.lon)}},
                      fx_.Token("supervisor"));
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }

  void AddUnit(const std::string& id, const std::string& station) {
    auto r = http_->Post("/api/v1/units",
                         {{"unit_id", id}, {"unit_type", "engine"}, {"station_id", station}},
                         fx_.Token("supervisor"));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  void SetStatus(const std::string& id, const std::string& status) {
    json body = {{"status", status}};
    if (status == "out_of_service") body["reason"] = "test";
    auto r = http_->Post("/api/v1/units/" + id + "/status", body, fx_.Token("dispatcher"));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  void AddCall(double lat, double lon, const std::string& type = "MEDICAL") {
    auto r =
        http_->Post("/api/v1/calls",
                    {{"channel", "phone"}, {"location", Place(lat, lon)}, {"incident_type", type}},
                    fx_.Token("call_taker"));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  json Coverage(int seconds = 240) {
    auto r =
        http_->Get("/api/v1/coverage?seconds=" + std::to_string(seconds), fx_.Token("analyst"));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json();
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::string graph_;
  Fixture fx_;
  std::unique_ptr<HttpClient> http_;
  std::vector<Station> stations_;
};

TEST_F(PlanningTest, CoverageFollowsUnitStatus) {
  json empty = Coverage();
  EXPECT_EQ(empty["units_available"], 0);
  EXPECT_EQ(empty["nodes"]["covered"], 0);
  EXPECT_GT(empty["nodes"]["total"].get<int>(), 4000);
  EXPECT_TRUE(empty["cells"]["features"].empty());

  for (const auto& s : stations_) AddUnit("E" + s.id.substr(1), s.id);
  // Mission St & 24th St, and one in the south-east.
  AddCall(37.7522, -122.4184);
  AddCall(37.7310, -122.3900);
  json all = Coverage();
  EXPECT_EQ(all["seconds"], 240);
  EXPECT_EQ(all["units_available"].get<size_t>(), stations_.size());
  int covered = all["nodes"]["covered"];
  EXPECT_GT(covered, 0);
  EXPECT_LE(covered, all["nodes"]["total"].get<int>());
  EXPECT_NEAR(all["nodes"]["share"].get<double>(),
              static_cast<double>(covered) / all["nodes"]["total"].get<int>(), 1e-4);
  EXPECT_EQ(all["demand"]["total"], 2);
  EXPECT_GE(all["demand"]["covered"].get<int>(), 1);
  // The cells hold exactly the covered nodes; each is a closed ~250 m square.
  int in_cells = 0;
  for (const auto& f : all["cells"]["features"]) {
    EXPECT_EQ(f["geometry"]["type"], "Polygon");
    const auto& ring = f["geometry"]["coordinates"][0];
    ASSERT_EQ(ring.size(), 5u);
    EXPECT_EQ(ring[0], ring[4]);
    double height_m = (ring[2][1].get<double>() - ring[0][1].get<double>()) * 111320;
    EXPECT_NEAR(height_m, 250, 1);
    in_cells += f["properties"]["nodes"].get<int>();
  }
  EXPECT_EQ(in_cells, covered);
  // A longer limit covers at least as much.
  EXPECT_GE(Coverage(480)["nodes"]["covered"].get<int>(), covered);

  // One unit out of service: one fewer, never more covered.
  SetStatus("E" + stations_[0].id.substr(1), "out_of_service");
  json less = Coverage();
  EXPECT_EQ(less["units_available"].get<size_t>(), stations_.size() - 1);
  EXPECT_LE(less["nodes"]["covered"].get<int>(), covered);
  // All out of service: nothing covered.
  for (size_t i = 1; i < stations_.size(); ++i) {
    SetStatus("E" + stations_[i].id.substr(1), "out_of_service");
  }
  json none = Coverage();
  EXPECT_EQ(none["units_available"], 0);
  EXPECT_EQ(none["nodes"]["covered"], 0);
  EXPECT_EQ(none["demand"]["covered"], 0);
  // Back in service: exactly the first figures (incremental == full).
  for (const auto& s : stations_) SetStatus("E" + s.id.substr(1), "available");
  json back = Coverage();
  EXPECT_EQ(back["nodes"], all["nodes"]);
  EXPECT_EQ(back["demand"], all["demand"]);

  // Survives a restart (state rebuilt from the store).
  fx_.server->Kill(15);
  fx_.server->Start();
  HttpClient again(fx_.server->port());
  auto r = again.Get("/api/v1/coverage", fx_.Token("dispatcher"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["nodes"], all["nodes"]);
  EXPECT_EQ(r.Json()["demand"], all["demand"]);
}

TEST_F(PlanningTest, MoveUpFillsAHoleAndItsGainIsReal) {
  // The two stations farthest apart: every unit at the first, the calls at
  // the second.
  size_t a = 0, b = 1;
  double far = 0;
  for (size_t i = 0; i < stations_.size(); ++i) {
    for (size_t j = 0; j < stations_.size(); ++j) {
      double d = std::hypot(stations_[i].lat - stations_[j].lat,
                            (stations_[i].lon - stations_[j].lon) * 0.79);
      if (d > far) {
        far = d;
        a = i;
        b = j;
      }
    }
  }
  AddUnit("E1", stations_[a].id);
  AddUnit("E2", stations_[a].id);
  // Three incidents there (types that are never duplicates of each other).
  for (const char* type : {"MEDICAL", "ASSAULT", "PUBLIC_SERVICE"}) {
    AddCall(stations_[b].lat, stations_[b].lon, type);
  }
  json before = Coverage();
  ASSERT_EQ(before["demand"]["total"], 3);
  ASSERT_EQ(before["demand"]["covered"], 0) << "the stations are too close for this test";

  auto r = http_->Get("/api/v1/coverage/moveups?seconds=240&limit=3", fx_.Token("dispatcher"));
  ASSERT_EQ(r.status, 200) << r.body;
  json plan = r.Json();
  EXPECT_EQ(plan["method"], "greedy_maximal_covering");
  EXPECT_EQ(plan["movable_units"], 2);
  ASSERT_GE(plan["moves"].size(), 1u) << r.body;
  const json& first = plan["moves"][0];
  EXPECT_EQ(first["from_station_id"], stations_[a].id);
  EXPECT_EQ(first["coverage_gain"], 3);
  EXPECT_EQ(plan["demand"]["covered_before"], 0);
  EXPECT_EQ(plan["demand"]["covered_after"], 3);
  // Planning changed nothing.
  EXPECT_EQ(Coverage()["nodes"], before["nodes"]);

  // Make the suggested move: the unit reports its position at the new station.
  std::string to = first["to_station_id"];
  const Station* dest = nullptr;
  for (const auto& s : stations_) {
    if (s.id == to) dest = &s;
  }
  ASSERT_NE(dest, nullptr);
  auto moved = http_->Post("/api/v1/units/" + first["unit_id"].get<std::string>() + "/position",
                           Place(dest->lat, dest->lon), fx_.Token("dispatcher"));
  ASSERT_EQ(moved.status, 200) << moved.body;
  json after = Coverage();
  EXPECT_EQ(after["demand"]["covered"], 3);
  EXPECT_EQ(after["nodes"]["covered"].get<int>() - before["nodes"]["covered"].get<int>(),
            first["node_gain"].get<int>());
}

TEST_F(PlanningTest, DemandCountsAndBadParameters) {
  AddCall(37.7522, -122.4184, "MEDICAL");
  AddCall(37.7400, -122.4000, "STRUCTURE_FIRE");
  auto r = http_->Get("/api/v1/stats/demand?by=type", fx_.Token("analyst"));
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.Json();
  EXPECT_EQ(j["by"], "type");
  int total = 0;
  for (const auto& b : j["buckets"]) total += b["count"].get<int>();
  EXPECT_EQ(total, 2);
  EXPECT_EQ(r.body.find("phone"), std::string::npos);  // counts only
  r = http_->Get("/api/v1/stats/demand?by=district", fx_.Token("analyst"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["buckets"].size(), stations_.size());  // no "none": both have a location
  r = http_->Get("/api/v1/stats/demand?by=hour&from=2000-01-01T00:00:00Z&to=2001-01-01T00:00:00Z",
                 fx_.Token("supervisor"));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = r.Json();
  for (const auto& b : body["buckets"]) EXPECT_EQ(b["count"], 0);

  struct Bad {
    std::string target;
    int status;
    std::string field;
  };
  for (const Bad& bad : std::vector<Bad>{
           {"/api/v1/coverage?seconds=0", 422, "seconds"},
           {"/api/v1/coverage?seconds=abc", 422, "seconds"},
           {"/api/v1/coverage/moveups?limit=99", 422, "limit"},
           {"/api/v1/stats/demand", 400, "by"},
           {"/api/v1/stats/demand?by=person", 422, "by"},
           {"/api/v1/stats/demand?by=hour&to=tomorrow", 422, "to"},
       }) {
    auto res = http_->Get(bad.target, fx_.Token("analyst"));
    EXPECT_EQ(res.status, bad.status) << bad.target << " " << res.body;
    EXPECT_EQ(res.Json()["error"]["field"], bad.field) << bad.target << " " << res.body;
  }
  // The auditor reads the audit log only.
  EXPECT_EQ(http_->Get("/api/v1/coverage", fx_.Token("auditor")).status, 403);
}

TEST(PlanningWithoutGraphTest, CoverageNeedsAGraph) {
  Fixture fx;
  fx.Start();
  HttpClient http(fx.server->port());
  auto r = http.Get("/api/v1/coverage?seconds=240", fx.Token("analyst"));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.Json()["error"]["code"], "conflict");
  EXPECT_NE(r.body.find("--graph"), std::string::npos) << r.body;
  EXPECT_EQ(http.Get("/api/v1/coverage/moveups", fx.Token("analyst")).status, 409);
  EXPECT_EQ(http.Get("/api/v1/stats/demand?by=weekday", fx.Token("analyst")).status, 200);
}

}  // namespace
}  // namespace beacon::testing
