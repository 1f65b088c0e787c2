// Tests for getting road data in: the routing profile, the OSM and DIMACS
// importers, and the graph file. Small OSM extracts are written as XML into
// a temp dir; the shared extracts under ../shared/data are loaded too (the
// tests run with the repository root as working directory).
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/geo.h"
#include "routing/dimacs_import.h"
#include "routing/graph_file.h"
#include "routing/osm_import.h"
#include "routing/profile.h"
#include "routing/strong_components.h"
#include "support/harness.h"

namespace beacon::routing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kShared = "../shared/data";

// Round speeds so expected times are easy to state: 36 km/h = 10 m/s.
constexpr const char* kTestProfile = R"({
  "version": 1,
  "name": "test",
  "speed_factor": 1.0,
  "highways": {
    "motorway": {"speed_kmh": 72, "oneway": true},
    "primary": {"speed_kmh": 36},
    "residential": {"speed_kmh": 18},
    "service": {"speed_kmh": 18},
    "pedestrian": {"speed_kmh": 9, "default_access": "no"},
    "footway": {"routable": false}
  },
  "maxspeed": {"none_kmh": 130, "implicit_kmh": {"walk": 6}, "min_kmh": 5, "max_kmh": 150},
  "access": {
    "keys": ["emergency", "motorcar", "motor_vehicle", "vehicle", "access"],
    "deny": ["no", "private"],
    "allow": ["yes", "designated", "destination"]
  },
  "exclude": {"area": ["yes"]},
  "restrictions": {
    "keys": ["restriction:emergency", "restriction:motorcar", "restriction"],
    "exempt": ["emergency", "motorcar"]
  }
})";

Profile TestProfile() {
  auto p = Profile::Parse(kTestProfile);
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message());
  return *p;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Builds a small OSM XML document.
class OsmXml {
 public:
  OsmXml& Node(std::int64_t id, double lat, double lon) {
    std::ostringstream os;
    os.precision(9);
    os << "  <node id=\"" << id << "\" lat=\"" << lat << "\" lon=\"" << lon << "\"/>\n";
    nodes_ += os.str();
    return *this;
  }
  OsmXml& Way(std::int64_t id, std::vector<std::int64_t> refs,
              std::vector<std::pair<std::string, std::string>> tags) {
    ways_ += "  <way id=\"" + std::to_string(id) + "\">\n";
    for (auto r : refs) ways_ += "    <nd ref=\"" + std::to_string(r) + "\"/>\n";
    ways_ += Tags(tags) + "  </way>\n";
    return *this;
  }
  // members: (type, ref, role)
  OsmXml& Relation(std::int64_t id,
                   std::vector<std::tuple<std::string, std::int64_t, std::string>> members,
                   std::vector<std::pair<std::string, std::string>> tags) {
    rels_ += "  <relation id=\"" + std::to_string(id) + "\">\n";
    for (auto& [type, ref, role] : members) {
      rels_ += "    <member type=\"" + type + "\" ref=\"" + std::to_string(ref) + "\" role=\"" +
               role + "\"/>\n";
    }
    rels_ += Tags(tags) + "  </relation>\n";
    return *this;
  }
  std::string Text() const {
    return "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"test\">\n" +
           nodes_ + ways_ + rels_ + "</osm>\n";
  }

 private:
  static std::string Tags(const std::vector<std::pair<std::string, std::string>>& tags) {
    std::string s;
    for (auto& [k, v] : tags) s += "    <tag k=\"" + k + "\" v=\"" + v + "\"/>\n";
    return s;
  }
  std::string nodes_, ways_, rels_;
};

class ImportTest : public ::testing::Test {
 protected:
  Result<ImportResult> Import(const OsmXml& osm, bool largest_only = true) {
    std::string path = dir_.path() + "/t" + std::to_string(counter_++) + ".osm";
    WriteFile(path, osm.Text());
    ImportOptions options;
    options.largest_component_only = largest_only;
    return ImportOsm(path, profile_, options);
  }
  // The graph node of an OSM node id, or kNoNode.
  static NodeIndex NodeOf(const ImportResult& r, std::int64_t osm_id) {
    auto it = std::find(r.osm_node_ids.begin(), r.osm_node_ids.end(), osm_id);
    return it == r.osm_node_ids.end() ? kNoNode
                                      : static_cast<NodeIndex>(it - r.osm_node_ids.begin());
  }
  // The arc between two OSM nodes, or -1.
  static std::int64_t ArcOf(const ImportResult& r, std::int64_t from, std::int64_t to) {
    NodeIndex u = NodeOf(r, from), v = NodeOf(r, to);
    if (u == kNoNode || v == kNoNode) return -1;
    for (ArcIndex a = r.graph.first_out[u]; a < r.graph.first_out[u + 1]; ++a) {
      if (r.graph.head[a] == v) return a;
    }
    return -1;
  }

  testing::TempDir dir_;
  Profile profile_ = TestProfile();
  int counter_ = 0;
};

// ------------------------------------------------------------------ profile

TEST(RoutingProfile, ShippedProfileLoads) {
  auto p = Profile::Load("config/routing_profile.json");
  ASSERT_TRUE(p.has_value()) << p.error().message();
  EXPECT_EQ(p->name(), "emergency_car");
  EXPECT_EQ(p->HashHex().size(), 64u);
}

WayRule Eval(const Profile& p, std::vector<std::pair<std::string, std::string>> kv) {
  std::vector<Tag> tags;
  for (auto& [k, v] : kv) tags.push_back({k, v});
  return p.EvaluateWay(tags);
}

TEST(RoutingProfile, DefaultsMatchTheShippedFile) {
  // docs/routing_profile.md promises that omitted sections default to the
  // values in config/routing_profile.json.
  std::string text = [] {
    std::ifstream in("config/routing_profile.json");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }();
  auto full = Profile::Parse(text);
  ASSERT_TRUE(full.has_value()) << full.error().message();
  auto j = nlohmann::json::parse(text);
  nlohmann::json minimal = {{"version", 1}, {"highways", j["highways"]}};
  auto reduced = Profile::Parse(minimal.dump());
  ASSERT_TRUE(reduced.has_value()) << reduced.error().message();
  std::vector<std::vector<std::pair<std::string, std::string>>> ways = {
      {{"highway", "residential"}, {"access", "agricultural"}},
      {{"highway", "residential"}, {"access", "delivery"}},
      {{"highway", "residential"}, {"access", "no"}, {"emergency", "official"}},
      {{"highway", "service"}, {"area", "yes"}},
      {{"highway", "service"}, {"impassable", "yes"}},
      {{"highway", "primary"}, {"oneway", "reverse"}},
      {{"highway", "primary"}, {"junction", "circular"}},
      {{"highway", "primary"}, {"oneway", "alternating"}},
      {{"highway", "primary"}, {"maxspeed", "none"}},
      {{"highway", "primary"}, {"maxspeed:forward", "20"}, {"maxspeed", "70"}},
  };
  for (const auto& w : ways) {
    WayRule a = Eval(*full, w), b = Eval(*reduced, w);
    EXPECT_EQ(a.routable, b.routable) << w[1].first << "=" << w[1].second;
    EXPECT_EQ(a.forward, b.forward) << w[1].first << "=" << w[1].second;
    EXPECT_EQ(a.backward, b.backward) << w[1].first << "=" << w[1].second;
    EXPECT_EQ(a.forward_kmh, b.forward_kmh) << w[1].first << "=" << w[1].second;
    EXPECT_EQ(a.backward_kmh, b.backward_kmh) << w[1].first << "=" << w[1].second;
  }
  std::vector<Tag> r = {{"type", "restriction"}, {"restriction:emergency", "no_left_turn"}};
  EXPECT_EQ(full->EvaluateRestriction(r), reduced->EvaluateRestriction(r));
  EXPECT_EQ(reduced->EvaluateRestriction(r), RestrictionRule::kNo);
}

TEST(RoutingProfile, ErrorsNameTheKey) {
  struct Case {
    std::string json;
    std::string key;
  };
  std::vector<Case> cases = {
      {R"({"version": 1, "highways": {"primary": {"speed_kmh": "fast"}}})",
       "highways.primary.speed_kmh"},
      {R"({"version": 1, "highways": {"primary": {}}})", "highways.primary.speed_kmh"},
      {R"({"version": 1, "highways": {"primary": {"speed_kmh": 50}}, "spead_factor": 2})",
       "spead_factor"},
      {R"({"version": 2, "highways": {"primary": {"speed_kmh": 50}}})", "version"},
      {R"({"version": 1, "highways": {"primary": {"speed_kmh": 50}}, "speed_factor": -1})",
       "speed_factor"},
      {R"({"version": 1, "highways": {"primary": {"speed_kmh": 50}}, "oneway": {"forward": "yes"}})",
       "oneway.forward"},
      {R"({"version": 1, "highways": {"primary": {"speed_kmh": 50}}, "access": {"deny": ["no", 3]}})",
       "access.deny[1]"},
      {R"({"version": 1, "highways": {"primary": {"speed_kmh": 50, "default_access": "maybe"}}})",
       "highways.primary.default_access"},
      {R"({"version": 1, "highways": {"footway": {"routable": false}}})", "highways"},
  };
  for (const auto& c : cases) {
    auto p = Profile::Parse(c.json);
    ASSERT_FALSE(p.has_value()) << c.json;
    EXPECT_EQ(p.error().field(), c.key) << p.error().message();
    EXPECT_NE(p.error().message().find(c.key), std::string::npos) << p.error().message();
  }
  EXPECT_EQ(Profile::Parse("{not json").error().code(), Code::kMalformed);
  EXPECT_EQ(Profile::Load("no/such/profile.json").error().code(), Code::kNotFound);
}

TEST(RoutingProfile, HashIgnoresFormattingButNotValues) {
  auto a = Profile::Parse(R"({"version":1,"highways":{"primary":{"speed_kmh":50}}})");
  auto b = Profile::Parse(
      "{ \"highways\" : { \"primary\" : { \"speed_kmh\" : 50 } },\n \"version\" : 1 }");
  auto c = Profile::Parse(R"({"version":1,"highways":{"primary":{"speed_kmh":51}}})");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->hash(), b->hash());
  EXPECT_NE(a->hash(), c->hash());
}

TEST(RoutingProfile, Maxspeed) {
  Profile p = TestProfile();
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("50", 30), 50);
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh(" 50 km/h", 30), 50);
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("50kmh", 30), 50);
  EXPECT_NEAR(p.MaxspeedKmh("30 mph", 20), 48.28, 0.01);
  EXPECT_NEAR(p.MaxspeedKmh("25mph", 20), 40.23, 0.01);
  EXPECT_NEAR(p.MaxspeedKmh("10 knots", 20), 18.52, 0.01);
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("PT:urban", 30), 30);  // implicit: class default
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("DE:rural", 70), 70);
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("walk", 30), 6);  // listed in implicit_kmh
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("none", 100), 130);
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("NONE", 100), 130);
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("signals", 30), 30);
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("50;30", 99), 30);
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("50;fast", 99), 99);
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("fast", 30), 30);
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("", 30), 30);
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("500", 30), 30);  // above max_kmh: a typo
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("0", 30), 30);    // below min_kmh
  EXPECT_DOUBLE_EQ(p.MaxspeedKmh("50 furlongs", 30), 30);

  auto none_is_default = Profile::Parse(
      R"({"version":1,"highways":{"primary":{"speed_kmh":50}},"maxspeed":{"none_kmh":null}})");
  ASSERT_TRUE(none_is_default);
  EXPECT_DOUBLE_EQ(none_is_default->MaxspeedKmh("none", 50), 50);
}

TEST(RoutingProfile, AccessTags) {
  Profile p = TestProfile();
  EXPECT_TRUE(Eval(p, {{"highway", "residential"}}).routable);
  EXPECT_FALSE(Eval(p, {{"highway", "footway"}}).routable);
  EXPECT_FALSE(Eval(p, {{"highway", "bridleway"}}).routable);  // not listed
  EXPECT_FALSE(Eval(p, {{"building", "yes"}}).routable);
  EXPECT_FALSE(Eval(p, {{"highway", "residential"}, {"access", "no"}}).routable);
  EXPECT_FALSE(Eval(p, {{"highway", "service"}, {"access", "private"}}).routable);
  EXPECT_FALSE(Eval(p, {{"highway", "residential"}, {"motor_vehicle", "private"}}).routable);
  EXPECT_FALSE(Eval(p, {{"highway", "residential"}, {"motorcar", "no"}}).routable);
  // emergency=yes overrides every general restriction...
  EXPECT_TRUE(
      Eval(p, {{"highway", "residential"}, {"access", "no"}, {"emergency", "yes"}}).routable);
  EXPECT_TRUE(
      Eval(p, {{"highway", "residential"}, {"motor_vehicle", "no"}, {"emergency", "designated"}})
          .routable);
  // ...and emergency=no closes an otherwise open road.
  EXPECT_FALSE(Eval(p, {{"highway", "residential"}, {"emergency", "no"}}).routable);
  // The most specific key decides.
  EXPECT_TRUE(
      Eval(p, {{"highway", "residential"}, {"access", "no"}, {"motorcar", "yes"}}).routable);
  EXPECT_FALSE(
      Eval(p, {{"highway", "residential"}, {"access", "yes"}, {"motorcar", "no"}}).routable);
  // Unknown values fall through to the next key.
  EXPECT_FALSE(
      Eval(p, {{"highway", "residential"}, {"access", "no"}, {"motorcar", "unknown"}}).routable);
  // Class default access: pedestrian zones only with emergency=yes.
  EXPECT_FALSE(Eval(p, {{"highway", "pedestrian"}}).routable);
  EXPECT_TRUE(Eval(p, {{"highway", "pedestrian"}, {"emergency", "yes"}}).routable);
  EXPECT_FALSE(Eval(p, {{"highway", "service"}, {"area", "yes"}}).routable);
}

TEST(RoutingProfile, OnewayAndSpeeds) {
  Profile p = TestProfile();
  auto two = Eval(p, {{"highway", "primary"}});
  EXPECT_TRUE(two.forward && two.backward);
  EXPECT_DOUBLE_EQ(two.forward_kmh, 36);
  for (const char* v : {"yes", "true", "1"}) {
    auto r = Eval(p, {{"highway", "primary"}, {"oneway", v}});
    EXPECT_TRUE(r.forward && !r.backward) << v;
  }
  for (const char* v : {"-1", "reverse"}) {
    auto r = Eval(p, {{"highway", "primary"}, {"oneway", v}});
    EXPECT_TRUE(!r.forward && r.backward) << v;
  }
  auto round = Eval(p, {{"highway", "primary"}, {"junction", "roundabout"}});
  EXPECT_TRUE(round.forward && !round.backward);
  auto round_no = Eval(p, {{"highway", "primary"}, {"junction", "roundabout"}, {"oneway", "no"}});
  EXPECT_TRUE(round_no.forward && round_no.backward);
  auto mw = Eval(p, {{"highway", "motorway"}});
  EXPECT_TRUE(mw.forward && !mw.backward);
  auto mw_no = Eval(p, {{"highway", "motorway"}, {"oneway", "no"}});
  EXPECT_TRUE(mw_no.forward && mw_no.backward);
  EXPECT_FALSE(Eval(p, {{"highway", "primary"}, {"oneway", "reversible"}}).routable);

  auto limited = Eval(p, {{"highway", "primary"}, {"maxspeed", "50"}});
  EXPECT_DOUBLE_EQ(limited.forward_kmh, 50);
  EXPECT_DOUBLE_EQ(limited.backward_kmh, 50);
  auto directional =
      Eval(p, {{"highway", "primary"}, {"maxspeed", "50"}, {"maxspeed:backward", "30"}});
  EXPECT_DOUBLE_EQ(directional.forward_kmh, 50);
  EXPECT_DOUBLE_EQ(directional.backward_kmh, 30);

  auto fast =
      Profile::Parse(R"({"version":1,"speed_factor":1.5,"highways":{"primary":{"speed_kmh":40}}})");
  ASSERT_TRUE(fast);
  EXPECT_DOUBLE_EQ(Eval(*fast, {{"highway", "primary"}}).forward_kmh, 60);
  EXPECT_DOUBLE_EQ(Eval(*fast, {{"highway", "primary"}, {"maxspeed", "50"}}).forward_kmh, 75);
}

// ---------------------------------------------------------------- OSM import

TEST_F(ImportTest, OnewayRoundaboutAndMotorway) {
  OsmXml osm;
  for (int i = 1; i <= 10; ++i) osm.Node(i, 0.0, i * 0.001);
  osm.Way(10, {1, 2}, {{"highway", "residential"}, {"oneway", "yes"}})
      .Way(11, {2, 3}, {{"highway", "residential"}, {"oneway", "-1"}})
      .Way(12, {3, 4}, {{"highway", "residential"}})
      .Node(50, 0.001, 0.0)
      .Node(51, 0.001, 0.001)
      .Node(52, 0.002, 0.0005)
      .Way(13, {50, 51, 52, 50}, {{"highway", "primary"}, {"junction", "roundabout"}})
      .Way(14, {8, 9}, {{"highway", "motorway"}})
      .Way(15, {9, 10}, {{"highway", "motorway"}, {"oneway", "no"}});
  auto r = Import(osm, /*largest_only=*/false);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_GE(ArcOf(*r, 1, 2), 0);
  EXPECT_LT(ArcOf(*r, 2, 1), 0);
  EXPECT_LT(ArcOf(*r, 2, 3), 0);
  EXPECT_GE(ArcOf(*r, 3, 2), 0);
  EXPECT_GE(ArcOf(*r, 3, 4), 0);
  EXPECT_GE(ArcOf(*r, 4, 3), 0);
  EXPECT_GE(ArcOf(*r, 50, 51), 0);
  EXPECT_GE(ArcOf(*r, 51, 52), 0);
  EXPECT_GE(ArcOf(*r, 52, 50), 0);
  EXPECT_LT(ArcOf(*r, 51, 50), 0);
  EXPECT_GE(ArcOf(*r, 8, 9), 0);
  EXPECT_LT(ArcOf(*r, 9, 8), 0);
  EXPECT_GE(ArcOf(*r, 9, 10), 0);
  EXPECT_GE(ArcOf(*r, 10, 9), 0);
  EXPECT_EQ(r->graph.arcs(), 10u);
  // Node 5..7 are on no way: not graph nodes.
  EXPECT_EQ(NodeOf(*r, 5), kNoNode);
  EXPECT_EQ(r->graph.nodes(), 10u);  // 1-4, 8-10, 50-52
}

TEST_F(ImportTest, ArcTimesFollowLengthAndSpeed) {
  OsmXml osm;
  osm.Node(1, 0, 0).Node(2, 0, 0.01).Node(3, 0, 0.02);
  osm.Way(10, {1, 2}, {{"highway", "primary"}})  // 36 km/h
      .Way(11, {2, 3}, {{"highway", "primary"}, {"maxspeed", "72"}, {"maxspeed:backward", "18"}});
  auto r = Import(osm);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  const double len = HaversineM({0, 0}, {0, 0.01});  // about 1112 m
  auto a12 = ArcOf(*r, 1, 2), a23 = ArcOf(*r, 2, 3), a32 = ArcOf(*r, 3, 2);
  ASSERT_GE(a12, 0);
  ASSERT_GE(a23, 0);
  ASSERT_GE(a32, 0);
  EXPECT_NEAR(r->graph.length_m[a12], len, 0.01);
  EXPECT_EQ(r->graph.time_ms[a12], static_cast<Millis>(std::lround(len / 10.0 * 1000)));
  EXPECT_EQ(r->graph.time_ms[a23], static_cast<Millis>(std::lround(len / 20.0 * 1000)));
  EXPECT_EQ(r->graph.time_ms[a32], static_cast<Millis>(std::lround(len / 5.0 * 1000)));
}

TEST_F(ImportTest, AccessNoExcludedButEmergencyYesKept) {
  OsmXml osm;
  // A square 1-2-3-4 of open roads, with a closed road 1-3 and an
  // emergency-only road 2-4 across it.
  osm.Node(1, 0, 0).Node(2, 0, 0.001).Node(3, 0.001, 0.001).Node(4, 0.001, 0);
  osm.Way(10, {1, 2, 3, 4, 1}, {{"highway", "residential"}})
      .Way(11, {1, 3}, {{"highway", "residential"}, {"access", "no"}})
      .Way(12, {2, 4}, {{"highway", "residential"}, {"access", "no"}, {"emergency", "yes"}})
      .Way(13, {1, 2}, {{"highway", "pedestrian"}});
  auto r = Import(osm);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_LT(ArcOf(*r, 1, 3), 0);
  EXPECT_GE(ArcOf(*r, 2, 4), 0);
  EXPECT_GE(ArcOf(*r, 4, 2), 0);
  EXPECT_EQ(r->graph.arcs(), 10u);  // 8 around the square + 2 across
  EXPECT_EQ(r->summary.routable_ways, 2u);
}

// A plus-shaped junction at node 100 with arms N (101), S (102), E (103), W (104).
OsmXml PlusJunction() {
  OsmXml osm;
  osm.Node(100, 0, 0)
      .Node(101, 0.001, 0)
      .Node(102, -0.001, 0)
      .Node(103, 0, 0.001)
      .Node(104, 0, -0.001);
  osm.Node(105, 0, 0.002).Node(106, 0, 0.003).Node(107, 0.001, 0.002);
  osm.Way(201, {102, 100}, {{"highway", "residential"}})
      .Way(202, {100, 101}, {{"highway", "residential"}})
      .Way(203, {100, 103}, {{"highway", "residential"}})
      .Way(204, {104, 100}, {{"highway", "residential"}})
      .Way(205, {103, 105, 106}, {{"highway", "residential"}})
      .Way(206, {105, 107}, {{"highway", "residential"}});
  return osm;
}

TEST_F(ImportTest, TurnRestrictions) {
  OsmXml osm = PlusJunction();
  using M = std::tuple<std::string, std::int64_t, std::string>;
  osm.Relation(301, {M{"way", 201, "from"}, M{"node", 100, "via"}, M{"way", 204, "to"}},
               {{"type", "restriction"}, {"restriction", "no_left_turn"}})
      .Relation(302, {M{"way", 204, "from"}, M{"node", 100, "via"}, M{"way", 203, "to"}},
                {{"type", "restriction"}, {"restriction", "only_straight_on"}})
      // via way: skipped and counted
      .Relation(303, {M{"way", 201, "from"}, M{"way", 202, "via"}, M{"way", 203, "to"}},
                {{"type", "restriction"}, {"restriction", "no_right_turn"}})
      // not for cars
      .Relation(304, {M{"way", 202, "from"}, M{"node", 100, "via"}, M{"way", 203, "to"}},
                {{"type", "restriction"}, {"restriction:hgv", "no_left_turn"}})
      .Relation(
          305, {M{"way", 202, "from"}, M{"node", 100, "via"}, M{"way", 204, "to"}},
          {{"type", "restriction"}, {"restriction", "no_right_turn"}, {"except", "bus;emergency"}})
      // via in the middle of two-way way 205: which side is "from"? skipped
      .Relation(306, {M{"way", 205, "from"}, M{"node", 105, "via"}, M{"way", 206, "to"}},
                {{"type", "restriction"}, {"restriction", "no_left_turn"}})
      // a from way that does not exist
      .Relation(307, {M{"way", 999, "from"}, M{"node", 100, "via"}, M{"way", 206, "to"}},
                {{"type", "restriction"}, {"restriction", "no_left_turn"}})
      // restriction:motorcar is read
      .Relation(308, {M{"way", 202, "from"}, M{"node", 100, "via"}, M{"way", 202, "to"}},
                {{"type", "restriction"}, {"restriction:motorcar", "no_u_turn"}});
  auto r = Import(osm);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  const auto& g = r->graph;
  ASSERT_EQ(g.restrictions.size(), 3u);
  auto find = [&](std::int64_t a, std::int64_t b, std::int64_t c) -> const TurnRestriction* {
    for (const auto& t : g.restrictions) {
      if (t.from == ArcOf(*r, a, b) && t.to == ArcOf(*r, b, c)) return &t;
    }
    return nullptr;
  };
  const TurnRestriction* left = find(102, 100, 104);
  ASSERT_NE(left, nullptr);
  EXPECT_EQ(left->kind, TurnRestriction::Kind::kNo);
  EXPECT_EQ(left->via, NodeOf(*r, 100));
  const TurnRestriction* straight = find(104, 100, 103);
  ASSERT_NE(straight, nullptr);
  EXPECT_EQ(straight->kind, TurnRestriction::Kind::kOnly);
  const TurnRestriction* u_turn = find(101, 100, 101);
  ASSERT_NE(u_turn, nullptr);
  EXPECT_EQ(u_turn->kind, TurnRestriction::Kind::kNo);
  for (const auto& t : g.restrictions) {
    EXPECT_EQ(g.head[t.from], t.via);
    EXPECT_GE(t.to, g.first_out[t.via]);
    EXPECT_LT(t.to, g.first_out[t.via + 1]);
  }
  EXPECT_EQ(r->summary.restrictions_kept, 3u);
  EXPECT_EQ(r->summary.restrictions_skipped_via_way, 1u);
  EXPECT_EQ(r->summary.restrictions_ignored, 2u);
  EXPECT_EQ(r->summary.restrictions_skipped_invalid, 2u);
}

TEST_F(ImportTest, IslandsAreDropped) {
  OsmXml osm;
  osm.Node(1, 0, 0).Node(2, 0, 0.001).Node(3, 0.001, 0.001).Node(4, 0.001, 0);
  osm.Way(10, {1, 2, 3, 4, 1}, {{"highway", "residential"}});
  // An island far away, and a one-way spur that cannot be left.
  osm.Node(20, 0.1, 0.1).Node(21, 0.1, 0.101).Node(30, -0.001, 0);
  osm.Way(11, {20, 21}, {{"highway", "residential"}})
      .Way(12, {1, 30}, {{"highway", "residential"}, {"oneway", "yes"}});
  ImportOptions options;
  std::vector<std::pair<double, std::string>> progress;
  options.progress = [&](double f, std::string_view phase) { progress.emplace_back(f, phase); };
  std::string path = dir_.path() + "/island.osm";
  WriteFile(path, osm.Text());
  auto r = ImportOsm(path, profile_, options);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->graph.nodes(), 4u);
  EXPECT_EQ(r->graph.arcs(), 8u);
  EXPECT_EQ(r->summary.components_dropped, 2u);
  EXPECT_EQ(r->summary.nodes_dropped, 3u);
  EXPECT_EQ(r->summary.arcs_dropped, 3u);
  EXPECT_EQ(NodeOf(*r, 20), kNoNode);
  // Renumbered compactly, in OSM id order.
  EXPECT_EQ(r->osm_node_ids, (std::vector<std::int64_t>{1, 2, 3, 4}));
  auto scc = FindStrongComponents(r->graph.first_out, r->graph.head);
  EXPECT_EQ(scc.count(), 1u);
  // Progress: non-decreasing, ends at 1 "done".
  ASSERT_FALSE(progress.empty());
  for (size_t i = 1; i < progress.size(); ++i) EXPECT_GE(progress[i].first, progress[i - 1].first);
  EXPECT_EQ(progress.back(), (std::pair<double, std::string>{1.0, "done"}));
}

TEST_F(ImportTest, UnsortedXmlGivesTheSameGraph) {
  OsmXml sorted, unsorted;
  sorted.Node(1, 0, 0).Node(2, 0, 0.001).Node(3, 0.001, 0.001);
  unsorted.Node(3, 0.001, 0.001).Node(1, 0, 0).Node(2, 0, 0.001);
  for (OsmXml* o : {&sorted, &unsorted}) o->Way(10, {1, 2, 3, 1}, {{"highway", "residential"}});
  auto a = Import(sorted), b = Import(unsorted);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->graph.head, b->graph.head);
  EXPECT_EQ(a->graph.time_ms, b->graph.time_ms);
  EXPECT_EQ(a->osm_node_ids, b->osm_node_ids);
}

TEST_F(ImportTest, EmptyExtractIsAnError) {
  OsmXml osm;
  osm.Node(1, 0, 0).Node(2, 0, 0.001);
  osm.Way(10, {1, 2}, {{"highway", "footway"}}).Way(11, {1, 2}, {{"building", "yes"}});
  auto r = Import(osm);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kInvalid);
  EXPECT_NE(r.error().message().find("no routable roads"), std::string::npos)
      << r.error().message();
}

TEST_F(ImportTest, MissingFile) {
  auto r = ImportOsm(dir_.path() + "/nope.osm.pbf", profile_);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  EXPECT_NE(r.error().message().find("nope.osm.pbf"), std::string::npos);
}

TEST_F(ImportTest, NonOsmFiles) {
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"text.osm.pbf", "hello, world\n"},
           {"empty.osm", ""},
           {"binary.osm", std::string("\x00\x01\x02\x03\xff", 5)},
           {"html.osm", "<html><body>not osm</body></html>"}}) {
    std::string path = dir_.path() + "/" + name;
    WriteFile(path, text);
    auto r = ImportOsm(path, profile_);
    ASSERT_FALSE(r.has_value()) << name;
    EXPECT_NE(r.error().message().find(name), std::string::npos) << r.error().message();
  }
}

TEST_F(ImportTest, TruncatedFiles) {
  const std::string monaco = std::string(kShared) + "/osm/monaco.osm.pbf";
  if (!fs::exists(monaco)) GTEST_SKIP() << monaco << " not found";
  std::string bytes = ReadFile(monaco);
  for (size_t keep : {bytes.size() / 2, size_t{100}, size_t{10}}) {
    std::string path = dir_.path() + "/cut" + std::to_string(keep) + ".osm.pbf";
    WriteFile(path, bytes.substr(0, keep));
    auto r = ImportOsm(path, profile_);
    ASSERT_FALSE(r.has_value()) << keep;
    EXPECT_EQ(r.error().code(), Code::kMalformed) << r.error().message();
  }
  // Truncated XML.
  OsmXml osm = PlusJunction();
  std::string text = osm.Text();
  std::string path = dir_.path() + "/cut.osm";
  WriteFile(path, text.substr(0, text.size() / 2));
  auto r = ImportOsm(path, profile_);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kMalformed) << r.error().message();
}

// ------------------------------------------------------------ shared extracts

void ExpectSameGraph(const RoadGraph& a, const RoadGraph& b) {
  ASSERT_EQ(a.nodes(), b.nodes());
  ASSERT_EQ(a.arcs(), b.arcs());
  for (NodeIndex v = 0; v < a.nodes(); ++v) {
    ASSERT_EQ(a.coords[v].lat, b.coords[v].lat);
    ASSERT_EQ(a.coords[v].lon, b.coords[v].lon);
  }
  EXPECT_EQ(a.first_out, b.first_out);
  EXPECT_EQ(a.head, b.head);
  EXPECT_EQ(a.time_ms, b.time_ms);
  EXPECT_EQ(a.length_m, b.length_m);
  ASSERT_EQ(a.restrictions.size(), b.restrictions.size());
  for (size_t i = 0; i < a.restrictions.size(); ++i) {
    EXPECT_EQ(a.restrictions[i].from, b.restrictions[i].from);
    EXPECT_EQ(a.restrictions[i].via, b.restrictions[i].via);
    EXPECT_EQ(a.restrictions[i].to, b.restrictions[i].to);
    EXPECT_EQ(a.restrictions[i].kind, b.restrictions[i].kind);
  }
}

class SharedExtracts : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = Profile::Load("config/routing_profile.json");
    ASSERT_TRUE(p.has_value()) << p.error().message();
    profile_ = std::make_unique<Profile>(std::move(*p));
  }
  Result<ImportResult> Load(const std::string& name) {
    return ImportOsm(std::string(kShared) + "/osm/" + name, *profile_);
  }
  bool Have(const std::string& name) { return fs::exists(std::string(kShared) + "/osm/" + name); }
  std::unique_ptr<Profile> profile_;
};

void ExpectPlausible(const ImportResult& r, NodeIndex min_nodes, NodeIndex max_nodes) {
  const auto& g = r.graph;
  EXPECT_GE(g.nodes(), min_nodes);
  EXPECT_LE(g.nodes(), max_nodes);
  EXPECT_GT(g.arcs(), g.nodes());      // mostly two-way streets
  EXPECT_LT(g.arcs(), 3 * g.nodes());  // but a road network, not a mesh
  // Dropped components are small compared with the kept one.
  EXPECT_LT(r.summary.nodes_dropped, g.nodes() / 4);
  EXPECT_EQ(FindStrongComponents(g.first_out, g.head).count(), 1u);
  double total_m = 0;
  for (ArcIndex a = 0; a < g.arcs(); ++a) {
    ASSERT_GE(g.time_ms[a], 1u);
    total_m += g.length_m[a];
    // No arc faster than 160 km/h.
    ASSERT_GE(g.time_ms[a] + 1, g.length_m[a] / (160 / 3.6) * 1000) << a;
  }
  EXPECT_GT(total_m / g.arcs(), 5);  // metres per segment
  EXPECT_LT(total_m / g.arcs(), 200);
}

TEST_F(SharedExtracts, Monaco) {
  if (!Have("monaco.osm.pbf")) GTEST_SKIP();
  auto r = Load("monaco.osm.pbf");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ExpectPlausible(*r, 8000, 30000);
  EXPECT_GT(r->summary.restrictions_kept, 10u);
  for (const auto& c : r->graph.coords) {
    ASSERT_NEAR(c.lat, 43.73, 0.1);
    ASSERT_NEAR(c.lon, 7.42, 0.1);
  }
}

TEST_F(SharedExtracts, SanFranciscoXmlAndPbfAreIdentical) {
  if (!Have("sf_mission_bayview_2014.osm") || !Have("sf_mission_bayview_2014.osm.pbf")) {
    GTEST_SKIP();
  }
  auto xml = Load("sf_mission_bayview_2014.osm");
  auto pbf = Load("sf_mission_bayview_2014.osm.pbf");
  ASSERT_TRUE(xml.has_value()) << xml.error().message();
  ASSERT_TRUE(pbf.has_value()) << pbf.error().message();
  ExpectPlausible(*xml, 3000, 10000);
  ExpectSameGraph(xml->graph, pbf->graph);
  EXPECT_EQ(xml->osm_node_ids, pbf->osm_node_ids);
}

TEST_F(SharedExtracts, Porto) {
  if (!Have("porto_2015.osm.pbf")) GTEST_SKIP();
  auto r = Load("porto_2015.osm.pbf");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ExpectPlausible(*r, 200000, 400000);
  EXPECT_GT(r->summary.restrictions_kept, 200u);
  EXPECT_LT(r->summary.total_s, 5.0);  // generous: shared CI machines
}

// ------------------------------------------------------------------- DIMACS

void WriteGz(const std::string& path, const std::string& text) {
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())),
            static_cast<int>(text.size()));
  gzclose(gz);
}

class DimacsTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_.path() + "/" + name;
    if (name.ends_with(".gz")) {
      WriteGz(path, text);
    } else {
      WriteFile(path, text);
    }
    return path;
  }
  testing::TempDir dir_;
  const std::string gr_ = "c test\np sp 3 4\na 1 2 10\na 2 1 10\na 2 3 25\na 3 1 7\n";
  const std::string d_ = "p sp 3 4\na 1 2 1110\na 2 1 1110\na 2 3 1120\na 3 1 1570\n";
  const std::string co_ =
      "c coords\np aux sp co 3\nv 1 -73000000 41000000\nv 2 -72999000 41000000\n"
      "v 3 -72999000 41001000\n";
};

TEST_F(DimacsTest, ReadsTimeDistanceAndCoordinates) {
  auto g = ImportDimacs(Write("t.gr.gz", gr_), Write("t.co", co_), Write("d.gr", d_));
  ASSERT_TRUE(g.has_value()) << g.error().message();
  ASSERT_EQ(g->nodes(), 3u);
  ASSERT_EQ(g->arcs(), 4u);
  EXPECT_DOUBLE_EQ(g->coords[0].lat, 41.0);
  EXPECT_DOUBLE_EQ(g->coords[0].lon, -73.0);
  // Node 2 (index 1) has arcs to 1 (index 0) and 3 (index 2), sorted by head.
  ASSERT_EQ(g->first_out, (std::vector<ArcIndex>{0, 1, 3, 4}));
  EXPECT_EQ(g->head, (std::vector<NodeIndex>{1, 0, 2, 0}));
  EXPECT_EQ(g->time_ms, (std::vector<Millis>{1000, 1000, 2500, 700}));
  EXPECT_FLOAT_EQ(g->length_m[2], 112.0f);

  auto no_d = ImportDimacs(Write("t2.gr", gr_), Write("t2.co.gz", co_));
  ASSERT_TRUE(no_d.has_value()) << no_d.error().message();
  EXPECT_NEAR(no_d->length_m[0], HaversineM({41, -73}, {41, -72.999}), 0.01);
}

TEST_F(DimacsTest, ErrorsNameTheLine) {
  struct Case {
    std::string gr, co, d, expect;
  };
  std::vector<Case> cases = {
      {"p sp 3 4\na 1 2 10\nx\n", co_, "", "t.gr:3:"},
      {"p sp 3 4\na 1 2\n", co_, "", "t.gr:2:"},
      {"a 1 2 3\np sp 3 1\n", co_, "", "t.gr:1:"},
      {"p sp 3 1\na 1 4 3\n", co_, "", "t.gr:2:"},
      {"p sp 3 1\na 1 2 -3\n", co_, "", "t.gr:2:"},
      {"p sp 3 1\na 1 2 3\na 2 3 4\n", co_, "", "t.gr:3:"},
      {"p sp 3 3\na 1 2 3\n", co_, "", "line 1 announces 3 arcs"},
      {gr_, "p aux sp co 3\nv 1 1 1\nv 2 1 1\nv 2 1 1\n", "", "t.co:4:"},
      {gr_, "p aux sp co 3\nv 1 1 1\nv 2 1 999000000\n", "", "t.co:3:"},
      {gr_, "p aux sp co 3\nv 1 1 1\nv 2 1 1\n", "", "node 3 has no coordinates"},
      {gr_, "p aux sp co 4\n", "", "t.co:1:"},
      {gr_, co_, "p sp 3 4\na 1 2 1\na 2 1 1\na 3 2 1\na 3 1 1\n", "d.gr:4:"},
      {gr_, co_, "p sp 3 5\n", "d.gr:1:"},
  };
  for (const auto& c : cases) {
    std::string gr = Write("t.gr", c.gr), co = Write("t.co", c.co);
    std::string d = c.d.empty() ? "" : Write("d.gr", c.d);
    auto g = ImportDimacs(gr, co, d);
    ASSERT_FALSE(g.has_value()) << c.expect;
    EXPECT_NE(g.error().message().find(c.expect), std::string::npos)
        << "expected \"" << c.expect << "\" in: " << g.error().message();
  }
  EXPECT_EQ(ImportDimacs(dir_.path() + "/none.gr", dir_.path() + "/none.co").error().code(),
            Code::kNotFound);
  // A truncated gzip file.
  std::string gz = ReadFile(Write("full.gr.gz", gr_ + std::string(5000, 'c') + "\n"));
  std::string cut = dir_.path() + "/cut.gr.gz";
  WriteFile(cut, gz.substr(0, gz.size() - 12));
  auto g = ImportDimacs(cut, Write("t.co", co_));
  ASSERT_FALSE(g.has_value());
  EXPECT_NE(g.error().message().find("cut.gr.gz"), std::string::npos) << g.error().message();
}

TEST_F(DimacsTest, NewYork) {
  const std::string dir = std::string(kShared) + "/dimacs/";
  if (!fs::exists(dir + "USA-road-t.NY.gr.gz")) GTEST_SKIP();
  auto g = ImportDimacs(dir + "USA-road-t.NY.gr.gz", dir + "USA-road-d.NY.co.gz",
                        dir + "USA-road-d.NY.gr.gz");
  ASSERT_TRUE(g.has_value()) << g.error().message();
  EXPECT_EQ(g->nodes(), 264346u);
  EXPECT_EQ(g->arcs(), 733846u);
  // The -d lengths (tenths of a metre) agree with the coordinates.
  double sum_d = 0, sum_h = 0;
  for (NodeIndex v = 0; v < g->nodes(); ++v) {
    for (ArcIndex a = g->first_out[v]; a < g->first_out[v + 1]; ++a) {
      sum_d += g->length_m[a];
      sum_h += HaversineM(g->coords[v], g->coords[g->head[a]]);
    }
  }
  EXPECT_NEAR(sum_d / sum_h, 1.0, 0.05);
}

// --------------------------------------------------------------- graph file

RoadGraph SmallGraph() {
  std::vector<LatLon> coords = {{41.1, -8.6}, {41.2, -8.6}, {41.2, -8.5}};
  RoadGraph g = BuildGraph(
      coords, {{0, 1, 1000, 11.5f}, {1, 0, 1200, 11.5f}, {1, 2, 800, 9.0f}, {2, 0, 3000, 30.0f}});
  // from 0->1 (arc 0) at node 1, no turn onto 1->0 (arc 1).
  g.restrictions.push_back({0, 1, 1, TurnRestriction::Kind::kNo});
  g.restrictions.push_back({0, 1, 2, TurnRestriction::Kind::kOnly});
  return g;
}

class GraphFileTest : public ::testing::Test {
 protected:
  std::string WriteSmall(const std::string& name, const std::string& source = "test.osm.pbf") {
    GraphFileWriter w;
    w.SetProfileHash(profile_.hash());
    w.SetSource(source, 1234);
    SaveRoadGraph(w, SmallGraph());
    std::vector<std::uint64_t> extra = {7, 8, 9};
    w.Add("ch.rank", extra);
    std::string path = dir_.path() + "/" + name;
    Status s = w.Write(path);
    EXPECT_TRUE(s.ok()) << s.message();
    return path;
  }
  void Mutate(const std::string& path, const std::function<void(std::string&)>& f) {
    std::string bytes = ReadFile(path);
    f(bytes);
    WriteFile(path, bytes);
  }
  testing::TempDir dir_;
  Profile profile_ = TestProfile();
};

TEST_F(GraphFileTest, RoundTrip) {
  std::string path = WriteSmall("g.graph");
  auto f = GraphFile::Open(path);
  ASSERT_TRUE(f.has_value()) << f.error().message();
  EXPECT_EQ(f->source_name(), "test.osm.pbf");
  EXPECT_EQ(f->source_size(), 1234u);
  EXPECT_EQ(f->profile_hash(), profile_.hash());
  EXPECT_TRUE(f->CheckProfile(profile_.hash()).ok());
  EXPECT_TRUE(f->HasSection("ch.rank"));
  EXPECT_EQ(f->sections().size(), 7u);
  for (const auto& s : f->sections()) EXPECT_EQ(s.offset % 8, 0u) << s.name;
  auto g = LoadRoadGraph(*f);
  ASSERT_TRUE(g.has_value()) << g.error().message();
  ExpectSameGraph(*g, SmallGraph());
  auto rank = f->Section<std::uint64_t>("ch.rank");
  ASSERT_TRUE(rank.has_value());
  EXPECT_EQ(std::vector<std::uint64_t>(rank->begin(), rank->end()),
            (std::vector<std::uint64_t>{7, 8, 9}));

  // Moving keeps the mapping alive.
  GraphFile moved = std::move(*f);
  EXPECT_EQ(moved.Section<std::uint64_t>("ch.rank")->size(), 3u);
}

TEST_F(GraphFileTest, FingerprintIsDeterministicAndIgnoresSourceName) {
  auto a = GraphFile::Open(WriteSmall("a.graph", "one.osm.pbf"));
  auto b = GraphFile::Open(WriteSmall("b.graph", "two.osm"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->fingerprint(), b->fingerprint());
  EXPECT_EQ(ReadFile(dir_.path() + "/a.graph").size(), ReadFile(dir_.path() + "/b.graph").size());
}

TEST_F(GraphFileTest, SectionErrors) {
  auto f = GraphFile::Open(WriteSmall("g.graph"));
  ASSERT_TRUE(f.has_value());
  auto missing = f->Section<std::uint32_t>("ch.nope");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  EXPECT_NE(missing.error().message().find("ch.nope"), std::string::npos);
  auto wrong = f->Section<std::uint64_t>(kRoadHead);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message().find("road.head"), std::string::npos);
  auto other = Profile::Parse(R"({"version":1,"highways":{"primary":{"speed_kmh":99}}})");
  Status s = f->CheckProfile(other->hash());
  EXPECT_EQ(s.code(), Code::kInvalid);
  EXPECT_NE(s.message().find("import-osm"), std::string::npos);
}

TEST_F(GraphFileTest, WriterRejectsBadNames) {
  std::vector<std::uint32_t> v = {1};
  GraphFileWriter dup;
  dup.Add("a", v);
  dup.Add("a", v);
  EXPECT_EQ(dup.Write(dir_.path() + "/dup.graph").code(), Code::kInvalid);
  GraphFileWriter long_name;
  long_name.Add(std::string(40, 'x'), v);
  EXPECT_EQ(long_name.Write(dir_.path() + "/long.graph").code(), Code::kInvalid);
  EXPECT_FALSE(fs::exists(dir_.path() + "/dup.graph"));
  GraphFileWriter ok;
  ok.Add("a", v);
  EXPECT_EQ(ok.Write(dir_.path() + "/no/such/dir/x.graph").code(), Code::kUnavailable);
}

TEST_F(GraphFileTest, RewriteReplacesAtomically) {
  std::string path = WriteSmall("g.graph");
  GraphFileWriter w;
  std::vector<std::uint32_t> v = {1, 2, 3};
  w.Add("x", v);
  ASSERT_TRUE(w.Write(path).ok());
  auto f = GraphFile::Open(path);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->sections().size(), 1u);
  // No temporary files left behind.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_.path())) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
}

TEST_F(GraphFileTest, DetectsCorruption) {
  struct Case {
    std::string name;
    std::function<void(std::string&)> mutate;
    std::string expect;
  };
  std::vector<Case> cases = {
      {"flip payload byte", [](std::string& b) { b[b.size() - 3] ^= 0x40; }, "fingerprint"},
      {"flip table byte", [](std::string& b) { b[256 + 50] ^= 0x01; }, "corrupt"},
      {"truncate", [](std::string& b) { b.resize(b.size() - 10); }, "truncated"},
      {"truncate to header", [](std::string& b) { b.resize(100); }, "truncated"},
      {"append", [](std::string& b) { b += "xx"; }, "corrupt"},
      {"wrong version", [](std::string& b) { b[8] = 2; }, "format version 2"},
      {"bad magic", [](std::string& b) { b[0] = 'X'; }, "not a Beacon graph file"},
      {"empty", [](std::string& b) { b.clear(); }, "truncated"},
      {"profile hash", [](std::string& b) { b[70] ^= 1; }, "fingerprint"},
  };
  for (const auto& c : cases) {
    std::string path = WriteSmall("c.graph");
    Mutate(path, c.mutate);
    auto f = GraphFile::Open(path);
    ASSERT_FALSE(f.has_value()) << c.name;
    EXPECT_NE(f.error().message().find(c.expect), std::string::npos)
        << c.name << ": " << f.error().message();
    EXPECT_NE(f.error().message().find("beacon import-osm"), std::string::npos)
        << c.name << ": " << f.error().message();
  }
  auto missing = GraphFile::Open(dir_.path() + "/none.graph");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
}

TEST_F(GraphFileTest, LoadChecksContentsWhenFingerprintIsSkipped) {
  std::string path = WriteSmall("g.graph");
  auto f = GraphFile::Open(path);
  ASSERT_TRUE(f.has_value());
  std::uint64_t head_offset = 0;
  for (const auto& s : f->sections()) {
    if (s.name == kRoadHead) head_offset = s.offset;
  }
  ASSERT_GT(head_offset, 0u);
  Mutate(path, [&](std::string& b) { b[head_offset] = 9; });  // node 9 of 3
  GraphFileOptions options;
  options.verify_fingerprint = false;
  auto unchecked = GraphFile::Open(path, options);
  ASSERT_TRUE(unchecked.has_value()) << unchecked.error().message();
  auto g = LoadRoadGraph(*unchecked);
  ASSERT_FALSE(g.has_value());
  EXPECT_NE(g.error().message().find("road.head"), std::string::npos) << g.error().message();
}

TEST_F(GraphFileTest, ImportedGraphRoundTrips) {
  const std::string monaco = std::string(kShared) + "/osm/monaco.osm.pbf";
  if (!fs::exists(monaco)) GTEST_SKIP();
  auto r = ImportOsm(monaco, profile_);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  GraphFileWriter w;
  SaveRoadGraph(w, r->graph);
  std::string path = dir_.path() + "/monaco.graph";
  ASSERT_TRUE(w.Write(path).ok());
  auto f = GraphFile::Open(path);
  ASSERT_TRUE(f.has_value()) << f.error().message();
  auto g = LoadRoadGraph(*f);
  ASSERT_TRUE(g.has_value()) << g.error().message();
  ExpectSameGraph(*g, r->graph);
}

}  // namespace
}  // namespace beacon::routing
