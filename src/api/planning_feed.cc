#include "api/planning_feed.h"

#include "common/log.h"

namespace beacon::api {

using nlohmann::json;

void PlanningFeed::Publish(const std::vector<store::Event>& events) {
  for (const auto& e : events) {
    // Only these events change what planning looks at; the others are not parsed.
    bool unit = e.type == "unit.created" || e.type == "unit.updated";
    bool station = e.type == "station.created";
    bool call = e.type == "call.created";
    if (!unit && !station && !call) continue;
    try {
      json data = json::parse(e.data);
      if (unit) planner_.OnUnit(model::UnitFromJson(data.at("unit")));
      if (station) planner_.OnStation(model::StationFromJson(data.at("station")));
      if (call) planner_.OnCall(model::CallFromJson(data.at("call")));
    } catch (const json::exception& ex) {
      // Our own events; a failure here is a bug, not bad input.
      Log(Level::kError, "planning.event_unreadable",
          {{"seq", e.seq}, {"type", e.type}, {"error", ex.what()}});
    }
  }
  next_.Publish(events);
}

Status LoadPlanner(planning::Planner& planner, const store::Snapshot& snap) {
  std::vector<model::Unit> units;
  std::vector<model::Station> stations;
  std::vector<model::Call> calls;
  try {
    for (const auto& d : snap.units) units.push_back(model::UnitFromJson(json::parse(d)));
    for (const auto& d : snap.stations) stations.push_back(model::StationFromJson(json::parse(d)));
    for (const auto& d : snap.calls) calls.push_back(model::CallFromJson(json::parse(d)));
  } catch (const json::exception& e) {
    return Status(Code::kInternal, std::string("stored record is corrupt: ") + e.what());
  }
  planner.Load(units, stations, calls);
  return Status::Ok();
}

}  // namespace beacon::api
