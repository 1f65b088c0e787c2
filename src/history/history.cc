#include "history/history.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "history/csv_reader.h"

namespace beacon::history {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::optional<double> ParseDouble(std::string_view s) {
  s = Trim(s);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string StripZeros(std::string_view s) {
  s = Trim(s);
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  return std::string(s);
}

}  // namespace

std::optional<LatLon> ParseParenLatLon(std::string_view text) {
  text = Trim(text);
  if (text.size() < 5 || text.front() != '(' || text.back() != ')') return std::nullopt;
  text = text.substr(1, text.size() - 2);
  auto comma = text.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  auto lat = ParseDouble(text.substr(0, comma));
  auto lon = ParseDouble(text.substr(comma + 1));
  if (!lat || !lon || !ValidLatLon(*lat, *lon) || (*lat == 0 && *lon == 0)) return std::nullopt;
  return LatLon{*lat, *lon};
}

Result<History> ReadHistory(std::string_view csv, const Format& format,
                            const std::function<void(std::size_t)>& progress) {
  CsvReader reader(csv);
  CsvRecord rec;
  std::string error;
  History h;
  // Header.
  CsvReader::Result r = reader.Next(rec, error);
  if (r == CsvReader::Result::kEnd) return Invalid("the file is empty: no header line");
  if (r == CsvReader::Result::kError) return Malformed("header: " + error);
  std::vector<int> col(static_cast<int>(Field::kCount), -1);
  for (int f = 0; f < static_cast<int>(Field::kCount); ++f) {
    const std::string& name = format.column(static_cast<Field>(f));
    if (name.empty()) continue;
    for (size_t i = 0; i < rec.fields.size(); ++i) {
      if (Trim(rec.fields[i]) == name) col[f] = static_cast<int>(i);
    }
    if (col[f] < 0) h.missing_columns.push_back(name);
  }
  auto has = [&](Field f) { return col[static_cast<int>(f)] >= 0; };
  for (Field req : {Field::kCallId, Field::kUnitId, Field::kUnitType, Field::kCallType,
                    Field::kReceived, Field::kDispatched}) {
    if (!has(req)) {
      return Invalid("line " + std::to_string(rec.line) + ": the header has no column \"" +
                     format.column(req) + "\" (field " + std::string(FieldName(req)) +
                     " of format " + format.name() + ")");
    }
  }
  bool paren = has(Field::kLocation);
  if (!paren && !(has(Field::kLat) && has(Field::kLon))) {
    return Invalid("line " + std::to_string(rec.line) +
                   ": the header has no location column (format " + format.name() + ")");
  }
  const size_t header_fields = rec.fields.size();

  auto skip = [&](std::int64_t line, const char* reason, std::string message) {
    h.skip_counts[reason]++;
    h.skipped.push_back({line, reason, "line " + std::to_string(line) + ": " + message});
  };

  std::map<std::string, size_t> call_index;
  // Station areas seen per unit, for units whose id names no station.
  std::map<std::string, std::map<std::string, std::int64_t>> areas;
  std::size_t next_progress = 0;
  for (;;) {
    r = reader.Next(rec, error);
    if (r == CsvReader::Result::kEnd) break;
    if (progress && reader.offset() >= next_progress) {
      progress(reader.offset());
      next_progress = reader.offset() + (1 << 20);
    }
    ++h.rows;
    if (r == CsvReader::Result::kError) {
      skip(rec.line, "malformed_csv", error.substr(error.find(':') + 2));
      continue;
    }
    if (rec.fields.size() != header_fields) {
      skip(rec.line, "wrong_field_count",
           std::to_string(rec.fields.size()) + " fields, the header has " +
               std::to_string(header_fields) +
               (rec.fields.size() < header_fields ? " (missing columns or a truncated line)" : ""));
      continue;
    }
    auto get = [&](Field f) -> std::string_view {
      int c = col[static_cast<int>(f)];
      return c < 0 ? std::string_view() : Trim(rec.fields[static_cast<size_t>(c)]);
    };
    std::string_view call_id = get(Field::kCallId);
    std::string_view unit_id = get(Field::kUnitId);
    if (call_id.empty() || unit_id.empty()) {
      skip(rec.line, "missing_value",
           std::string("empty ") +
               (call_id.empty() ? format.column(Field::kCallId) : format.column(Field::kUnitId)));
      continue;
    }
    // Times: required ones must parse; optional ones may be empty but not garbage.
    std::optional<TimeMs> times[7];
    const Field time_fields[7] = {Field::kReceived, Field::kDispatched,   Field::kEnRoute,
                                  Field::kOnScene,  Field::kTransporting, Field::kAtHospital,
                                  Field::kAvailable};
    bool bad = false;
    for (int i = 0; i < 7 && !bad; ++i) {
      std::string_view text = get(time_fields[i]);
      if (text.empty()) {
        if (i < 2) {
          skip(rec.line, "missing_value", "empty " + format.column(time_fields[i]));
          bad = true;
        }
        continue;
      }
      auto local = format.timestamp().Read(text);
      if (!local) {
        skip(rec.line, "bad_time",
             format.column(time_fields[i]) + " \"" + std::string(text.substr(0, 64)) +
                 "\" does not match " + format.timestamp().pattern());
        bad = true;
        continue;
      }
      times[i] = format.zone().ToUtc(*local);
    }
    if (bad) continue;
    std::optional<LatLon> where;
    if (paren) {
      where = ParseParenLatLon(get(Field::kLocation));
    } else {
      auto lat = ParseDouble(get(Field::kLat));
      auto lon = ParseDouble(get(Field::kLon));
      if (lat && lon && ValidLatLon(*lat, *lon) && !(*lat == 0 && *lon == 0))
        where = LatLon{*lat, *lon};
    }
    if (!where) {
      std::string_view raw = paren ? get(Field::kLocation) : get(Field::kLat);
      skip(rec.line, "no_location",
           raw.empty() ? "no location"
                       : "location \"" + std::string(raw.substr(0, 64)) + "\" is not (lat, lon)");
      continue;
    }
    std::string export_type(get(Field::kUnitType));
    bool listed = false;
    auto unit_type = format.UnitType(export_type, &listed);

    auto [it, fresh] = call_index.emplace(std::string(call_id), h.calls.size());
    if (fresh) {
      HistoricalCall c;
      c.line = rec.line;
      c.call_id = std::string(call_id);
      c.incident_group = std::string(get(Field::kIncidentGroup));
      c.received_at = *times[0];
      c.location = *where;
      c.call_type = std::string(get(Field::kCallType));
      c.priority = std::string(get(Field::kPriority));
      auto [code, defaulted] = format.IncidentType(c.call_type, c.priority);
      c.incident_type = code;
      if (defaulted) h.defaulted_call_types[c.call_type]++;
      c.address = std::string(get(Field::kAddress));
      h.calls.push_back(std::move(c));
    }
    if (!unit_type) {
      skip(rec.line, "unit_type_not_replayed",
           "unit " + std::string(unit_id) + " of type \"" + export_type + "\" is " +
               (listed ? "mapped to null" : "not in unit_types") + " in format " + format.name());
      continue;
    }
    UnitResponse u;
    u.line = rec.line;
    u.unit_id = std::string(unit_id);
    u.unit_type = *unit_type;
    if (auto seq = get(Field::kUnitSequence); !seq.empty()) {
      int v = 0;
      auto [p, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), v);
      if (ec == std::errc() && p == seq.data() + seq.size() && v > 0) u.sequence = v;
    }
    u.station_area = StripZeros(get(Field::kStationArea));
    u.dispatched_at = *times[1];
    u.en_route_at = times[2];
    u.on_scene_at = times[3];
    u.transporting_at = times[4];
    u.at_hospital_at = times[5];
    u.available_at = times[6];
    h.calls[it->second].units.push_back(std::move(u));
    ++h.rows_used;

    auto& info = h.units[std::string(unit_id)];
    if (info.rows++ == 0) {
      info.unit_id = std::string(unit_id);
      info.unit_type = *unit_type;
      info.export_type = export_type;
      info.station = format.StationFromUnitId(info.unit_id);
      if (!info.station.empty()) info.station_from = "unit_id";
    }
    if (auto area = get(Field::kStationArea); !area.empty())
      areas[info.unit_id][StripZeros(area)]++;
  }
  if (format.station_area_fallback()) {
    for (auto& [id, info] : h.units) {
      if (!info.station.empty()) continue;
      std::int64_t best = 0;
      for (const auto& [area, n] : areas[id]) {
        if (n > best) best = n, info.station = area;  // ties: the smallest area (map order)
      }
      if (!info.station.empty()) info.station_from = "station_area";
    }
  }
  for (auto& c : h.calls) {
    std::stable_sort(c.units.begin(), c.units.end(), [](const auto& a, const auto& b) {
      int sa = a.sequence > 0 ? a.sequence : 1 << 30, sb = b.sequence > 0 ? b.sequence : 1 << 30;
      if (sa != sb) return sa < sb;
      return a.dispatched_at < b.dispatched_at;
    });
  }
  std::stable_sort(h.calls.begin(), h.calls.end(), [](const auto& a, const auto& b) {
    if (a.received_at != b.received_at) return a.received_at < b.received_at;
    return a.line < b.line;
  });
  std::sort(h.skipped.begin(), h.skipped.end(),
            [](const auto& a, const auto& b) { return a.line < b.line; });
  return h;
}

}  // namespace beacon::history
