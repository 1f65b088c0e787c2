#include "routing/profile.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace beacon::routing {
namespace {

using nlohmann::json;

// Thrown only inside Parse to unwind out of nested readers; never escapes.
struct KeyError {
  std::string path;
  std::string message;
};

[[noreturn]] void Fail(const std::string& path, const std::string& what) {
  throw KeyError{path, "\"" + path + "\" " + what};
}

void CheckKeys(const json& obj, const std::string& path, const std::set<std::string>& allowed) {
  for (const auto& [k, v] : obj.items()) {
    if (!allowed.count(k)) {
      std::string full = path.empty() ? k : path + "." + k;
      Fail(full, "is not a known key (misspelt?)");
    }
  }
}

const json& Object(const json& j, const std::string& path) {
  if (!j.is_object()) Fail(path, "must be a JSON object");
  return j;
}

double Number(const json& j, const std::string& path, double lo, double hi) {
  if (!j.is_number()) Fail(path, "must be a number");
  double v = j.get<double>();
  if (!std::isfinite(v) || v < lo || v > hi) {
    std::ostringstream os;
    os << "must be between " << lo << " and " << hi;
    Fail(path, os.str());
  }
  return v;
}

bool Bool(const json& j, const std::string& path) {
  if (!j.is_boolean()) Fail(path, "must be true or false");
  return j.get<bool>();
}

std::string String(const json& j, const std::string& path) {
  if (!j.is_string()) Fail(path, "must be a string");
  return j.get<std::string>();
}

std::vector<std::string> StringList(const json& j, const std::string& path) {
  if (!j.is_array()) Fail(path, "must be an array of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < j.size(); ++i) {
    out.push_back(String(j[i], path + "[" + std::to_string(i) + "]"));
  }
  return out;
}

bool Contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::string_view Get(TagSpan tags, std::string_view key) {
  for (const auto& t : tags) {
    if (t.key == key) return t.value;
  }
  return {};
}

bool Has(TagSpan tags, std::string_view key) {
  for (const auto& t : tags) {
    if (t.key == key) return true;
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// One maxspeed value without ';': km/h, or nullopt when not understood.
// `none` is reported through *is_none.
std::optional<double> ParseOneSpeed(std::string_view s,
                                    const std::map<std::string, double, std::less<>>& implicit,
                                    bool* is_none) {
  s = Trim(s);
  if (s.empty()) return std::nullopt;
  if (auto it = implicit.find(s); it != implicit.end()) return it->second;
  if (EqualsIgnoreCase(s, "none")) {
    *is_none = true;
    return std::nullopt;
  }
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr == s.data()) return std::nullopt;
  std::string_view unit = Trim(std::string_view(ptr, s.data() + s.size() - ptr));
  if (unit.empty() || EqualsIgnoreCase(unit, "km/h") || EqualsIgnoreCase(unit, "kmh") ||
      EqualsIgnoreCase(unit, "kph")) {
    return v;
  }
  if (EqualsIgnoreCase(unit, "mph")) return v * 1.609344;
  if (EqualsIgnoreCase(unit, "knots")) return v * 1.852;
  return std::nullopt;
}

}  // namespace

Result<Profile> Profile::Parse(std::string_view json_text) {
  json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Malformed("routing profile: not valid JSON");
  if (!j.is_object()) return Malformed("routing profile: not a JSON object");
  Profile p;
  try {
    CheckKeys(j, "",
              {"version", "name", "description", "speed_factor", "highways", "maxspeed", "oneway",
               "access", "exclude", "restrictions"});
    if (!j.contains("version")) Fail("version", "is missing (expected 1)");
    if (!j["version"].is_number_integer() || j["version"].get<int>() != 1) {
      Fail("version", "is not supported (expected 1)");
    }
    p.name_ = j.contains("name") ? String(j["name"], "name") : "unnamed";
    if (j.contains("description")) (void)String(j["description"], "description");
    if (j.contains("speed_factor")) {
      p.speed_factor_ = Number(j["speed_factor"], "speed_factor", 0.01, 100);
    }

    if (!j.contains("highways")) Fail("highways", "is missing");
    const json& hw = Object(j["highways"], "highways");
    for (const auto& [cls, v] : hw.items()) {
      std::string path = "highways." + cls;
      Object(v, path);
      CheckKeys(v, path, {"speed_kmh", "routable", "oneway", "default_access"});
      HighwayClass c;
      if (v.contains("routable")) c.routable = Bool(v["routable"], path + ".routable");
      if (c.routable) {
        if (!v.contains("speed_kmh")) Fail(path + ".speed_kmh", "is missing");
        c.speed_kmh = Number(v["speed_kmh"], path + ".speed_kmh", 1, 300);
      } else if (v.contains("speed_kmh")) {
        c.speed_kmh = Number(v["speed_kmh"], path + ".speed_kmh", 1, 300);
      }
      if (v.contains("oneway")) c.implied_oneway = Bool(v["oneway"], path + ".oneway");
      if (v.contains("default_access")) {
        c.default_access = String(v["default_access"], path + ".default_access");
      }
      p.highways_[cls] = c;
    }
    if (std::none_of(p.highways_.begin(), p.highways_.end(),
                     [](const auto& kv) { return kv.second.routable; })) {
      Fail("highways", "has no routable class");
    }

    // Defaults for the optional sections match config/routing_profile.json.
    p.maxspeed_forward_keys_ = {"maxspeed:forward", "maxspeed"};
    p.maxspeed_backward_keys_ = {"maxspeed:backward", "maxspeed"};
    p.none_kmh_ = 130;
    if (j.contains("maxspeed")) {
      const json& m = Object(j["maxspeed"], "maxspeed");
      CheckKeys(m, "maxspeed",
                {"use", "forward_keys", "backward_keys", "none_kmh", "implicit_kmh", "min_kmh",
                 "max_kmh"});
      if (m.contains("use")) p.use_maxspeed_ = Bool(m["use"], "maxspeed.use");
      if (m.contains("forward_keys")) {
        p.maxspeed_forward_keys_ = StringList(m["forward_keys"], "maxspeed.forward_keys");
      }
      if (m.contains("backward_keys")) {
        p.maxspeed_backward_keys_ = StringList(m["backward_keys"], "maxspeed.backward_keys");
      }
      if (m.contains("none_kmh")) {
        if (m["none_kmh"].is_null()) {
          p.none_kmh_.reset();
        } else {
          p.none_kmh_ = Number(m["none_kmh"], "maxspeed.none_kmh", 1, 300);
        }
      }
      if (m.contains("min_kmh")) p.min_kmh_ = Number(m["min_kmh"], "maxspeed.min_kmh", 0, 300);
      if (m.contains("max_kmh")) p.max_kmh_ = Number(m["max_kmh"], "maxspeed.max_kmh", 1, 300);
      if (p.min_kmh_ > p.max_kmh_) Fail("maxspeed.min_kmh", "must not exceed maxspeed.max_kmh");
      if (m.contains("implicit_kmh")) {
        const json& imp = Object(m["implicit_kmh"], "maxspeed.implicit_kmh");
        for (const auto& [k, v] : imp.items()) {
          p.implicit_kmh_[k] = Number(v, "maxspeed.implicit_kmh." + k, 1, 300);
        }
      }
    }

    p.oneway_forward_ = {"yes", "true", "1"};
    p.oneway_backward_ = {"-1", "reverse"};
    p.oneway_both_ = {"no", "false", "0"};
    p.oneway_closed_ = {"reversible", "alternating"};
    p.oneway_junctions_ = {"roundabout", "circular"};
    if (j.contains("oneway")) {
      const json& o = Object(j["oneway"], "oneway");
      CheckKeys(o, "oneway",
                {"key", "forward", "backward", "both", "closed", "implied_by_junction"});
      if (o.contains("key")) p.oneway_key_ = String(o["key"], "oneway.key");
      if (o.contains("forward")) p.oneway_forward_ = StringList(o["forward"], "oneway.forward");
      if (o.contains("backward")) p.oneway_backward_ = StringList(o["backward"], "oneway.backward");
      if (o.contains("both")) p.oneway_both_ = StringList(o["both"], "oneway.both");
      if (o.contains("closed")) p.oneway_closed_ = StringList(o["closed"], "oneway.closed");
      if (o.contains("implied_by_junction")) {
        p.oneway_junctions_ = StringList(o["implied_by_junction"], "oneway.implied_by_junction");
      }
    }

    p.access_keys_ = {"emergency", "motorcar", "motor_vehicle", "vehicle", "access"};
    p.access_deny_ = {"no",          "private", "agricultural", "forestry", "agricultural;forestry",
                      "use_sidepath"};
    p.access_allow_ = {"yes",      "designated", "permissive", "destination",
                       "delivery", "customers",  "official"};
    if (j.contains("access")) {
      const json& a = Object(j["access"], "access");
      CheckKeys(a, "access", {"keys", "deny", "allow"});
      if (a.contains("keys")) p.access_keys_ = StringList(a["keys"], "access.keys");
      if (a.contains("deny")) p.access_deny_ = StringList(a["deny"], "access.deny");
      if (a.contains("allow")) p.access_allow_ = StringList(a["allow"], "access.allow");
      for (const auto& v : p.access_allow_) {
        if (Contains(p.access_deny_, v))
          Fail("access.allow", "and access.deny both list \"" + v + "\"");
      }
    }
    for (const auto& [cls, c] : p.highways_) {
      if (!c.default_access.empty() && !Contains(p.access_deny_, c.default_access) &&
          !Contains(p.access_allow_, c.default_access)) {
        Fail("highways." + cls + ".default_access",
             "must be a value listed in access.deny or access.allow");
      }
    }

    p.exclude_ = {{"area", {"yes"}}, {"impassable", {"yes"}}};
    if (j.contains("exclude")) {
      p.exclude_.clear();
      const json& e = Object(j["exclude"], "exclude");
      for (const auto& [k, v] : e.items()) p.exclude_[k] = StringList(v, "exclude." + k);
    }

    p.restriction_keys_ = {"restriction:emergency", "restriction:motorcar",
                           "restriction:motor_vehicle", "restriction"};
    p.restriction_exempt_ = {"emergency", "motorcar", "motor_vehicle"};
    if (j.contains("restrictions")) {
      const json& r = Object(j["restrictions"], "restrictions");
      CheckKeys(r, "restrictions", {"keys", "exempt"});
      if (r.contains("keys")) p.restriction_keys_ = StringList(r["keys"], "restrictions.keys");
      if (r.contains("exempt"))
        p.restriction_exempt_ = StringList(r["exempt"], "restrictions.exempt");
    }
  } catch (const KeyError& e) {
    return Invalid("routing profile: " + e.message, e.path);
  } catch (const json::exception& e) {
    return Malformed(std::string("routing profile: ") + e.what());
  }

  // The hash covers the parsed document re-serialised with sorted keys, so
  // whitespace and key order do not change it but every value does.
  std::string canonical = j.dump();
  if (sodium_init() < 0) return Status(Code::kInternal, "libsodium failed to initialise");
  crypto_generichash(p.hash_.data(), p.hash_.size(),
                     reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(),
                     nullptr, 0);
  return p;
}

Result<Profile> Profile::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read routing profile file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = Parse(ss.str());
  if (!r) return Status(r.error().code(), path + ": " + r.error().message(), r.error().field());
  return r;
}

std::string Profile::HashHex() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (auto b : hash_) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

double Profile::MaxspeedKmh(std::string_view value, double class_default_kmh) const {
  // "50;30" (several signed limits): the lowest understood one; any part
  // not understood makes the whole value fall back to the class default.
  std::optional<double> lowest;
  bool any_none = false;
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(';', start);
    if (end == std::string_view::npos) end = value.size();
    bool is_none = false;
    auto v = ParseOneSpeed(value.substr(start, end - start), implicit_kmh_, &is_none);
    if (is_none) {
      any_none = true;
    } else if (!v || !(*v >= min_kmh_ && *v <= max_kmh_)) {
      return class_default_kmh;
    } else {
      lowest = lowest ? std::min(*lowest, *v) : *v;
    }
    start = end + 1;
  }
  if (lowest) return *lowest;
  if (any_none) return none_kmh_ ? *none_kmh_ : class_default_kmh;
  return class_default_kmh;
}

WayRule Profile::EvaluateWay(TagSpan tags) const {
  WayRule rule;
  auto cls_it = highways_.find(Get(tags, "highway"));
  if (cls_it == highways_.end() || !cls_it->second.routable) return rule;
  const HighwayClass& cls = cls_it->second;
  for (const auto& [key, values] : exclude_) {
    if (Has(tags, key) && Contains(values, Get(tags, key))) return rule;
  }

  // Access: the most specific key present with a value we know decides; the
  // class default (e.g. pedestrian zones: no) counts as the least specific.
  bool allowed = cls.default_access.empty() || Contains(access_allow_, cls.default_access);
  for (const auto& key : access_keys_) {
    if (!Has(tags, key)) continue;
    std::string_view v = Get(tags, key);
    if (Contains(access_deny_, v)) {
      allowed = false;
      break;
    }
    if (Contains(access_allow_, v)) {
      allowed = true;
      break;
    }
  }
  if (!allowed) return rule;

  bool forward = true, backward = true;
  bool decided = false;
  if (Has(tags, oneway_key_)) {
    std::string_view v = Get(tags, oneway_key_);
    if (Contains(oneway_closed_, v)) return rule;
    if (Contains(oneway_forward_, v)) {
      backward = false;
      decided = true;
    } else if (Contains(oneway_backward_, v)) {
      forward = false;
      decided = true;
    } else if (Contains(oneway_both_, v)) {
      decided = true;
    }
  }
  if (!decided && (cls.implied_oneway ||
                   (Has(tags, "junction") && Contains(oneway_junctions_, Get(tags, "junction"))))) {
    backward = false;
  }

  auto speed = [&](const std::vector<std::string>& keys) {
    if (use_maxspeed_) {
      for (const auto& key : keys) {
        if (Has(tags, key)) return MaxspeedKmh(Get(tags, key), cls.speed_kmh);
      }
    }
    return cls.speed_kmh;
  };
  rule.routable = true;
  rule.forward = forward;
  rule.backward = backward;
  rule.forward_kmh = forward ? speed(maxspeed_forward_keys_) * speed_factor_ : 0;
  rule.backward_kmh = backward ? speed(maxspeed_backward_keys_) * speed_factor_ : 0;
  return rule;
}

RestrictionRule Profile::EvaluateRestriction(TagSpan tags) const {
  if (Get(tags, "type") != "restriction") return RestrictionRule::kNotRestriction;
  if (Has(tags, "except")) {
    std::string_view except = Get(tags, "except");
    size_t start = 0;
    while (start <= except.size()) {
      size_t end = except.find(';', start);
      if (end == std::string_view::npos) end = except.size();
      if (Contains(restriction_exempt_, Trim(except.substr(start, end - start)))) {
        return RestrictionRule::kIgnored;
      }
      start = end + 1;
    }
  }
  for (const auto& key : restriction_keys_) {
    if (!Has(tags, key)) continue;
    std::string_view v = Get(tags, key);
    if (v.starts_with("no_")) return RestrictionRule::kNo;
    if (v.starts_with("only_")) return RestrictionRule::kOnly;
    return RestrictionRule::kIgnored;
  }
  return RestrictionRule::kIgnored;
}

}  // namespace beacon::routing
