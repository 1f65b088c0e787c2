#include "geocode/gazetteer.h"

#include <cmath>
#include <string>

#include "common/text.h"

namespace beacon::geocode {
namespace {

using routing::GraphFile;

constexpr std::string_view kVersion = "geo.version";
constexpr std::string_view kText = "geo.text";
constexpr std::string_view kStringEnd = "geo.string_end";
constexpr std::string_view kNodes = "geo.nodes";
constexpr std::string_view kWayFirstNode = "geo.way_first_node";
constexpr std::string_view kWayNode = "geo.way_node";
constexpr std::string_view kWayFirstName = "geo.way_first_name";
constexpr std::string_view kWayName = "geo.way_name";
constexpr std::string_view kWayClass = "geo.way_class";
constexpr std::string_view kAddresses = "geo.addresses";
constexpr std::string_view kPlaces = "geo.places";
constexpr std::string_view kPlaceFirstName = "geo.place_first_name";
constexpr std::string_view kPlaceName = "geo.place_name";

static_assert(sizeof(GeoPoint) == 8);
static_assert(sizeof(NameRef) == 8);
static_assert(sizeof(StoredAddress) == 36);
static_assert(sizeof(StoredPlace) == 24);

Status Bad(std::string_view section, const std::string& why) {
  return Malformed("graph file gazetteer section " + std::string(section) + ": " + why +
                   "; re-run `beacon import-osm` to rebuild it");
}

template <typename T>
Result<std::vector<T>> Copy(const GraphFile& f, std::string_view name) {
  auto s = f.Section<T>(name);
  if (!s) {
    if (s.error().code() == Code::kNotFound) return Bad(name, "missing");
    return Bad(name, s.error().message());
  }
  return std::vector<T>(s->begin(), s->end());
}

bool ValidPoint(const GeoPoint& p) {
  return p.lat_e7 >= -900000000 && p.lat_e7 <= 900000000 && p.lon_e7 >= -1800000000 &&
         p.lon_e7 <= 1800000000;
}

// A CSR offset array: starts at 0, never decreases, ends at `total`.
Status CheckOffsets(std::string_view name, const std::vector<std::uint32_t>& first, size_t total) {
  if (first.empty() || first.front() != 0) return Bad(name, "must start with 0");
  for (size_t i = 1; i < first.size(); ++i) {
    if (first[i] < first[i - 1]) return Bad(name, "decreases at entry " + std::to_string(i));
  }
  if (first.back() != total) {
    return Bad(name,
               "ends at " + std::to_string(first.back()) + ", expected " + std::to_string(total));
  }
  return Status::Ok();
}

Status CheckNames(std::string_view name, const std::vector<NameRef>& refs, size_t strings) {
  for (size_t i = 0; i < refs.size(); ++i) {
    if (refs[i].string == 0 || refs[i].string >= strings ||
        static_cast<std::uint32_t>(refs[i].kind) >= kNameKinds) {
      return Bad(name, "entry " + std::to_string(i) + " names no string or has an unknown kind");
    }
  }
  return Status::Ok();
}

}  // namespace

GeoPoint GeoPoint::From(LatLon p) {
  return {static_cast<std::int32_t>(std::lround(p.lat * 1e7)),
          static_cast<std::int32_t>(std::lround(p.lon * 1e7))};
}

void SaveGazetteer(routing::GraphFileWriter& w, const Gazetteer& g) {
  w.Add(std::string(kVersion), std::vector<std::uint32_t>{kGazetteerVersion});
  // Sections need at least one element size; an empty array is fine.
  w.Add(std::string(kText), g.text);
  w.Add(std::string(kStringEnd), g.string_end);
  w.Add(std::string(kNodes), g.nodes);
  w.Add(std::string(kWayFirstNode), g.way_first_node);
  w.Add(std::string(kWayNode), g.way_node);
  w.Add(std::string(kWayFirstName), g.way_first_name);
  w.Add(std::string(kWayName), g.way_name);
  w.Add(std::string(kWayClass), g.way_class);
  w.Add(std::string(kAddresses), g.addresses);
  w.Add(std::string(kPlaces), g.places);
  w.Add(std::string(kPlaceFirstName), g.place_first_name);
  w.Add(std::string(kPlaceName), g.place_name);
}

bool HasGazetteer(const GraphFile& file) { return file.HasSection(kVersion); }

Result<Gazetteer> LoadGazetteer(const GraphFile& file) {
  if (!HasGazetteer(file)) {
    return NotFound("graph file " + file.path() +
                    " has no gazetteer (it was imported before geocoding existed, or from DIMACS); "
                    "re-run `beacon import-osm` to add one");
  }
  auto version = Copy<std::uint32_t>(file, kVersion);
  if (!version) return version.error();
  if (version->size() != 1) return Bad(kVersion, "must hold one number");
  if (version->front() != kGazetteerVersion) {
    return Invalid("graph file " + file.path() + " has gazetteer layout version " +
                   std::to_string(version->front()) + ", this build reads version " +
                   std::to_string(kGazetteerVersion) +
                   "; re-run `beacon import-osm` to rebuild it");
  }
  Gazetteer g;
#define BEACON_COPY(member, type, name) \
  {                                     \
    auto v = Copy<type>(file, name);    \
    if (!v) return v.error();           \
    g.member = std::move(*v);           \
  }
  BEACON_COPY(text, char, kText);
  BEACON_COPY(string_end, std::uint32_t, kStringEnd);
  BEACON_COPY(nodes, GeoPoint, kNodes);
  BEACON_COPY(way_first_node, std::uint32_t, kWayFirstNode);
  BEACON_COPY(way_node, std::uint32_t, kWayNode);
  BEACON_COPY(way_first_name, std::uint32_t, kWayFirstName);
  BEACON_COPY(way_name, NameRef, kWayName);
  BEACON_COPY(way_class, std::uint32_t, kWayClass);
  BEACON_COPY(addresses, StoredAddress, kAddresses);
  BEACON_COPY(places, StoredPlace, kPlaces);
  BEACON_COPY(place_first_name, std::uint32_t, kPlaceFirstName);
  BEACON_COPY(place_name, NameRef, kPlaceName);
#undef BEACON_COPY

  BEACON_RETURN_IF_ERROR(CheckOffsets(kStringEnd, g.string_end, g.text.size()));
  for (std::uint32_t i = 1; i < g.string_end.size(); ++i) {
    if (!ValidUtf8(g.String(i))) return Bad(kText, "string " + std::to_string(i) + " is not UTF-8");
  }
  const size_t strings = g.string_end.size();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (!ValidPoint(g.nodes[i])) return Bad(kNodes, "node " + std::to_string(i) + " out of range");
  }
  BEACON_RETURN_IF_ERROR(CheckOffsets(kWayFirstNode, g.way_first_node, g.way_node.size()));
  const size_t ways = g.way_first_node.size() - 1;
  for (size_t w = 0; w < ways; ++w) {
    if (g.way_first_node[w + 1] - g.way_first_node[w] < 2) {
      return Bad(kWayFirstNode, "way " + std::to_string(w) + " has fewer than two nodes");
    }
  }
  for (auto n : g.way_node) {
    if (n >= g.nodes.size()) return Bad(kWayNode, "node index out of range");
  }
  if (g.way_first_name.size() != ways + 1) return Bad(kWayFirstName, "not one entry per way + 1");
  BEACON_RETURN_IF_ERROR(CheckOffsets(kWayFirstName, g.way_first_name, g.way_name.size()));
  for (size_t w = 0; w < ways; ++w) {
    if (g.way_first_name[w + 1] == g.way_first_name[w]) {
      return Bad(kWayFirstName, "way " + std::to_string(w) + " has no name");
    }
  }
  BEACON_RETURN_IF_ERROR(CheckNames(kWayName, g.way_name, strings));
  if (g.way_class.size() != ways) return Bad(kWayClass, "not one entry per way");
  for (size_t i = 0; i < g.addresses.size(); ++i) {
    const auto& a = g.addresses[i];
    bool ok = ValidPoint(a.at) && a.number != 0 && (a.street != 0 || a.place != 0) &&
              static_cast<std::uint32_t>(a.source) < kAddressSources;
    for (auto s : {a.number, a.street, a.place, a.postcode, a.city, a.unit}) ok = ok && s < strings;
    if (!ok) return Bad(kAddresses, "address " + std::to_string(i) + " is invalid");
  }
  if (g.place_first_name.size() != g.places.size() + 1) {
    return Bad(kPlaceFirstName, "not one entry per place + 1");
  }
  BEACON_RETURN_IF_ERROR(CheckOffsets(kPlaceFirstName, g.place_first_name, g.place_name.size()));
  for (size_t p = 0; p < g.places.size(); ++p) {
    const auto& pl = g.places[p];
    bool ok = ValidPoint(pl.at) && g.place_first_name[p + 1] > g.place_first_name[p];
    for (auto s : {pl.category, pl.street, pl.number, pl.postcode}) ok = ok && s < strings;
    if (!ok) return Bad(kPlaces, "place " + std::to_string(p) + " is invalid");
  }
  BEACON_RETURN_IF_ERROR(CheckNames(kPlaceName, g.place_name, strings));
  return g;
}

}  // namespace beacon::geocode
