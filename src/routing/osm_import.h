// OSM import: reads an OpenStreetMap extract (.osm.pbf, .osm, .osm.bz2,
// .osm.gz; the format is detected from the file's first bytes, so a wrong
// extension does not matter) and builds the RoadGraph for a Profile.
//
// Every OSM node on a routable way becomes a graph node; each way segment
// becomes one arc per allowed direction with time_ms = round(length_m /
// speed * 1000) (at least 1) and the haversine length. Turn restrictions come
// from type=restriction relations with a via node; via-way restrictions are
// skipped and counted. By default only the largest strongly connected
// component is kept (islands such as car parks behind a oneway exit would
// otherwise produce unreachable destinations), and nodes are renumbered
// compactly in OSM node id order.
//
// ImportOsm is a function: it owns everything it allocates and returns it;
// the Profile is borrowed for the call. Safe to call from several threads at
// once (libosmium's shared thread pool decodes the file).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "routing/profile.h"
#include "routing/road_graph.h"

namespace osmium {
class Node;
class Way;
class Relation;
}  // namespace osmium

namespace beacon::routing {

// Sees every OSM object the import decodes, in file order, on the importing
// thread, so that other data built from the same extract (the gazetteer,
// geocode/osm_gazetteer.h) costs no second read of the file. The objects are
// valid only during the call.
class OsmObjectSink {
 public:
  virtual ~OsmObjectSink() = default;
  virtual void Node(const osmium::Node& node) = 0;
  virtual void Way(const osmium::Way& way) = 0;
  virtual void Relation(const osmium::Relation& relation) = 0;
};

struct ImportOptions {
  // Called from the importing thread with the fraction done (0..1,
  // non-decreasing) and the name of the current phase ("reading",
  // "building", "components", "done"). May be empty.
  std::function<void(double fraction, std::string_view phase)> progress;
  // Keep only the largest strongly connected component.
  bool largest_component_only = true;
  // Also given every object read (may be null).
  OsmObjectSink* sink = nullptr;
};

struct ImportSummary {
  // Input.
  std::uint64_t osm_nodes = 0;
  std::uint64_t osm_ways = 0;
  std::uint64_t osm_relations = 0;
  std::uint64_t routable_ways = 0;
  std::uint64_t missing_node_refs = 0;  // way refs to nodes not in the file

  // Output graph.
  NodeIndex nodes = 0;
  ArcIndex arcs = 0;

  // Turn restrictions (type=restriction relations).
  std::uint64_t restrictions_kept = 0;
  std::uint64_t restrictions_ignored = 0;  // not for this vehicle (profile)
  std::uint64_t restrictions_skipped_via_way = 0;
  std::uint64_t restrictions_skipped_invalid = 0;  // missing/unroutable members,
                                                   // via not at a way end, ambiguous
  std::uint64_t restrictions_dropped = 0;          // valid, but outside the kept component

  // Strongly connected components other than the largest, which were dropped.
  std::uint64_t components_dropped = 0;
  std::uint64_t nodes_dropped = 0;
  std::uint64_t arcs_dropped = 0;

  double read_s = 0;   // decoding the file
  double build_s = 0;  // segments, restrictions, components, CSR
  double total_s = 0;

  // Multi-line human-readable report for the CLI.
  std::string ToString() const;
};

struct ImportResult {
  RoadGraph graph;
  std::vector<std::int64_t> osm_node_ids;  // per graph node: its OSM id
  ImportSummary summary;
};

// Errors: kNotFound (no such file), kMalformed (not an OSM file, truncated or
// corrupt; the message names the file and what the decoder reported),
// kInvalid (no routable ways for this profile).
Result<ImportResult> ImportOsm(const std::string& path, const Profile& profile,
                               const ImportOptions& options = {});

}  // namespace beacon::routing
