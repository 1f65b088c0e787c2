// Data-driven geocoding cases on the shared OpenStreetMap extracts: every
// tests/golden/geocode/<case>.txt is one query (or one reverse lookup) and
// what must come back. Adding a case needs no C++; the format is in
// tests/golden/geocode/README.md.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "common/clock.h"
#include "geocode/geocoder.h"
#include "geocode/osm_gazetteer.h"
#include "history/history.h"
#include "routing/osm_import.h"
#include "routing/profile.h"

namespace beacon::geocode {
namespace {

namespace fs = std::filesystem;

const fs::path kCases = fs::path(BEACON_SOURCE_DIR) / "tests/golden/geocode";
const std::map<std::string, std::string> kExtracts = {
    {"sf", "../shared/data/osm/sf_mission_bayview_2014.osm.pbf"},
    {"monaco", "../shared/data/osm/monaco.osm.pbf"},
    {"porto", "../shared/data/osm/porto_2015.osm.pbf"},
};

const std::string kSfCalls = "../shared/data/calls/sf_fire_calls_2020-04-07_to_2020-04-20.csv";

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Case {
  std::string name;
  std::map<std::string, std::string> keys;
  std::string Get(const std::string& k) const {
    auto it = keys.find(k);
    return it == keys.end() ? "" : it->second;
  }
};

std::vector<Case> LoadCases() {
  std::vector<Case> out;
  if (!fs::is_directory(kCases)) return out;
  for (const auto& e : fs::directory_iterator(kCases)) {
    if (e.path().extension() != ".txt") continue;
    Case c;
    c.name = e.path().stem().string();
    std::istringstream in(ReadText(e.path()));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string key = line.substr(0, colon);
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      c.keys[key] = value;
    }
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
  return out;
}

// One geocoder per extract and address file, imported once per run.
const Geocoder* GeocoderFor(const std::string& extract, const std::string& addresses) {
  static std::map<std::string, std::unique_ptr<Geocoder>> cache;
  std::string key = extract + "|" + addresses;
  if (auto it = cache.find(key); it != cache.end()) return it->second.get();
  auto path = kExtracts.find(extract);
  if (path == kExtracts.end()) return nullptr;
  auto profile =
      routing::Profile::Load(std::string(BEACON_SOURCE_DIR) + "/config/routing_profile.json");
  if (!profile) return nullptr;
  OsmGazetteerBuilder builder;
  routing::ImportOptions opts;
  opts.sink = &builder;
  auto imported = routing::ImportOsm(path->second, *profile, opts);
  if (!imported) return nullptr;
  std::vector<AddressPointSet> sets;
  if (!addresses.empty()) {
    // "history-before:RFC3339": address points learned, as `beacon addresses
    // from-history` does, from the shared San Francisco calls received
    // before that time; otherwise a CSV beside the cases.
    if (addresses.starts_with("history-before:")) {
      auto format =
          history::Format::Load(std::string(BEACON_SOURCE_DIR) + "/config/formats/sf-fire.json");
      auto before = ParseRfc3339(addresses.substr(15));
      if (!format || !before) return nullptr;
      auto h = history::ReadHistory(ReadText(kSfCalls), *format);
      if (!h) return nullptr;
      std::vector<AddressSample> samples;
      for (const auto& call : h->calls) {
        if (call.received_at < *before) samples.push_back({call.address, call.location});
      }
      AddressPointSet set;
      set.name = "history";
      set.points = PointsFromSamples(samples);
      sets.push_back(std::move(set));
    } else {
      auto set = ReadAddressPoints(ReadText(kCases / addresses), addresses);
      if (set) sets.push_back(std::move(*set));
    }
  }
  auto g = Geocoder::Build(builder.Finish(), std::move(sets));
  return (cache[key] = std::move(g)).get();
}

class GeocodeGolden : public ::testing::TestWithParam<Case> {};

TEST_P(GeocodeGolden, Case) {
  const Case& c = GetParam();
  std::string extract = c.Get("extract");
  ASSERT_TRUE(kExtracts.count(extract)) << c.name << ": extract must be sf, monaco or porto";
  if (!fs::exists(kExtracts.at(extract))) GTEST_SKIP() << "no " << kExtracts.at(extract);
  if (c.Get("addresses").starts_with("history") && !fs::exists(kSfCalls)) {
    GTEST_SKIP() << "no " << kSfCalls;
  }
  const Geocoder* g = GeocoderFor(extract, c.Get("addresses"));
  ASSERT_NE(g, nullptr) << "cannot import " << extract;

  auto near = [&](LatLon got) {
    std::string at = c.Get("expect.at");
    if (at.empty()) return;
    size_t within = at.find(" within ");
    ASSERT_NE(within, std::string::npos) << "expect.at is LAT,LON within METRES";
    auto p = ParseLatLon(at.substr(0, within));
    ASSERT_TRUE(p) << at;
    double tolerance = std::stod(at.substr(within + 8));
    EXPECT_LE(HaversineM(got, *p), tolerance)
        << "at " << got.lat << "," << got.lon << ", expected " << at;
  };

  if (std::string rev = c.Get("reverse"); !rev.empty()) {
    auto at = ParseLatLon(rev);
    ASSERT_TRUE(at) << rev;
    auto r = g->Reverse(*at);
    ASSERT_TRUE(r) << r.error().message();
    SCOPED_TRACE(ToJson(*r).dump());
    if (auto s = c.Get("expect.street"); !s.empty()) {
      EXPECT_EQ(r->street, s);
    }
    if (auto s = c.Get("expect.label"); !s.empty()) {
      EXPECT_EQ(r->label, s);
    }
    if (auto s = c.Get("expect.cross_street"); !s.empty()) {
      EXPECT_NE(std::find(r->cross_streets.begin(), r->cross_streets.end(), s),
                r->cross_streets.end())
          << s;
    }
    near(r->on_street);
    return;
  }
  GeocodeOptions opts;
  opts.limit = 10;
  opts.autocomplete = c.Get("autocomplete") == "true";
  auto r = g->Geocode(c.Get("query"), opts);
  SCOPED_TRACE(ToJson(r).dump(1));
  size_t rank = c.Get("expect.rank").empty() ? 1 : std::stoul(c.Get("expect.rank"));
  if (c.Get("expect.kind") == "none") {
    EXPECT_TRUE(r.candidates.empty() || r.candidates[0].score < 0.5);
    return;
  }
  ASSERT_GE(r.candidates.size(), rank) << c.Get("query");
  const Candidate& got = r.candidates[rank - 1];
  if (auto s = c.Get("expect.kind"); !s.empty()) {
    EXPECT_EQ(got.kind, s);
  }
  if (auto s = c.Get("expect.label"); !s.empty()) {
    EXPECT_EQ(got.label, s);
  }
  if (auto s = c.Get("expect.verified"); !s.empty()) {
    EXPECT_EQ(got.verified, s == "true");
  }
  if (auto s = c.Get("expect.candidates_at_least"); !s.empty()) {
    EXPECT_GE(r.candidates.size(), std::stoul(s));
  }
  near(got.location);
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string n = info.param.name;
  for (auto& ch : n) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Golden, GeocodeGolden, ::testing::ValuesIn(LoadCases()), CaseName);

}  // namespace
}  // namespace beacon::geocode
