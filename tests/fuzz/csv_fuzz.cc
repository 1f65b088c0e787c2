// Fuzzes the call-history readers (untrusted exports from other systems):
// the RFC 4180 CsvReader on its own, with its invariants checked, and the
// whole ReadHistory with a small sf-fire-like format, plus the timestamp
// and "(lat, lon)" parsers on the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "history/csv_reader.h"
#include "history/format.h"
#include "history/history.h"

namespace {

constexpr std::string_view kFormat = R"({
  "format": "fuzz",
  "columns": {"call_id": "Call Number", "incident_group": "Incident Number",
    "unit_id": "Unit ID", "unit_type": "Unit Type", "unit_sequence": "Unit sequence in call dispatch",
    "call_type": "Call Type", "received": "Received DtTm", "dispatched": "Dispatch DtTm",
    "en_route": "Response DtTm", "on_scene": "On Scene DtTm", "transporting": "Transport DtTm",
    "at_hospital": "Hospital DtTm", "available": "Available DtTm", "location": "Location",
    "address": "Address", "station_area": "Station Area"},
  "timestamp_format": "%m/%d/%Y %I:%M:%S %p",
  "time_zone": "America/Los_Angeles",
  "tz_rule": "PST8PDT,M3.2.0,M11.1.0",
  "call_types": {"Medical Incident": "MEDICAL"},
  "default_incident_type": "PUBLIC_SERVICE",
  "unit_types": {"ENGINE": "engine", "MEDIC": "medic", "SUPPORT": null},
  "unit_station": {"id_pattern": "^[ET]0*([0-9]+)$", "fallback": "station_area"}
})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace beacon::history;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  CsvReader reader(text);
  CsvRecord rec;
  std::string error;
  std::int64_t last_line = 0;
  for (size_t guard = 0; guard <= size + 1; ++guard) {
    auto r = reader.Next(rec, error);
    if (r == CsvReader::Result::kEnd) break;
    // Progress is strict: each record or error consumes input and lines never go back.
    if (r == CsvReader::Result::kRecord && rec.line < last_line) std::abort();
    if (r == CsvReader::Result::kRecord) last_line = rec.line;
    if (reader.offset() > size) std::abort();
    if (guard == size + 1) std::abort();  // no progress
  }

  static const auto format = Format::Parse(kFormat);
  if (!format) std::abort();
  auto h = ReadHistory(text, *format);
  if (h && h->rows != h->rows_used + static_cast<std::int64_t>(h->skipped.size())) std::abort();

  (void)format->timestamp().Read(text.substr(0, 64));
  (void)ParseParenLatLon(text.substr(0, 64));
  (void)TimeZoneRule::Parse(text.substr(0, 64));
  return 0;
}
