// `beacon replay` as a user runs it: the real binary on a corrupted CSV
// (clear errors with line numbers, the rest processed, a report written)
// and, with --server, driving a real server on 127.0.0.1 over its public
// API with a small slice of the San Francisco data, which must leave the
// server's board in the state the replay describes and agree with the
// same slice replayed in-process.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "support/harness.h"

namespace beacon::testing {
namespace {

const std::string kCalls = "../shared/data/calls/sf_fire_calls_2020-04-07_to_2020-04-20.csv";
const std::string kStations = "../shared/data/stations/sf_fire_stations_osm.geojson";
const std::string kOsm = "../shared/data/osm/sf_mission_bayview_2014.osm.pbf";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string MakeGraph(const std::string& dir) {
  std::string graph = dir + "/sf.graph";
  auto r = RunBeacon({"import-osm", kOsm, "--out", graph});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return graph;
}

TEST(ReplayCli, CorruptCsvIsReportedLineByLineAndTheRestReplayed) {
  TempDir dir;
  std::string graph = MakeGraph(dir.path());
  std::string report = dir.path() + "/report";
  auto r = RunBeacon({"replay", "--calls",
                      std::string(BEACON_SOURCE_DIR) + "/tests/golden/history/corrupt_sf.csv",
                      "--format", "sf-fire", "--graph", graph, "--stations", kStations, "--mode",
                      "recommend", "--report", report});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto s = json::parse(Slurp(report + "/summary.json"));
  EXPECT_EQ(s["rows"]["read"], 12);
  EXPECT_EQ(s["rows"]["skipped"]["bad_time"], 2);
  EXPECT_EQ(s["rows"]["skipped"]["wrong_field_count"], 1);
  EXPECT_EQ(s["rows"]["skipped"]["malformed_csv"], 2);
  EXPECT_EQ(s["rows"]["skipped"]["no_location"], 2);
  EXPECT_EQ(s["rows"]["skipped"]["missing_value"], 1);
  EXPECT_EQ(s["rows"]["skipped"]["unit_type_not_replayed"], 1);
  long skipped = 0;
  for (const auto& [k, v] : s["rows"]["skipped"].items()) skipped += v.get<long>();
  EXPECT_EQ(s["rows"]["read"].get<long>(), s["rows"]["replayed"].get<long>() + skipped);
  std::string csv = Slurp(report + "/skipped.csv");
  EXPECT_NE(csv.find("14,malformed_csv,\"line 14: quoted field 33 is not closed"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("4,wrong_field_count,\"line 4: 20 fields, the header has 34"),
            std::string::npos)
      << csv;
  std::string html = Slurp(report + "/report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);  // no external resources
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(ReplayCli, OsmInputAndPacedSpeed) {
  TempDir dir;
  // --osm imports the extract first; --speed paces the replay (a huge
  // factor keeps the test short: the two calls are seconds apart).
  auto r = RunBeacon({"replay", "--calls",
                      std::string(BEACON_SOURCE_DIR) + "/tests/golden/history/corrupt_sf.csv",
                      "--osm", kOsm, "--stations", kStations, "--speed", "100000"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto brace = r.output.find("{\n  \"calibration\"");
  ASSERT_NE(brace, std::string::npos) << r.output;
  auto brief = json::parse(r.output.substr(brace, r.output.rfind('}') - brace + 1));
  EXPECT_EQ(brief["mode"], "history");
  EXPECT_EQ(brief["rows"]["read"], 12);
}

TEST(ReplayCli, BadArgumentsSayWhatToFix) {
  TempDir dir;
  auto r = RunBeacon(
      {"replay", "--calls", dir.path() + "/none.csv", "--graph", "x", "--stations", kStations});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("cannot read --calls"), std::string::npos) << r.output;
  r = RunBeacon({"replay", "--calls", kCalls, "--format", "nyc-ems", "--graph", "x", "--stations",
                 kStations});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("not a built-in format"), std::string::npos) << r.output;
  r = RunBeacon({"replay", "--calls", kCalls, "--stations", kStations, "--speed", "fast"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--speed"), std::string::npos) << r.output;
  std::ofstream(dir.path() + "/empty.csv") << "";
  r = RunBeacon(
      {"replay", "--calls", dir.path() + "/empty.csv", "--graph", "x", "--stations", kStations});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("empty"), std::string::npos) << r.output;
}

// The first rows of the export whose location lies in the middle of the
// extract (so inside the graph), whole calls only, at most `max_calls`.
std::pair<std::string, std::set<std::string>> Slice(size_t max_calls) {
  std::ifstream in(kCalls);
  std::string header, line, out;
  std::getline(in, header);
  out = header + "\n";
  std::set<std::string> calls;
  while (std::getline(in, line)) {
    auto q = line.find("\"(");
    if (q == std::string::npos) continue;
    double lat = 0, lon = 0;
    if (std::sscanf(line.c_str() + q, "\"(%lf, %lf)", &lat, &lon) != 2) continue;
    if (lat < 37.745 || lat > 37.765 || lon < -122.425 || lon > -122.405) continue;
    std::string call = line.substr(0, line.find(','));
    if (!calls.count(call) && calls.size() >= max_calls) continue;
    calls.insert(call);
    out += line + "\n";
  }
  return {out, calls};
}

TEST(ReplayCli, ServerModeDrivesARealBeaconOverHttp) {
  Fixture fx;
  std::string graph = MakeGraph(fx.dir.path());
  fx.Start({"--graph", graph});
  auto [csv, calls] = Slice(25);
  ASSERT_EQ(calls.size(), 25u);
  std::string file = fx.dir.path() + "/slice.csv";
  std::ofstream(file) << csv;
  std::string url = "http://127.0.0.1:" + std::to_string(fx.server->port());

  ::setenv("BEACON_PASSWORD", "pw-supervisor", 1);
  auto r = RunBeacon({"replay", "--calls", file, "--graph", graph, "--stations", kStations,
                      "--mode", "history", "--server", url, "--user", "supervisor", "--report",
                      fx.dir.path() + "/http"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto http = json::parse(Slurp(fx.dir.path() + "/http/summary.json"));
  EXPECT_EQ(http["calls"]["replayed"], calls.size());
  EXPECT_EQ(http["errors"]["counts"], json::object()) << http["errors"].dump(2);
  EXPECT_NE(http["driver"].get<std::string>().find("HTTP"), std::string::npos);

  // The server's board is what the replay says: every incident closed, every unit free.
  HttpClient client(fx.server->port());
  auto incidents = client.Get("/api/v1/incidents?status=all", fx.Token("dispatcher")).Json();
  ASSERT_TRUE(incidents.contains("incidents"));
  EXPECT_EQ(incidents["incidents"].size(), http["calls"]["incidents"].get<size_t>());
  for (const auto& i : incidents["incidents"]) EXPECT_EQ(i["status"], "closed") << i.dump();
  auto units = client.Get("/api/v1/units", fx.Token("dispatcher")).Json();
  EXPECT_EQ(units["units"].size(), http["units"]["known"].get<size_t>());
  for (const auto& u : units["units"]) EXPECT_EQ(u["status"], "available") << u.dump();
  auto stations = client.Get("/api/v1/stations", fx.Token("dispatcher")).Json();
  EXPECT_EQ(stations["stations"].size(), 45u);

  // The same slice in-process: the same domain code gives the same answers.
  r = RunBeacon({"replay", "--calls", file, "--graph", graph, "--stations", kStations, "--mode",
                 "history", "--report", fx.dir.path() + "/local"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto local = json::parse(Slurp(fx.dir.path() + "/local/summary.json"));
  EXPECT_EQ(local["calls"], http["calls"]);
  EXPECT_EQ(local["duplicates"], http["duplicates"]);
  EXPECT_EQ(local["recommendation_vs_history"], http["recommendation_vs_history"]);
  EXPECT_EQ(local["nfpa_1710"], http["nfpa_1710"]);

  // Recommend mode against the same server (units and stations already exist).
  r = RunBeacon({"replay", "--calls", file, "--graph", graph, "--stations", kStations, "--mode",
                 "recommend", "--server", url, "--user", "supervisor", "--report",
                 fx.dir.path() + "/rec"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto rec = json::parse(Slurp(fx.dir.path() + "/rec/summary.json"));
  EXPECT_EQ(rec["errors"]["counts"], json::object()) << rec["errors"].dump(2);
  EXPECT_TRUE(rec["nfpa_1710"]["beacon"].is_object());
  incidents = client.Get("/api/v1/incidents?status=all", fx.Token("dispatcher")).Json();
  EXPECT_EQ(incidents["incidents"].size(),
            http["calls"]["incidents"].get<size_t>() + rec["calls"]["incidents"].get<size_t>());

  // A wrong password is refused with the server's message.
  ::setenv("BEACON_PASSWORD", "wrong-password", 1);
  r = RunBeacon({"replay", "--calls", file, "--graph", graph, "--stations", kStations, "--server",
                 url, "--user", "supervisor"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("login"), std::string::npos) << r.output;
  ::unsetenv("BEACON_PASSWORD");
}

}  // namespace
}  // namespace beacon::testing
