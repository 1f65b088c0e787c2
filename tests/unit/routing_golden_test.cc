// Golden routing cases: tests/golden/routing/<case>.map files, each a small
// street map drawn in text with its ways, turn restrictions and expected
// routes (format: tests/golden/routing/README.md). Each case is rendered to
// an OSM XML file, imported (ImportOsm), split for turn restrictions,
// contracted, written to a graph file and opened as a RoadNetwork, the path
// the server takes. Adding a case needs no C++.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "routing/contraction.h"
#include "routing/graph_file.h"
#include "routing/osm_import.h"
#include "routing/profile.h"
#include "routing/road_network.h"
#include "routing/turn_restrictions.h"
#include "support/harness.h"

namespace beacon::routing {
namespace {

namespace fs = std::filesystem;

const std::string kDir = std::string(BEACON_SOURCE_DIR) + "/tests/golden/routing";
// Degrees per metre on the equator (haversine radius of common/geo.cc).
constexpr double kDegPerM = 180.0 / (M_PI * 6371008.8);

struct Way {
  std::string nodes;  // node letters, also the way's name
  std::vector<std::pair<std::string, std::string>> tags;
};
struct Restriction {
  std::string type, from, via, to;
  int line;
};
struct Expectation {
  std::string from, to;
  std::string result;  // eta in seconds, "unreachable" or "error"
  std::string via;     // node letters the route passes, in order
  int line;
};
struct Case {
  double scale_m = 10;
  std::map<char, LatLon> places;  // letters (OSM nodes) and digits (points)
  std::vector<Way> ways;
  std::vector<Restriction> restrictions;
  std::vector<Expectation> routes;
  std::vector<Expectation> snaps;  // from = point, result = node letter or "error"
  bool keep_all_components = false;
  double max_snap_m = RoadNetwork::kDefaultMaxSnapM;
};

std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// Parses a .map file; failures are reported with the line number.
Case Parse(const std::string& path) {
  Case c;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::string section, line;
  int row = 0;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string where = path + ":" + std::to_string(n);
    if (line.rfind("==", 0) == 0) {
      auto w = Words(line.substr(2));
      section = w.empty() ? "" : w[0];
      if (section == "map" && w.size() > 1) c.scale_m = std::stod(w[1]);
      continue;
    }
    if (section == "map") {
      for (std::size_t col = 0; col < line.size(); ++col) {
        char ch = line[col];
        if (std::islower(static_cast<unsigned char>(ch)) ||
            std::isdigit(static_cast<unsigned char>(ch))) {
          EXPECT_EQ(c.places.count(ch), 0u) << where << ": '" << ch << "' drawn twice";
          c.places[ch] = {-row * c.scale_m * kDegPerM, col * c.scale_m * kDegPerM};
        }
      }
      ++row;
      continue;
    }
    auto w = Words(line);
    if (w.empty() || w[0][0] == '#') continue;
    if (section == "ways") {
      Way way{w[0], {}};
      for (std::size_t i = 1; i < w.size(); ++i) {
        auto eq = w[i].find('=');
        EXPECT_NE(eq, std::string::npos) << where << ": tag without '='";
        if (eq == std::string::npos) continue;
        way.tags.push_back({w[i].substr(0, eq), w[i].substr(eq + 1)});
      }
      c.ways.push_back(way);
    } else if (section == "restrictions") {
      EXPECT_EQ(w.size(), 4u) << where << ": expected TYPE FROM_WAY VIA_NODE TO_WAY";
      if (w.size() == 4) c.restrictions.push_back({w[0], w[1], w[2], w[3], n});
    } else if (section == "options") {
      if (w[0] == "keep_all_components") {
        c.keep_all_components = true;
      } else if (w[0] == "max_snap_m" && w.size() == 2) {
        c.max_snap_m = std::stod(w[1]);
      } else {
        ADD_FAILURE() << where << ": unknown option " << line;
      }
    } else if (section == "routes") {
      EXPECT_TRUE(w.size() == 3 || (w.size() == 5 && w[3] == "via"))
          << where << ": expected FROM TO (ETA_S|unreachable|error) [via NODES]";
      if (w.size() < 3) continue;
      c.routes.push_back({w[0], w[1], w[2], w.size() == 5 ? w[4] : "", n});
    } else if (section == "snap") {
      EXPECT_EQ(w.size(), 2u) << where << ": expected POINT (NODE|error)";
      if (w.size() == 2) c.snaps.push_back({w[0], "", w[1], "", n});
    } else {
      ADD_FAILURE() << where << ": line outside a known section";
    }
  }
  return c;
}

// OSM ids: node = 1 + its character code; way = 1 + its row in the table.
std::string RenderOsm(const Case& c) {
  std::ostringstream os;
  os.precision(12);
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\" generator=\"test\">\n";
  for (const auto& [ch, p] : c.places) {
    if (!std::islower(static_cast<unsigned char>(ch))) continue;
    os << " <node id=\"" << 1 + ch << "\" version=\"1\" lat=\"" << p.lat << "\" lon=\"" << p.lon
       << "\"/>\n";
  }
  std::map<std::string, int> way_id;
  for (std::size_t i = 0; i < c.ways.size(); ++i) {
    const Way& w = c.ways[i];
    way_id[w.nodes] = static_cast<int>(i + 1);
    os << " <way id=\"" << i + 1 << "\" version=\"1\">\n";
    for (char ch : w.nodes) {
      EXPECT_EQ(c.places.count(ch), 1u) << "way " << w.nodes << ": node " << ch << " not drawn";
      os << "  <nd ref=\"" << 1 + ch << "\"/>\n";
    }
    for (const auto& [k, v] : w.tags) os << "  <tag k=\"" << k << "\" v=\"" << v << "\"/>\n";
    os << " </way>\n";
  }
  for (std::size_t i = 0; i < c.restrictions.size(); ++i) {
    const Restriction& r = c.restrictions[i];
    EXPECT_TRUE(way_id.count(r.from) && way_id.count(r.to) && r.via.size() == 1)
        << "line " << r.line << ": unknown way or via node";
    os << " <relation id=\"" << i + 1 << "\" version=\"1\">\n"
       << "  <member type=\"way\" ref=\"" << way_id[r.from] << "\" role=\"from\"/>\n"
       << "  <member type=\"node\" ref=\"" << 1 + r.via[0] << "\" role=\"via\"/>\n"
       << "  <member type=\"way\" ref=\"" << way_id[r.to] << "\" role=\"to\"/>\n"
       << "  <tag k=\"type\" v=\"restriction\"/>\n"
       << "  <tag k=\"restriction\" v=\"" << r.type << "\"/>\n </relation>\n";
  }
  os << "</osm>\n";
  return os.str();
}

bool Same(LatLon a, LatLon b) {
  return std::abs(a.lat - b.lat) < 1e-6 && std::abs(a.lon - b.lon) < 1e-6;
}

class RoutingGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(RoutingGolden, Case) {
  const std::string path = kDir + "/" + GetParam() + ".map";
  Case c = Parse(path);
  ASSERT_FALSE(::testing::Test::HasFailure()) << "cannot parse " << path;

  beacon::testing::TempDir dir;
  const std::string osm = dir.path() + "/case.osm";
  std::ofstream(osm) << RenderOsm(c);
  auto profile = Profile::Load(std::string(BEACON_SOURCE_DIR) + "/config/routing_profile.json");
  ASSERT_TRUE(profile) << profile.error().message();
  ImportOptions options;
  options.largest_component_only = !c.keep_all_components;
  auto imported = ImportOsm(osm, *profile, options);
  ASSERT_TRUE(imported) << imported.error().message();
  EXPECT_EQ(imported->summary.restrictions_kept, c.restrictions.size())
      << "a restriction was not kept: " << imported->summary.ToString();
  SplitGraph split = SplitTurnRestrictions(imported->graph);
  ContractedGraph ch = Contract(split.graph);
  GraphFileWriter writer;
  SaveRoadGraph(writer, split.graph);
  SaveContractedGraph(writer, ch);
  SaveOriginalNodes(writer, split.original_node);
  const std::string graph_file = dir.path() + "/case.graph";
  ASSERT_TRUE(writer.Write(graph_file).ok());
  auto net = RoadNetwork::Open(graph_file, c.max_snap_m);
  ASSERT_TRUE(net) << net.error().message();
  EXPECT_EQ((*net)->copies(), split.copies);

  auto place = [&](const std::string& name) -> LatLon {
    EXPECT_TRUE(name.size() == 1 && c.places.count(name[0])) << "unknown place " << name;
    return name.size() == 1 && c.places.count(name[0]) ? c.places.at(name[0]) : LatLon{};
  };
  for (const auto& e : c.routes) {
    SCOPED_TRACE(path + ":" + std::to_string(e.line) + ": " + e.from + " -> " + e.to);
    auto r = (*net)->Route(place(e.from), place(e.to));
    if (e.result == "unreachable" || e.result == "error") {
      ASSERT_FALSE(r) << "expected " << e.result << ", got eta_s " << r->eta_s;
      const bool no_route = r.error().message().find("no road route") != std::string::npos;
      EXPECT_EQ(no_route, e.result == "unreachable") << r.error().message();
      continue;
    }
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_NEAR(r->eta_s, std::stod(e.result), 0.5);
    std::size_t at = 0;
    for (char v : e.via) {
      while (at < r->geometry.size() && !Same(r->geometry[at], place(std::string(1, v)))) ++at;
      EXPECT_LT(at, r->geometry.size()) << "the route does not pass " << v << " (in order)";
    }
  }
  for (const auto& e : c.snaps) {
    SCOPED_TRACE(path + ":" + std::to_string(e.line) + ": snap " + e.from);
    auto s = (*net)->SnapPoint(place(e.from));
    if (e.result == "error") {
      EXPECT_FALSE(s) << "expected a snapping error";
      continue;
    }
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_LT(s->node, (*net)->graph().nodes());
    if ((*net)->original_node().size() > s->node) {
      EXPECT_EQ((*net)->original_node()[s->node], s->node) << "snapped to a copy";
    }
    EXPECT_TRUE(Same((*net)->graph().coords[s->node], place(e.result)))
        << "snapped to another node than " << e.result;
  }
}

std::vector<std::string> Cases() {
  std::vector<std::string> out;
  for (const auto& f : fs::directory_iterator(kDir)) {
    if (f.path().extension() == ".map") out.push_back(f.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

INSTANTIATE_TEST_SUITE_P(Maps, RoutingGolden, ::testing::ValuesIn(Cases()), [](const auto& info) {
  std::string name = info.param;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
});

}  // namespace
}  // namespace beacon::routing
