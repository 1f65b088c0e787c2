// Recommender: picks the available units that best satisfy an incident's
// response plan, ranked by estimated travel time. Pure function of its
// inputs; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "dispatch/response_plan.h"
#include "dispatch/travel_times.h"
#include "model/types.h"

namespace beacon::dispatch {

struct RecommendedUnit {
  UnitId unit_id;
  std::string unit_type;
  std::string fills;  // the plan's unit type this unit fills (may differ: substitute)
  double eta_s = 0;
  double distance_m = 0;
  bool by_road = false;
  bool calibrated = false;  // eta_s from a calibrated road network
  // The needed type this unit stands in for ("" when it is of that type).
  std::string substitute_for;
  // Proposed because an urgent incident would otherwise lack a unit able to
  // respond first (docs/dispatch.md); it fills nothing: `unmet` still
  // lists substitute_for.
  bool first_responder = false;
};

struct Unmet {
  std::string unit_type;
  int missing = 0;
};

struct Recommendation {
  std::vector<RecommendedUnit> units;  // ascending eta_s
  std::vector<Unmet> unmet;
};

// Where a unit is now: its last reported position, else its station.
std::optional<LatLon> UnitLocation(const model::Unit& unit,
                                   const std::vector<model::Station>& stations);

// `units`: every unit known (only available ones are considered).
// `assigned_types`: unit types already committed to the incident; they count
// against the plan's needs. `priority`: the incident's (default: the
// plan's); at 1-2 a need no unit or substitute can fill brings the nearest
// first responder when neither the committed units nor the picks include one.
Recommendation Recommend(const IncidentTypePlan& plan, const ResponsePlans& plans,
                         LatLon incident_location, const std::vector<model::Unit>& units,
                         const std::vector<model::Station>& stations,
                         const std::vector<std::string>& assigned_types,
                         const TravelTimes& travel_times,
                         std::optional<int> priority = std::nullopt);

}  // namespace beacon::dispatch
