// Geocoder: addresses, intersections, blocks, streets and named places ->
// positions, and positions -> the nearest address and cross streets, from
// the centre's own data: the gazetteer imported with its road graph and the
// address points it loads (its GIS export, its call history).
//
// Build() makes an in-memory index: every name split into words (see
// geocode/lexicon.h), a posting list per word, the words by length (typos)
// and in order (prefixes for type-ahead), streets (the ways of one name
// that meet or lie within 200 m of each other: one name in two towns is two
// streets), their intersections (nodes shared by two streets, those of one
// pair within 60 m merged), their house numbers sorted, and a grid of
// street segments for reverse geocoding. The matching rules, scores and
// the `verified` rule are documented in docs/geocoding.md.
//
// Immutable after Build; Geocode and Reverse are const and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/geo.h"
#include "common/status.h"
#include "geocode/address_points.h"
#include "geocode/gazetteer.h"
#include "geocode/lexicon.h"

namespace beacon::geocode {

struct Candidate {
  std::string kind;  // "address", "block", "intersection", "street", "place", "point"
  std::string label;
  LatLon location;
  double score = 0;  // 0..1: 1 = every word matched as written
  std::string why;   // which source matched and how
  bool verified = false;
};

struct GeocodeOptions {
  size_t limit = 5;
  // Among equally good candidates, nearer ones first (the map's centre, the
  // call-taker's area).
  std::optional<LatLon> near;
  // The last word may be incomplete (type-ahead).
  bool autocomplete = false;
  // Score every name instead of looking words up (the benchmark's
  // reference; same answers, slower).
  bool brute_force = false;
};

struct GeocodeResult {
  std::vector<Candidate> candidates;  // best first; candidates[0].verified per the rule
};

struct ReverseResult {
  std::string label;  // "12 Rua X", or the street's name
  std::string street;
  std::vector<std::string> cross_streets;  // the nearest on each side, up to two
  double distance_m = 0;                   // from the point asked to the street
  LatLon on_street;                        // the nearest point of the street
  std::optional<std::string> place;        // a named place within 60 m
};

struct GeocoderStats {
  size_t names = 0, words = 0, streets = 0, intersections = 0, numbers = 0, places = 0, points = 0;
  double build_s = 0;
  // Bounding box of the gazetteer's street nodes (min > max when it has none).
  LatLon min{90, 180}, max{-90, -180};
};

class Geocoder {
 public:
  // `gazetteer` may be empty (a graph without one, or none): the address
  // points alone are then searched. The lexicon must outlive the Geocoder.
  static std::unique_ptr<Geocoder> Build(Gazetteer gazetteer, std::vector<AddressPointSet> points,
                                         const Lexicon& lexicon = Lexicon::Builtin());
  ~Geocoder();

  GeocodeResult Geocode(std::string_view query, const GeocodeOptions& options = {}) const;
  // kNotFound when no named street lies within `max_m`.
  Result<ReverseResult> Reverse(LatLon at, double max_m = 250) const;

  const GeocoderStats& stats() const;
  // Street names and lines for drawing labels on the map: one entry per
  // street with its ways' node coordinates.
  struct StreetLine {
    std::string name;
    std::uint32_t rank;  // 0 motorway ... 7 path
    std::vector<std::vector<LatLon>> lines;
  };
  std::vector<StreetLine> StreetLines() const;

 private:
  struct Impl;
  explicit Geocoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The JSON of GET /api/v1/geocode and `beacon geocode`:
// {"candidates": [{"label", "lat", "lon", "kind", "score", "why", "verified"}]}.
nlohmann::json ToJson(const GeocodeResult& r);
// The JSON of GET /api/v1/reverse: {"label", "street", "cross_streets",
// "distance_m", "lat", "lon", "place"?}; lat/lon: the nearest point of the street.
nlohmann::json ToJson(const ReverseResult& r);

}  // namespace beacon::geocode
