// Response-time intervals (NFPA 1225 / NFPA 1710): call processing,
// turnout, travel and total, per incident, and their count, median, 90th
// percentile and share within the standards' thresholds, overall and by
// priority, incident type or station. The definitions (and the editions
// they come from) are in docs/intervals.md. One implementation for
// `GET /api/v1/stats/intervals` (timelines built from the event log) and
// the replay report (timelines from the export and from the replay), so
// both give the same figures for the same times. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/geo.h"
#include "model/types.h"

namespace beacon::stats {

// A moment and what it was read from: the event sequence number (API) or
// the export's line number (replay).
struct Stamp {
  TimeMs t = 0;
  std::int64_t ref = 0;
};

struct UnitTimes {
  std::string unit_id;
  std::optional<Stamp> dispatched, en_route, on_scene;
};

struct IncidentTimes {
  std::int64_t incident_id = 0;  // the export's call number in the replay: its first line
  std::string incident_type;
  std::string category;  // "medical": EMS thresholds; anything else: fire
  int priority = 0;
  std::string station;            // grouping key of by=station (NearestStation)
  std::optional<Stamp> received;  // the incident's first call
  std::vector<UnitTimes> units;   // in dispatch order
};

enum class GroupBy { kNone, kPriority, kType, kStation };
std::optional<GroupBy> ParseGroupBy(std::string_view text);  // "priority", "type", "station"

// Thresholds (seconds), after NFPA 1225 (2022) and NFPA 1710 (2020); see
// docs/intervals.md for the sections.
struct Thresholds {
  double call_processing_s = 64;
  double turnout_ems_s = 60;
  double turnout_fire_s = 80;
  double travel_s = 240;
};

// The four intervals of one incident (nullopt: not measurable) and why a
// missing one is missing ("missing" or "out_of_order").
struct IncidentIntervals {
  struct Value {
    std::optional<double> s;
    std::string excluded;  // "" when s is set
    std::int64_t from_ref = 0, to_ref = 0;
    std::string unit_id;  // the unit it was measured on (turnout, travel, total)
  };
  Value call_processing, turnout, travel, total;
};
IncidentIntervals Measure(const IncidentTimes& incident);

// The JSON answer of GET /stats/intervals (docs/intervals.md): overall and
// per group, with the event references behind every figure when `explain`.
nlohmann::json Report(const std::vector<IncidentTimes>& incidents, GroupBy by, bool explain,
                      const Thresholds& thresholds = {});

// The thresholds and the editions they come from, for answers and reports.
nlohmann::json StandardJson(const Thresholds& thresholds = {});

// The id of the station nearest to `where` in a straight line (the
// district, as planning's demand counts), "none" without a location or
// stations.
std::string NearestStation(const std::optional<LatLon>& where,
                           const std::vector<model::Station>& stations);

// One event of the log as the intervals need it (the api maps store
// events onto this; `data` is the event's JSON).
struct EventView {
  std::int64_t seq = 0;
  TimeMs time = 0;
  std::string_view type;
  const nlohmann::json* data = nullptr;
};

// Incident timelines from the event log: a call's received_at
// ("call.created"), the incident's type, priority and location
// ("incident.opened"/"incident.updated"), each unit's changes to
// dispatched, en route and on scene for an incident ("unit.updated", at
// the event's time). Only incidents whose first call was received in
// [from, to). `category_of` maps an incident type to its category.
class TimelineBuilder {
 public:
  void Add(const EventView& e);
  std::vector<IncidentTimes> Incidents(std::optional<TimeMs> from, std::optional<TimeMs> to,
                                       const std::map<std::string, std::string>& category_of,
                                       const std::vector<model::Station>& stations) const;

 private:
  struct Open {
    IncidentTimes times;
    std::optional<LatLon> location;
    std::map<std::string, size_t> unit_index;  // current response of each unit
  };
  std::map<std::int64_t, Open> incidents_;
  std::map<std::string, std::pair<std::string, std::int64_t>> unit_state_;  // status, incident
};

}  // namespace beacon::stats
