// Center commands on units and stations: assignment, the status machine,
// positions, creation, and the recommendations for an incident.
#include "service/center.h"
#include "service/center_tx.h"

#include <cmath>

#include "dispatch/recommender.h"

namespace beacon::service {

void Center::Assign(const Actor& a, IncidentId incident_id, UnitId unit_id, Done done) {
  std::unique_lock lock(mu_);
  Status err;
  Incident* inc = OpenIncident(incident_id, err);
  if (!inc) return done(err);
  auto uit = units_.find(unit_id.value());
  if (uit == units_.end()) return done(Invalid("no unit " + unit_id.value(), "unit_id"));
  Unit& u = uit->second;
  if (u.status != UnitStatus::kAvailable) {
    return done(Conflict("unit " + u.id.value() + " is " + std::string(model::ToString(u.status)) +
                             "; only available units can be assigned",
                         "unit_id"));
  }
  Tx tx(*this, a);
  u.status = UnitStatus::kDispatched;
  u.status_at = tx.now();
  u.incident_id = inc->id;
  inc->assignments.push_back({u.id, tx.now(), std::nullopt});
  tx.Timeline(*inc, "assigned", u.id.value() + " (" + u.unit_type + ") dispatched");
  tx.PutEvent("unit.updated", u);
  tx.PutEvent("incident.updated", *inc);
  tx.Audit("assignment.create", IncidentObject(inc->id) + "/unit/" + u.id.value());
  Submit(tx,
         {{"incident_id", inc->id.value()}, {"unit_id", u.id.value()}, {"status", "dispatched"}},
         std::move(done));
}

void Center::SetUnitStatus(const Actor& a, UnitId unit_id, UnitStatus status, Done done) {
  std::unique_lock lock(mu_);
  auto uit = units_.find(unit_id.value());
  if (uit == units_.end()) return done(NotFound("no unit " + unit_id.value()));
  Unit& u = uit->second;
  if (!model::CanTransition(u.status, status)) {
    std::string allowed;
    for (auto s : model::AllowedNext(u.status)) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(model::ToString(s));
    }
    std::string msg = "unit " + u.id.value() + " cannot go from " +
                      std::string(model::ToString(u.status)) + " to " +
                      std::string(model::ToString(status)) + "; allowed next: " + allowed;
    if (status == UnitStatus::kDispatched)
      msg += " (assign the unit to an incident to dispatch it)";
    return done(Conflict(msg, "status"));
  }
  Tx tx(*this, a);
  std::string from(model::ToString(u.status));
  if (status == UnitStatus::kAvailable && u.incident_id) {
    ReleaseUnit(tx, u, "status set to available");
  } else {
    u.status = status;
    u.status_at = tx.now();
    if (u.incident_id) {
      auto it = incidents_.find(u.incident_id->value());
      if (it != incidents_.end()) {
        tx.Timeline(it->second, "unit_status",
                    u.id.value() + " " + from + " -> " + std::string(model::ToString(status)));
        tx.PutEvent("incident.updated", it->second);
      }
    }
    tx.PutEvent("unit.updated", u);
  }
  tx.Audit("unit.status",
           UnitObject(u.id) + ":" + from + "->" + std::string(model::ToString(status)));
  Json body = model::ToJson(u);
  Submit(tx, std::move(body), std::move(done));
}

void Center::SetUnitPosition(const Actor& a, UnitId unit_id, LatLon position, Done done) {
  std::unique_lock lock(mu_);
  auto uit = units_.find(unit_id.value());
  if (uit == units_.end()) return done(NotFound("no unit " + unit_id.value()));
  Unit& u = uit->second;
  Tx tx(*this, a);
  u.position = position;
  u.position_at = tx.now();
  tx.PutEvent("unit.updated", u);
  tx.Audit("unit.position", UnitObject(u.id));
  Submit(tx, model::ToJson(u), std::move(done));
}

void Center::CreateUnit(const Actor& a, intake::UnitCreateRequest req, Done done) {
  if (!plans_.KnownUnitType(req.unit_type)) {
    return done(Invalid(
        "unknown unit_type \"" + req.unit_type + "\"; valid types: " + plans_.UnitTypeList(),
        "unit_type"));
  }
  std::unique_lock lock(mu_);
  if (units_.count(req.unit_id.value())) {
    return done(Conflict("unit " + req.unit_id.value() + " already exists", "unit_id"));
  }
  if (req.station_id && !stations_.count(req.station_id->value())) {
    return done(Invalid("no station " + req.station_id->value(), "station_id"));
  }
  Tx tx(*this, a);
  Unit u;
  u.id = req.unit_id;
  u.unit_type = req.unit_type;
  u.station_id = req.station_id;
  u.position = req.position;
  if (u.position) u.position_at = tx.now();
  u.status_at = tx.now();
  tx.PutEvent("unit.created", u);
  tx.Audit("unit.create", UnitObject(u.id));
  Json body = model::ToJson(u);
  units_.emplace(u.id.value(), std::move(u));
  Submit(tx, std::move(body), std::move(done));
}

void Center::CreateStation(const Actor& a, intake::StationCreateRequest req, Done done) {
  std::unique_lock lock(mu_);
  if (stations_.count(req.station_id.value())) {
    return done(Conflict("station " + req.station_id.value() + " already exists", "station_id"));
  }
  Tx tx(*this, a);
  model::Station s{req.station_id, req.name, req.location};
  tx.Put(s);
  tx.Event("station.created", {{"station", model::ToJson(s)}});
  tx.Audit("station.create", "station/" + s.id.value());
  Json body = model::ToJson(s);
  stations_.emplace(s.id.value(), std::move(s));
  Submit(tx, std::move(body), std::move(done));
}

Result<Json> Center::Recommend(IncidentId id) const {
  std::vector<Unit> units;
  std::vector<model::Station> stations;
  std::vector<std::string> assigned_types;
  LatLon where;
  const dispatch::IncidentTypePlan* plan;
  {
    std::lock_guard lock(mu_);
    auto it = incidents_.find(id.value());
    if (it == incidents_.end()) return NotFound("no incident " + std::to_string(id.value()));
    const auto& inc = it->second;
    if (inc.status != IncidentStatus::kOpen) {
      return Conflict("incident " + std::to_string(id.value()) + " is " +
                      std::string(model::ToString(inc.status)));
    }
    if (!inc.location) {
      return Invalid("incident " + std::to_string(id.value()) +
                         " has no coordinates; add a call with a location",
                     "location");
    }
    plan = plans_.Find(inc.incident_type);
    if (!plan) return Status(Code::kInternal, "incident type has no response plan");
    where = *inc.location;
    for (const auto& uid : inc.ActiveUnits()) {
      auto u = units_.find(uid.value());
      if (u != units_.end()) assigned_types.push_back(u->second.unit_type);
    }
    for (const auto& [uid, u] : units_) {
      if (u.status == UnitStatus::kAvailable) units.push_back(u);
    }
    stations = StationList();
  }
  // Travel times are computed outside the lock: with road routing this is
  // the expensive part.
  auto rec =
      dispatch::Recommend(*plan, plans_, where, units, stations, assigned_types, travel_times_);
  Json list = Json::array();
  for (const auto& r : rec.units) {
    list.push_back({{"unit_id", r.unit_id.value()},
                    {"unit_type", r.unit_type},
                    {"fills", r.fills},
                    {"eta_s", std::round(r.eta_s * 10) / 10},
                    {"distance_m", std::round(r.distance_m)},
                    {"eta_method", r.by_road ? "road" : "straight_line"}});
  }
  Json unmet = Json::array();
  for (const auto& u : rec.unmet)
    unmet.push_back({{"unit_type", u.unit_type}, {"missing", u.missing}});
  return Json{{"incident_id", id.value()},
              {"incident_type", plan->code},
              {"priority", plan->priority},
              {"units", std::move(list)},
              {"unmet", std::move(unmet)}};
}

Json Center::ListUnits() const {
  std::lock_guard lock(mu_);
  Json arr = Json::array();
  for (const auto& [id, u] : units_) arr.push_back(model::ToJson(u));
  return {{"units", std::move(arr)}};
}

Json Center::ListStations() const {
  std::lock_guard lock(mu_);
  Json arr = Json::array();
  for (const auto& [id, s] : stations_) arr.push_back(model::ToJson(s));
  return {{"stations", std::move(arr)}};
}

}  // namespace beacon::service
