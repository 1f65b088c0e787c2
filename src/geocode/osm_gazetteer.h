// OsmGazetteerBuilder: builds the Gazetteer from the objects of an
// OpenStreetMap extract while `routing::ImportOsm` reads it (one pass over
// the file; pass the builder as ImportOptions::sink), then Finish() resolves
// the node references. What is taken is listed in geocode/gazetteer.h and
// docs/geocoding.md. Multipolygon relations are not read (their names and
// addresses are rare in the extracts we use).
//
// Not thread-safe: one builder per import.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "geocode/gazetteer.h"
#include "routing/osm_import.h"

namespace osmium {
class TagList;
}  // namespace osmium

namespace beacon::geocode {

struct GazetteerSummary {
  std::uint64_t named_ways = 0;
  std::uint64_t way_nodes = 0;
  std::uint64_t addresses = 0;  // all, interpolated included
  std::uint64_t interpolated = 0;
  std::uint64_t interpolation_ways_skipped = 0;  // no numbered ends, alphabetic, too long
  std::uint64_t places = 0;
  std::uint64_t strings = 0;
  std::uint64_t missing_node_refs = 0;
  double finish_s = 0;
};

class OsmGazetteerBuilder final : public routing::OsmObjectSink {
 public:
  void Node(const osmium::Node& node) override;
  void Way(const osmium::Way& way) override;
  void Relation(const osmium::Relation& relation) override;

  // Call once, after the import read the file.
  Gazetteer Finish(GazetteerSummary* summary = nullptr);

 private:
  struct PendingAddress {
    std::uint32_t number, street, place, postcode, city, unit;
  };
  struct PendingWay {
    std::uint32_t ref_begin, ref_end;    // into refs_
    std::uint32_t name_begin, name_end;  // into names_
    std::uint32_t rank;
  };
  struct PendingInterpolation {
    std::uint32_t ref_begin, ref_end;
    std::uint32_t step;  // 1 all, 2 odd or even
    PendingAddress tags;
  };
  struct PendingArea {  // a way whose centroid is an address and/or a place
    std::uint32_t ref_begin, ref_end;
    bool has_address;
    PendingAddress address;
    std::uint32_t place_index;  // into places_, or UINT32_MAX
  };

  std::uint32_t Intern(std::string_view s);
  bool ReadAddress(const osmium::TagList& tags, PendingAddress& out);
  // Adds the place when the object has a name and a category; its index or
  // UINT32_MAX.
  std::uint32_t AddPlace(const osmium::TagList& tags, GeoPoint at);
  void AddNames(const osmium::TagList& tags, std::vector<NameRef>& out);

  // All node locations, in file order (sorted by id in a PBF).
  std::vector<std::int64_t> node_ids_;
  std::vector<GeoPoint> node_at_;
  bool nodes_sorted_ = true;
  // Nodes with a house number: OSM id -> index into node_addresses_.
  std::unordered_map<std::int64_t, std::uint32_t> numbered_nodes_;
  std::vector<PendingAddress> node_addresses_;

  std::vector<std::int64_t> refs_;
  std::vector<NameRef> names_;
  std::vector<PendingWay> ways_;
  std::vector<PendingInterpolation> interpolations_;
  std::vector<PendingArea> areas_;

  Gazetteer g_;
  std::unordered_map<std::string, std::uint32_t> string_ids_;
  GazetteerSummary summary_;
};

}  // namespace beacon::geocode
