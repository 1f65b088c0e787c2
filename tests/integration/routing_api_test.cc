// Road routing end to end with the real binary: import the shared San
// Francisco extract, query it from the CLI, and serve it so that
// recommendations rank units by road travel time.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/harness.h"

namespace beacon::testing {
namespace {

const std::string kSfPbf = "../shared/data/osm/sf_mission_bayview_2014.osm.pbf";
const std::string kStations = "../shared/data/stations/sf_fire_stations_osm.geojson";

// Mission St & 24th St, inside the extract.
constexpr double kIncidentLat = 37.7522, kIncidentLon = -122.4184;

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

class RoutingApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    graph_ = dir_->path() + "/sf.graph";
    auto r = RunBeacon({"import-osm", kSfPbf, "--out", graph_});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    import_output_ = r.output;
  }
  static void TearDownTestSuite() { delete dir_; }

  static json RouteCli(const std::string& from, const std::string& to, int* exit_code = nullptr) {
    auto r = RunBeacon({"route", "--graph", graph_, "--from", from, "--to", to});
    if (exit_code) *exit_code = r.exit_code;
    return json::parse(r.output, nullptr, false);
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::string graph_;
  static inline std::string import_output_;
};

TEST_F(RoutingApiTest, ImportPrintsASummary) {
  auto pos = import_output_.find('{');
  ASSERT_NE(pos, std::string::npos) << import_output_;
  json summary = json::parse(import_output_.substr(pos), nullptr, false);
  ASSERT_TRUE(summary.is_object()) << import_output_;
  EXPECT_GT(summary["nodes"].get<int>(), 4000);
  EXPECT_GT(summary["arcs"].get<int>(), summary["nodes"].get<int>());
  EXPECT_GT(summary["file_bytes"].get<int>(), 0);
  EXPECT_TRUE(summary.contains("components_dropped"));
}

TEST_F(RoutingApiTest, RouteCommandGivesTimeDistanceAndGeometry) {
  int rc = -1;
  json r = RouteCli("37.7599,-122.4148", "37.7485,-122.4184", &rc);
  ASSERT_EQ(rc, 0) << r.dump();
  EXPECT_GT(r["eta_s"].get<double>(), 30);
  EXPECT_LT(r["eta_s"].get<double>(), 900);
  // The road is longer than the straight line (~1.3 km) but not absurdly so.
  EXPECT_GT(r["distance_m"].get<double>(), 1250);
  EXPECT_LT(r["distance_m"].get<double>(), 4000);
  EXPECT_EQ(r["geometry"]["type"], "LineString");
  EXPECT_GE(r["geometry"]["coordinates"].size(), 3u);
  // A route to itself takes no time.
  json zero = RouteCli("37.7599,-122.4148", "37.7599,-122.4148", &rc);
  EXPECT_EQ(zero["eta_s"].get<double>(), 0);
}

TEST_F(RoutingApiTest, BadInputIsAClearErrorNotACrash) {
  int rc = 0;
  RouteCli("51.5,-0.12", "37.7485,-122.4184", &rc);  // London: outside the graph
  EXPECT_EQ(rc, 2);
  auto bad = RunBeacon({"route", "--graph", graph_, "--from", "91,0", "--to", "0,0"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("LAT,LON"), std::string::npos);
  // Not an OSM file.
  std::string junk = dir_->path() + "/junk.osm.pbf";
  std::ofstream(junk) << "this is not OpenStreetMap data";
  auto imp = RunBeacon({"import-osm", junk, "--out", dir_->path() + "/junk.graph"});
  EXPECT_NE(imp.exit_code, 0);
  EXPECT_NE(imp.output.find("junk.osm.pbf"), std::string::npos) << imp.output;
  // A corrupt graph file is refused by the server with a message.
  std::string corrupt = dir_->path() + "/corrupt.graph";
  std::filesystem::copy_file(graph_, corrupt);
  {
    std::fstream f(corrupt, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(corrupt) / 2));
    f.put('\x5a');
    f.put('\xa5');
  }
  TempDir data;
  auto serve =
      RunBeacon({"serve", "--data", data.path(), "--listen", "127.0.0.1:0", "--graph", corrupt});
  EXPECT_EQ(serve.exit_code, 2);
  EXPECT_NE(serve.output.find("corrupt.graph"), std::string::npos) << serve.output;
}

TEST_F(RoutingApiTest, RecommendationsRankUnitsByRoadEta) {
  Fixture fx;
  fx.Start({"--graph", graph_});
  HttpClient http(fx.server->port());
  const std::string sup = fx.Token("supervisor");
  auto stations = StationsInExtract();
  ASSERT_GE(stations.size(), 10u);
  for (const auto& s : stations) {
    auto r = http.Post(
        "/api/v1/stations",
        {{"station_id", s.id}, {"name", s.id}, {"location", {{"lat", s.lat}, {"lon", s.lon}}}},
        sup);
    ASSERT_EQ(r.status, 201) << r.body;
    r = http.Post(
        "/api/v1/units",
        {{"unit_id", "E" + s.id.substr(1)}, {"unit_type", "engine"}, {"station_id", s.id}}, sup);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  auto call = http.Post("/api/v1/calls",
                        {{"channel", "phone"},
                         {"location", {{"lat", kIncidentLat}, {"lon", kIncidentLon}}},
                         {"incident_type", "OUTSIDE_FIRE"}},
                        fx.Token("call_taker"));
  ASSERT_EQ(call.status, 201) << call.body;
  std::string incident = std::to_string(call.Json()["incident_id"].get<int>());
  auto rec = http.Get("/api/v1/incidents/" + incident + "/recommendations", sup);
  ASSERT_EQ(rec.status, 200) << rec.body;
  auto units = rec.Json()["units"];
  ASSERT_EQ(units.size(), 2u) << rec.body;  // OUTSIDE_FIRE needs two engines
  for (const auto& u : units) EXPECT_EQ(u["eta_method"], "road");
  EXPECT_LE(units[0]["eta_s"].get<double>(), units[1]["eta_s"].get<double>());

  // Independently: the road ETA of every station to the incident by the CLI;
  // the two recommended engines are the two fastest, with the same ETAs.
  std::vector<std::pair<double, std::string>> by_road;
  for (const auto& s : stations) {
    json r = RouteCli(std::to_string(s.lat) + "," + std::to_string(s.lon),
                      std::to_string(kIncidentLat) + "," + std::to_string(kIncidentLon));
    ASSERT_TRUE(r.contains("eta_s")) << s.id << " " << r.dump();
    by_road.push_back({r["eta_s"].get<double>(), "E" + s.id.substr(1)});
  }
  std::sort(by_road.begin(), by_road.end());
  EXPECT_EQ(units[0]["unit_id"], by_road[0].second);
  EXPECT_EQ(units[1]["unit_id"], by_road[1].second);
  EXPECT_NEAR(units[0]["eta_s"].get<double>(), by_road[0].first, 0.1);

  // The API's route endpoint answers the same as the CLI.
  auto route = http.Get("/api/v1/route?from=37.7599,-122.4148&to=37.7485,-122.4184", sup);
  ASSERT_EQ(route.status, 200) << route.body;
  json cli = RouteCli("37.7599,-122.4148", "37.7485,-122.4184");
  EXPECT_NEAR(route.Json()["eta_s"].get<double>(), cli["eta_s"].get<double>(), 0.1);
  auto outside = http.Get("/api/v1/route?from=51.5,-0.12&to=37.7485,-122.4184", sup);
  EXPECT_EQ(outside.status, 422) << outside.body;
  EXPECT_EQ(outside.Json()["error"]["field"], "from");
  auto missing = http.Get("/api/v1/route?from=37.7599,-122.4148", sup);
  EXPECT_EQ(missing.status, 400);
}

}  // namespace
}  // namespace beacon::testing
