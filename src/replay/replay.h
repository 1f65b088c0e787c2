// Replay: feeds a city's call history (history::History) to Beacon through a
// Driver, in `history` mode (the historical units at the historical times)
// or `recommend` mode (Beacon's recommendation is assigned and each unit
// stays busy for the historical durations), and measures how Beacon did:
// duplicate linking against the export's incident numbers, travel-time
// calibration, recommendation vs history, NFPA 1710 travel times, coverage
// over time, throughput and latency. Every metric is defined in
// docs/replay.md. Not thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "history/history.h"
#include "replay/driver.h"
#include "routing/road_network.h"

namespace beacon::replay {

enum class Mode { kHistory, kRecommend };

struct Options {
  Mode mode = Mode::kHistory;
  double speed = 0;  // 0: as fast as possible; N: N simulated seconds per wall second
  // A call is inside the graph when its location snaps to a road within this.
  double max_snap_m = 250;
  TimeMs coverage_step_ms = 15 * 60 * 1000;
  double coverage_limits_s[2] = {240, 480};
  // "Dispatched from its station" (calibration): the unit's previous
  // response in the export cleared at least this long before.
  TimeMs back_at_station_ms = 15 * 60 * 1000;
  // Calls are sent with their address text only (no coordinates), so the
  // run shows what geocoding on intake does (docs/geocoding.md).
  bool address_only = false;
  // Only calls received in [from, to) are replayed (the others' rows are
  // skipped as outside_period); unset: unbounded.
  std::optional<TimeMs> from, to;
  // Unit id -> home station number, replacing the history reader's guess
  // (the unit homes of a calibration, docs/calibration.md).
  std::map<std::string, std::string> unit_homes;
  // The plans the driver uses (recommend mode: to tell whether an urgent
  // incident left without a unit had a capable unit free); may be null.
  const dispatch::ResponsePlans* plans = nullptr;
  // Progress: fraction done in [0, 1].
  std::function<void(double)> progress;
};

struct Station {
  std::string number;  // "21"
  model::Station station;
};

// Stations from a GeoJSON FeatureCollection of Points with a `name`
// property; the number is read from the name with the format's pattern.
// Features without a number are skipped and named in `warnings`.
Result<std::vector<Station>> ReadStations(std::string_view geojson, const history::Format& format,
                                          std::vector<std::string>& warnings);

// Runs the replay and returns summary.json (every number of the report).
// `history` is not modified; rows whose call lies outside the graph are
// added to the summary's skip counts.
Result<Json> Run(const history::History& history, const std::vector<Station>& stations,
                 const routing::RoadNetwork& network, Driver& driver, const Options& options);

// report.html from summary.json: self-contained, inline SVG charts.
std::string RenderHtml(const Json& summary);

}  // namespace beacon::replay
