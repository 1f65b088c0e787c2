// The Geocoder's in-memory index (private to geocode/): built by
// index.cc, searched by match.cc (forward) and reverse.cc. Immutable once
// built; every search method is const and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "geocode/geocoder.h"

namespace beacon::geocode {

constexpr std::uint32_t kNoId = 0xFFFFFFFFu;

enum class FeatureType : std::uint8_t { kStreet, kPlace, kPoint };

struct FeatureRef {
  FeatureType type;
  NameKind name_kind;
  std::uint32_t id;
};

// A distinct name (its folded words), shared by every feature that has it.
struct NameEntry {
  std::vector<std::uint32_t> words;  // Word ids, in order
  std::vector<FeatureRef> features;
};

struct Word {
  Token token;                       // text, meanings, classes
  std::vector<std::uint32_t> names;  // NameEntry ids containing it, ascending
};

// Where a house number comes from.
enum class NumberSource : std::uint8_t {
  kOsmNode,
  kOsmBuilding,
  kOsmInterpolated,
  kCentreAddress,  // a centre address point with number + street
  kCentreBlock,    // a centre point "N Block of STREET"
};

struct Numbered {
  std::int32_t number = 0;  // the leading number
  std::string text;         // as written ("12A", "4000 Block")
  std::string suffix;       // folded letter/unit after the number ("a"), may be empty
  LatLon at;
  NumberSource source = NumberSource::kOsmNode;
  std::uint32_t ref = 0;  // address (OSM) or point index
  std::int64_t weight = 1;
  std::string postcode, city;
};

struct Street {
  std::string label;  // the name as written in the source
  std::vector<std::uint32_t> ways;
  std::vector<std::uint32_t> names;  // NameEntry ids
  LatLon center;                     // the node nearest the middle of its extent
  LatLon min{90, 180}, max{-90, -180};
  std::uint32_t rank = 7;
  std::string locality;                  // nearest settlement, for telling streets apart
  std::vector<Numbered> numbers;         // sorted by number
  std::vector<std::uint32_t> crossings;  // Intersection ids
  std::vector<std::uint32_t> ends;       // gazetteer nodes where the street stops
  bool virtual_street = false;           // only house numbers name it (no OSM way)
};

struct Place {
  std::string label, category, address;
  LatLon at;
};

struct Point {
  std::string text, set;
  LatLon at;
  std::int64_t count = 1;
  std::int64_t line = 0;
};

struct Intersection {
  std::uint32_t a, b;  // streets, a < b
  LatLon at;
  std::uint32_t nodes = 1;
};

// One way to read a query (match.cc). A query may have several: "5a
// avenida" is a street name and number 5 of "avenida".
struct Reading {
  enum class Kind { kName, kNumbered, kBlock, kIntersection };
  Kind kind = Kind::kName;
  std::vector<Token> a, b;        // the name; b: the second street of an intersection
  std::int32_t number = 0;        // kNumbered, kBlock
  std::string number_text;        // as written, folded ("12a", "665-a")
  std::string suffix;             // folded letters after the number ("a")
  bool number_after = false;      // "Rua X 12" rather than "12 Rua X"
  bool prefix_last = false;       // the last word (of b, else a) may be incomplete
  double penalty = 0;             // how much less likely this reading is
  size_t a_begin = 0, a_end = 0;  // bytes of the first name in the folded text
};

struct ParsedQuery {
  std::vector<Reading> readings;
  std::string postcode;
  std::vector<Token> town;
};

// Reads a folded query: commas (postcode, town, a house number after the
// street), intersections (X/Y, X & Y, X and Y, X at Y, corner of X and Y,
// and the other languages' words), blocks ("4000 block of X"), a house
// number before or after the street, and always the whole text as a name.
ParsedQuery ParseQuery(const Lexicon& lex, std::string_view folded, bool autocomplete);

// A grid of cells about 100 m wide holding ids.
class Grid {
 public:
  explicit Grid(double cell_deg = 0.001) : cell_(cell_deg) {}
  void Add(LatLon p, std::uint32_t id);
  void AddSegment(LatLon a, LatLon b, std::uint32_t id);
  // Ids in the cells within `radius_m` of p (possibly some farther, maybe twice).
  void Near(LatLon p, double radius_m, std::vector<std::uint32_t>& out) const;

 private:
  std::int64_t Key(std::int64_t x, std::int64_t y) const { return (x << 32) ^ (y & 0xFFFFFFFF); }
  std::int64_t X(double lon) const;
  std::int64_t Y(double lat) const;
  double cell_;
  std::unordered_map<std::int64_t, std::vector<std::uint32_t>> cells_;
};

struct Geocoder::Impl {
  const Lexicon* lex = nullptr;
  Gazetteer gaz;
  std::vector<AddressPointSet> sets;

  std::vector<Word> words;
  std::unordered_map<std::string, std::uint32_t> word_ids;
  std::vector<std::vector<std::uint32_t>> canon_words;  // canon id -> Word ids
  std::vector<std::uint32_t> words_sorted;              // by text (prefix search)
  std::vector<std::vector<std::uint32_t>> words_by_length;
  std::vector<NameEntry> names;
  std::unordered_map<std::string, std::uint32_t> name_ids;  // joined word texts -> NameEntry

  std::vector<Street> streets;
  std::vector<std::uint32_t> way_street;  // gazetteer way -> street
  std::vector<Place> places;
  std::vector<Point> points;
  std::vector<Intersection> intersections;
  // Streets at each gazetteer node (CSR), for cross streets.
  std::vector<std::uint32_t> node_first_street, node_street;
  // Ways at each gazetteer node (CSR), to walk along a street.
  std::vector<std::uint32_t> node_first_way, node_way;
  Grid segments;                                        // id = index into segment_way / segment_at
  std::vector<std::uint32_t> segment_way, segment_pos;  // way, position of its first node
  Grid numbers_grid;  // id = street << 12 | ... -> stored as index into number_refs
  std::vector<std::pair<std::uint32_t, std::uint32_t>> number_refs;  // (street, index)
  Grid places_grid;
  std::vector<std::uint32_t> settlements;  // places that are towns, suburbs...

  GeocoderStats stats;

  // ---- index.cc
  void Build();
  // (Re)makes the word lists: sorted postings, meanings, order, lengths.
  void FinishWords();
  std::uint32_t AddName(std::string_view text, FeatureRef ref);
  std::uint32_t WordId(const Token& t);
  LatLon NodeAt(std::uint32_t node) const { return gaz.nodes[node].ToLatLon(); }

  // ---- match.cc
  struct NameHit {
    std::uint32_t name;
    double score;
    std::string how;  // "", or "typo mision -> mission", "prefix"...
  };
  std::vector<NameHit> MatchNames(const std::vector<Token>& query, bool prefix_last,
                                  bool brute_force, size_t max_hits) const;
  GeocodeResult Geocode(std::string_view query, const GeocodeOptions& options) const;

  // ---- reverse.cc
  Result<ReverseResult> Reverse(LatLon at, double max_m) const;
  std::string StreetLabel(std::uint32_t street) const;
  // Two streets with a name in common (a ref such as "US 101" on ways of
  // two names) are one road: they do not cross each other.
  bool SharesName(std::uint32_t a, std::uint32_t b) const;
  // "12 Mission Street" or "Rua X, 12" (the street's language, or `after`).
  std::string NumberLabel(std::uint32_t street, const std::string& number, bool after) const;
};

// Metres from p to the box [min, max] (0 inside).
double BoxM(LatLon p, LatLon min, LatLon max);
// Metres between two points on a local flat projection (city scale).
double FlatM(LatLon a, LatLon b);
// Distance from p to segment a-b in metres and the nearest point on it.
double SegmentM(LatLon p, LatLon a, LatLon b, LatLon* nearest);

}  // namespace beacon::geocode
