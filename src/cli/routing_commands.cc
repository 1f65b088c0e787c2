#include "cli/routing_commands.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/embedded.h"
#include "cli/progress.h"
#include "geocode/osm_gazetteer.h"
#include "routing/contraction.h"
#include "routing/dimacs_import.h"
#include "routing/graph_file.h"
#include "routing/osm_import.h"
#include "routing/road_network.h"
#include "routing/turn_restrictions.h"

namespace beacon::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

int Fail(const std::string& msg) {
  std::cerr << "beacon: " << msg << "\n";
  return 2;
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

Result<routing::Profile> LoadProfile(const std::optional<std::string>& file) {
  if (file) return routing::Profile::Load(*file);
  return routing::Profile::Parse(DefaultRoutingProfile());
}

// Contracts `graph` and writes graph + hierarchy (+ the copies' original
// nodes, when the graph was split for turn restrictions) to `out`.
int ContractAndWrite(const routing::RoadGraph& graph, const routing::ProfileHash& profile_hash,
                     const std::string& source, const std::string& out, json& summary,
                     const std::vector<routing::NodeIndex>& original_node = {},
                     const geocode::Gazetteer* gazetteer = nullptr) {
  ProgressBar bar;
  auto t0 = Clock::now();
  routing::ContractionOptions opts;
  opts.progress = [&](double f) { bar.Update(f, "contracting"); };
  routing::ContractionStats stats;
  auto ch = routing::Contract(graph, opts, &stats);
  bar.Done();
  summary["contract_s"] = Seconds(t0);
  summary["shortcuts"] = stats.shortcuts;
  routing::GraphFileWriter w;
  w.SetProfileHash(profile_hash);
  std::error_code ec;
  w.SetSource(std::filesystem::path(source).filename().string(),
              std::filesystem::file_size(source, ec));
  routing::SaveRoadGraph(w, graph);
  routing::SaveContractedGraph(w, ch);
  routing::SaveOriginalNodes(w, original_node);
  if (gazetteer) geocode::SaveGazetteer(w, *gazetteer);
  if (auto s = w.Write(out); !s.ok()) return Fail(s.message());
  summary["file"] = out;
  summary["file_bytes"] = std::filesystem::file_size(out, ec);
  summary["bytes_per_node"] =
      graph.nodes() ? static_cast<double>(std::filesystem::file_size(out, ec)) / graph.nodes() : 0;
  return 0;
}

}  // namespace

int ImportOsmCommand(const std::string& input, const std::string& out,
                     const std::optional<std::string>& profile_file, bool gazetteer) {
  auto profile = LoadProfile(profile_file);
  if (!profile) return Fail("routing profile: " + profile.error().message());
  auto t0 = Clock::now();
  routing::ImportOptions opts;
  ProgressBar bar;
  opts.progress = [&](double f, std::string_view phase) { bar.Update(f, phase); };
  geocode::OsmGazetteerBuilder gazetteer_builder;
  if (gazetteer) opts.sink = &gazetteer_builder;
  auto imported = routing::ImportOsm(input, *profile, opts);
  bar.Done();
  if (!imported) return Fail(imported.error().message());
  std::optional<geocode::Gazetteer> gaz;
  json gaz_summary = nullptr;
  if (gazetteer) {
    geocode::GazetteerSummary gs;
    gaz = gazetteer_builder.Finish(&gs);
    gaz_summary = {{"named_ways", gs.named_ways},
                   {"nodes", gs.way_nodes},
                   {"house_numbers", gs.addresses},
                   {"interpolated", gs.interpolated},
                   {"interpolation_ways_skipped", gs.interpolation_ways_skipped},
                   {"places", gs.places},
                   {"strings", gs.strings},
                   {"finish_s", gs.finish_s}};
  }
  json summary = {{"input", input},
                  {"nodes", imported->summary.nodes},
                  {"arcs", imported->summary.arcs},
                  {"restrictions", imported->summary.restrictions_kept},
                  {"restrictions_skipped", imported->summary.restrictions_skipped_via_way +
                                               imported->summary.restrictions_skipped_invalid},
                  {"components_dropped", imported->summary.components_dropped},
                  {"nodes_dropped", imported->summary.nodes_dropped},
                  {"import_s", imported->summary.total_s}};
  // Turn restrictions become part of the graph (node copies) before
  // contraction, so that every query honours them.
  auto t_split = Clock::now();
  routing::SplitGraph split = routing::SplitTurnRestrictions(imported->graph);
  imported->graph = {};
  summary["turn_node_copies"] = split.copies;
  summary["split_nodes"] = split.graph.nodes();
  summary["split_arcs"] = split.graph.arcs();
  summary["split_s"] = Seconds(t_split);
  summary["gazetteer"] = gaz_summary;
  if (int rc = ContractAndWrite(split.graph, profile->hash(), input, out, summary,
                                split.original_node, gaz ? &*gaz : nullptr)) {
    return rc;
  }
  summary["total_s"] = Seconds(t0);
  std::cerr << imported->summary.ToString() << "turn restrictions built in: " << split.copies
            << " node copies\n\n";
  std::cout << summary.dump(2) << "\n";
  return 0;
}

int ImportDimacsCommand(const std::string& gr, const std::string& coords,
                        const std::optional<std::string>& distance_gr, const std::string& out) {
  auto t0 = Clock::now();
  auto graph = routing::ImportDimacs(gr, coords, distance_gr.value_or(""));
  if (!graph) return Fail(graph.error().message());
  json summary = {
      {"input", gr}, {"nodes", graph->nodes()}, {"arcs", graph->arcs()}, {"import_s", Seconds(t0)}};
  if (int rc = ContractAndWrite(*graph, routing::ProfileHash{}, gr, out, summary)) return rc;
  summary["total_s"] = Seconds(t0);
  std::cout << summary.dump(2) << "\n";
  return 0;
}

int RouteCommand(const std::string& graph, const std::string& from, const std::string& to) {
  auto a = ParseLatLon(from);
  if (!a) return Fail("--from must be LAT,LON with lat in [-90, 90] and lon in [-180, 180]");
  auto b = ParseLatLon(to);
  if (!b) return Fail("--to must be LAT,LON with lat in [-90, 90] and lon in [-180, 180]");
  auto net = routing::RoadNetwork::Open(graph);
  if (!net) return Fail(net.error().message());
  auto r = (*net)->Route(*a, *b);
  if (!r) return Fail(r.error().message());
  json coords = json::array();
  for (const auto& p : r->geometry) coords.push_back({p.lon, p.lat});
  json out = {{"eta_s", r->eta_s},
              {"distance_m", r->distance_m},
              {"from_snap_m", r->from_snap_m},
              {"to_snap_m", r->to_snap_m},
              {"geometry", {{"type", "LineString"}, {"coordinates", coords}}}};
  std::cout << out.dump() << "\n";
  return 0;
}

int TableCommand(const std::string& graph, const std::string& sources_file,
                 const std::string& target) {
  auto t = ParseLatLon(target);
  if (!t) return Fail("--target must be LAT,LON");
  std::ifstream in(sources_file);
  if (!in) return Fail("cannot read --sources " + sources_file);
  // One "LAT,LON" per line; blank lines and lines starting with # are skipped.
  std::vector<LatLon> sources;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto p = ParseLatLon(line);
    if (!p) return Fail(sources_file + ":" + std::to_string(n) + ": expected LAT,LON");
    sources.push_back(*p);
  }
  auto net = routing::RoadNetwork::Open(graph);
  if (!net) return Fail(net.error().message());
  auto times = (*net)->ToTarget(sources, *t);
  json rows = json::array();
  for (size_t i = 0; i < sources.size(); ++i) {
    json row = {{"source", {sources[i].lat, sources[i].lon}}};
    if (times[i] && times[i]->by_road) {
      row["eta_s"] = times[i]->eta_s;
    } else {
      row["eta_s"] = nullptr;
      row["error"] = "not reachable over the road graph (or farther than " +
                     std::to_string(static_cast<int>(routing::RoadNetwork::kDefaultMaxSnapM)) +
                     " m from a road)";
    }
    rows.push_back(std::move(row));
  }
  std::cout << json{{"target", {t->lat, t->lon}}, {"rows", rows}}.dump() << "\n";
  return 0;
}

}  // namespace beacon::cli
