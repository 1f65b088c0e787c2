// beacon calibrate's logic: the travel-time fit on synthetic data with a
// known answer, the calibration file's checks, the adjusted road network,
// unit homes and run cards inferred from a small hand-made history.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "calibrate/fit.h"
#include "calibrate/homes.h"
#include "calibrate/model.h"
#include "calibrate/run_cards.h"
#include "routing/contraction.h"

namespace beacon::calibrate {
namespace {

// Samples whose true model is fixed + sum(f_c * class_s), with Laplace-like
// noise and a few gross outliers (units that stopped on the way).
std::vector<Sample> Synthetic(double fixed, const std::vector<double>& factors, int n,
                              unsigned seed, double noise_s = 15, double outliers = 0.05) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u01(0, 1);
  std::vector<Sample> out;
  for (int i = 0; i < n; ++i) {
    Sample s;
    double truth = fixed;
    for (size_t c = 0; c < factors.size(); ++c) {
      // Most routes use most classes; some skip one.
      double t = u01(rng) < 0.2 ? 0 : 20 + 200 * u01(rng);
      s.class_s.push_back(t);
      truth += factors[c] * t;
    }
    double e = -noise_s * std::log(u01(rng) + 1e-12) * (u01(rng) < 0.5 ? -1 : 1);
    if (u01(rng) < outliers) e += 300 + 600 * u01(rng);
    s.actual_s = truth + e;
    s.at = i * 60'000;
    out.push_back(std::move(s));
  }
  return out;
}

TEST(FitTest, RecoversKnownFactorsAndFixedTermWithin5Percent) {
  const std::vector<double> truth = {1.3, 1.7, 1.1};
  auto samples = Synthetic(45, truth, 800, 7);
  FitResult r = Fit(samples, 3);
  ASSERT_FALSE(r.profile_only);
  for (size_t c = 0; c < truth.size(); ++c) {
    EXPECT_TRUE(r.classes[c].fitted) << c;
    EXPECT_NEAR(r.classes[c].factor, truth[c], 0.05 * truth[c]) << "class " << c;
  }
  EXPECT_NEAR(r.fixed_s, 45, 0.05 * 45);
}

TEST(FitTest, ThinClassKeepsTheGlobalFactor) {
  auto samples = Synthetic(30, {1.4, 1.4}, 400, 3);
  // A third class used by only a handful of routes.
  for (size_t i = 0; i < samples.size(); ++i) {
    samples[i].class_s.push_back(i < 5 ? 100 : 0);
    if (i < 5) samples[i].actual_s += 400;  // wildly slow: must not drive a factor
  }
  FitResult r = Fit(samples, 3);
  EXPECT_FALSE(r.classes[2].fitted);
  EXPECT_EQ(r.classes[2].support, 5);
  EXPECT_DOUBLE_EQ(r.classes[2].factor, r.global_factor);
  EXPECT_NEAR(r.global_factor, 1.4, 0.07);
}

TEST(FitTest, FactorsStayWithinBounds) {
  auto samples = Synthetic(0, {5.0}, 300, 11, 5, 0);
  FitOptions o;
  FitResult r = Fit(samples, 1, o);
  EXPECT_DOUBLE_EQ(r.classes[0].factor, o.factor_max);
  EXPECT_LE(r.fixed_s, o.fixed_max_s);
  EXPECT_GE(r.fixed_s, 0);
}

TEST(FitTest, TooFewSamplesGiveTheProfile) {
  auto samples = Synthetic(60, {2.0}, 10, 1);
  FitResult r = Fit(samples, 1);
  EXPECT_TRUE(r.profile_only);
  EXPECT_EQ(r.fixed_s, 0);
  EXPECT_EQ(r.classes[0].factor, 1);
  EXPECT_DOUBLE_EQ(r.Predict(samples[0]), samples[0].ProfileS());
}

TEST(FitTest, CrossValidationImprovesOnTheProfile) {
  auto samples = Synthetic(50, {1.5, 1.2}, 500, 5);
  CrossValidation cv = CrossValidate(samples, 2, 5);
  EXPECT_EQ(cv.folds, 5);
  EXPECT_EQ(cv.before.count, 500);
  EXPECT_EQ(cv.after.count, 500);
  EXPECT_LT(cv.before.bias_median_s, -50);  // the profile is optimistic
  EXPECT_LT(std::abs(cv.after.bias_median_s), 5);
  EXPECT_LT(cv.after.median_abs_s, cv.before.median_abs_s / 3);
}

TEST(FitTest, ErrorsAndQuantiles) {
  ErrorStats e = Errors({10, 20, 30, 40}, {20, 20, 20, 20});
  EXPECT_EQ(e.count, 4);
  EXPECT_DOUBLE_EQ(e.bias_mean_s, 5);
  EXPECT_DOUBLE_EQ(e.bias_median_s, 5);
  EXPECT_DOUBLE_EQ(e.median_abs_s, 10);
  EXPECT_TRUE(std::isnan(Quantile({}, 0.5)));
  EXPECT_DOUBLE_EQ(Quantile({1, 2, 3, 4, 5}, 0.9), 4.6);
}

// A 3-node line a -> b -> c (and back), one class per segment.
std::unique_ptr<routing::RoadNetwork> LineNetwork(bool classes = true) {
  using routing::ArcInput;
  std::vector<LatLon> coords = {{37.75, -122.42}, {37.75, -122.41}, {37.75, -122.40}};
  std::vector<ArcInput> arcs = {{0, 1, 60'000, 880, 0},
                                {1, 0, 60'000, 880, 0},
                                {1, 2, 30'000, 880, 1},
                                {2, 1, 30'000, 880, 1}};
  routing::RoadGraph g = routing::BuildGraph(coords, arcs);
  if (classes) g.road_class_names = {"residential", "primary"};
  routing::ContractedGraph ch = routing::Contract(g);
  return std::make_unique<routing::RoadNetwork>(std::move(g), std::move(ch), 500);
}

constexpr const char* kModel = R"({
  "format": "beacon-calibration", "version": 1, "profile_hash": "",
  "travel_time": {"fixed_s": 40, "default_factor": 1.5,
                  "road_classes": {"residential": {"factor": 2.0, "support": 50, "fitted": true},
                                   "primary": {"factor": 1.0, "support": 40, "fitted": true}}},
  "unit_homes": {"M85": {"station": "32", "responses": 20, "share": 0.6, "source": "station_area"}}
})";

TEST(ModelTest, ParsesWritesAndReadsBack) {
  auto m = ParseModel(kModel);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_DOUBLE_EQ(m->fixed_s, 40);
  EXPECT_DOUBLE_EQ(m->road_classes.at("residential").factor, 2.0);
  EXPECT_EQ(m->unit_homes.at("M85").station, "32");
  auto back = ParseModel(ModelToJson(*m));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_DOUBLE_EQ(back->default_factor, 1.5);
  EXPECT_EQ(back->unit_homes.at("M85").source, "station_area");
}

TEST(ModelTest, RefusesWrongFilesNamingTheKey) {
  struct Case {
    std::string text, field, says;
  };
  std::string good = kModel;
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  std::vector<Case> cases = {
      {with("\"version\": 1", "\"version\": 2"), "version", "version 1"},
      {with("\"factor\": 2.0", "\"factor\": NaN"), "", "NaN"},
      {with("\"factor\": 2.0", "\"factor\": null"), "travel_time.road_classes.residential.factor",
       "must be a number"},
      {with("\"factor\": 2.0", "\"factor\": 30"), "travel_time.road_classes.residential.factor",
       "finite number in [0.5, 3]"},
      {with("\"fixed_s\": 40", "\"fixed_s\": -1"), "travel_time.fixed_s", "finite number"},
      {with("\"format\": \"beacon-calibration\"", "\"format\": \"x\""), "format",
       "beacon calibrate"},
      {with("\"fixed_s\": 40,", ""), "travel_time.fixed_s", "missing"},
      {with("\"support\": 50", "\"speed\": 50"), "travel_time.road_classes.residential.speed",
       "not a known key"},
      {"[1, 2]", "", "not a JSON object"},
  };
  for (const auto& c : cases) {
    auto m = ParseModel(c.text);
    ASSERT_FALSE(m) << c.text;
    EXPECT_EQ(m.error().field(), c.field) << m.error().message();
    EXPECT_NE(m.error().message().find(c.says), std::string::npos) << m.error().message();
  }
}

TEST(ModelTest, RefusesRoadClassesTheGraphDoesNotHave) {
  auto net = LineNetwork();
  std::string text = kModel;
  text.replace(text.find("\"primary\""), 9, "\"motorway\"");
  auto m = ParseModel(text);
  ASSERT_TRUE(m);
  auto adj = Adjustment(*m, *net);
  ASSERT_FALSE(adj);
  EXPECT_NE(adj.error().message().find("road class \"motorway\" is not a road class of the graph"),
            std::string::npos)
      << adj.error().message();
  auto plain = LineNetwork(/*classes=*/false);
  auto adj2 = Adjustment(*ParseModel(kModel), *plain);
  ASSERT_FALSE(adj2);
  EXPECT_NE(adj2.error().message().find("re-run beacon import-osm"), std::string::npos);
}

TEST(ModelTest, AdjustedNetworkScalesClassesAndAddsTheFixedTerm) {
  auto net = LineNetwork();
  auto adj = Adjustment(*ParseModel(kModel), *net);
  ASSERT_TRUE(adj) << adj.error().message();
  auto cal = routing::RoadNetwork::Adjusted(*net, *adj);
  ASSERT_TRUE(cal) << cal.error().message();
  const LatLon a{37.75, -122.42}, c{37.75, -122.40};
  auto before = net->Between(a, c);
  auto after = (*cal)->Between(a, c);
  ASSERT_TRUE(before && after);
  EXPECT_DOUBLE_EQ(before->eta_s, 90);
  EXPECT_FALSE(before->calibrated);
  EXPECT_DOUBLE_EQ(after->eta_s, 40 + 2.0 * 60 + 1.0 * 30);
  EXPECT_TRUE(after->calibrated);
  LatLon one[] = {a};
  auto many = (*cal)->ToTarget(one, c);
  ASSERT_TRUE(many[0]);
  EXPECT_DOUBLE_EQ(many[0]->eta_s, 190);
  EXPECT_TRUE(many[0]->calibrated);
  auto split = net->TimeByClass(a, c);
  ASSERT_TRUE(split);
  ASSERT_EQ(split->class_s.size(), 2u);
  EXPECT_DOUBLE_EQ(split->class_s[0], 60);
  EXPECT_DOUBLE_EQ(split->class_s[1], 30);
  EXPECT_DOUBLE_EQ((*cal)->fixed_s(), 40);
}

// A small hand-made history.
history::HistoricalCall Call(const std::string& id, const std::string& type, TimeMs at,
                             const std::vector<std::string>& unit_types,
                             const std::string& area = "7") {
  history::HistoricalCall c;
  c.call_id = id;
  c.incident_type = type;
  c.received_at = at;
  c.location = {37.75, -122.41};
  int seq = 0;
  for (const auto& t : unit_types) {
    history::UnitResponse u;
    u.unit_id = t + "_" + id + "_" + std::to_string(seq);
    u.unit_type = t;
    u.sequence = ++seq;
    u.station_area = area;
    u.dispatched_at = at + 60'000;
    u.en_route_at = at + 90'000;
    // The engine arrives first when there is one.
    u.on_scene_at = at + (t == "engine" ? 200'000 : 300'000) + seq * 1000;
    c.units.push_back(u);
  }
  return c;
}

constexpr const char* kBasePlans = R"({
  "version": 1,
  "unit_types": {"engine": "E", "truck": "T", "medic": "ALS", "bls": "BLS", "chief": "BC"},
  "substitutes": {"bls": ["medic"]},
  "timers": {"pending_s": {"1": 60}},
  "types": [
    {"code": "MEDICAL", "name": "Medical", "category": "medical", "priority": 2,
     "units": {"medic": 1}},
    {"code": "STRUCTURE_FIRE", "name": "Fire", "category": "fire", "priority": 1,
     "units": {"engine": 3, "truck": 1}},
    {"code": "ELEVATOR_RESCUE", "name": "Elevator", "category": "rescue", "priority": 3,
     "units": {"truck": 1}}
  ]
})";

TEST(RunCardsTest, InfersPlansSubstitutesAndFirstResponders) {
  history::History h;
  TimeMs t = 1'600'000'000'000;
  int n = 0;
  auto add = [&](const std::string& type, const std::vector<std::string>& units) {
    ++n;
    h.calls.push_back(Call(std::to_string(n), type, t + n * 3'600'000, units));
  };
  for (int i = 0; i < 8; ++i) add("MEDICAL", {"medic"});
  for (int i = 0; i < 3; ++i) add("MEDICAL", {"bls"});  // no medic free: a private ambulance
  add("MEDICAL", {"engine", "medic"});
  for (int i = 0; i < 10; ++i) add("STRUCTURE_FIRE", {"engine", "engine", "truck", "chief"});
  for (int i = 0; i < 2; ++i) add("ELEVATOR_RESCUE", {"engine"});  // too few: base plan kept
  // A call outside the period is not counted.
  h.calls.push_back(Call("late", "MEDICAL", t + 1000LL * 3'600'000, {"chief"}));

  auto base = dispatch::ResponsePlans::Parse(kBasePlans);
  ASSERT_TRUE(base);
  RunCardOptions o;
  o.to = t + 100LL * 3'600'000;
  auto out = InferRunCards(h, kBasePlans, *base, o);
  ASSERT_TRUE(out) << out.error().message();
  // It is a plans file Beacon loads, with the base's other keys kept.
  auto plans = dispatch::ResponsePlans::Parse(out->dump());
  ASSERT_TRUE(plans) << plans.error().message();
  EXPECT_EQ(plans->timers().pending_s.at(1), 60);

  const auto* medical = plans->Find("MEDICAL");
  ASSERT_EQ(medical->units.size(), 1u);
  EXPECT_EQ(medical->units[0].unit_type, "medic");
  EXPECT_EQ(medical->units[0].count, 1);
  ASSERT_TRUE(medical->substitutes.count("medic"));
  EXPECT_EQ(medical->substitutes.at("medic"), std::vector<std::string>{"bls"});
  const auto& types = (*out)["types"];
  const auto& med = types[0]["inferred"];
  EXPECT_EQ(med["calls"], 12);
  EXPECT_EQ(med["sequence"][0]["unit_type"], "medic");
  EXPECT_EQ(med["sequence"][0]["support"], 8);
  EXPECT_EQ(med["sequence"][0]["others"]["bls"], 3);
  EXPECT_EQ(med["substitutes"]["medic"]["calls_lacking"], 3);

  const auto* fire = plans->Find("STRUCTURE_FIRE");
  std::map<std::string, int> need;
  for (const auto& u : fire->units) need[u.unit_type] = u.count;
  EXPECT_EQ(need, (std::map<std::string, int>{{"chief", 1}, {"engine", 2}, {"truck", 1}}));
  EXPECT_EQ(types[1]["inferred"]["sequence"][2]["unit_type"], "truck");

  const auto* elevator = plans->Find("ELEVATOR_RESCUE");
  EXPECT_EQ(elevator->units[0].unit_type, "truck");  // kept
  EXPECT_EQ(types[2]["inferred"]["calls"], 2);

  // First on scene at urgent calls (MEDICAL p2, STRUCTURE_FIRE p1): medic 8,
  // bls 3, engine 11 of 22.
  EXPECT_EQ(plans->FirstResponders(*medical), (std::vector<std::string>{"engine", "medic", "bls"}));
}

TEST(UnitHomesTest, IdStationOrMostFrequentArea) {
  history::History h;
  auto c1 = Call("1", "MEDICAL", 0, {"medic"}, "9");
  auto c2 = Call("2", "MEDICAL", 1000, {"medic"}, "9");
  auto c3 = Call("3", "MEDICAL", 2000, {"medic"}, "10");
  for (auto* c : {&c1, &c2, &c3}) c->units[0].unit_id = "85";
  auto c4 = Call("4", "MEDICAL", 3000, {"engine"}, "11");
  c4.units[0].unit_id = "E09";
  h.calls = {c1, c2, c3, c4};
  h.units["85"] = {"85", "medic", "MEDIC", "", "", 3};
  h.units["E09"] = {"E09", "engine", "ENGINE", "9", "unit_id", 1};
  auto homes = InferUnitHomes(h, std::nullopt, std::nullopt);
  EXPECT_EQ(homes.at("85").station, "9");
  EXPECT_EQ(homes.at("85").source, "station_area");
  EXPECT_NEAR(homes.at("85").share, 2.0 / 3, 1e-9);
  EXPECT_EQ(homes.at("E09").station, "9");
  EXPECT_EQ(homes.at("E09").source, "unit_id");
  EXPECT_EQ(homes.at("E09").share, 0);
  auto early = InferUnitHomes(h, std::nullopt, TimeMs{1500});
  EXPECT_EQ(early.at("85").responses, 2);
  EXPECT_FALSE(early.count("E09"));
}

}  // namespace
}  // namespace beacon::calibrate
