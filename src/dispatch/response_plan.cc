#include "dispatch/response_plan.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace beacon::dispatch {

using nlohmann::json;

Result<ResponsePlans> ResponsePlans::Parse(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Malformed("response plans: not a JSON object");
  ResponsePlans p;
  try {
    if (j.value("version", 0) != 1) {
      return Invalid("response plans: unsupported \"version\" (expected 1)", "version");
    }
    for (auto& [k, v] : j.at("unit_types").items()) p.unit_types_[k] = v.get<std::string>();
    if (auto it = j.find("substitutes"); it != j.end()) {
      for (auto& [k, v] : it->items()) {
        p.substitutes_[k] = v.get<std::vector<std::string>>();
      }
    }
    // Every unit type named in a list must be one the file defines.
    auto unit_list = [&](const json& v,
                         const std::string& field) -> Result<std::vector<std::string>> {
      if (!v.is_array())
        return Invalid("response plans: " + field + " must be a list of unit types", field);
      std::vector<std::string> out;
      for (const auto& t : v) {
        if (!t.is_string() || !p.unit_types_.count(t.get<std::string>())) {
          return Invalid("response plans: " + field + " names unknown unit type " + t.dump() +
                             "; valid types: " + p.UnitTypeList(),
                         field);
        }
        out.push_back(t.get<std::string>());
      }
      return out;
    };
    auto substitute_map =
        [&](const json& v,
            const std::string& field) -> Result<std::map<std::string, std::vector<std::string>>> {
      if (!v.is_object()) return Invalid("response plans: " + field + " must be an object", field);
      std::map<std::string, std::vector<std::string>> out;
      for (auto& [k, list] : v.items()) {
        if (!p.unit_types_.count(k)) {
          return Invalid("response plans: " + field + " has unknown unit type \"" + k + "\"",
                         field + "." + k);
        }
        auto l = unit_list(list, field + "." + k);
        if (!l) return l.error();
        out[k] = std::move(*l);
      }
      return out;
    };
    if (auto it = j.find("first_responders"); it != j.end()) {
      auto l = unit_list(*it, "first_responders");
      if (!l) return l.error();
      p.first_responders_ = std::move(*l);
    }
    if (auto it = j.find("compatible_categories"); it != j.end()) {
      for (auto& [k, v] : it->items()) p.compatible_[k] = v.get<std::vector<std::string>>();
    }
    if (auto it = j.find("duplicate"); it != j.end()) {
      p.duplicate_distance_m_ = it->value("distance_m", 300.0);
      p.duplicate_window_s_ = it->value("window_s", 1200.0);
      if (!(p.duplicate_distance_m_ >= 0) || !(p.duplicate_window_s_ >= 0)) {
        return Invalid("response plans: duplicate distance_m and window_s must be >= 0",
                       "duplicate");
      }
      std::string mode = it->value("mode", std::string("suggest"));
      if (mode == "suggest") {
        p.duplicate_mode_ = DuplicateMode::kSuggest;
      } else if (mode == "link") {
        p.duplicate_mode_ = DuplicateMode::kLink;
      } else {
        return Invalid("response plans: duplicate.mode must be \"suggest\" or \"link\"",
                       "duplicate.mode");
      }
    }
    if (auto it = j.find("timers"); it != j.end()) {
      if (!it->is_object()) return Invalid("response plans: timers must be an object", "timers");
      static const std::set<std::string> kStatuses = {
          "dispatched", "en_route", "on_scene", "transporting", "at_hospital", "out_of_service"};
      for (auto& [k, v] : it->items()) {
        if (k != "pending_s" && k != "status_s") {
          return Invalid(
              "response plans: unknown timers key \"" + k + "\" (expected pending_s, status_s)",
              "timers." + k);
        }
        for (auto& [key, secs] : v.items()) {
          std::string field = "timers." + k + "." + key;
          if (!secs.is_number() || !(secs.get<double>() > 0)) {
            return Invalid("response plans: " + field + " must be a number of seconds > 0", field);
          }
          if (k == "pending_s") {
            if (key.size() != 1 || key[0] < '1' || key[0] > '5') {
              return Invalid("response plans: " + field + ": keys are priorities 1 to 5", field);
            }
            p.timers_.pending_s[key[0] - '0'] = secs.get<double>();
          } else {
            if (!kStatuses.count(key)) {
              return Invalid("response plans: " + field +
                                 ": keys are unit statuses (dispatched, en_route, on_scene, "
                                 "transporting, at_hospital, out_of_service)",
                             field);
            }
            p.timers_.status_s[key] = secs.get<double>();
          }
        }
      }
    }
    std::set<std::string> seen;
    for (const auto& t : j.at("types")) {
      IncidentTypePlan plan;
      plan.code = t.at("code").get<std::string>();
      plan.name = t.at("name").get<std::string>();
      plan.category = t.at("category").get<std::string>();
      plan.priority = t.at("priority").get<int>();
      if (plan.code.empty() || !seen.insert(plan.code).second) {
        return Invalid("response plans: empty or duplicate type code \"" + plan.code + "\"",
                       "types");
      }
      if (plan.priority < 1 || plan.priority > 5) {
        return Invalid("response plans: type " + plan.code + " has priority outside 1..5", "types");
      }
      for (auto& [unit_type, count] : t.at("units").items()) {
        if (!p.unit_types_.count(unit_type)) {
          return Invalid("response plans: type " + plan.code + " needs unknown unit type \"" +
                             unit_type + "\"",
                         "types");
        }
        plan.units.push_back({unit_type, count.get<int>()});
      }
      if (auto it = t.find("substitutes"); it != t.end()) {
        auto m = substitute_map(*it, "types." + plan.code + ".substitutes");
        if (!m) return m.error();
        plan.substitutes = std::move(*m);
      }
      if (auto it = t.find("first_responders"); it != t.end()) {
        auto l = unit_list(*it, "types." + plan.code + ".first_responders");
        if (!l) return l.error();
        plan.first_responders = std::move(*l);
      }
      p.types_.push_back(std::move(plan));
    }
  } catch (const json::exception& e) {
    return Malformed(std::string("response plans: ") + e.what());
  }
  if (p.types_.empty()) return Invalid("response plans: no incident types", "types");
  return p;
}

Result<ResponsePlans> ResponsePlans::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read response plans file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = Parse(ss.str());
  if (!r) return Status(r.error().code(), path + ": " + r.error().message(), r.error().field());
  return r;
}

const IncidentTypePlan* ResponsePlans::Find(std::string_view code) const {
  for (const auto& t : types_) {
    if (t.code == code) return &t;
  }
  return nullptr;
}

std::string ResponsePlans::CodeList() const {
  std::string out;
  for (const auto& t : types_) {
    if (!out.empty()) out += ", ";
    out += t.code;
  }
  return out;
}

std::string ResponsePlans::UnitTypeList() const {
  std::string out;
  for (const auto& [k, v] : unit_types_) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

const std::vector<std::string>& ResponsePlans::Substitutes(const std::string& unit_type) const {
  static const std::vector<std::string> kNone;
  auto it = substitutes_.find(unit_type);
  return it == substitutes_.end() ? kNone : it->second;
}

std::vector<std::string> ResponsePlans::Substitutes(const IncidentTypePlan& plan,
                                                    const std::string& unit_type) const {
  std::vector<std::string> out;
  auto add = [&](const std::vector<std::string>& list) {
    for (const auto& t : list) {
      if (t != unit_type && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    }
  };
  if (auto it = plan.substitutes.find(unit_type); it != plan.substitutes.end()) add(it->second);
  add(Substitutes(unit_type));
  return out;
}

const std::vector<std::string>& ResponsePlans::FirstResponders(const IncidentTypePlan& plan) const {
  return plan.first_responders ? *plan.first_responders : first_responders_;
}

bool ResponsePlans::Compatible(std::string_view a, std::string_view b) const {
  if (a == b) return true;
  auto check = [&](std::string_view x, std::string_view y) {
    auto it = compatible_.find(std::string(x));
    if (it == compatible_.end()) return false;
    for (const auto& c : it->second) {
      if (c == y) return true;
    }
    return false;
  };
  return check(a, b) || check(b, a);
}

}  // namespace beacon::dispatch
