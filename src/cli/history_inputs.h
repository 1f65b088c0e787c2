// What the commands that read a centre's history (`replay`, `calibrate`)
// share: the format mapping (built-in name or file), the response plans
// checked against it, the stations file, the road graph (a graph file or an
// OSM extract imported first) and the bounds of a period. Errors are
// messages for the user; the caller prefixes its command name.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "dispatch/response_plan.h"
#include "history/format.h"
#include "replay/replay.h"
#include "routing/road_network.h"

namespace beacon::cli {

std::optional<std::string> ReadWholeFile(const std::string& path);

// `name_or_file`: a built-in format (sf-fire) or a mapping file.
Result<history::Format> LoadHistoryFormat(const std::string& name_or_file);

// The plans file (or the built-in plans) and its text, refused when the
// format maps to an incident or unit type the plans do not define.
struct LoadedPlans {
  dispatch::ResponsePlans plans;
  std::string text;
};
Result<LoadedPlans> LoadPlansFor(const std::optional<std::string>& plans_file,
                                 const history::Format& format);

// Stations from GeoJSON; skipped features are logged.
Result<std::vector<replay::Station>> LoadStations(const std::string& path,
                                                  const history::Format& format);

// `graph` or, without it, `osm` imported into a temporary graph file first
// (its summary on stderr).
Result<std::unique_ptr<routing::RoadNetwork>> OpenRoadNetwork(
    const std::optional<std::string>& graph, const std::optional<std::string>& osm);

// `base` with the calibration file applied (calibrate::Model; the file is
// refused with a message naming the key when it is wrong). Logs what it did.
Result<std::unique_ptr<routing::RoadNetwork>> CalibratedNetwork(const routing::RoadNetwork& base,
                                                                const std::string& path);

// A period bound: "YYYY-MM-DD" (local midnight in the format's time zone)
// or an RFC 3339 time. `flag` names the option in the error.
Result<TimeMs> ParsePeriodBound(const std::string& text, const history::Format& format,
                                const std::string& flag);

}  // namespace beacon::cli
