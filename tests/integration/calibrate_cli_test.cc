// `beacon calibrate` as a centre runs it: learn from the first week of the
// shared San Francisco export, then serve with the calibration and the
// inferred plans and get calibrated ETAs; wrong calibration files are
// refused at start with a message naming what is wrong.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
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

json LastJson(const std::string& output) {
  auto brace = output.rfind("\n{");
  return json::parse(brace == std::string::npos ? output : output.substr(brace + 1), nullptr,
                     false);
}

class CalibrateCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    graph_ = dir_->path() + "/sf.graph";
    auto r = RunBeacon({"import-osm", kOsm, "--out", graph_});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    calibration_ = dir_->path() + "/calibration.json";
    plans_ = dir_->path() + "/plans.json";
    auto c = RunBeacon({"calibrate", "--calls", kCalls, "--format", "sf-fire", "--graph", graph_,
                        "--stations", kStations, "--out", calibration_, "--plans-out", plans_,
                        "--from", "2020-04-07", "--to", "2020-04-14", "--folds", "4"});
    ASSERT_EQ(c.exit_code, 0) << c.output;
    summary_ = LastJson(c.output);
  }
  static void TearDownTestSuite() { delete dir_; }

  static inline TempDir* dir_ = nullptr;
  static inline std::string graph_, calibration_, plans_;
  static inline json summary_;
};

TEST_F(CalibrateCli, LearnsFromTheFirstWeekAndReportsCrossValidatedError) {
  ASSERT_TRUE(summary_.is_object()) << summary_;
  EXPECT_EQ(summary_["period"]["from"], "2020-04-07T07:00:00.000Z");  // local midnight, PDT
  EXPECT_EQ(summary_["period"]["to"], "2020-04-14T07:00:00.000Z");
  EXPECT_GT(summary_["samples"]["used"].get<int>(), 200);
  EXPECT_GT(summary_["samples"]["by_origin"]["station"].get<int>(), 100);
  const auto& cv = summary_["cross_validation"];
  EXPECT_EQ(cv["folds"], 4);
  // The profile is optimistic; the fit removes the bias and most error.
  EXPECT_LT(cv["before"]["bias_median_s"].get<double>(), -20);
  EXPECT_LT(std::abs(cv["after"]["bias_median_s"].get<double>()), 15);
  EXPECT_LT(cv["after"]["median_abs_error_s"].get<double>(),
            cv["before"]["median_abs_error_s"].get<double>());

  json model = json::parse(Slurp(calibration_));
  EXPECT_EQ(model["format"], "beacon-calibration");
  EXPECT_EQ(model["version"], 1);
  double fixed = model["travel_time"]["fixed_s"];
  EXPECT_GE(fixed, 0);
  EXPECT_LE(fixed, 300);
  for (const auto& [name, c] : model["travel_time"]["road_classes"].items()) {
    EXPECT_GE(c["factor"].get<double>(), 0.5) << name;
    EXPECT_LE(c["factor"].get<double>(), 3.0) << name;
  }
  // Unit homes: engines by their id, medics by the area they served.
  EXPECT_EQ(model["unit_homes"]["E07"]["station"], "7");
  EXPECT_EQ(model["unit_homes"]["E07"]["source"], "unit_id");

  // The inferred run cards: San Francisco sends an engine and a medic to
  // code-3 medical calls (MEDICAL), a medic alone to code-2 ones
  // (MEDICAL_MINOR), a private ambulance when no medic is free.
  json plans = json::parse(Slurp(plans_));
  int found = 0;
  for (const auto& t : plans["types"]) {
    if (t["code"] == "MEDICAL") {
      ++found;
      EXPECT_GT(t["inferred"]["calls"].get<int>(), 500);
      EXPECT_EQ(t["units"], json({{"engine", 1}, {"medic", 1}})) << t.dump();
      EXPECT_EQ(t["inferred"]["sequence"][0]["unit_type"], "engine");
      EXPECT_GT(t["inferred"]["sequence"][0]["support"].get<int>(), 100);
    } else if (t["code"] == "MEDICAL_MINOR") {
      ++found;
      EXPECT_EQ(t["units"], json({{"medic", 1}})) << t.dump();
      EXPECT_EQ(t["substitutes"]["medic"][0], "bls") << t.dump();
    }
  }
  EXPECT_EQ(found, 2);
  EXPECT_TRUE(plans["first_responders"].is_array());
}

TEST_F(CalibrateCli, ServeWithCalibrationAnswersCalibratedEtas) {
  json model = json::parse(Slurp(calibration_));
  const double fixed = model["travel_time"]["fixed_s"];
  Fixture fx;
  fx.Start({"--graph", graph_, "--calibration", calibration_, "--plans", plans_});
  HttpClient http(fx.server->port());
  const std::string sup = fx.Token("supervisor");
  // Station 7 (Mission) and its engine; a call at 24th & Mission.
  auto r = http.Post("/api/v1/stations",
                     {{"station_id", "S7"},
                      {"name", "Station 7"},
                      {"location", {{"lat", 37.7572}, {"lon", -122.4142}}}},
                     sup);
  ASSERT_EQ(r.status, 201) << r.body;
  r = http.Post("/api/v1/units",
                {{"unit_id", "E07"}, {"unit_type", "engine"}, {"station_id", "S7"}}, sup);
  ASSERT_EQ(r.status, 201) << r.body;
  auto call = http.Post("/api/v1/calls",
                        {{"channel", "phone"},
                         {"location", {{"lat", 37.7522}, {"lon", -122.4184}}},
                         {"incident_type", "OUTSIDE_FIRE"}},
                        fx.Token("call_taker"));
  ASSERT_EQ(call.status, 201) << call.body;
  auto rec = http.Get("/api/v1/incidents/" + std::to_string(call.Json()["incident_id"].get<int>()) +
                          "/recommendations",
                      sup);
  ASSERT_EQ(rec.status, 200) << rec.body;
  auto units = rec.Json()["units"];
  ASSERT_EQ(units.size(), 1u) << rec.body;
  EXPECT_EQ(units[0]["eta_method"], "road+calibrated");
  const double eta = units[0]["eta_s"];
  // Against the uncalibrated road time of the same trip: the fixed term
  // plus the road time scaled by factors within their bounds.
  auto plain = RunBeacon(
      {"route", "--graph", graph_, "--from", "37.7572,-122.4142", "--to", "37.7522,-122.4184"});
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  const double road = json::parse(plain.output)["eta_s"];
  EXPECT_GE(eta, fixed + 0.5 * road - 0.1);
  EXPECT_LE(eta, fixed + 3.0 * road + 0.1);
  EXPECT_GT(eta, road);  // San Francisco's real travel is slower than free flow
  // GET /route says the same.
  auto route = http.Get("/api/v1/route?from=37.7572,-122.4142&to=37.7522,-122.4184", sup);
  ASSERT_EQ(route.status, 200) << route.body;
  EXPECT_NEAR(route.Json()["eta_s"].get<double>(), eta, 0.2);
}

TEST_F(CalibrateCli, WrongCalibrationFilesAreRefusedWithAMessage) {
  const std::string good = Slurp(calibration_);
  auto write = [&](const std::string& name, const std::string& text) {
    std::string path = dir_->path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  };
  auto edited = [&](const std::string& name, const std::function<void(json&)>& edit) {
    json j = json::parse(good);
    edit(j);
    return write(name, j.dump(2));
  };
  std::string nan_text = good;
  const std::string key = "\"default_factor\": ";
  auto at = nan_text.find(key);
  ASSERT_NE(at, std::string::npos);
  nan_text.replace(at, nan_text.find_first_of(",\n", at) - at, key + "NaN");
  struct Case {
    std::string file, says;
  };
  std::vector<Case> cases = {
      {edited("v2.json", [](json& j) { j["version"] = 2; }), "must be 1"},
      {write("nan.json", nan_text), "NaN"},
      {edited("class.json",
              [](json& j) {
                auto& classes = j["travel_time"]["road_classes"];
                classes["spaceway"] = classes.begin().value();
              }),
       "road class \"spaceway\" is not a road class of the graph"},
      {edited("big.json", [](json& j) { j["travel_time"]["fixed_s"] = 1e9; }),
       "travel_time.fixed_s must be a finite number"},
      {edited(
           "null.json",
           [](json& j) { j["travel_time"]["road_classes"].begin().value()["factor"] = nullptr; }),
       "must be a number"},
  };
  for (const auto& c : cases) {
    TempDir data;
    auto r = RunBeacon({"serve", "--data", data.path(), "--listen", "127.0.0.1:0", "--graph",
                        graph_, "--calibration", c.file});
    EXPECT_EQ(r.exit_code, 2) << c.file << "\n" << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << c.file << "\n" << r.output;
    EXPECT_NE(r.output.find(c.file), std::string::npos) << r.output;
  }
  TempDir data;
  auto no_graph = RunBeacon(
      {"serve", "--data", data.path(), "--listen", "127.0.0.1:0", "--calibration", calibration_});
  EXPECT_EQ(no_graph.exit_code, 2);
  EXPECT_NE(no_graph.output.find("--calibration needs --graph"), std::string::npos)
      << no_graph.output;
}

}  // namespace
}  // namespace beacon::testing
