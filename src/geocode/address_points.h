// Address points a centre already has: its GIS export (CSV or GeoJSON)
// read through a small mapping file (config/addresses/*.json, format in
// docs/geocoding.md), or points learned from its call history
// (`beacon addresses from-history`: every distinct address text with its
// median location and how many calls gave it).
//
// Pure functions over bytes the caller read; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/geo.h"
#include "common/status.h"

namespace beacon::geocode {

// The fields an address point file may have (kCount: how many calls gave
// the point). kFieldCount is the number of fields.
enum class PointField {
  kText,
  kNumber,
  kStreet,
  kUnit,
  kPlace,
  kPostcode,
  kCity,
  kLat,
  kLon,
  kCount,
  kFieldCount
};
std::string_view PointFieldName(PointField f);  // the key in the mapping file ("number")

// Which column (CSV) or property (GeoJSON) holds each field. Immutable
// after parsing.
class AddressMapping {
 public:
  // {"format": NAME, "columns": {"text": COLUMN, "number": ..., ...}}.
  // Every key of "columns" must be a known field; lat and lon are required
  // for CSV (GeoJSON points carry their own coordinates).
  static Result<AddressMapping> Parse(std::string_view json_text);
  // Beacon's own column names: text=address, number, street, unit, place,
  // postcode, city, lat, lon, count (what from-history writes).
  static const AddressMapping& Default();

  const std::string& name() const { return name_; }
  const std::string& column(PointField f) const { return columns_[static_cast<int>(f)]; }

 private:
  std::string name_;
  std::vector<std::string> columns_ =
      std::vector<std::string>(static_cast<int>(PointField::kFieldCount));
};

struct AddressPoint {
  // The address as one text: the file's text field, or its parts joined
  // ("12A Rua X, unit 3"). Never empty.
  std::string text;
  std::string number, street, unit, place, postcode, city;
  LatLon at;
  std::int64_t count = 1;  // calls that gave it (from-history), or 1
  std::int64_t line = 0;   // line (CSV) or feature index + 1 (GeoJSON)
};

struct SkippedPoint {
  std::int64_t line = 0;
  std::string reason;
};

struct AddressPointSet {
  std::string name;  // the file name, for "why"
  std::vector<AddressPoint> points;
  std::vector<SkippedPoint> skipped;
};

// Reads a CSV (first record = header) or GeoJSON FeatureCollection of
// Point features (detected by the first non-blank byte being '{').
// Records without coordinates in range or without any address text are
// skipped with their line and reason; a missing mapped column of the
// header, or a file that is not a FeatureCollection, is an error (kInvalid
// naming the column or key). Text must be UTF-8.
Result<AddressPointSet> ReadAddressPoints(
    std::string_view bytes, const std::string& name,
    const AddressMapping& mapping = AddressMapping::Default());

// One call's address and where the export placed it.
struct AddressSample {
  std::string text;
  LatLon at;
};
// Every distinct address text (trimmed, spaces collapsed; case kept) with
// the median latitude and longitude of its samples and their count, in
// text order. A text whose samples lie a median of more than
// `max_spread_m` from that point names no one place ("CALL BOX:") and is
// left out (counted in `*spread_out`).
std::vector<AddressPoint> PointsFromSamples(const std::vector<AddressSample>& samples,
                                            double max_spread_m = 100,
                                            size_t* spread_out = nullptr);
// CSV with Beacon's default columns (address,lat,lon,count), RFC 4180
// quoting, coordinates with 7 decimals.
std::string WritePointsCsv(const std::vector<AddressPoint>& points);

}  // namespace beacon::geocode
