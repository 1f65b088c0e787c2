#include "calibrate/model.h"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace beacon::calibrate {
namespace {

using nlohmann::json;

Status Bad(const std::string& field, const std::string& what) {
  return Invalid("calibration: " + field + " " + what, field);
}

// A finite number in [lo, hi]; `field` names it in the error.
Result<double> Number(const json& j, const std::string& field, double lo, double hi) {
  if (!j.is_number()) return Bad(field, "must be a number");
  double v = j.get<double>();
  if (!std::isfinite(v) || v < lo || v > hi) {
    std::ostringstream os;
    os << "must be a finite number in [" << lo << ", " << hi << "]";
    return Bad(field, os.str());
  }
  return v;
}

Status OnlyKeys(const json& j, const std::string& where, const std::set<std::string>& allowed) {
  for (const auto& [k, v] : j.items()) {
    if (!allowed.count(k)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return Bad(where.empty() ? k : where + "." + k, "is not a known key (expected " + list + ")");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Model> ParseModel(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    std::string why;
    try {
      json again = json::parse(text);  // throws with the position of the error
      (void)again;
    } catch (const json::exception& e) {
      why = e.what();
    }
    return Malformed("calibration: not valid JSON (NaN and Infinity are not JSON numbers): " + why);
  }
  if (!j.is_object()) return Malformed("calibration: not a JSON object");
  if (j.value("format", std::string()) != kModelFormat) {
    return Bad("format", "must be \"" + std::string(kModelFormat) +
                             "\" (a file written by beacon calibrate)");
  }
  if (!j.contains("version") || !j["version"].is_number_integer() ||
      j["version"].get<std::int64_t>() != kModelVersion) {
    return Bad("version", "must be " + std::to_string(kModelVersion) +
                              " (this Beacon reads calibration format version " +
                              std::to_string(kModelVersion) + "; re-run beacon calibrate)");
  }
  BEACON_RETURN_IF_ERROR(
      OnlyKeys(j, "", {"format", "version", "travel_time", "unit_homes", "profile_hash", "info"}));
  Model m;
  if (j.contains("profile_hash")) {
    if (!j["profile_hash"].is_string()) return Bad("profile_hash", "must be a string");
    m.profile_hash = j["profile_hash"];
  }
  if (!j.contains("travel_time") || !j["travel_time"].is_object()) {
    return Bad("travel_time", "is missing or not an object");
  }
  const json& tt = j["travel_time"];
  BEACON_RETURN_IF_ERROR(
      OnlyKeys(tt, "travel_time", {"fixed_s", "default_factor", "road_classes"}));
  if (!tt.contains("fixed_s")) return Bad("travel_time.fixed_s", "is missing");
  auto fixed = Number(tt["fixed_s"], "travel_time.fixed_s", 0, kFixedMaxS);
  if (!fixed) return fixed.error();
  m.fixed_s = *fixed;
  if (!tt.contains("default_factor")) return Bad("travel_time.default_factor", "is missing");
  auto def = Number(tt["default_factor"], "travel_time.default_factor", kFactorMin, kFactorMax);
  if (!def) return def.error();
  m.default_factor = *def;
  if (tt.contains("road_classes")) {
    if (!tt["road_classes"].is_object()) {
      return Bad("travel_time.road_classes", "must be an object (road class -> factor)");
    }
    for (const auto& [name, e] : tt["road_classes"].items()) {
      std::string field = "travel_time.road_classes." + name;
      if (name.empty() || name.find('\n') != std::string::npos) {
        return Bad("travel_time.road_classes", "has an empty or multi-line class name");
      }
      if (!e.is_object()) return Bad(field, "must be an object with a factor");
      BEACON_RETURN_IF_ERROR(OnlyKeys(e, field, {"factor", "support", "fitted"}));
      if (!e.contains("factor")) return Bad(field + ".factor", "is missing");
      auto f = Number(e["factor"], field + ".factor", kFactorMin, kFactorMax);
      if (!f) return f.error();
      RoadClassFactor rc;
      rc.factor = *f;
      if (e.contains("support")) {
        if (!e["support"].is_number_integer() || e["support"].get<std::int64_t>() < 0) {
          return Bad(field + ".support", "must be an integer >= 0");
        }
        rc.support = e["support"];
      }
      if (e.contains("fitted")) {
        if (!e["fitted"].is_boolean()) return Bad(field + ".fitted", "must be true or false");
        rc.fitted = e["fitted"];
      }
      m.road_classes[name] = rc;
    }
  }
  if (j.contains("unit_homes")) {
    if (!j["unit_homes"].is_object()) return Bad("unit_homes", "must be an object (unit -> home)");
    for (const auto& [unit, h] : j["unit_homes"].items()) {
      std::string field = "unit_homes." + unit;
      if (unit.empty()) return Bad("unit_homes", "has an empty unit id");
      if (!h.is_object() || !h.contains("station") || !h["station"].is_string() ||
          h["station"].get<std::string>().empty()) {
        return Bad(field, "must be an object with a non-empty \"station\"");
      }
      BEACON_RETURN_IF_ERROR(OnlyKeys(h, field, {"station", "responses", "share", "source"}));
      UnitHome home;
      home.station = h["station"];
      if (h.contains("responses")) {
        if (!h["responses"].is_number_integer() || h["responses"].get<std::int64_t>() < 0) {
          return Bad(field + ".responses", "must be an integer >= 0");
        }
        home.responses = h["responses"];
      }
      if (h.contains("share")) {
        auto s = Number(h["share"], field + ".share", 0, 1);
        if (!s) return s.error();
        home.share = *s;
      }
      if (h.contains("source")) {
        if (!h["source"].is_string()) return Bad(field + ".source", "must be a string");
        home.source = h["source"];
      }
      m.unit_homes[unit] = home;
    }
  }
  if (j.contains("info")) m.info = j["info"];
  return m;
}

Result<Model> LoadModel(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read calibration file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto m = ParseModel(ss.str());
  if (!m) return Status(m.error().code(), path + ": " + m.error().message(), m.error().field());
  return m;
}

std::string ModelToJson(const Model& m) {
  json classes = json::object();
  for (const auto& [name, c] : m.road_classes) {
    classes[name] = {{"factor", std::round(c.factor * 10000) / 10000},
                     {"support", c.support},
                     {"fitted", c.fitted}};
  }
  json homes = json::object();
  for (const auto& [unit, h] : m.unit_homes) {
    homes[unit] = {{"station", h.station},
                   {"responses", h.responses},
                   {"share", std::round(h.share * 10000) / 10000},
                   {"source", h.source}};
  }
  json j = {{"format", kModelFormat},
            {"version", kModelVersion},
            {"profile_hash", m.profile_hash},
            {"travel_time",
             {{"fixed_s", std::round(m.fixed_s * 100) / 100},
              {"default_factor", std::round(m.default_factor * 10000) / 10000},
              {"road_classes", classes}}},
            {"unit_homes", homes},
            {"info", m.info}};
  return j.dump(2) + "\n";
}

Result<routing::EtaAdjustment> Adjustment(const Model& m, const routing::RoadNetwork& network) {
  const auto& names = network.graph().road_class_names;
  const routing::ProfileHash& ph = network.profile_hash();
  const bool known_profile = std::any_of(ph.begin(), ph.end(), [](auto b) { return b != 0; });
  if (!m.profile_hash.empty() && known_profile && routing::ToHex(ph) != m.profile_hash) {
    return Invalid("calibration: fitted on a graph of routing profile " +
                       m.profile_hash.substr(0, 16) + "... but this graph was built with " +
                       routing::ToHex(ph).substr(0, 16) +
                       "...; re-run beacon calibrate with this graph",
                   "profile_hash");
  }
  routing::EtaAdjustment adj;
  adj.fixed_s = m.fixed_s;
  if (names.empty()) {
    if (!m.road_classes.empty()) {
      return Invalid(
          "calibration: the model has factors per road class but the graph has no road "
          "classes; re-run beacon import-osm to record them",
          "travel_time.road_classes");
    }
    adj.class_factor = {m.default_factor};
    return adj;
  }
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  for (const auto& [name, c] : m.road_classes) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      return Invalid("calibration: road class \"" + name + "\" is not a road class of the graph (" +
                         list + ")",
                     "travel_time.road_classes." + name);
    }
  }
  for (const auto& n : names) {
    auto it = m.road_classes.find(n);
    adj.class_factor.push_back(it == m.road_classes.end() ? m.default_factor : it->second.factor);
  }
  return adj;
}

}  // namespace beacon::calibrate
