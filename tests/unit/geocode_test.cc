// Unit tests of the geocoder: folding and words, the matcher on a small
// synthetic map (streets, numbers, places, the centre's points), reverse
// geocoding, the gazetteer sections and the address point readers.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "common/geo.h"
#include "geocode/address_points.h"
#include "geocode/gazetteer.h"
#include "geocode/geocoder.h"
#include "geocode/lexicon.h"
#include "routing/graph_file.h"
#include "support/process.h"

namespace beacon::geocode {
namespace {

TEST(Fold, CaseDiacriticsAndLettersThatDoNotDecompose) {
  EXPECT_EQ(Fold("Rua de São João"), "rua de sao joao");
  EXPECT_EQ(Fold("Praça D. Afonso Henriques"), "praca d. afonso henriques");
  EXPECT_EQ(Fold("Straße"), "strasse");
  EXPECT_EQ(Fold("Øresund Æble Œuvre Łódź"), "oresund aeble oeuvre lodz");
  EXPECT_EQ(Fold("O’Farrell St"), "o'farrell st");
  EXPECT_EQ(Fold("MISSION ST/19TH ST"), "mission st/19th st");
  EXPECT_EQ(Fold("1º Dezembro"), "1o dezembro");
  EXPECT_EQ(Fold(std::string("bad \xff utf8")), "bad \xEF\xBF\xBD utf8");
}

TEST(Lexicon, BuiltinFilesParse) {
  auto lex = Lexicon::Parse(Lexicon::BuiltinFiles());
  ASSERT_TRUE(lex) << lex.error().message();
  EXPECT_EQ(lex->languages(), (std::vector<std::string>{"en", "pt", "fr"}));
}

TEST(Lexicon, RefusesBadFiles) {
  EXPECT_FALSE(Lexicon::Parse({"[]"}));
  EXPECT_FALSE(Lexicon::Parse({R"({"words": {}})"}));
  auto bad = Lexicon::Parse({R"({"language": "xx", "words": {"street": "st"}})"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("\"xx\""), std::string::npos);
  EXPECT_FALSE(Lexicon::Parse({R"({"language": "xx", "ordinals": {"first": ["1st"]}})"}));
}

TEST(Lexicon, AbbreviationsOrdinalsAndPhrases) {
  const Lexicon& lex = Lexicon::Builtin();
  auto t = lex.Tokenize(Fold("R. Sta. Catarina"));
  ASSERT_EQ(t.size(), 3u);
  EXPECT_TRUE(Lexicon::SameMeaning(t[0], lex.MakeToken("rua")));
  EXPECT_TRUE(Lexicon::SameMeaning(t[1], lex.MakeToken("santa")));
  EXPECT_TRUE(t[0].optional());  // a street type
  EXPECT_FALSE(t[2].optional());
  EXPECT_TRUE(Lexicon::SameMeaning(lex.MakeToken("19th"), lex.MakeToken("nineteenth")));
  EXPECT_TRUE(Lexicon::SameMeaning(lex.MakeToken("19th"), lex.MakeToken("19")));
  EXPECT_FALSE(Lexicon::SameMeaning(lex.MakeToken("19th"), lex.MakeToken("18th")));
  auto twenty_first = lex.Tokenize("twenty first street");
  ASSERT_EQ(twenty_first.size(), 2u);
  EXPECT_TRUE(Lexicon::SameMeaning(twenty_first[0], lex.MakeToken("21st")));
  EXPECT_TRUE(Lexicon::SameMeaning(lex.MakeToken("st"), lex.MakeToken("street")));
  EXPECT_TRUE(Lexicon::SameMeaning(lex.MakeToken("st"), lex.MakeToken("saint")));
  EXPECT_TRUE(Lexicon::SameMeaning(lex.MakeToken("bd"), lex.MakeToken("boulevard")));
  EXPECT_TRUE(Lexicon::SameMeaning(lex.MakeToken("av"), lex.MakeToken("avenida")));
  EXPECT_TRUE(lex.MakeToken("de").optional());
  EXPECT_TRUE(lex.IsBlockWord("block"));
  EXPECT_TRUE(lex.IsConnector("and"));
  EXPECT_TRUE(lex.IsConnector("/"));
  EXPECT_TRUE(lex.NumberAfterStreet(lex.MakeToken("rua")));
  EXPECT_FALSE(lex.NumberAfterStreet(lex.MakeToken("avenue")));
}

TEST(EditDistance, BoundedOptimalAlignment) {
  EXPECT_EQ(EditDistance("mission", "mission", 2), 0);
  EXPECT_EQ(EditDistance("mision", "mission", 2), 1);
  EXPECT_EQ(EditDistance("misison", "mission", 2), 1);  // a transposition
  EXPECT_EQ(EditDistance("catarina", "katharina", 2), 2);
  EXPECT_EQ(EditDistance("abc", "xyz", 1), 2);  // limit + 1
  EXPECT_EQ(AllowedTypos(3), 0);
  EXPECT_EQ(AllowedTypos(6), 1);
  EXPECT_EQ(AllowedTypos(9), 2);
}

// A small map around (37.76, -122.42): Mission Street north-south, 19th
// and 20th Streets east-west (nodes shared at the crossings), a second
// "Rua Direita" in each of two towns 20 km apart, house numbers and places.
class SyntheticMap : public ::testing::Test {
 protected:
  static constexpr double kLat0 = 37.7600, kLon0 = -122.4190;
  static constexpr double kBlockLat = 0.0015;  // ~167 m between 19th and 20th

  std::uint32_t S(Gazetteer& g, std::string_view s) {
    g.text.insert(g.text.end(), s.begin(), s.end());
    g.string_end.push_back(static_cast<std::uint32_t>(g.text.size()));
    return static_cast<std::uint32_t>(g.string_end.size() - 1);
  }
  std::uint32_t N(Gazetteer& g, double lat, double lon) {
    g.nodes.push_back(GeoPoint::From({lat, lon}));
    return static_cast<std::uint32_t>(g.nodes.size() - 1);
  }
  void Way(Gazetteer& g, std::vector<std::uint32_t> nodes, std::vector<NameRef> names,
           std::uint32_t rank = 5) {
    g.way_node.insert(g.way_node.end(), nodes.begin(), nodes.end());
    g.way_first_node.push_back(static_cast<std::uint32_t>(g.way_node.size()));
    g.way_name.insert(g.way_name.end(), names.begin(), names.end());
    g.way_first_name.push_back(static_cast<std::uint32_t>(g.way_name.size()));
    g.way_class.push_back(rank);
  }
  void Address(Gazetteer& g, double lat, double lon, std::string_view number, std::uint32_t street,
               AddressSource source = AddressSource::kNode) {
    g.addresses.push_back({GeoPoint::From({lat, lon}), S(g, number), street, 0, 0, 0, 0, source});
  }
  void PlaceAt(Gazetteer& g, double lat, double lon, std::string_view name, std::string_view cat) {
    g.places.push_back({GeoPoint::From({lat, lon}), S(g, cat), 0, 0, 0});
    g.place_name.push_back({S(g, name), NameKind::kName});
    g.place_first_name.push_back(static_cast<std::uint32_t>(g.place_name.size()));
  }

  Gazetteer Map() {
    Gazetteer g;
    std::uint32_t mission = S(g, "Mission Street");
    std::uint32_t n19 = S(g, "19th Street");
    std::uint32_t n20 = S(g, "20th Street");
    // Mission: south (20th) to north (19th) and beyond.
    std::uint32_t m0 = N(g, kLat0 - kBlockLat * 2, kLon0);
    std::uint32_t m20 = N(g, kLat0 - kBlockLat, kLon0);
    std::uint32_t m19 = N(g, kLat0, kLon0);
    std::uint32_t m3 = N(g, kLat0 + kBlockLat, kLon0);
    Way(g, {m0, m20, m19}, {{mission, NameKind::kName}}, 2);
    Way(g, {m19, m3}, {{mission, NameKind::kName}}, 2);
    Way(g, {N(g, kLat0, kLon0 - 0.002), m19, N(g, kLat0, kLon0 + 0.002)}, {{n19, NameKind::kName}});
    Way(g, {N(g, kLat0 - kBlockLat, kLon0 - 0.002), m20, N(g, kLat0 - kBlockLat, kLon0 + 0.002)},
        {{n20, NameKind::kName}, {S(g, "Old Twentieth Road"), NameKind::kOld}});
    // House numbers along Mission: 2000 at 20th up to 2098 near 19th.
    for (int n : {2000, 2010, 2050, 2098}) {
      double f = (n - 2000) / 100.0;
      Address(g, kLat0 - kBlockLat + f * kBlockLat, kLon0 + 0.0001, std::to_string(n), mission);
    }
    Address(g, kLat0 - kBlockLat + 0.2 * kBlockLat, kLon0 - 0.0001, "2021", mission);
    Address(g, kLat0 - kBlockLat + 0.4 * kBlockLat, kLon0 - 0.0001, "2041", mission);
    // The same street name in two towns.
    std::uint32_t direita = S(g, "Rua Direita");
    Way(g, {N(g, 41.0, -8.60), N(g, 41.001, -8.60)}, {{direita, NameKind::kName}});
    Way(g, {N(g, 41.2, -8.60), N(g, 41.201, -8.60)}, {{direita, NameKind::kName}});
    PlaceAt(g, 41.0005, -8.601, "Vila Sul", "place=town");
    PlaceAt(g, 41.2005, -8.601, "Vila Norte", "place=town");
    PlaceAt(g, kLat0 - 0.0011, kLon0 + 0.0002, "Mission Branch Library", "amenity=library");
    return g;
  }

  std::vector<AddressPointSet> Points() {
    AddressPointSet set;
    set.name = "history.csv";
    AddressPoint p;
    p.text = "2100 Block of MISSION ST";
    p.at = {kLat0 + 0.5 * kBlockLat, kLon0};
    p.count = 7;
    p.line = 2;
    set.points.push_back(p);
    p.text = "CALL BOX: PALACE OF FINE ARTS";
    p.at = {37.8029, -122.4484};
    p.count = 1;
    p.line = 3;
    set.points.push_back(p);
    return {set};
  }

  void SetUp() override { geocoder_ = Geocoder::Build(Map(), Points()); }

  GeocodeResult Find(std::string_view q, GeocodeOptions o = {}) { return geocoder_->Geocode(q, o); }
  static double Metres(const Candidate& c, double lat, double lon) {
    return HaversineM(c.location, {lat, lon});
  }

  std::unique_ptr<Geocoder> geocoder_;
};

TEST_F(SyntheticMap, IntersectionsWrittenEveryWay) {
  for (const char* q :
       {"MISSION ST/19TH ST", "19th & Mission", "19th and mission street", "Mission St at 19th St",
        "corner of 19th street and mission", "mission/nineteenth", "19TH ST/MISSION ST"}) {
    auto r = Find(q);
    ASSERT_FALSE(r.candidates.empty()) << q;
    const auto& c = r.candidates[0];
    EXPECT_EQ(c.kind, "intersection") << q;
    EXPECT_LT(Metres(c, kLat0, kLon0), 1) << q;
    EXPECT_TRUE(c.verified) << q << ": " << c.why;
    EXPECT_GE(c.score, 0.9) << q;
  }
  auto r = Find("Mission St & 20th St");
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_LT(Metres(r.candidates[0], kLat0 - kBlockLat, kLon0), 1);
  EXPECT_NE(r.candidates[0].label.find("Mission Street"), std::string::npos);
  EXPECT_NE(r.candidates[0].label.find("20th Street"), std::string::npos);
}

TEST_F(SyntheticMap, TyposMatchButAreNotVerified) {
  auto r = Find("Misison St / 19th St");
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].kind, "intersection");
  EXPECT_FALSE(r.candidates[0].verified);
  EXPECT_NE(r.candidates[0].why.find("typo"), std::string::npos) << r.candidates[0].why;
  // Three letters allow no typo.
  EXPECT_TRUE(Find("Mxssion Xt / 1xth Xt").candidates.empty());
}

TEST_F(SyntheticMap, HouseNumbersExactAndInterpolated) {
  auto r = Find("2050 Mission St");
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].kind, "address");
  EXPECT_EQ(r.candidates[0].label, "2050 Mission Street");
  EXPECT_TRUE(r.candidates[0].verified);
  // 2030 lies between 2010 and 2050 (even side).
  r = Find("2030 mission street");
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].kind, "address");
  EXPECT_FALSE(r.candidates[0].verified);
  EXPECT_NE(r.candidates[0].why.find("interpolated"), std::string::npos);
  double expect_lat = kLat0 - kBlockLat + 0.3 * kBlockLat;
  EXPECT_LT(Metres(r.candidates[0], expect_lat, kLon0), 20);
  // A number the street cannot have: the street itself, not verified.
  r = Find("9999 Mission St");
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].kind, "street");
  EXPECT_FALSE(r.candidates[0].verified);
}

TEST_F(SyntheticMap, BlocksFromNumbersAndFromTheCentresPoints) {
  auto r = Find("2000 Block of MISSION ST");
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].kind, "block");
  EXPECT_TRUE(r.candidates[0].verified);
  EXPECT_LT(Metres(r.candidates[0], kLat0 - kBlockLat * 0.5, kLon0), 40);
  // The centre's own point for the 2100 block, by its exact text.
  r = Find("2100 Block of MISSION ST");
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_LT(Metres(r.candidates[0], kLat0 + 0.5 * kBlockLat, kLon0), 1);
  EXPECT_TRUE(r.candidates[0].verified);
  EXPECT_NE(r.candidates[0].why.find("history.csv"), std::string::npos);
  // The same block written another way.
  r = Find("2100 blk mission street");
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].kind, "block");
  EXPECT_LT(Metres(r.candidates[0], kLat0 + 0.5 * kBlockLat, kLon0), 1);
}

// A street without numbers of its own takes a block from the same block of
// a parallel street (grid numbering), never from a street that crosses it.
TEST_F(SyntheticMap, ABlockNoNumberPlacesIsAlignedWithAParallelStreet) {
  Gazetteer g = Map();
  // Valencia: parallel to Mission, ~150 m west, no numbers, not touching
  // the cross streets.
  const double lon = kLon0 - 0.0017;
  Way(g, {N(g, kLat0 - kBlockLat * 2, lon), N(g, kLat0 + kBlockLat, lon)},
      {{S(g, "Valencia Street"), NameKind::kName}});
  auto geocoder = Geocoder::Build(std::move(g), Points());
  auto r = geocoder->Geocode("2000 Block of VALENCIA ST", {});
  ASSERT_FALSE(r.candidates.empty());
  const auto& c = r.candidates[0];
  EXPECT_EQ(c.kind, "block");
  EXPECT_FALSE(c.verified);
  EXPECT_NE(c.why.find("aligned with"), std::string::npos) << c.why;
  EXPECT_NE(c.why.find("Mission Street"), std::string::npos) << c.why;
  EXPECT_LT(Metres(c, kLat0 - kBlockLat * 0.5, lon), 30) << c.why;
  // 19th Street crosses Mission: Mission's numbers say nothing of its own.
  r = geocoder->Geocode("2000 Block of 19TH ST", {});
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].kind, "street") << r.candidates[0].why;
  // A block too far from any known number on the parallel street: the street.
  r = geocoder->Geocode("5000 Block of VALENCIA ST", {});
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].kind, "street") << r.candidates[0].why;
}

TEST_F(SyntheticMap, AmbiguityIsNeverHidden) {
  auto r = Find("Rua Direita");
  ASSERT_GE(r.candidates.size(), 2u);
  EXPECT_FALSE(r.candidates[0].verified);
  std::vector<std::string> labels = {r.candidates[0].label, r.candidates[1].label};
  std::sort(labels.begin(), labels.end());
  EXPECT_EQ(labels[0], "Rua Direita, Vila Norte");
  EXPECT_EQ(labels[1], "Rua Direita, Vila Sul");
  // A town after a comma picks one, and `near` orders them.
  r = Find("R. Direita, Vila Norte");
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].label, "Rua Direita, Vila Norte");
  r = Find("rua direita", {.limit = 5, .near = LatLon{41.0, -8.6}});
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].label, "Rua Direita, Vila Sul");
}

TEST_F(SyntheticMap, PlacesPointsOldNamesAndTypeAhead) {
  auto r = Find("mission branch library");
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].kind, "place");
  EXPECT_TRUE(r.candidates[0].verified);
  r = Find("CALL BOX: PALACE OF FINE ARTS");
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].kind, "point");
  r = Find("old twentieth road");
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].kind, "street");
  EXPECT_EQ(r.candidates[0].label, "20th Street");
  r = Find("missi", {.limit = 5, .autocomplete = true});
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_NE(r.candidates[0].label.find("Mission"), std::string::npos)
      << r.candidates[0].label << " " << r.candidates[0].why;
  r = Find("19th st / miss", {.limit = 5, .autocomplete = true});
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].kind, "intersection");
  EXPECT_TRUE(Find("missi").candidates.empty() ||
              Find("missi").candidates[0].score < 0.9);  // no prefix without autocomplete
  EXPECT_TRUE(Find("").candidates.empty());
  EXPECT_TRUE(Find("   ,,, // &&").candidates.empty());
}

TEST_F(SyntheticMap, BruteForceScanGivesTheSameAnswers) {
  for (const char* q : {"MISSION ST/19TH ST", "2050 Mission St", "rua direita", "missi",
                        "Misison St / 19th St", "2000 Block of MISSION ST", "library"}) {
    for (bool ac : {false, true}) {
      auto a = Find(q, {.limit = 5, .autocomplete = ac});
      auto b = Find(q, {.limit = 5, .autocomplete = ac, .brute_force = true});
      ASSERT_EQ(a.candidates.size(), b.candidates.size()) << q;
      for (size_t i = 0; i < a.candidates.size(); ++i) {
        EXPECT_EQ(a.candidates[i].label, b.candidates[i].label) << q;
        EXPECT_DOUBLE_EQ(a.candidates[i].score, b.candidates[i].score) << q;
      }
    }
  }
}

TEST_F(SyntheticMap, ReverseGivesTheStreetNumberAndCrossStreets) {
  // On Mission, a fifth of the way from 20th to 19th, west side.
  auto r = geocoder_->Reverse({kLat0 - kBlockLat + 0.2 * kBlockLat, kLon0 - 0.00012});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->street, "Mission Street");
  EXPECT_EQ(r->label, "2021 Mission Street");
  std::vector<std::string> cross = r->cross_streets;
  std::sort(cross.begin(), cross.end());
  EXPECT_EQ(cross, (std::vector<std::string>{"19th Street", "20th Street"}));
  EXPECT_LT(r->distance_m, 15);
  auto far = geocoder_->Reverse({0.5, 0.5});
  ASSERT_FALSE(far);
  EXPECT_EQ(far.error().code(), Code::kNotFound);
  auto bad = geocoder_->Reverse({91, 0});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), Code::kInvalid);
  auto json = ToJson(*r);
  EXPECT_EQ(json["label"], "2021 Mission Street");
  EXPECT_TRUE(json.contains("place"));  // the library is 30 m away
}

TEST_F(SyntheticMap, GazetteerSectionsRoundTripAndRefuseDamage) {
  support::TempDir dir;
  std::string path = dir.path() + "/g.graph";
  Gazetteer g = Map();
  routing::GraphFileWriter w;
  SaveGazetteer(w, g);
  ASSERT_TRUE(w.Write(path).ok());
  auto file = routing::GraphFile::Open(path);
  ASSERT_TRUE(file) << file.error().message();
  ASSERT_TRUE(HasGazetteer(*file));
  auto back = LoadGazetteer(*file);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->text, g.text);
  EXPECT_EQ(back->way_node, g.way_node);
  EXPECT_EQ(back->addresses.size(), g.addresses.size());
  EXPECT_EQ(back->String(1), "Mission Street");

  // A way naming a node that does not exist.
  Gazetteer bad = Map();
  bad.way_node[0] = 100000;
  routing::GraphFileWriter w2;
  SaveGazetteer(w2, bad);
  ASSERT_TRUE(w2.Write(path).ok());
  auto file2 = routing::GraphFile::Open(path);
  ASSERT_TRUE(file2);
  auto loaded = LoadGazetteer(*file2);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code(), Code::kMalformed);
  EXPECT_NE(loaded.error().message().find("geo.way_node"), std::string::npos);

  // A graph file without a gazetteer.
  routing::GraphFileWriter w3;
  w3.Add("other.section", std::vector<std::uint32_t>{1});
  ASSERT_TRUE(w3.Write(path).ok());
  auto file3 = routing::GraphFile::Open(path);
  ASSERT_TRUE(file3);
  EXPECT_FALSE(HasGazetteer(*file3));
  EXPECT_EQ(LoadGazetteer(*file3).error().code(), Code::kNotFound);
}

TEST(AddressPoints, CsvWithDefaultColumnsAndSkippedLines) {
  auto set = ReadAddressPoints(
      "address,lat,lon,count\n"
      "4000 Block of MISSION ST,37.7321,-122.4277,12\n"
      "\"1 Main St, Unit 2\",37.79,-122.39,1\n"
      "no coordinates,,,1\n"
      ",37.7,-122.4,1\n"
      "bad count,37.7,-122.4,x\n",
      "history.csv");
  ASSERT_TRUE(set) << set.error().message();
  ASSERT_EQ(set->points.size(), 2u);
  EXPECT_EQ(set->points[0].text, "4000 Block of MISSION ST");
  EXPECT_EQ(set->points[0].count, 12);
  EXPECT_EQ(set->points[1].text, "1 Main St, Unit 2");
  ASSERT_EQ(set->skipped.size(), 3u);
  EXPECT_EQ(set->skipped[0].line, 4);
}

TEST(AddressPoints, MappingAndGeoJson) {
  auto m = AddressMapping::Parse(
      R"({"format": "gis", "columns": {"number": "HNO", "street": "STREET", "unit": "UNIT",
          "lat": "Y", "lon": "X"}})");
  ASSERT_TRUE(m) << m.error().message();
  auto set = ReadAddressPoints("HNO,STREET,UNIT,Y,X\n12,Rua X,B,41.1,-8.6\n", "gis.csv", *m);
  ASSERT_TRUE(set) << set.error().message();
  ASSERT_EQ(set->points.size(), 1u);
  EXPECT_EQ(set->points[0].text, "12 Rua X, unit B");
  EXPECT_EQ(set->points[0].unit, "B");
  auto missing = ReadAddressPoints("HNO,STREET\n1,x\n", "gis.csv", *m);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("\"Y\""), std::string::npos);
  EXPECT_FALSE(AddressMapping::Parse(R"({"format": "x", "columns": {"colour": "C"}})"));

  auto gm = AddressMapping::Parse(R"({"format": "g", "columns": {"text": "addr"}})");
  ASSERT_TRUE(gm);
  auto gj = ReadAddressPoints(
      R"({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [7.42, 43.73]},
         "properties": {"addr": "12 Boulevard des Moulins"}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": []}, "properties": {}}
      ]})",
      "gis.geojson", *gm);
  ASSERT_TRUE(gj) << gj.error().message();
  ASSERT_EQ(gj->points.size(), 1u);
  EXPECT_DOUBLE_EQ(gj->points[0].at.lat, 43.73);
  EXPECT_EQ(gj->skipped.size(), 1u);
  EXPECT_FALSE(ReadAddressPoints("{\"type\": \"Feature\"}", "x.geojson"));
}

TEST(AddressPoints, FromSamplesMedianCountAndCsv) {
  size_t spread = 0;
  auto points = PointsFromSamples({{"4000 Block of MISSION ST", {37.1000, -122.1}},
                                   {"4000  Block of MISSION ST ", {37.1004, -122.1}},
                                   {"4000 Block of MISSION ST", {37.1002, -122.1}},
                                   {"A, \"B\"", {1, 2}},
                                   {"CALL BOX:", {37.0, -122.0}},
                                   {"CALL BOX:", {37.5, -122.5}},
                                   {"", {1, 2}}},
                                  100, &spread);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(spread, 1u);  // "CALL BOX:" names no one place
  EXPECT_EQ(points[0].text, "4000 Block of MISSION ST");
  EXPECT_EQ(points[0].count, 3);
  EXPECT_DOUBLE_EQ(points[0].at.lat, 37.1002);
  std::string csv = WritePointsCsv(points);
  EXPECT_EQ(csv,
            "address,lat,lon,count\n"
            "4000 Block of MISSION ST,37.1002000,-122.1000000,3\n"
            "\"A, \"\"B\"\"\",1.0000000,2.0000000,1\n");
  auto back = ReadAddressPoints(csv, "x.csv");
  ASSERT_TRUE(back);
  ASSERT_EQ(back->points.size(), 2u);
  EXPECT_EQ(back->points[1].text, "A, \"B\"");
}

}  // namespace
}  // namespace beacon::geocode
