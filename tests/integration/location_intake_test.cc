// Location intake end to end with the real binary (docs/geocoding.md):
// `beacon import-osm` builds the gazetteer with the road graph, the server
// geocodes address-only calls on intake (and they get recommendations and
// duplicate checks), flags what it cannot find without failing, reads
// NG911 PIDF-LO, answers GET /geocode and /reverse; `beacon geocode`,
// `--batch` and `beacon addresses from-history` on the command line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "integration/scenario.h"

namespace beacon::testing {
namespace {

const std::string kSfPbf = "../shared/data/osm/sf_mission_bayview_2014.osm.pbf";
const std::string kCalls = "../shared/data/calls/sf_fire_calls_2020-04-07_to_2020-04-20.csv";

// Mission Street & 24th Street, as DataSF places it.
constexpr Place kMission24{37.75224, -122.41845};

std::string PidfCircle(double lat, double lon, double radius) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10"
    xmlns:gml="http://www.opengis.net/gml" xmlns:gs="http://www.opengis.net/pidflo/1.0"
    entity="pres:caller@example.com">
  <tuple id="t1"><status><gp:geopriv><gp:location-info>
    <gs:Circle srsName="urn:ogc:def:crs:EPSG::4326">
      <gml:pos>)" +
         std::to_string(lat) + " " + std::to_string(lon) + R"(</gml:pos>
      <gs:radius uom="urn:ogc:def:uom:EPSG::9001">)" +
         std::to_string(radius) + R"(</gs:radius>
    </gs:Circle>
  </gp:location-info></gp:geopriv></status></tuple>
</presence>)";
}

double Metres(const json& loc, Place p) {
  double lat = loc.at("lat").get<double>(), lon = loc.at("lon").get<double>();
  double dy = (lat - p.lat) * 111195.0;
  double dx = (lon - p.lon) * 111195.0 * std::cos(p.lat * 3.14159265358979 / 180);
  return std::sqrt(dx * dx + dy * dy);
}

class GeocodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(kSfPbf)) return;
    dir_ = new TempDir();
    graph_ = dir_->path() + "/sf.graph";
    auto r = RunBeacon({"import-osm", kSfPbf, "--out", graph_});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ASSERT_NE(r.output.find("\"gazetteer\""), std::string::npos) << r.output;
    points_ = dir_->path() + "/points.csv";
    std::ofstream(points_) << "address,lat,lon,count\n"
                              "3300 Block of MISSION ST,37.74500,-122.41940,4\n"
                              "CALL BOX: BERNAL HEIGHTS PARK,37.74330,-122.41440,1\n";
    fixture_ = new Fixture();
    fixture_->Start({"--graph", graph_, "--addresses", points_});
  }
  static void TearDownTestSuite() {
    delete fixture_;
    delete dir_;
  }
  void SetUp() override {
    if (!fixture_) GTEST_SKIP() << "no " << kSfPbf;
  }

  static inline TempDir* dir_ = nullptr;
  static inline Fixture* fixture_ = nullptr;
  static inline std::string graph_, points_;
};

TEST_F(GeocodeTest, AddressOnlyCallIsPlacedAndGetsRecommendations) {
  Api api(*fixture_);
  api.CreateStation("S11", Offset(kMission24, -400));
  api.CreateUnit("M11", "medic", "S11", std::nullopt);
  json created = api.PostCall(
      {{"channel", "phone"}, {"incident_type", "MEDICAL"}, {"address", "MISSION ST/24TH ST"}});
  EXPECT_EQ(created.value("location_source", ""), "geocoded") << created.dump();
  EXPECT_EQ(created.value("location_verified", false), true) << created.dump();
  EXPECT_EQ(created.value("location_label", ""), "Mission Street & 24th Street");
  ASSERT_TRUE(created.contains("location")) << created.dump();
  EXPECT_LT(Metres(created["location"], kMission24), 30) << created.dump();
  auto id = created.at("incident_id").get<std::int64_t>();
  json inc = api.Incident(id);
  EXPECT_EQ(inc.value("location_source", ""), "geocoded");
  EXPECT_EQ(inc.value("location_label", ""), "Mission Street & 24th Street");
  ASSERT_TRUE(inc.contains("location"));
  json rec = api.MustGet("/incidents/" + std::to_string(id) + "/recommendations", "dispatcher");
  bool m11 = false;
  for (const auto& u : rec.value("units", json::array()))
    m11 = m11 || u.value("unit_id", "") == "M11";
  EXPECT_TRUE(m11) << "the medic should be recommended: " << rec.dump();

  // A second call about the same corner, worded differently, is suggested
  // as a duplicate of the first: geocoded calls take part in the check.
  json again = api.PostCall(
      {{"channel", "phone"}, {"incident_type", "MEDICAL"}, {"address", "24th and Mission"}});
  bool suggested = again.value("duplicate_of", std::int64_t{0}) == id;
  for (const auto& d : again.value("possible_duplicates", json::array())) {
    suggested = suggested || d.value("incident_id", std::int64_t{0}) == id;
  }
  EXPECT_TRUE(suggested) << again.dump();
}

TEST_F(GeocodeTest, UnresolvableAddressIsFlaggedNeverAServerError) {
  Api api(*fixture_);
  for (const char* address :
       {"Zzyzx Qwerty Plaza", "   ", "!!! ???", "\xC3\xA9\xC3\xA9 // && @@"}) {
    auto r = api.Post("/calls",
                      {{"channel", "phone"}, {"incident_type", "MEDICAL"}, {"address", address}},
                      "call_taker");
    ASSERT_LT(r.status, 500) << r.body;
    if (r.status != 201) continue;  // an empty address is refused (422)
    json body = r.Json();
    EXPECT_EQ(body.value("location_verified", true), false) << body.dump();
    EXPECT_TRUE(body.contains("location_warning")) << body.dump();
    EXPECT_FALSE(body.contains("location"));
    json inc = api.Incident(body.at("incident_id").get<std::int64_t>());
    EXPECT_EQ(inc.value("location_verified", true), false) << inc.dump();
    EXPECT_EQ(inc.value("status", ""), "open");
    auto rec = api.Get(
        "/incidents/" + std::to_string(body.at("incident_id").get<int>()) + "/recommendations",
        "dispatcher");
    EXPECT_EQ(rec.status, 422) << rec.body;
  }
}

TEST_F(GeocodeTest, CallWithALocationKeepsItAndGetsTheNearestAddress) {
  Api api(*fixture_);
  Place where = Offset(kMission24, 40);  // on Mission, just north of 24th
  json created = api.PostCall(CallBody("MEDICAL", where, {{"address", "somewhere else"}}));
  EXPECT_EQ(created.value("location_source", ""), "reported");
  json call = api.Call(created.at("call_id").get<std::int64_t>());
  EXPECT_LT(Metres(call["location"], where), 1);
  EXPECT_EQ(call.value("location_label", ""), "Mission Street") << call.dump();
}

TEST_F(GeocodeTest, PidfCircleBecomesALocationWithItsAccuracy) {
  Api api(*fixture_);
  json created = api.PostCall({{"channel", "phone"},
                               {"incident_type", "MEDICAL"},
                               {"location_pidf", PidfCircle(37.7530, -122.4185, 45.5)}});
  EXPECT_EQ(created.value("location_source", ""), "pidf") << created.dump();
  json call = api.Call(created.at("call_id").get<std::int64_t>());
  ASSERT_TRUE(call.contains("location")) << call.dump();
  EXPECT_LT(Metres(call["location"], {37.7530, -122.4185}), 0.5);
  EXPECT_DOUBLE_EQ(call["location"].value("accuracy_m", 0.0), 45.5);
  EXPECT_EQ(call.value("location_source", ""), "pidf");
}

TEST_F(GeocodeTest, BadPidfIsRefusedNamingTheElement) {
  Api api(*fixture_);
  struct Case {
    std::string pidf, field_part, rule;
  };
  const std::vector<Case> cases = {
      {"<presence", "location_pidf", "xml.syntax"},
      {"<?xml version=\"1.0\"?><!DOCTYPE presence [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
       "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\">&x;</presence>",
       "location_pidf", "xml.doctype"},
      {"<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
       "xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
       "<xi:include href=\"/etc/passwd\"/></presence>",
       "location_pidf", "xml.xinclude"},
      {PidfCircle(37.75, -122.42, -3), "Circle/radius", "pidf.range"},
      {PidfCircle(137.75, -122.42, 3), "Circle/pos", "pidf.range"},
      {"<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"/>", "location_pidf/presence",
       "pidf.no_location"},
  };
  for (const auto& c : cases) {
    auto r = api.Post(
        "/calls", {{"channel", "phone"}, {"incident_type", "MEDICAL"}, {"location_pidf", c.pidf}},
        "call_taker");
    EXPECT_EQ(r.status, 422) << c.pidf << " -> " << r.body;
    json e = r.Json();
    ASSERT_TRUE(e.contains("error")) << r.body;
    EXPECT_NE(e["error"].value("field", "").find(c.field_part), std::string::npos) << r.body;
    EXPECT_NE(e["error"].value("message", "").find(c.rule), std::string::npos) << r.body;
  }
  // Both a location and a PIDF-LO: ambiguous.
  auto both =
      api.Post("/calls",
               CallBody("MEDICAL", kMission24, {{"location_pidf", PidfCircle(37.75, -122.42, 10)}}),
               "call_taker");
  EXPECT_EQ(both.status, 422) << both.body;
}

TEST_F(GeocodeTest, GeocodeAndReverseRoutes) {
  Api api(*fixture_);
  json r = api.MustGet("/geocode?q=MISSION%20ST%2F24TH%20ST&limit=3", "analyst");
  ASSERT_FALSE(r["candidates"].empty()) << r.dump();
  const json& c = r["candidates"][0];
  EXPECT_EQ(c["kind"], "intersection");
  EXPECT_EQ(c["verified"], true);
  EXPECT_LT(Metres(c, kMission24), 30);
  for (const char* key : {"label", "lat", "lon", "kind", "score", "why", "verified"}) {
    EXPECT_TRUE(c.contains(key)) << key;
  }
  // The centre's own points answer too.
  json b = api.MustGet("/geocode?q=3300%20Block%20of%20MISSION%20ST", "call_taker");
  ASSERT_FALSE(b["candidates"].empty());
  EXPECT_NE(b["candidates"][0]["why"].get<std::string>().find("points.csv"), std::string::npos);
  json ac = api.MustGet("/geocode?q=valenc&autocomplete=true&near=37.76,-122.42", "call_taker");
  ASSERT_FALSE(ac["candidates"].empty());
  EXPECT_EQ(ac["candidates"][0]["label"], "Valencia Street");

  json rev = api.MustGet("/reverse?lat=37.7528&lon=-122.4186", "dispatcher");
  EXPECT_EQ(rev["street"], "Mission Street") << rev.dump();
  bool has_24th = false;
  for (const auto& s : rev["cross_streets"]) has_24th = has_24th || s == "24th Street";
  EXPECT_TRUE(has_24th) << rev.dump();

  // Where the basemap writes street names: points with a name, a rank and an
  // upright angle.
  json labels = api.MustGet("/map/streets.geojson", "call_taker");
  ASSERT_EQ(labels["type"], "FeatureCollection");
  ASSERT_FALSE(labels["features"].empty());
  bool has_mission = false;
  for (const auto& f : labels["features"]) {
    const json& p = f["properties"];
    has_mission = has_mission || p["name"] == "Mission Street";
    EXPECT_GT(p["angle"].get<double>(), -90.5);
    EXPECT_LE(p["angle"].get<double>(), 90.5);
  }
  EXPECT_TRUE(has_mission);

  for (const char* bad :
       {"/geocode", "/geocode?q=", "/geocode?q=x&limit=0", "/geocode?q=x&limit=99",
        "/geocode?q=x&near=north", "/geocode?q=x&autocomplete=yes", "/geocode?q=%FF%FE",
        "/reverse?lat=91&lon=0", "/reverse?lat=1"}) {
    auto e = api.Get(bad, "dispatcher");
    EXPECT_EQ(e.status, 422) << bad << " " << e.body;
  }
  EXPECT_EQ(api.Get("/reverse?lat=10&lon=10", "dispatcher").status, 404);
  EXPECT_EQ(api.Get("/geocode?q=x", "auditor").status, 403);
}

TEST_F(GeocodeTest, CommandLine) {
  auto one = RunBeacon({"geocode", "--graph", graph_, "--limit", "2", "19th and Hartford"});
  ASSERT_EQ(one.exit_code, 0) << one.output;
  EXPECT_NE(one.output.find("19th Street & Hartford Street"), std::string::npos) << one.output;

  std::string batch = dir_->path() + "/queries.txt";
  std::ofstream(batch) << "MISSION ST/24TH ST\nZzyzx nowhere\n3300 Block of MISSION ST\n";
  auto many = RunBeacon({"--log-level", "warn", "geocode", "--graph", graph_, "--addresses",
                         points_, "--batch", batch});
  ASSERT_EQ(many.exit_code, 0) << many.output;
  std::istringstream lines(many.output);
  std::vector<json> out;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line[0] == '{') out.push_back(json::parse(line));
  }
  ASSERT_EQ(out.size(), 3u) << many.output;
  EXPECT_EQ(out[0]["query"], "MISSION ST/24TH ST");
  EXPECT_FALSE(out[0]["candidates"].empty());
  EXPECT_EQ(out[1]["query"], "Zzyzx nowhere");
  EXPECT_EQ(out[2]["query"], "3300 Block of MISSION ST");

  auto bad = RunBeacon({"geocode", "--graph", dir_->path() + "/missing.graph", "x"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("missing.graph"), std::string::npos) << bad.output;

  if (std::filesystem::exists(kCalls)) {
    std::string csv = dir_->path() + "/week1.csv";
    auto h = RunBeacon({"addresses", "from-history", "--calls", kCalls, "--format", "sf-fire",
                        "--to", "2020-04-09T00:00:00-07:00", "--out", csv});
    ASSERT_EQ(h.exit_code, 0) << h.output;
    std::ifstream in(csv);
    std::string header;
    std::getline(in, header);
    EXPECT_EQ(header, "address,lat,lon,count");
    int rows = 0;
    for (std::string line; std::getline(in, line);) ++rows;
    EXPECT_GT(rows, 100);
    auto bad_time = RunBeacon(
        {"addresses", "from-history", "--calls", kCalls, "--to", "yesterday", "--out", csv});
    EXPECT_NE(bad_time.exit_code, 0);
    EXPECT_NE(bad_time.output.find("--to"), std::string::npos) << bad_time.output;
  }
}

}  // namespace
}  // namespace beacon::testing
