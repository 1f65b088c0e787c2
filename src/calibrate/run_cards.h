// Run cards inferred from a centre's history (`beacon calibrate
// --plans-out`, docs/calibration.md): per incident type, the unit types
// history dispatched first, second and third with their support, the units
// a plan needs (the types sent to at least half the calls, median count),
// the substitutes history sent when a needed type was missing, and the unit
// types that arrived first at urgent calls (first responders). The result
// is a response-plans file (docs/response_plans.md): the base plans with
// these run cards in place, for a centre to review and edit. Pure function;
// thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "dispatch/response_plan.h"
#include "history/history.h"

namespace beacon::calibrate {

struct RunCardOptions {
  std::optional<TimeMs> from, to;     // calls received in [from, to)
  int min_calls = 10;                 // fewer calls of a type: its base plan is kept
  int max_slots = 3;                  // dispatch positions reported
  double substitute_min_share = 0.1;  // of the calls that lacked the needed type
  int substitute_min_calls = 3;
  double first_responder_min_share = 0.05;  // of urgent calls with a unit on scene
};

// `base_json`: the text of the base plans file (its other keys are kept);
// `base`: the same, parsed. The answer parses as ResponsePlans.
Result<nlohmann::ordered_json> InferRunCards(const history::History& history,
                                             std::string_view base_json,
                                             const dispatch::ResponsePlans& base,
                                             const RunCardOptions& options = {});

}  // namespace beacon::calibrate
