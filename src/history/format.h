// Format: how one city's call-history export maps onto Beacon's fields, read
// from a small JSON mapping file (config/formats/<name>.json; the format is
// specified in docs/replay.md). Adding a city needs a mapping file, no C++.
// Immutable after parsing; thread-safe to share.
#pragma once

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "history/time_zone.h"

namespace beacon::history {

// The fields Beacon reads from a row. kCount is the number of fields.
enum class Field {
  kCallId,         // groups the rows of one call (required)
  kIncidentGroup,  // ground truth for duplicate linking: calls of one incident
  kUnitId,         // required
  kUnitType,       // required
  kUnitSequence,   // 1 = first unit dispatched on the call
  kCallType,       // required
  kReceived,       // required
  kDispatched,     // required
  kEnRoute,
  kOnScene,
  kTransporting,
  kAtHospital,
  kAvailable,
  kLocation,  // "(lat, lon)"; or kLat and kLon
  kLat,
  kLon,
  kAddress,
  kStationArea,
  kPriority,  // the call's dispatch priority as exported ("2", "3", "E" in sf-fire)
  kCount
};
std::string_view FieldName(Field f);  // the key in the mapping file ("received")

// A strftime-like timestamp pattern: %Y %m %d %H %I %M %S %p and literals.
class TimestampFormat {
 public:
  static Result<TimestampFormat> Parse(std::string_view pattern);
  // Local civil seconds (history::CivilSeconds), or nullopt when `text`
  // does not match or names an impossible date or time.
  std::optional<std::int64_t> Read(std::string_view text) const;
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
};

class Format {
 public:
  static Result<Format> Parse(std::string_view json_text);
  static Result<Format> Load(const std::string& path);

  const std::string& name() const { return name_; }
  // Column header of a field; empty when the export does not have it.
  const std::string& column(Field f) const { return columns_[static_cast<int>(f)]; }
  const TimestampFormat& timestamp() const { return timestamp_; }
  const TimeZoneRule& zone() const { return zone_; }
  const std::string& zone_name() const { return zone_name_; }
  // Beacon incident type code for an export call type, and whether the
  // default was used.
  std::pair<std::string, bool> IncidentType(const std::string& call_type) const;
  // The same for a call with an exported priority: call_types_by_priority
  // first (e.g. a code-2 medical call is a minor medical incident).
  std::pair<std::string, bool> IncidentType(const std::string& call_type,
                                            const std::string& priority) const;
  // Beacon unit type for an export unit type: nullopt when the mapping says
  // null (not replayed) or does not list it.
  std::optional<std::string> UnitType(const std::string& unit_type, bool* listed = nullptr) const;
  // Home station number from a unit id (the pattern's first group), or "".
  std::string StationFromUnitId(const std::string& unit_id) const;
  bool station_area_fallback() const { return station_area_fallback_; }
  // Station number from a station name in the stations GeoJSON, or "".
  std::string StationFromName(const std::string& name) const;
  const std::string& station_id_prefix() const { return station_id_prefix_; }
  // Incident types the mapping produces (checked against the response plans).
  std::vector<std::string> IncidentTypes() const;
  std::vector<std::string> UnitTypes() const;

 private:
  std::string name_;
  std::vector<std::string> columns_ = std::vector<std::string>(static_cast<int>(Field::kCount));
  TimestampFormat timestamp_;
  std::string zone_name_;
  TimeZoneRule zone_;
  std::map<std::string, std::string> call_types_;
  std::map<std::string, std::map<std::string, std::string>> call_types_by_priority_;
  std::string default_incident_type_;
  std::map<std::string, std::optional<std::string>> unit_types_;
  std::optional<std::regex> unit_station_;
  bool station_area_fallback_ = false;
  std::regex station_name_{"([0-9]+)$"};
  std::string station_id_prefix_ = "S";
};

}  // namespace beacon::history
