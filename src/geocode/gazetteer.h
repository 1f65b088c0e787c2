// Gazetteer: the address data `beacon import-osm` extracts from the same
// OpenStreetMap file as the road graph, stored as "geo.*" sections of the
// graph file (so it is versioned and covered by the file's fingerprint;
// layout in docs/graph_file.md). Plain arrays:
//
// - strings: every name, number, postcode and category once, back to back;
// - named highway ways (every name, alt_name, old_name, ref... of a way with
//   a `highway` tag) with their node coordinates;
// - house numbers: addr:housenumber with addr:street or addr:place on nodes
//   and building ways (their centroid), and the numbers of addr:interpolation
//   ways spelled out along the way (flagged as interpolated);
// - named places: anything with a name that is not a road (amenities, shops,
//   buildings, stations, parks, settlements...).
//
// The search index is built from this in memory (geocode/geocoder.h).
// Value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/geo.h"
#include "common/status.h"
#include "routing/graph_file.h"

namespace beacon::geocode {

// Version of the "geo.*" layout (section "geo.version"); a reader refuses
// another version with a message to re-run import-osm.
inline constexpr std::uint32_t kGazetteerVersion = 1;

// Degrees times 1e7 (OSM's own precision, about 1 cm).
struct GeoPoint {
  std::int32_t lat_e7 = 0;
  std::int32_t lon_e7 = 0;
  LatLon ToLatLon() const { return {lat_e7 * 1e-7, lon_e7 * 1e-7}; }
  static GeoPoint From(LatLon p);
};

enum class NameKind : std::uint32_t {
  kName = 0,  // name
  kAlt = 1,   // alt_name, loc_name, short_name, name:<language>
  kOld = 2,   // old_name
  kRef = 3,   // ref (A 28, US 101)
  kOfficial = 4,
};
inline constexpr std::uint32_t kNameKinds = 5;

struct NameRef {
  std::uint32_t string = 0;
  NameKind kind = NameKind::kName;
};

// How a house number was found.
enum class AddressSource : std::uint32_t {
  kNode = 0,          // a node with addr:housenumber
  kBuilding = 1,      // a way (building) with addr:housenumber: its centroid
  kInterpolated = 2,  // spelled out along an addr:interpolation way
};
inline constexpr std::uint32_t kAddressSources = 3;

// Every field but `at` and `source` is a string id (0 = absent).
struct StoredAddress {
  GeoPoint at;
  std::uint32_t number = 0;  // addr:housenumber as written ("12A", "4-6")
  std::uint32_t street = 0;  // addr:street
  std::uint32_t place = 0;   // addr:place (when there is no street)
  std::uint32_t postcode = 0;
  std::uint32_t city = 0;
  std::uint32_t unit = 0;  // addr:unit
  AddressSource source = AddressSource::kNode;
};

struct StoredPlace {
  GeoPoint at;
  std::uint32_t category = 0;  // "amenity=hospital", "place=suburb"...
  std::uint32_t street = 0;    // its addr:street, when tagged
  std::uint32_t number = 0;    // its addr:housenumber
  std::uint32_t postcode = 0;
};

struct Gazetteer {
  // Strings: string i (i >= 1) is text[string_end[i-1], string_end[i]);
  // string 0 is "" (string_end[0] = 0).
  std::vector<char> text;
  std::vector<std::uint32_t> string_end = {0};

  std::vector<GeoPoint> nodes;
  // Way w: nodes way_node[way_first_node[w] .. way_first_node[w+1]), names
  // way_name[way_first_name[w] .. way_first_name[w+1]) with its `name` first.
  std::vector<std::uint32_t> way_first_node = {0};
  std::vector<std::uint32_t> way_node;
  std::vector<std::uint32_t> way_first_name = {0};
  std::vector<NameRef> way_name;
  std::vector<std::uint32_t>
      way_class;  // routing rank: 0 motorway ... 7 path (see osm_gazetteer.cc)

  std::vector<StoredAddress> addresses;

  // Place p: names place_name[place_first_name[p] .. place_first_name[p+1]).
  std::vector<StoredPlace> places;
  std::vector<std::uint32_t> place_first_name = {0};
  std::vector<NameRef> place_name;

  size_t ways() const { return way_first_node.size() - 1; }
  size_t strings() const { return string_end.size(); }
  std::string_view String(std::uint32_t id) const {
    if (id == 0 || id >= string_end.size()) return {};
    return {text.data() + string_end[id - 1], string_end[id] - string_end[id - 1]};
  }
  bool empty() const { return ways() == 0 && addresses.empty() && places.empty(); }
};

// Adds the "geo.*" sections to `writer`.
void SaveGazetteer(routing::GraphFileWriter& writer, const Gazetteer& g);
// True when `file` has a gazetteer (graphs imported before it existed, and
// DIMACS graphs, have none).
bool HasGazetteer(const routing::GraphFile& file);
// Copies the gazetteer out of `file`, checking every index and range.
// Errors: kNotFound (no gazetteer), kInvalid (another layout version),
// kMalformed naming the section.
Result<Gazetteer> LoadGazetteer(const routing::GraphFile& file);

}  // namespace beacon::geocode
