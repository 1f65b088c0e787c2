// The whole San Francisco replay on the Mission/Bayview extract, in both
// modes, in-process. The numbers are checked against what this test computes
// on its own from the raw files (its own line splitter and time arithmetic,
// its own station lookup, road times from RoadNetwork::Route): row counts,
// skip reasons, historical first-unit travel times and a few hand-checked
// ETAs of the calibration.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "dispatch/response_plan.h"
#include "history/history.h"
#include "replay/replay.h"
#include "routing/contraction.h"
#include "routing/osm_import.h"
#include "routing/road_network.h"
#include "routing/turn_restrictions.h"

namespace beacon::replay {
namespace {

const std::string kSource = BEACON_SOURCE_DIR;
const std::string kCalls = "../shared/data/calls/sf_fire_calls_2020-04-07_to_2020-04-20.csv";
const std::string kStations = "../shared/data/stations/sf_fire_stations_osm.geojson";
const std::string kOsm = "../shared/data/osm/sf_mission_bayview_2014.osm.pbf";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The export has no newline inside quotes: one line, one row.
std::vector<std::string> SplitLine(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

// Seconds of local wall time for "MM/DD/YYYY hh:mm:ss AM" (differences only;
// the data has no DST change in it).
long LocalSeconds(const std::string& s) {
  int mo, d, y, h, mi, se;
  char ampm[3] = {0};
  EXPECT_EQ(std::sscanf(s.c_str(), "%d/%d/%d %d:%d:%d %2s", &mo, &d, &y, &h, &mi, &se, ampm), 7)
      << s;
  h = h % 12 + (std::string(ampm) == "PM" ? 12 : 0);
  // Days since a fixed origin within 2020 (the data spans April 2020).
  static const int kCum[] = {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335};
  return ((y - 2020) * 366L + kCum[mo - 1] + d) * 86400L + h * 3600L + mi * 60L + se;
}

struct Row {
  long line;
  std::map<std::string, std::string> f;
};

class SfReplay : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto profile = routing::Profile::Load(kSource + "/config/routing_profile.json");
    ASSERT_TRUE(profile.has_value());
    auto imported = routing::ImportOsm(kOsm, *profile);
    ASSERT_TRUE(imported.has_value()) << imported.error().message();
    auto split = routing::SplitTurnRestrictions(imported->graph);
    auto ch = routing::Contract(split.graph);
    network_ = new routing::RoadNetwork(std::move(split.graph), std::move(ch),
                                        routing::RoadNetwork::kDefaultMaxSnapM,
                                        std::move(split.original_node));
    auto format = history::Format::Load(kSource + "/config/formats/sf-fire.json");
    ASSERT_TRUE(format.has_value()) << format.error().message();
    format_ = new history::Format(std::move(*format));
    auto plans = dispatch::ResponsePlans::Load(kSource + "/config/response_plans.json");
    ASSERT_TRUE(plans.has_value());
    plans_ = new dispatch::ResponsePlans(std::move(*plans));

    auto h = history::ReadHistory(Slurp(kCalls), *format_);
    ASSERT_TRUE(h.has_value()) << h.error().message();
    history_ = new history::History(std::move(*h));
    std::vector<std::string> warnings;
    auto st = ReadStations(Slurp(kStations), *format_, warnings);
    ASSERT_TRUE(st.has_value());
    stations_ = new std::vector<Station>(std::move(*st));

    for (Mode mode : {Mode::kHistory, Mode::kRecommend}) {
      auto driver = MakeInProcessDriver(*plans_, *network_);
      Options opt;
      opt.mode = mode;
      auto s = replay::Run(*history_, *stations_, *network_, *driver, opt);
      ASSERT_TRUE(s.has_value()) << s.error().message();
      (mode == Mode::kHistory ? history_summary_ : recommend_summary_) = new Json(std::move(*s));
    }

    // The test's own reading of the raw file.
    std::ifstream in(kCalls);
    std::string line;
    std::getline(in, line);
    auto header = SplitLine(line);
    long n = 1;
    rows_ = new std::vector<Row>();
    while (std::getline(in, line)) {
      ++n;
      auto fields = SplitLine(line);
      ASSERT_EQ(fields.size(), header.size()) << "line " << n;
      Row r{n, {}};
      for (size_t i = 0; i < header.size(); ++i) r.f[header[i]] = fields[i];
      rows_->push_back(std::move(r));
    }
  }
  static void TearDownTestSuite() {
    delete history_summary_;
    delete recommend_summary_;
    delete rows_;
    delete stations_;
    delete history_;
    delete plans_;
    delete format_;
    delete network_;
  }

  static bool Replayed(const std::string& unit_type) {
    return unit_type != "SUPPORT" && unit_type != "INVESTIGATION";
  }
  static LatLon Where(const Row& r) {
    LatLon p;
    EXPECT_EQ(std::sscanf(r.f.at("Location").c_str(), "(%lf, %lf)", &p.lat, &p.lon), 2);
    return p;
  }
  static bool Inside(LatLon p) {
    auto s = network_->SnapPoint(p);
    return s.has_value() && s->snap_distance_m <= 250;
  }

  static routing::RoadNetwork* network_;
  static history::Format* format_;
  static dispatch::ResponsePlans* plans_;
  static history::History* history_;
  static std::vector<Station>* stations_;
  static Json* history_summary_;
  static Json* recommend_summary_;
  static std::vector<Row>* rows_;
};

routing::RoadNetwork* SfReplay::network_ = nullptr;
history::Format* SfReplay::format_ = nullptr;
dispatch::ResponsePlans* SfReplay::plans_ = nullptr;
history::History* SfReplay::history_ = nullptr;
std::vector<Station>* SfReplay::stations_ = nullptr;
Json* SfReplay::history_summary_ = nullptr;
Json* SfReplay::recommend_summary_ = nullptr;
std::vector<Row>* SfReplay::rows_ = nullptr;

TEST_F(SfReplay, RowCountsAndSkipReasons) {
  ASSERT_EQ(rows_->size(), 10410u);
  std::map<std::string, LatLon> where;  // per call: its first row's location
  for (const auto& r : *rows_) where.emplace(r.f.at("Call Number"), Where(r));
  std::set<std::string> inside_calls;
  for (const auto& [call, p] : where) {
    if (Inside(p)) inside_calls.insert(call);
  }
  long unmapped = 0, outside = 0, replayed = 0;
  for (const auto& r : *rows_) {
    if (!Replayed(r.f.at("Unit Type"))) {
      ++unmapped;
    } else if (inside_calls.count(r.f.at("Call Number"))) {
      ++replayed;
    } else {
      ++outside;
    }
  }
  EXPECT_EQ(unmapped, 592);  // 578 SUPPORT + 14 INVESTIGATION
  for (const Json* s : {history_summary_, recommend_summary_}) {
    SCOPED_TRACE((*s)["mode"].get<std::string>());
    EXPECT_EQ((*s)["rows"]["read"], 10410);
    EXPECT_EQ((*s)["rows"]["replayed"], replayed);
    EXPECT_EQ((*s)["rows"]["skipped"],
              (Json{{"outside_graph", outside}, {"unit_type_not_replayed", unmapped}}));
    EXPECT_EQ((*s)["calls"]["read"], where.size());
    EXPECT_EQ((*s)["calls"]["inside_graph"], inside_calls.size());
    EXPECT_EQ((*s)["calls"]["replayed"], inside_calls.size());
    EXPECT_EQ((*s)["errors"]["counts"], Json::object()) << (*s)["errors"].dump(2);
    EXPECT_EQ((*s)["stations"], 45);
  }
  // The sizes the data README gives for the extract's bounding box bound ours.
  EXPECT_LE(inside_calls.size(), 1251u + 50);
  EXPECT_GT(inside_calls.size(), 1000u);
}

TEST_F(SfReplay, DuplicateGroundTruthFromIncidentNumbers) {
  std::map<std::string, std::set<std::string>> calls_of;
  for (const auto& r : *rows_) {
    if (Inside(Where(r))) calls_of[r.f.at("Incident Number")].insert(r.f.at("Call Number"));
  }
  long pairs = 0;
  for (const auto& [inc, calls] : calls_of)
    pairs += static_cast<long>(calls.size() * (calls.size() - 1) / 2);
  for (const Json* s : {history_summary_, recommend_summary_}) {
    const auto& d = (*s)["duplicates"];
    EXPECT_EQ(d["true_pairs"], pairs);
    EXPECT_LE(d["correct_pairs"].get<long>(), d["merged_pairs"].get<long>());
    // Each linked call adds at least one merged pair.
    EXPECT_GE(d["merged_pairs"].get<long>(), (*s)["calls"]["linked_as_duplicate"].get<long>());
    if (pairs == 0) {
      EXPECT_TRUE(d["recall"].is_null());
    }
  }
}

TEST_F(SfReplay, HistoricalFirstUnitTravelMatchesTheRawTimes) {
  // Per call inside the graph: the first unit on scene (replayed unit types),
  // travel = On Scene - Response.
  std::map<std::string, std::pair<long, long>> first;  // call -> (on scene, travel)
  for (const auto& r : *rows_) {
    if (!Replayed(r.f.at("Unit Type")) || !Inside(Where(r))) continue;
    const auto& en = r.f.at("Response DtTm");
    const auto& on = r.f.at("On Scene DtTm");
    if (en.empty() || on.empty()) continue;
    long t_on = LocalSeconds(on), travel = t_on - LocalSeconds(en);
    if (travel < 0) continue;
    auto [it, fresh] = first.emplace(r.f.at("Call Number"), std::make_pair(t_on, travel));
    if (!fresh && t_on < it->second.first) it->second = {t_on, travel};
  }
  long within = 0;
  for (const auto& [c, v] : first) within += v.second <= 240;
  const auto& h = (*history_summary_)["nfpa_1710"]["historical"];
  EXPECT_EQ(h["incidents"], first.size());
  EXPECT_NEAR(h["share_within_240s"].get<double>(),
              static_cast<double>(within) / static_cast<double>(first.size()), 1e-4);
  EXPECT_TRUE((*history_summary_)["nfpa_1710"]["beacon"].is_null());
  const auto& b = (*recommend_summary_)["nfpa_1710"]["beacon"];
  ASSERT_TRUE(b.is_object());
  EXPECT_GT(b["incidents"].get<long>(), 900);
  EXPECT_GE(b["share_within_240s"].get<double>(), 0.0);
}

TEST_F(SfReplay, HandCheckedCalibrationEtas) {
  const auto& points = (*history_summary_)["calibration"]["points"];
  ASSERT_GT(points.size(), 100u);
  EXPECT_EQ((*history_summary_)["calibration"]["responses"], points.size());
  EXPECT_EQ((*recommend_summary_)["calibration"], (*history_summary_)["calibration"]);
  // The stations as the GeoJSON gives them, read here by name.
  auto gj = Json::parse(Slurp(kStations));
  auto station = [&](const std::string& number) -> std::optional<LatLon> {
    for (const auto& f : gj["features"]) {
      if (f["properties"]["name"] == "San Francisco Fire Station " + number) {
        return LatLon{f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0]};
      }
    }
    return std::nullopt;
  };
  std::map<long, const Row*> by_line;
  for (const auto& r : *rows_) by_line[r.line] = &r;
  int checked = 0;
  for (size_t i : {size_t{0}, points.size() / 3, points.size() / 2, points.size() - 1}) {
    const auto& p = points[i];
    const Row& r = *by_line.at(p["line"].get<long>());
    std::string unit = r.f.at("Unit ID");
    EXPECT_EQ(p["unit_id"], unit);
    ASSERT_TRUE(unit[0] == 'E' || unit[0] == 'T') << unit;
    std::string number = std::to_string(std::stoi(unit.substr(1)));
    auto from = station(number);
    ASSERT_TRUE(from.has_value()) << number;
    auto route = network_->Route(*from, Where(r));
    ASSERT_TRUE(route.has_value()) << route.error().message();
    EXPECT_NEAR(p["predicted_s"].get<double>(), route->eta_s, 0.051) << "line " << r.line;
    long actual = LocalSeconds(r.f.at("On Scene DtTm")) - LocalSeconds(r.f.at("Response DtTm"));
    EXPECT_DOUBLE_EQ(p["actual_s"].get<double>(), static_cast<double>(actual)) << "line " << r.line;
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST_F(SfReplay, RecommendModeAssignsBeaconsChoice) {
  const auto& s = *recommend_summary_;
  EXPECT_EQ(s["mode"], "recommend");
  // Every new incident got a recommendation compared with history.
  const auto& r = s["recommendation_vs_history"];
  EXPECT_GT(r["compared"].get<long>(), 900);
  EXPECT_LE(r["same_first_unit"].get<long>(), r["compared"].get<long>());
  EXPECT_GT(s["latency"]["recommend"]["count"].get<long>(), 900);
  EXPECT_GT(s["latency"]["assign"]["count"].get<long>(), 900);
}

TEST_F(SfReplay, CoverageIsSampledEveryFifteenMinutes) {
  // Sample times are multiples of 15 min after the first call up to the last.
  long first = 1L << 62, last = 0;
  for (const auto& c : history_->calls) {
    if (!Inside(c.location)) continue;
    first = std::min<long>(first, c.received_at);
    last = std::max<long>(last, c.received_at);
  }
  const long step = 15 * 60 * 1000;
  long expected = last / step - first / step;
  for (const Json* s : {history_summary_, recommend_summary_}) {
    const auto& samples = (*s)["coverage"]["samples"];
    EXPECT_EQ(static_cast<long>(samples.size()), expected);
    for (const auto& p : samples) {
      EXPECT_EQ(p["t"].get<long>() % step, 0);
      EXPECT_LE(p["share_240s"].get<double>(), p["share_480s"].get<double>());
      EXPECT_LE(p["share_480s"].get<double>(), 1.0);
    }
  }
}

TEST(ReplayStations, ReadsTheSharedGeoJson) {
  auto format = history::Format::Load(kSource + "/config/formats/sf-fire.json");
  ASSERT_TRUE(format.has_value());
  std::vector<std::string> warnings;
  auto st = ReadStations(Slurp(kStations), *format, warnings);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->size(), 45u);
  EXPECT_TRUE(warnings.empty());
  EXPECT_FALSE(ReadStations("{\"type\":1}", *format, warnings).has_value());
}

TEST(ReplayServerUrl, Parses) {
  auto t = ParseServerUrl("http://127.0.0.1:8080/");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, "8080");
  EXPECT_FALSE(ParseServerUrl("http://host").has_value());
  EXPECT_FALSE(ParseServerUrl("http://host:80/api").has_value());
  EXPECT_FALSE(ParseServerUrl("http://host:x").has_value());
}

}  // namespace
}  // namespace beacon::replay
