// The PIDF-LO reader: every tests/golden/pidf/<case>.xml against
// <case>.expected.json (the location read, or the refusal's code, rule and
// element path), plus checks on the shapes' arithmetic. A case without an
// expected file gets one written from the current answer and fails, to be
// reviewed and committed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/geo.h"
#include "pidf/pidf.h"

namespace beacon::pidf {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kCases = fs::path(BEACON_SOURCE_DIR) / "tests/golden/pidf";

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

json Describe(const Result<Location>& r) {
  if (!r) {
    const std::string& m = r.error().message();
    return {{"refused",
             {{"code", CodeName(r.error().code())},
              {"rule", m.substr(0, m.find(':'))},
              {"field", r.error().field()}}}};
  }
  json j = {{"shape", r->shape}};
  if (r->point) j["point"] = Fixed(r->point->lat, 6) + " " + Fixed(r->point->lon, 6);
  if (r->accuracy_m) j["accuracy_m"] = Fixed(*r->accuracy_m, 2);
  if (r->confidence) j["confidence"] = *r->confidence;
  if (r->civic) j["civic"] = *r->civic;
  if (r->method) j["method"] = *r->method;
  return {{"accepted", j}};
}

std::vector<std::string> Cases() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kCases)) {
    if (e.path().extension() == ".xml") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class PidfGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(PidfGolden, Case) {
  const std::string& name = GetParam();
  json got = Describe(Parse(ReadText(kCases / (name + ".xml"))));
  fs::path expected = kCases / (name + ".expected.json");
  if (!fs::exists(expected)) {
    std::ofstream(expected) << got.dump(2) << "\n";
    FAIL() << "wrote " << expected << ": review it";
  }
  EXPECT_EQ(got, json::parse(ReadText(expected))) << got.dump(2);
}

INSTANTIATE_TEST_SUITE_P(Golden, PidfGolden, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param; });

const char* kHead =
    R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" )"
    R"(xmlns:gml="http://www.opengis.net/gml" xmlns:gs="http://www.opengis.net/pidflo/1.0" )"
    R"(xmlns:con="urn:ietf:params:xml:ns:geopriv:conf"><tuple id="t"><status><gp:geopriv>)"
    R"(<gp:location-info>)";
const char* kTail = "</gp:location-info></gp:geopriv></status></tuple></presence>";

std::string Doc(const std::string& inner) { return kHead + inner + kTail; }

TEST(Pidf, CircleRadiusIsTheAccuracyAt95Percent) {
  auto r = Parse(
      Doc(R"(<gs:Circle srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>37.75 -122.41</gml:pos>)"
          R"(<gs:radius uom="urn:ogc:def:uom:EPSG::9001">50</gs:radius></gs:Circle>)"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_DOUBLE_EQ(*r->accuracy_m, 50);
  // At 39.35 % (one standard deviation of a circular normal) the 95 %
  // radius is sqrt(-2 ln 0.05) = 2.4477 times larger.
  auto s = Parse(
      Doc(R"(<gs:Circle srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>37.75 -122.41</gml:pos>)"
          R"(<gs:radius uom="urn:ogc:def:uom:EPSG::9001">10</gs:radius></gs:Circle>)"
          R"(<con:confidence>39.346934</con:confidence>)"));
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_NEAR(*s->accuracy_m, 24.477, 0.01);
}

TEST(Pidf, PolygonCentroidAndFarthestVertex) {
  // A square of about 111 m x 88 m: centroid in the middle, accuracy half the diagonal.
  auto r = Parse(
      Doc(R"(<gml:Polygon srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior><gml:LinearRing>)"
          R"(<gml:posList>37.000 -122.000 37.001 -122.000 37.001 -122.001 37.000 -122.001 )"
          R"(37.000 -122.000</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>)"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_NEAR(r->point->lat, 37.0005, 1e-6);
  EXPECT_NEAR(r->point->lon, -122.0005, 1e-6);
  EXPECT_NEAR(*r->accuracy_m, HaversineM({37.0005, -122.0005}, {37.0, -122.0}), 0.5);
}

TEST(Pidf, RefusalsNameTheElement) {
  auto r = Parse(
      Doc(R"(<gs:Circle srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>37.75 -122.41</gml:pos>)"
          R"(<gs:radius uom="urn:ogc:def:uom:EPSG::9001">1e9</gs:radius></gs:Circle>)"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kInvalid);
  EXPECT_EQ(r.error().field(), "presence/tuple[0]/status/geopriv/location-info/Circle/radius");
  EXPECT_FALSE(Parse(""));
  EXPECT_FALSE(Parse(std::string(kMaxBytes + 1, ' ')));
  EXPECT_FALSE(Parse("<presence/>"));
}

}  // namespace
}  // namespace beacon::pidf
