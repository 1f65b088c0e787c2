// The responses `beacon calibrate` learns travel times from
// (docs/calibration.md): a unit whose origin is known — its own station
// when it had been back there for a while, or the scene of the call it had
// just cleared — and whose en route and on-scene times are both in the
// export. Each becomes a calibrate::Sample with the route's profile time by
// road class. Pure function of its inputs; thread-safe (RoadNetwork is).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "calibrate/fit.h"
#include "common/geo.h"
#include "history/history.h"
#include "routing/road_network.h"

namespace beacon::calibrate {

struct SampleOptions {
  // Calls received in [from, to) (unset: unbounded).
  std::optional<TimeMs> from, to;
  // "At its station": the unit's previous response in the export cleared at
  // least this long before the dispatch (or it had none), as in the replay
  // report (docs/replay.md).
  TimeMs back_at_station_ms = 15 * 60 * 1000;
  // "At the previous call": dispatched between arriving at its previous
  // call and this long after clearing it, without a transport in between.
  TimeMs previous_call_window_ms = 60 * 1000;
  double max_actual_s = 1800;  // longer is a data error or a unit that stopped on the way
  double max_snap_m = 250;     // both ends within this of a road
};

struct SampleSet {
  std::vector<Sample> samples;
  std::map<std::string, std::int64_t> by_origin;  // "station", "previous_call"
  std::int64_t responses = 0;                     // responses in the period
  std::int64_t without_times = 0;                 // no en route or on scene, or not increasing
  std::int64_t origin_unknown = 0;
  std::int64_t outside_graph = 0;  // an end too far from a road, or no route
};

// `stations`: station number -> location. Units whose home station is
// named by their id (UnitInfo::station_from == "unit_id") may start from
// their station; any unit may start from its previous call.
SampleSet CollectSamples(const history::History& history,
                         const std::map<std::string, LatLon>& stations,
                         const routing::RoadNetwork& network, const SampleOptions& options = {});

// Whether a call received at `t` is in [from, to).
bool InPeriod(TimeMs t, const std::optional<TimeMs>& from, const std::optional<TimeMs>& to);

}  // namespace beacon::calibrate
