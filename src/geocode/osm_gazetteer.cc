#include "geocode/osm_gazetteer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <osmium/osm/node.hpp>
#include <osmium/osm/relation.hpp>
#include <osmium/osm/tag.hpp>
#include <osmium/osm/way.hpp>
#include <string_view>

#include "common/geo.h"
#include "common/text.h"

namespace beacon::geocode {
namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
// An interpolation spelling out more numbers than this is a tagging error.
constexpr long kMaxInterpolatedNumbers = 400;
constexpr size_t kMaxTagBytes = 255;  // OSM's own limit

std::string_view Tag(const osmium::TagList& tags, const char* key) {
  const char* v = tags[key];
  if (v == nullptr) return {};
  std::string_view s(v);
  return s.size() > kMaxTagBytes ? s.substr(0, kMaxTagBytes) : s;
}

// The routing rank of a highway value (smaller is more important), or
// kNone for values that are not roads a caller would name.
std::uint32_t HighwayRank(std::string_view h) {
  if (h.ends_with("_link")) h.remove_suffix(5);
  if (h == "motorway") return 0;
  if (h == "trunk") return 1;
  if (h == "primary") return 2;
  if (h == "secondary") return 3;
  if (h == "tertiary") return 4;
  if (h == "unclassified" || h == "residential" || h == "road") return 5;
  if (h == "living_street" || h == "service" || h == "track" || h == "pedestrian") return 6;
  if (h == "proposed" || h == "construction" || h == "platform" || h == "bus_stop" ||
      h == "elevator" || h == "abandoned" || h == "disused" || h == "razed" || h == "corridor") {
    return kNone;
  }
  return 7;  // footway, path, steps, cycleway, bridleway...
}

// "key=value" for the first key that makes a named object a place a caller
// would name, or "".
std::string Category(const osmium::TagList& tags) {
  static constexpr const char* kKeys[] = {
      "amenity", "shop",     "tourism",  "healthcare",       "emergency", "office",   "craft",
      "leisure", "historic", "railway",  "public_transport", "aeroway",   "man_made", "sport",
      "club",    "place",    "building", "landuse",          "natural"};
  for (const char* k : kKeys) {
    std::string_view v = Tag(tags, k);
    if (v.empty() || v == "no") continue;
    std::string_view key(k);
    if (key == "railway" && v != "station" && v != "halt" && v != "tram_stop" &&
        v != "subway_entrance") {
      continue;
    }
    if (key == "public_transport" && v != "station") continue;
    if (key == "natural" && (v == "tree" || v == "coastline" || v == "tree_row")) continue;
    return std::string(key) + "=" + std::string(v);
  }
  return {};
}

std::vector<std::string_view> SplitSemicolons(std::string_view v) {
  std::vector<std::string_view> out;
  while (!v.empty()) {
    size_t semi = v.find(';');
    std::string_view part = v.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.push_back(part);
    if (semi == std::string_view::npos) break;
    v.remove_prefix(semi + 1);
  }
  return out;
}

GeoPoint Centroid(const std::vector<GeoPoint>& pts) {
  // Closed rings repeat their first node: leave it out once.
  size_t n = pts.size();
  if (n > 1 && pts.front().lat_e7 == pts.back().lat_e7 && pts.front().lon_e7 == pts.back().lon_e7) {
    --n;
  }
  double lat = 0, lon = 0;
  for (size_t i = 0; i < n; ++i) {
    lat += pts[i].lat_e7;
    lon += pts[i].lon_e7;
  }
  return {static_cast<std::int32_t>(std::llround(lat / static_cast<double>(n))),
          static_cast<std::int32_t>(std::llround(lon / static_cast<double>(n)))};
}

// The leading number of a house number ("12A" -> 12), or -1.
long LeadingNumber(std::string_view s) {
  long n = 0;
  size_t i = 0;
  for (; i < s.size() && i < 7 && s[i] >= '0' && s[i] <= '9'; ++i) n = n * 10 + (s[i] - '0');
  return i == 0 ? -1 : n;
}

}  // namespace

std::uint32_t OsmGazetteerBuilder::Intern(std::string_view s) {
  if (s.empty() || !ValidUtf8(s)) return 0;
  auto [it, added] =
      string_ids_.try_emplace(std::string(s), static_cast<std::uint32_t>(g_.string_end.size()));
  if (added) {
    g_.text.insert(g_.text.end(), s.begin(), s.end());
    g_.string_end.push_back(static_cast<std::uint32_t>(g_.text.size()));
  }
  return it->second;
}

void OsmGazetteerBuilder::AddNames(const osmium::TagList& tags, std::vector<NameRef>& out) {
  size_t first = out.size();
  auto add = [&](std::string_view v, NameKind kind) {
    for (auto part : SplitSemicolons(v)) {
      std::uint32_t id = Intern(part);
      if (id == 0) continue;
      bool seen = false;
      for (size_t i = first; i < out.size(); ++i) seen = seen || out[i].string == id;
      if (!seen) out.push_back({id, kind});
    }
  };
  add(Tag(tags, "name"), NameKind::kName);
  add(Tag(tags, "official_name"), NameKind::kOfficial);
  for (const char* k : {"alt_name", "loc_name", "short_name", "reg_name", "nat_name"}) {
    add(Tag(tags, k), NameKind::kAlt);
  }
  for (const auto& t : tags) {
    std::string_view k = t.key();
    if (k.starts_with("name:") && k.size() <= 8) add(t.value(), NameKind::kAlt);
  }
  add(Tag(tags, "old_name"), NameKind::kOld);
  add(Tag(tags, "ref"), NameKind::kRef);
}

bool OsmGazetteerBuilder::ReadAddress(const osmium::TagList& tags, PendingAddress& out) {
  std::string_view number = Tag(tags, "addr:housenumber");
  if (number.empty()) number = Tag(tags, "addr:housename");
  if (number.empty()) return false;
  out.number = Intern(number);
  out.street = Intern(Tag(tags, "addr:street"));
  out.place = Intern(Tag(tags, "addr:place"));
  out.postcode = Intern(Tag(tags, "addr:postcode"));
  out.city = Intern(Tag(tags, "addr:city"));
  out.unit = Intern(Tag(tags, "addr:unit"));
  return true;
}

std::uint32_t OsmGazetteerBuilder::AddPlace(const osmium::TagList& tags, GeoPoint at) {
  if (tags["name"] == nullptr) return kNone;
  std::string category = Category(tags);
  if (category.empty()) return kNone;
  StoredPlace p;
  p.at = at;
  p.category = Intern(category);
  p.street = Intern(Tag(tags, "addr:street"));
  p.number = Intern(Tag(tags, "addr:housenumber"));
  p.postcode = Intern(Tag(tags, "addr:postcode"));
  AddNames(tags, g_.place_name);
  if (g_.place_name.size() == g_.place_first_name.back()) return kNone;  // names all empty
  g_.places.push_back(p);
  g_.place_first_name.push_back(static_cast<std::uint32_t>(g_.place_name.size()));
  return static_cast<std::uint32_t>(g_.places.size() - 1);
}

void OsmGazetteerBuilder::Node(const osmium::Node& node) {
  if (!node.location().valid()) return;
  GeoPoint at{node.location().y(), node.location().x()};
  if (!node_ids_.empty() && node.id() <= node_ids_.back()) nodes_sorted_ = false;
  node_ids_.push_back(node.id());
  node_at_.push_back(at);
  const auto& tags = node.tags();
  if (tags.empty()) return;
  PendingAddress a{};
  if (ReadAddress(tags, a)) {
    numbered_nodes_[node.id()] = static_cast<std::uint32_t>(node_addresses_.size());
    node_addresses_.push_back(a);
    if (a.street != 0 || a.place != 0) {
      g_.addresses.push_back(
          {at, a.number, a.street, a.place, a.postcode, a.city, a.unit, AddressSource::kNode});
    }
  }
  if (tags["highway"] == nullptr && tags["public_transport"] == nullptr) AddPlace(tags, at);
}

void OsmGazetteerBuilder::Way(const osmium::Way& way) {
  const auto& tags = way.tags();
  if (tags.empty() || way.nodes().size() < 2) return;
  auto push_refs = [&](std::uint32_t& begin, std::uint32_t& end) {
    begin = static_cast<std::uint32_t>(refs_.size());
    for (const auto& nr : way.nodes()) refs_.push_back(nr.ref());
    end = static_cast<std::uint32_t>(refs_.size());
  };
  if (const char* highway = tags["highway"]) {
    std::uint32_t rank = HighwayRank(highway);
    if (rank == kNone) return;
    PendingWay w{};
    w.rank = rank;
    w.name_begin = static_cast<std::uint32_t>(names_.size());
    AddNames(tags, names_);
    w.name_end = static_cast<std::uint32_t>(names_.size());
    if (w.name_end == w.name_begin) return;
    // A way with only a ref still counts; its ref is then its name.
    push_refs(w.ref_begin, w.ref_end);
    ways_.push_back(w);
    return;
  }
  if (std::string_view scheme = Tag(tags, "addr:interpolation"); !scheme.empty()) {
    PendingInterpolation ip{};
    if (scheme == "odd" || scheme == "even") {
      ip.step = 2;
    } else if (scheme == "all") {
      ip.step = 1;
    } else {
      ++summary_.interpolation_ways_skipped;  // alphabetic or a number step: rare
      return;
    }
    ip.tags = {0,
               Intern(Tag(tags, "addr:street")),
               Intern(Tag(tags, "addr:place")),
               Intern(Tag(tags, "addr:postcode")),
               Intern(Tag(tags, "addr:city")),
               0};
    push_refs(ip.ref_begin, ip.ref_end);
    interpolations_.push_back(ip);
    return;
  }
  PendingArea area{};
  area.has_address =
      ReadAddress(tags, area.address) && (area.address.street != 0 || area.address.place != 0);
  area.place_index = AddPlace(tags, GeoPoint{});
  if (!area.has_address && area.place_index == kNone) return;
  push_refs(area.ref_begin, area.ref_end);
  areas_.push_back(area);
}

void OsmGazetteerBuilder::Relation(const osmium::Relation&) {}

Gazetteer OsmGazetteerBuilder::Finish(GazetteerSummary* summary) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!nodes_sorted_) {
    std::vector<std::uint32_t> perm(node_ids_.size());
    std::iota(perm.begin(), perm.end(), 0u);
    std::stable_sort(perm.begin(), perm.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return node_ids_[a] < node_ids_[b]; });
    std::vector<std::int64_t> ids;
    std::vector<GeoPoint> at;
    for (auto p : perm) {
      if (!ids.empty() && ids.back() == node_ids_[p]) continue;
      ids.push_back(node_ids_[p]);
      at.push_back(node_at_[p]);
    }
    node_ids_ = std::move(ids);
    node_at_ = std::move(at);
  }
  auto find = [&](std::int64_t id) -> std::uint32_t {
    auto it = std::lower_bound(node_ids_.begin(), node_ids_.end(), id);
    if (it == node_ids_.end() || *it != id) return kNone;
    return static_cast<std::uint32_t>(it - node_ids_.begin());
  };

  // Named ways: their nodes once each (shared nodes make intersections).
  std::vector<std::int64_t> used;
  for (const auto& w : ways_)
    used.insert(used.end(), refs_.begin() + w.ref_begin, refs_.begin() + w.ref_end);
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  std::vector<std::uint32_t> gaz_index(used.size(), kNone);
  for (size_t i = 0; i < used.size(); ++i) {
    std::uint32_t p = find(used[i]);
    if (p == kNone) {
      ++summary_.missing_node_refs;
      continue;
    }
    gaz_index[i] = static_cast<std::uint32_t>(g_.nodes.size());
    g_.nodes.push_back(node_at_[p]);
  }
  for (const auto& w : ways_) {
    size_t before = g_.way_node.size();
    for (std::uint32_t r = w.ref_begin; r < w.ref_end; ++r) {
      auto it = std::lower_bound(used.begin(), used.end(), refs_[r]);
      std::uint32_t n = gaz_index[it - used.begin()];
      if (n == kNone) continue;
      if (g_.way_node.size() > before && g_.way_node.back() == n) continue;
      g_.way_node.push_back(n);
    }
    if (g_.way_node.size() - before < 2) {
      g_.way_node.resize(before);
      continue;
    }
    g_.way_first_node.push_back(static_cast<std::uint32_t>(g_.way_node.size()));
    g_.way_name.insert(g_.way_name.end(), names_.begin() + w.name_begin,
                       names_.begin() + w.name_end);
    g_.way_first_name.push_back(static_cast<std::uint32_t>(g_.way_name.size()));
    g_.way_class.push_back(w.rank);
  }

  std::vector<GeoPoint> pts;
  auto resolve = [&](std::uint32_t begin, std::uint32_t end) {
    pts.clear();
    for (std::uint32_t r = begin; r < end; ++r) {
      std::uint32_t p = find(refs_[r]);
      if (p == kNone) {
        ++summary_.missing_node_refs;
        continue;
      }
      pts.push_back(node_at_[p]);
    }
  };

  // Buildings and other areas: their centroid.
  for (const auto& a : areas_) {
    resolve(a.ref_begin, a.ref_end);
    if (pts.empty()) continue;
    GeoPoint c = Centroid(pts);
    if (a.place_index != kNone) g_.places[a.place_index].at = c;
    if (a.has_address) {
      const auto& t = a.address;
      g_.addresses.push_back(
          {c, t.number, t.street, t.place, t.postcode, t.city, t.unit, AddressSource::kBuilding});
    }
  }
  // Places of areas whose nodes were all missing stay at 0,0: drop them.
  {
    Gazetteer kept_places;
    std::vector<StoredPlace> places;
    std::vector<std::uint32_t> first = {0};
    std::vector<NameRef> names;
    for (size_t p = 0; p < g_.places.size(); ++p) {
      if (g_.places[p].at.lat_e7 == 0 && g_.places[p].at.lon_e7 == 0) continue;
      places.push_back(g_.places[p]);
      names.insert(names.end(), g_.place_name.begin() + g_.place_first_name[p],
                   g_.place_name.begin() + g_.place_first_name[p + 1]);
      first.push_back(static_cast<std::uint32_t>(names.size()));
    }
    g_.places = std::move(places);
    g_.place_first_name = std::move(first);
    g_.place_name = std::move(names);
  }

  // Interpolation ways: the numbers between two numbered nodes, evenly
  // along the way between them.
  for (const auto& ip : interpolations_) {
    struct Stop {
      double along_m;
      long number;
      const PendingAddress* tags;
    };
    std::vector<GeoPoint> line;
    std::vector<double> along;
    std::vector<Stop> stops;
    double total = 0;
    for (std::uint32_t r = ip.ref_begin; r < ip.ref_end; ++r) {
      std::uint32_t p = find(refs_[r]);
      if (p == kNone) continue;
      if (!line.empty()) {
        total += HaversineM(line.back().ToLatLon(), node_at_[p].ToLatLon());
      }
      line.push_back(node_at_[p]);
      along.push_back(total);
      if (auto it = numbered_nodes_.find(refs_[r]); it != numbered_nodes_.end()) {
        const auto& a = node_addresses_[it->second];
        long n = LeadingNumber(g_.String(a.number));
        if (n >= 0) stops.push_back({total, n, &a});
      }
    }
    if (stops.size() < 2) {
      ++summary_.interpolation_ways_skipped;
      continue;
    }
    auto point_at = [&](double d) {
      size_t i =
          static_cast<size_t>(std::upper_bound(along.begin(), along.end(), d) - along.begin());
      if (i == 0) return line.front();
      if (i >= line.size()) return line.back();
      double seg = along[i] - along[i - 1];
      double f = seg > 0 ? (d - along[i - 1]) / seg : 0;
      return GeoPoint{static_cast<std::int32_t>(std::llround(
                          line[i - 1].lat_e7 + f * (line[i].lat_e7 - line[i - 1].lat_e7))),
                      static_cast<std::int32_t>(std::llround(
                          line[i - 1].lon_e7 + f * (line[i].lon_e7 - line[i - 1].lon_e7)))};
    };
    for (size_t s = 0; s + 1 < stops.size(); ++s) {
      const Stop& a = stops[s];
      const Stop& b = stops[s + 1];
      long gap = std::labs(b.number - a.number);
      if (gap <= static_cast<long>(ip.step)) continue;
      if (gap / static_cast<long>(ip.step) > kMaxInterpolatedNumbers) {
        ++summary_.interpolation_ways_skipped;
        continue;
      }
      long dir = b.number > a.number ? 1 : -1;
      std::uint32_t street = ip.tags.street   ? ip.tags.street
                             : a.tags->street ? a.tags->street
                                              : b.tags->street;
      std::uint32_t place = ip.tags.place ? ip.tags.place : a.tags->place;
      if (street == 0 && place == 0) continue;
      std::uint32_t postcode = ip.tags.postcode ? ip.tags.postcode : a.tags->postcode;
      std::uint32_t city = ip.tags.city ? ip.tags.city : a.tags->city;
      for (long n = a.number + dir * static_cast<long>(ip.step);
           n != b.number && (n - b.number) * dir < 0; n += dir * static_cast<long>(ip.step)) {
        double f = static_cast<double>(n - a.number) / static_cast<double>(b.number - a.number);
        g_.addresses.push_back({point_at(a.along_m + f * (b.along_m - a.along_m)),
                                Intern(std::to_string(n)), street, place, postcode, city, 0,
                                AddressSource::kInterpolated});
        ++summary_.interpolated;
      }
    }
  }

  summary_.named_ways = g_.ways();
  summary_.way_nodes = g_.nodes.size();
  summary_.addresses = g_.addresses.size();
  summary_.places = g_.places.size();
  summary_.strings = g_.strings();
  summary_.finish_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (summary) *summary = summary_;
  // Free the pending data now; the gazetteer is moved out.
  node_ids_ = {};
  node_at_ = {};
  refs_ = {};
  return std::move(g_);
}

}  // namespace beacon::geocode
