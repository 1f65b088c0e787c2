// Response plans: incident type -> priority and the units it needs, loaded
// from a data file (config/response_plans.json; format in
// docs/response_plans.md). Immutable after loading; thread-safe to share.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace beacon::dispatch {

struct UnitNeed {
  std::string unit_type;
  int count = 1;
};

struct IncidentTypePlan {
  std::string code;      // "STRUCTURE_FIRE"
  std::string name;      // "Structure fire"
  std::string category;  // "fire": drives duplicate compatibility
  int priority = 3;      // 1 (most urgent) .. 5
  std::vector<UnitNeed> units;
  // This type's own substitutes (unit type -> types that may fill it),
  // tried before the file's global ones.
  std::map<std::string, std::vector<std::string>> substitutes;
  // Overrides the file's first responders for this type when set.
  std::optional<std::vector<std::string>> first_responders;
};

// How a call that matches an open incident is handled (docs/dispatch.md):
// kSuggest (default) opens its own incident and answers the matches as
// possible duplicates unless the match is certain (same callback number,
// alarm panel or CAP identifier); kLink links every match (the behaviour
// before suggestions).
enum class DuplicateMode { kSuggest, kLink };

// Status and pending timers (docs/dispatch.md): seconds an incident of a
// priority may wait for its first unit, and a unit may stay in a status.
// Absent keys raise no timer.
struct TimerThresholds {
  std::map<int, double> pending_s;         // priority 1..5 -> seconds
  std::map<std::string, double> status_s;  // unit status name -> seconds
};

class ResponsePlans {
 public:
  // Parses the JSON text of a plans file. Errors name the offending entry.
  static Result<ResponsePlans> Parse(std::string_view json_text);
  static Result<ResponsePlans> Load(const std::string& path);

  const IncidentTypePlan* Find(std::string_view code) const;
  const std::vector<IncidentTypePlan>& types() const { return types_; }
  // Comma-separated list of codes, for error messages.
  std::string CodeList() const;
  bool KnownUnitType(std::string_view t) const { return unit_types_.count(std::string(t)) > 0; }
  const std::map<std::string, std::string>& unit_types() const { return unit_types_; }
  std::string UnitTypeList() const;
  // Unit types that may stand in for `unit_type` (e.g. an ALS medic for BLS).
  const std::vector<std::string>& Substitutes(const std::string& unit_type) const;
  // The same for an incident type: its own substitutes first, then the
  // file's (each type once).
  std::vector<std::string> Substitutes(const IncidentTypePlan& plan,
                                       const std::string& unit_type) const;
  // Unit types able to respond first to an urgent incident of this type
  // (docs/dispatch.md): the type's own list, else the file's.
  const std::vector<std::string>& FirstResponders(const IncidentTypePlan& plan) const;
  // Whether calls of these two categories may be the same incident.
  bool Compatible(std::string_view category_a, std::string_view category_b) const;

  double duplicate_distance_m() const { return duplicate_distance_m_; }
  double duplicate_window_s() const { return duplicate_window_s_; }
  DuplicateMode duplicate_mode() const { return duplicate_mode_; }
  const TimerThresholds& timers() const { return timers_; }

 private:
  std::vector<IncidentTypePlan> types_;
  std::map<std::string, std::string> unit_types_;
  std::map<std::string, std::vector<std::string>> substitutes_;
  std::map<std::string, std::vector<std::string>> compatible_;
  std::vector<std::string> first_responders_;
  double duplicate_distance_m_ = 300;
  double duplicate_window_s_ = 1200;
  DuplicateMode duplicate_mode_ = DuplicateMode::kSuggest;
  TimerThresholds timers_;
};

}  // namespace beacon::dispatch
