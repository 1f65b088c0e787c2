#include "history/format.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace beacon::history {

namespace {

constexpr std::string_view kFieldNames[] = {
    "call_id",      "incident_group", "unit_id",      "unit_type", "unit_sequence",
    "call_type",    "received",       "dispatched",   "en_route",  "on_scene",
    "transporting", "at_hospital",    "available",    "location",  "lat",
    "lon",          "address",        "station_area", "priority",
};
static_assert(std::size(kFieldNames) == static_cast<size_t>(Field::kCount));

bool Digits(std::string_view text, size_t& i, size_t min, size_t max, int& out) {
  size_t start = i;
  out = 0;
  while (i < text.size() && i - start < max && text[i] >= '0' && text[i] <= '9') {
    out = out * 10 + (text[i] - '0');
    ++i;
  }
  return i - start >= min;
}

}  // namespace

std::string_view FieldName(Field f) { return kFieldNames[static_cast<int>(f)]; }

Result<TimestampFormat> TimestampFormat::Parse(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') continue;
    if (i + 1 >= pattern.size() ||
        std::string_view("YmdHIMSp%").find(pattern[i + 1]) == std::string_view::npos) {
      return Invalid("timestamp_format \"" + std::string(pattern) +
                         "\": only %Y %m %d %H %I %M %S %p %% are supported",
                     "timestamp_format");
    }
    ++i;
  }
  TimestampFormat f;
  f.pattern_ = std::string(pattern);
  return f;
}

std::optional<std::int64_t> TimestampFormat::Read(std::string_view text) const {
  int year = -1, month = -1, day = -1, hour = 0, minute = 0, second = 0;
  int pm = -1;  // -1: no %p
  bool twelve = false;
  size_t i = 0;
  for (size_t p = 0; p < pattern_.size(); ++p) {
    char c = pattern_[p];
    if (c != '%' || p + 1 >= pattern_.size()) {
      if (i >= text.size() || text[i] != c) return std::nullopt;
      ++i;
      continue;
    }
    char spec = pattern_[++p];
    bool ok = true;
    switch (spec) {
      case 'Y':
        ok = Digits(text, i, 4, 4, year);
        break;
      case 'm':
        ok = Digits(text, i, 1, 2, month);
        break;
      case 'd':
        ok = Digits(text, i, 1, 2, day);
        break;
      case 'H':
        ok = Digits(text, i, 1, 2, hour);
        break;
      case 'I':
        ok = Digits(text, i, 1, 2, hour);
        twelve = true;
        break;
      case 'M':
        ok = Digits(text, i, 2, 2, minute);
        break;
      case 'S':
        ok = Digits(text, i, 2, 2, second);
        break;
      case 'p':
        if (i + 2 > text.size()) return std::nullopt;
        if ((text[i] == 'A' || text[i] == 'a') && (text[i + 1] == 'M' || text[i + 1] == 'm')) {
          pm = 0;
        } else if ((text[i] == 'P' || text[i] == 'p') &&
                   (text[i + 1] == 'M' || text[i + 1] == 'm')) {
          pm = 1;
        } else {
          return std::nullopt;
        }
        i += 2;
        break;
      default:  // %%
        ok = i < text.size() && text[i++] == '%';
    }
    if (!ok) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  if (year < 0 || month < 1 || month > 12 || day < 1) return std::nullopt;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDays[month - 1] || (month == 2 && day == 29 && !leap)) return std::nullopt;
  if (twelve) {
    if (hour < 1 || hour > 12 || pm < 0) return std::nullopt;
    hour = hour % 12 + (pm == 1 ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  return CivilSeconds(year, month, day, hour, minute, second);
}

Result<Format> Format::Parse(std::string_view json_text) {
  using nlohmann::json;
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    return Malformed(std::string("format file is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) return Malformed("format file must be a JSON object");
  auto str = [&](const char* key, bool required, std::string& out) -> Status {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      return required ? Invalid(std::string("format file: \"") + key + "\" is required", key)
                      : Status::Ok();
    }
    if (!it->is_string())
      return Invalid(std::string("format file: \"") + key + "\" must be a string", key);
    out = it->get<std::string>();
    return Status::Ok();
  };
  Format f;
  BEACON_RETURN_IF_ERROR(str("format", true, f.name_));

  auto cols = j.find("columns");
  if (cols == j.end() || !cols->is_object()) {
    return Invalid("format file: \"columns\" must be an object of field -> column header",
                   "columns");
  }
  for (const auto& [key, value] : cols->items()) {
    int idx = -1;
    for (int k = 0; k < static_cast<int>(Field::kCount); ++k) {
      if (kFieldNames[k] == key) idx = k;
    }
    if (idx < 0) {
      std::string valid;
      for (auto n : kFieldNames) valid += (valid.empty() ? "" : ", ") + std::string(n);
      return Invalid(
          "format file: unknown field \"" + key + "\" in columns; valid fields: " + valid,
          "columns." + key);
    }
    if (!value.is_string() || value.get<std::string>().empty()) {
      return Invalid("format file: columns." + key + " must be a non-empty column header",
                     "columns." + key);
    }
    f.columns_[idx] = value.get<std::string>();
  }
  for (Field req : {Field::kCallId, Field::kUnitId, Field::kUnitType, Field::kCallType,
                    Field::kReceived, Field::kDispatched}) {
    if (f.column(req).empty()) {
      return Invalid("format file: columns." + std::string(FieldName(req)) + " is required",
                     "columns." + std::string(FieldName(req)));
    }
  }
  bool pair = !f.column(Field::kLat).empty() && !f.column(Field::kLon).empty();
  if (f.column(Field::kLocation).empty() && !pair) {
    return Invalid(
        "format file: columns.location (\"(lat, lon)\") or both columns.lat and "
        "columns.lon are required",
        "columns.location");
  }

  std::string ts;
  BEACON_RETURN_IF_ERROR(str("timestamp_format", true, ts));
  auto tf = TimestampFormat::Parse(ts);
  if (!tf) return tf.error();
  f.timestamp_ = std::move(*tf);
  BEACON_RETURN_IF_ERROR(str("time_zone", true, f.zone_name_));
  std::string rule;
  BEACON_RETURN_IF_ERROR(str("tz_rule", true, rule));
  auto z = TimeZoneRule::Parse(rule);
  if (!z) return z.error();
  f.zone_ = std::move(*z);

  auto types = j.find("call_types");
  if (types == j.end() || !types->is_object()) {
    return Invalid(
        "format file: \"call_types\" must be an object of export call type -> "
        "Beacon incident type code",
        "call_types");
  }
  for (const auto& [key, value] : types->items()) {
    if (!value.is_string()) {
      return Invalid("format file: call_types[\"" + key + "\"] must be an incident type code",
                     "call_types");
    }
    f.call_types_[key] = value.get<std::string>();
  }
  BEACON_RETURN_IF_ERROR(str("default_incident_type", true, f.default_incident_type_));
  if (auto by = j.find("call_types_by_priority"); by != j.end()) {
    auto bad = [](const std::string& what) {
      return Invalid("format file: call_types_by_priority" + what, "call_types_by_priority");
    };
    if (!by->is_object()) {
      return bad(" must be an object of export call type -> {priority -> incident type code}");
    }
    if (f.column(Field::kPriority).empty()) return bad(" needs columns.priority");
    for (const auto& [call_type, m] : by->items()) {
      if (!m.is_object()) return bad("[\"" + call_type + "\"] must be an object");
      for (const auto& [priority, code] : m.items()) {
        if (!code.is_string() || code.get<std::string>().empty()) {
          return bad("[\"" + call_type + "\"][\"" + priority + "\"] must be an incident type code");
        }
        f.call_types_by_priority_[call_type][priority] = code.get<std::string>();
      }
    }
  }

  auto units = j.find("unit_types");
  if (units == j.end() || !units->is_object()) {
    return Invalid(
        "format file: \"unit_types\" must be an object of export unit type -> Beacon "
        "unit type (or null: not replayed)",
        "unit_types");
  }
  for (const auto& [key, value] : units->items()) {
    if (value.is_null()) {
      f.unit_types_[key] = std::nullopt;
    } else if (value.is_string()) {
      f.unit_types_[key] = value.get<std::string>();
    } else {
      return Invalid("format file: unit_types[\"" + key + "\"] must be a string or null",
                     "unit_types");
    }
  }

  try {
    if (auto us = j.find("unit_station"); us != j.end()) {
      if (!us->is_object())
        return Invalid("format file: unit_station must be an object", "unit_station");
      if (auto p = us->find("id_pattern"); p != us->end()) {
        if (!p->is_string())
          return Invalid("unit_station.id_pattern must be a string", "unit_station.id_pattern");
        f.unit_station_.emplace(p->get<std::string>());
        if (f.unit_station_->mark_count() < 1) {
          return Invalid("unit_station.id_pattern needs one capture group: the station number",
                         "unit_station.id_pattern");
        }
      }
      if (auto fb = us->find("fallback"); fb != us->end()) {
        if (*fb != "station_area" && !fb->is_null()) {
          return Invalid("unit_station.fallback must be \"station_area\" or null",
                         "unit_station.fallback");
        }
        f.station_area_fallback_ = *fb == "station_area";
      }
    }
    if (auto st = j.find("stations"); st != j.end()) {
      if (!st->is_object()) return Invalid("format file: stations must be an object", "stations");
      if (auto p = st->find("name_pattern"); p != st->end()) {
        if (!p->is_string())
          return Invalid("stations.name_pattern must be a string", "stations.name_pattern");
        f.station_name_ = std::regex(p->get<std::string>());
        if (f.station_name_.mark_count() < 1) {
          return Invalid("stations.name_pattern needs one capture group: the station number",
                         "stations.name_pattern");
        }
      }
      if (auto p = st->find("id_prefix"); p != st->end()) {
        if (!p->is_string())
          return Invalid("stations.id_prefix must be a string", "stations.id_prefix");
        f.station_id_prefix_ = p->get<std::string>();
      }
    }
  } catch (const std::regex_error& e) {
    return Invalid(std::string("format file: bad regular expression: ") + e.what(), "unit_station");
  }
  return f;
}

Result<Format> Format::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read format file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto f = Parse(ss.str());
  if (!f) return Status(f.error().code(), path + ": " + f.error().message(), f.error().field());
  return f;
}

std::pair<std::string, bool> Format::IncidentType(const std::string& call_type) const {
  auto it = call_types_.find(call_type);
  if (it != call_types_.end()) return {it->second, false};
  return {default_incident_type_, true};
}

std::pair<std::string, bool> Format::IncidentType(const std::string& call_type,
                                                  const std::string& priority) const {
  if (auto by = call_types_by_priority_.find(call_type); by != call_types_by_priority_.end()) {
    if (auto it = by->second.find(priority); it != by->second.end()) return {it->second, false};
  }
  return IncidentType(call_type);
}

std::optional<std::string> Format::UnitType(const std::string& unit_type, bool* listed) const {
  auto it = unit_types_.find(unit_type);
  if (listed) *listed = it != unit_types_.end();
  if (it == unit_types_.end()) return std::nullopt;
  return it->second;
}

namespace {
std::string StripZeros(std::string s) {
  size_t i = 0;
  while (i + 1 < s.size() && s[i] == '0') ++i;
  return s.substr(i);
}
}  // namespace

std::string Format::StationFromUnitId(const std::string& unit_id) const {
  if (!unit_station_) return "";
  std::smatch m;
  if (!std::regex_match(unit_id, m, *unit_station_)) return "";
  return StripZeros(m[1].str());
}

std::string Format::StationFromName(const std::string& name) const {
  std::smatch m;
  if (!std::regex_search(name, m, station_name_)) return "";
  return StripZeros(m[1].str());
}

std::vector<std::string> Format::IncidentTypes() const {
  std::vector<std::string> out{default_incident_type_};
  for (const auto& [k, v] : call_types_) out.push_back(v);
  for (const auto& [k, m] : call_types_by_priority_) {
    for (const auto& [p, v] : m) out.push_back(v);
  }
  return out;
}

std::vector<std::string> Format::UnitTypes() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : unit_types_) {
    if (v) out.push_back(*v);
  }
  return out;
}

}  // namespace beacon::history
