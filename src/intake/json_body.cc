#include "intake/json_body.h"

#include <cmath>

namespace beacon::intake {

using nlohmann::json;

namespace {

// Nesting depth outside strings; stops early once over the limit.
size_t MaxDepth(std::string_view s, size_t limit) {
  size_t depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[') {
      max_depth = std::max(max_depth, ++depth);
      if (max_depth > limit) return max_depth;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

}  // namespace

const char* JsonTypeName(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}

Result<json> ParseObject(std::string_view body) {
  if (body.empty()) return Malformed("request body is empty; expected a JSON object");
  if (MaxDepth(body, kMaxNestingDepth) > kMaxNestingDepth) {
    return Malformed("JSON nested deeper than " + std::to_string(kMaxNestingDepth) + " levels");
  }
  json j;
  try {
    j = json::parse(body);
  } catch (const json::parse_error& e) {
    return Malformed(std::string("invalid JSON: ") + e.what());
  } catch (const json::exception& e) {
    // e.g. out_of_range.406: a number literal too large for a double (1e400).
    return Malformed(std::string("unreadable JSON: ") + e.what());
  }
  if (!j.is_object())
    return Malformed(std::string("expected a JSON object, got ") + JsonTypeName(j));
  return j;
}

std::string JsonObject::Field(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const json* JsonObject::Find(std::string_view key) const {
  auto it = j_.find(key);
  if (it == j_.end() || it->is_null()) return nullptr;
  return &*it;
}

Status JsonObject::OnlyKeys(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [k, v] : j_.items()) {
    bool ok = false;
    for (auto a : allowed) ok = ok || a == k;
    if (!ok) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return Invalid("unknown field \"" + Field(k) + "\"; allowed: " + list, Field(k));
    }
  }
  return Status::Ok();
}

Result<std::optional<std::string>> JsonObject::OptString(std::string_view key,
                                                         size_t max_bytes) const {
  const json* v = Find(key);
  if (!v) return std::optional<std::string>{};
  if (!v->is_string()) {
    return Malformed(Field(key) + " must be a string, got " + JsonTypeName(*v), Field(key));
  }
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > max_bytes) {
    return Invalid(Field(key) + " is longer than " + std::to_string(max_bytes) + " bytes",
                   Field(key));
  }
  return std::optional<std::string>{s};
}

Result<std::string> JsonObject::String(std::string_view key, size_t max_bytes) const {
  auto r = OptString(key, max_bytes);
  if (!r) return r.error();
  if (!*r) return Malformed(Field(key) + " is required", Field(key));
  if ((*r)->empty()) return Invalid(Field(key) + " must not be empty", Field(key));
  return std::move(**r);
}

Result<std::optional<double>> JsonObject::OptNumber(std::string_view key) const {
  const json* v = Find(key);
  if (!v) return std::optional<double>{};
  if (!v->is_number()) {
    return Malformed(Field(key) + " must be a number, got " + JsonTypeName(*v), Field(key));
  }
  double d = v->get<double>();
  if (!std::isfinite(d)) return Invalid(Field(key) + " must be finite", Field(key));
  return std::optional<double>{d};
}

Result<double> JsonObject::Number(std::string_view key) const {
  auto r = OptNumber(key);
  if (!r) return r.error();
  if (!*r) return Malformed(Field(key) + " is required", Field(key));
  return **r;
}

Result<std::optional<JsonObject>> JsonObject::OptObject(std::string_view key) const {
  const json* v = Find(key);
  if (!v) return std::optional<JsonObject>{};
  if (!v->is_object()) {
    return Malformed(Field(key) + " must be an object, got " + JsonTypeName(*v), Field(key));
  }
  return std::optional<JsonObject>{JsonObject(*v, Field(key))};
}

Result<LatLon> ReadLatLon(const JsonObject& obj) {
  auto lat = obj.Number("lat");
  if (!lat) return lat.error();
  auto lon = obj.Number("lon");
  if (!lon) return lon.error();
  if (*lat < -90 || *lat > 90) {
    return Invalid(obj.Field("lat") + " must be between -90 and 90", obj.Field("lat"));
  }
  if (*lon < -180 || *lon > 180) {
    return Invalid(obj.Field("lon") + " must be between -180 and 180", obj.Field("lon"));
  }
  return LatLon{*lat, *lon};
}

bool ValidIdentifier(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace beacon::intake
