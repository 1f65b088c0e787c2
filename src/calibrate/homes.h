// Unit homes learnt from history (docs/calibration.md): the station a unit
// works from. A unit whose id names its station (the format's
// unit_station.id_pattern) keeps it; any other unit gets the station area
// it answered in most often in the period (ties: the smallest number).
// Pure function; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "calibrate/model.h"
#include "history/history.h"

namespace beacon::calibrate {

std::map<std::string, UnitHome> InferUnitHomes(const history::History& history,
                                               const std::optional<TimeMs>& from,
                                               const std::optional<TimeMs>& to);

}  // namespace beacon::calibrate
