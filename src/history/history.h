// History: a city's call-history export read into calls and the units that
// answered them, through a Format. Rows that cannot be used are counted
// with their line number and reason, never fatal (docs/replay.md lists the
// reasons). Pure: the caller reads the file; the result is a value type.
// Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/geo.h"
#include "common/status.h"
#include "history/format.h"

namespace beacon::history {

// One unit's response to a call (one row of a one-row-per-unit export).
struct UnitResponse {
  std::int64_t line = 0;
  std::string unit_id;
  std::string unit_type;     // Beacon's unit type (mapped)
  int sequence = 0;          // 1 = first dispatched; 0 when the export has none
  std::string station_area;  // the station area it answered in ("" when none)
  TimeMs dispatched_at = 0;
  std::optional<TimeMs> en_route_at, on_scene_at, transporting_at, at_hospital_at, available_at;
};

struct HistoricalCall {
  std::int64_t line = 0;  // first row
  std::string call_id;
  std::string incident_group;  // empty when the export has none
  TimeMs received_at = 0;
  LatLon location;
  std::string call_type;      // as exported
  std::string priority;       // as exported ("" when the export has none)
  std::string incident_type;  // Beacon's code
  std::string address;
  std::vector<UnitResponse> units;  // by sequence, then dispatch time
};

struct UnitInfo {
  std::string unit_id;
  std::string unit_type;     // Beacon's
  std::string export_type;   // as exported
  std::string station;       // home station number, "" when unknown
  std::string station_from;  // "unit_id", "station_area" or ""
  std::int64_t rows = 0;
};

struct SkippedRow {
  std::int64_t line = 0;
  std::string reason;  // a short code: see docs/replay.md
  std::string message;
};

struct History {
  std::int64_t rows = 0;              // records read (header excluded, errors included)
  std::int64_t rows_used = 0;         // unit responses kept
  std::vector<HistoricalCall> calls;  // by received time, then line
  std::map<std::string, UnitInfo> units;
  std::vector<SkippedRow> skipped;                           // in line order
  std::map<std::string, std::int64_t> skip_counts;           // reason -> rows
  std::map<std::string, std::int64_t> defaulted_call_types;  // export type -> calls
  std::vector<std::string> missing_columns;                  // optional columns the header lacks
};

// Reads `csv` (the whole export) with `format`. Fails only when the header
// lacks a required column (naming it). `progress(bytes_done)` is called
// now and then when given.
Result<History> ReadHistory(std::string_view csv, const Format& format,
                            const std::function<void(std::size_t)>& progress = {});

// Parses "(lat, lon)" (spaces optional); nullopt unless both are in range
// and not both zero.
std::optional<LatLon> ParseParenLatLon(std::string_view text);

}  // namespace beacon::history
