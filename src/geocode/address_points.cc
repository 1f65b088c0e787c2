#include "geocode/address_points.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "history/csv_reader.h"

namespace beacon::geocode {
namespace {

using nlohmann::json;

constexpr const char* kFieldNames[] = {"text",     "number", "street", "unit", "place",
                                       "postcode", "city",   "lat",    "lon",  "count"};
static_assert(std::size(kFieldNames) == static_cast<size_t>(PointField::kFieldCount));

constexpr size_t kMaxFieldBytes = 512;

std::string Collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::optional<double> Number(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty() || s.size() > 40) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Fills text from the parts when the file has no text field.
void ComposeText(AddressPoint& p) {
  if (!p.text.empty()) return;
  std::string s = p.number;
  if (!p.street.empty()) s += (s.empty() ? "" : " ") + p.street;
  if (!p.unit.empty()) s += (s.empty() ? "" : ", unit ") + p.unit;
  if (s.empty()) s = p.place;
  p.text = s;
}

// Checks one point and appends it, or records why it was skipped.
void Accept(AddressPoint p, AddressPointSet& out) {
  for (const auto* s : {&p.text, &p.number, &p.street, &p.unit, &p.place, &p.postcode, &p.city}) {
    if (!ValidUtf8(*s)) {
      out.skipped.push_back({p.line, "text is not UTF-8"});
      return;
    }
  }
  ComposeText(p);
  if (p.text.empty()) {
    out.skipped.push_back({p.line, "no address text, number+street or place"});
  } else if (!ValidLatLon(p.at.lat, p.at.lon) || (p.at.lat == 0 && p.at.lon == 0)) {
    out.skipped.push_back({p.line, "lat/lon missing or out of range"});
  } else if (p.count < 1) {
    out.skipped.push_back({p.line, "count must be a positive integer"});
  } else {
    out.points.push_back(std::move(p));
  }
}

// A field value as text: strings as they are, numbers in their shortest form.
std::string FieldText(const json& v) {
  if (v.is_string()) return Collapse(v.get<std::string>().substr(0, kMaxFieldBytes));
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_number()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v.get<double>());
    return buf;
  }
  return {};
}

Result<AddressPointSet> ReadGeoJson(std::string_view bytes, const std::string& name,
                                    const AddressMapping& m) {
  json doc = json::parse(bytes, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("type", "") != "FeatureCollection" ||
      !doc.contains("features") || !doc["features"].is_array()) {
    return Invalid(name + ": not a GeoJSON FeatureCollection with a \"features\" array");
  }
  AddressPointSet out;
  out.name = name;
  const json& features = doc["features"];
  for (size_t i = 0; i < features.size(); ++i) {
    const json& f = features[i];
    AddressPoint p;
    p.line = static_cast<std::int64_t>(i + 1);
    const json* geom = f.is_object() && f.contains("geometry") ? &f["geometry"] : nullptr;
    if (!geom || !geom->is_object() || geom->value("type", "") != "Point" ||
        !geom->contains("coordinates") || !(*geom)["coordinates"].is_array() ||
        (*geom)["coordinates"].size() < 2 || !(*geom)["coordinates"][0].is_number() ||
        !(*geom)["coordinates"][1].is_number()) {
      out.skipped.push_back({p.line, "not a Point feature"});
      continue;
    }
    p.at = {(*geom)["coordinates"][1].get<double>(), (*geom)["coordinates"][0].get<double>()};
    const json empty = json::object();
    const json& props =
        f.contains("properties") && f["properties"].is_object() ? f["properties"] : empty;
    auto get = [&](PointField field) -> std::string {
      const std::string& key = m.column(field);
      if (key.empty() || !props.contains(key)) return {};
      return FieldText(props[key]);
    };
    p.text = get(PointField::kText);
    p.number = get(PointField::kNumber);
    p.street = get(PointField::kStreet);
    p.unit = get(PointField::kUnit);
    p.place = get(PointField::kPlace);
    p.postcode = get(PointField::kPostcode);
    p.city = get(PointField::kCity);
    if (auto c = Number(get(PointField::kCount))) p.count = static_cast<std::int64_t>(*c);
    Accept(std::move(p), out);
  }
  return out;
}

Result<AddressPointSet> ReadCsv(std::string_view bytes, const std::string& name,
                                const AddressMapping& m) {
  history::CsvReader reader(bytes);
  history::CsvRecord rec;
  std::string error;
  AddressPointSet out;
  out.name = name;
  std::vector<int> col(static_cast<int>(PointField::kFieldCount), -1);
  bool header = false;
  while (true) {
    auto r = reader.Next(rec, error);
    if (r == history::CsvReader::Result::kEnd) break;
    if (r == history::CsvReader::Result::kError) {
      if (!header) return Invalid(name + ": " + error);
      out.skipped.push_back({reader.line(), error});
      continue;
    }
    if (!header) {
      header = true;
      for (int f = 0; f < static_cast<int>(PointField::kFieldCount); ++f) {
        const std::string& want = m.column(static_cast<PointField>(f));
        if (want.empty()) continue;
        for (size_t c = 0; c < rec.fields.size(); ++c) {
          if (Collapse(rec.fields[c]) == want) col[f] = static_cast<int>(c);
        }
      }
      for (auto f : {PointField::kLat, PointField::kLon}) {
        if (col[static_cast<int>(f)] < 0) {
          return Invalid(name + ": the header has no column \"" + m.column(f) + "\" (" +
                         std::string(PointFieldName(f)) + ") that mapping " + m.name() + " names");
        }
      }
      bool any = false;
      for (auto f : {PointField::kText, PointField::kStreet, PointField::kPlace}) {
        any = any || col[static_cast<int>(f)] >= 0;
      }
      if (!any) {
        return Invalid(name +
                       ": the header has none of the columns for text, street or place "
                       "that mapping " +
                       m.name() + " names");
      }
      continue;
    }
    AddressPoint p;
    p.line = rec.line;
    auto get = [&](PointField f) -> std::string {
      int c = col[static_cast<int>(f)];
      if (c < 0 || static_cast<size_t>(c) >= rec.fields.size()) return {};
      return Collapse(std::string_view(rec.fields[c]).substr(0, kMaxFieldBytes));
    };
    p.text = get(PointField::kText);
    p.number = get(PointField::kNumber);
    p.street = get(PointField::kStreet);
    p.unit = get(PointField::kUnit);
    p.place = get(PointField::kPlace);
    p.postcode = get(PointField::kPostcode);
    p.city = get(PointField::kCity);
    auto lat = Number(get(PointField::kLat)), lon = Number(get(PointField::kLon));
    p.at = {lat.value_or(1000), lon.value_or(1000)};
    if (col[static_cast<int>(PointField::kCount)] >= 0) {
      auto c = Number(get(PointField::kCount));
      p.count = c && *c == std::floor(*c) && *c < 1e15 ? static_cast<std::int64_t>(*c) : 0;
    }
    Accept(std::move(p), out);
  }
  if (!header) return Invalid(name + ": empty file (expected a header line)");
  return out;
}

double Median(std::vector<double>& v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string_view PointFieldName(PointField f) { return kFieldNames[static_cast<int>(f)]; }

Result<AddressMapping> AddressMapping::Parse(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Invalid("address mapping: not a JSON object");
  AddressMapping m;
  m.name_ = j.value("format", "");
  if (m.name_.empty()) return Invalid("address mapping: \"format\" (its name) is required");
  if (!j.contains("columns") || !j["columns"].is_object()) {
    return Invalid("address mapping " + m.name_ + ": \"columns\" must be an object");
  }
  for (const auto& [key, value] : j["columns"].items()) {
    int f = -1;
    for (int k = 0; k < static_cast<int>(PointField::kFieldCount); ++k) {
      if (key == kFieldNames[k]) f = k;
    }
    if (f < 0) {
      return Invalid("address mapping " + m.name_ + ": unknown field \"" + key +
                     "\"; fields are text, number, street, unit, place, postcode, city, lat, "
                     "lon, count");
    }
    if (!value.is_string() || value.get<std::string>().empty()) {
      return Invalid("address mapping " + m.name_ + ": columns/" + key + " must be a column name");
    }
    m.columns_[f] = value.get<std::string>();
  }
  return m;
}

const AddressMapping& AddressMapping::Default() {
  static const AddressMapping m = [] {
    AddressMapping d;
    d.name_ = "beacon";
    d.columns_ = {"address",  "number", "street", "unit", "place",
                  "postcode", "city",   "lat",    "lon",  "count"};
    return d;
  }();
  return m;
}

Result<AddressPointSet> ReadAddressPoints(std::string_view bytes, const std::string& name,
                                          const AddressMapping& mapping) {
  size_t i = 0;
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < bytes.size() &&
         (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\t')) {
    ++i;
  }
  if (i < bytes.size() && bytes[i] == '{') return ReadGeoJson(bytes.substr(i), name, mapping);
  return ReadCsv(bytes, name, mapping);
}

std::vector<AddressPoint> PointsFromSamples(const std::vector<AddressSample>& samples,
                                            double max_spread_m, size_t* spread_out) {
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> by_text;
  for (const auto& s : samples) {
    std::string t = Collapse(s.text);
    if (t.empty() || !ValidLatLon(s.at.lat, s.at.lon)) continue;
    auto& [lats, lons] = by_text[t];
    lats.push_back(s.at.lat);
    lons.push_back(s.at.lon);
  }
  std::vector<AddressPoint> out;
  out.reserve(by_text.size());
  if (spread_out) *spread_out = 0;
  for (auto& [text, ll] : by_text) {
    AddressPoint p;
    p.text = text;
    p.count = static_cast<std::int64_t>(ll.first.size());
    std::vector<double> lats = ll.first, lons = ll.second;
    p.at = {Median(ll.first), Median(ll.second)};
    // A text whose calls lie far apart ("CALL BOX:") names no one place.
    std::vector<double> d;
    for (size_t i = 0; i < lats.size(); ++i) d.push_back(HaversineM(p.at, {lats[i], lons[i]}));
    if (Median(d) > max_spread_m) {
      if (spread_out) ++*spread_out;
      continue;
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string WritePointsCsv(const std::vector<AddressPoint>& points) {
  std::string out = "address,lat,lon,count\n";
  char buf[64];
  for (const auto& p : points) {
    std::snprintf(buf, sizeof buf, ",%.7f,%.7f,%lld\n", p.at.lat, p.at.lon,
                  static_cast<long long>(p.count));
    out += CsvField(p.text);
    out += buf;
  }
  return out;
}

}  // namespace beacon::geocode
