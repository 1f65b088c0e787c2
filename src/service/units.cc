// Center commands on units and stations: assignment, the status machine,
// positions, creation, and the recommendations for an incident.
#include "service/center.h"
#include "service/center_tx.h"

#include <cmath>
#include <map>

#include "dispatch/recommender.h"
#include "model/permissions.h"

namespace beacon::service {

void Center::Assign(const Actor& a, IncidentId incident_id, UnitId unit_id, Done done,
                    bool divert) {
  std::unique_lock lock(mu_);
  Status err;
  Incident* inc = OpenIncident(incident_id, err);
  if (!inc) return done(err);
  auto uit = units_.find(unit_id.value());
  if (uit == units_.end()) return done(Invalid("no unit " + unit_id.value(), "unit_id"));
  Unit& u = uit->second;
  Incident* from = nullptr;
  if (u.status != UnitStatus::kAvailable) {
    std::string is = "unit " + u.id.value() + " is " + std::string(model::ToString(u.status));
    if (!divert) {
      std::string hint = (u.status == UnitStatus::kDispatched || u.status == UnitStatus::kEnRoute)
                             ? "; send \"divert\": true to take it from its incident"
                             : "";
      return done(Conflict(is + "; only available units can be assigned" + hint, "unit_id"));
    }
    if (u.status != UnitStatus::kDispatched && u.status != UnitStatus::kEnRoute) {
      return done(Conflict(is + "; only dispatched or en-route units can be diverted", "unit_id"));
    }
    if (u.incident_id == inc->id) {
      return done(Conflict(is + " to this incident already", "unit_id"));
    }
    if (u.incident_id) {
      auto fit = incidents_.find(u.incident_id->value());
      if (fit != incidents_.end()) from = &fit->second;
    }
  }
  Tx tx(*this, a);
  if (from) {
    for (auto& as : from->assignments) {
      if (as.unit_id == u.id && !as.released_at) as.released_at = tx.now();
    }
    tx.Timeline(*from, "unit_diverted",
                u.id.value() + " diverted to incident " + std::to_string(inc->id.value()) +
                    " (priority " + std::to_string(inc->priority) + ")");
    // Its last unit gone, the incident waits for one again from now.
    if (from->ActiveUnits().empty()) from->pending_since = tx.now();
    tx.PutEvent("incident.updated", *from);
    tx.Audit("assignment.divert",
             IncidentObject(from->id) + "/unit/" + u.id.value() + "->" + IncidentObject(inc->id));
  }
  u.status = UnitStatus::kDispatched;
  u.status_at = tx.now();
  u.incident_id = inc->id;
  u.destination.reset();
  inc->assignments.push_back({u.id, tx.now(), std::nullopt});
  inc->pending_since.reset();
  // The crew gets the place's hazard notes with its assignment.
  std::vector<PremiseId> personal_read;
  Json hazards = PremiseNotes(*inc, model::Allowed(a.role, model::Permission::kReadPersonal),
                              /*hazards_only=*/true, personal_read);
  AuditPremiseReads(tx, personal_read, IncidentObject(inc->id));
  tx.Timeline(*inc, "assigned",
              u.id.value() + " (" + u.unit_type + ") dispatched" +
                  (from ? " (diverted from incident " + std::to_string(from->id.value()) + ")"
                        : std::string()) +
                  (hazards.empty()
                       ? std::string()
                       : "; " + std::to_string(hazards.size()) + " hazard note(s) at this place"));
  tx.PutEvent("unit.updated", u);
  tx.PutEvent("incident.updated", *inc);
  tx.Audit("assignment.create", IncidentObject(inc->id) + "/unit/" + u.id.value());
  Json body = {
      {"incident_id", inc->id.value()}, {"unit_id", u.id.value()}, {"status", "dispatched"}};
  if (from) body["diverted_from"] = from->id.value();
  if (!hazards.empty()) body["hazards"] = std::move(hazards);
  Submit(tx, std::move(body), std::move(done));
}

void Center::SetUnitStatus(const Actor& a, UnitId unit_id, intake::UnitStatusRequest req,
                           Done done) {
  const UnitStatus status = req.status;
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
  const model::Facility* destination = nullptr;
  if (req.destination) {
    auto f = facilities_.find(req.destination->value());
    if (f == facilities_.end()) {
      return done(
          Invalid("no facility " + req.destination->value() + " (GET /facilities lists them)",
                  "destination"));
    }
    if (f->second.status == model::FacilityStatus::kClosed) {
      return done(Conflict("facility " + f->first + " is closed", "destination"));
    }
    destination = &f->second;
  }
  Tx tx(*this, a);
  std::string from(model::ToString(u.status));
  if (status == UnitStatus::kAvailable && u.incident_id) {
    ReleaseUnit(tx, u, "status set to available");
  } else {
    u.status = status;
    u.status_at = tx.now();
    if (destination) {
      u.destination = destination->id;
    } else if (status != UnitStatus::kAtHospital) {
      u.destination.reset();
    }
    u.status_reason = req.reason;
    if (u.incident_id) {
      auto it = incidents_.find(u.incident_id->value());
      if (it != incidents_.end()) {
        std::string text =
            u.id.value() + " " + from + " -> " + std::string(model::ToString(status));
        if (destination) text += " to " + destination->name + " (" + destination->id.value() + ")";
        tx.Timeline(it->second, "unit_status", text);
        tx.PutEvent("incident.updated", it->second);
      }
    }
    tx.PutEvent("unit.updated", u);
  }
  tx.Audit("unit.status",
           UnitObject(u.id) + ":" + from + "->" + std::string(model::ToString(status)));
  Json body = model::ToJson(u);
  if (destination && destination->status == model::FacilityStatus::kDiversion) {
    body["warning"] = "facility " + destination->id.value() + " is on diversion";
  }
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

Result<Json> Center::Recommend(IncidentId id, bool include_divert) const {
  std::vector<Unit> units;
  std::vector<Unit> divertible;  // committed to lower-priority incidents
  std::map<std::string, std::int64_t> divert_from;
  std::vector<model::Station> stations;
  std::vector<std::string> assigned_types;
  LatLon where;
  const dispatch::IncidentTypePlan* plan;
  int priority;
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
    priority = inc.priority;
    where = *inc.location;
    for (const auto& uid : inc.ActiveUnits()) {
      auto u = units_.find(uid.value());
      if (u != units_.end()) assigned_types.push_back(u->second.unit_type);
    }
    units.reserve(units_.size());
    for (const auto& [uid, u] : units_) {
      if (u.status == UnitStatus::kAvailable) {
        units.push_back(u);
      } else if (include_divert && u.incident_id && u.incident_id != inc.id &&
                 (u.status == UnitStatus::kDispatched || u.status == UnitStatus::kEnRoute)) {
        auto other = incidents_.find(u.incident_id->value());
        if (other != incidents_.end() && other->second.priority > priority) {
          divertible.push_back(u);
          divert_from[u.id.value()] = other->first;
        }
      }
    }
    stations = StationList();
  }
  // Travel times are computed outside the lock: with road routing this is
  // the expensive part.
  auto rec = dispatch::Recommend(*plan, plans_, where, units, stations, assigned_types,
                                 travel_times_, priority);
  auto unit_json = [](const dispatch::RecommendedUnit& r) {
    Json j{{"unit_id", r.unit_id.value()},
           {"unit_type", r.unit_type},
           {"fills", r.fills},
           {"eta_s", std::round(r.eta_s * 10) / 10},
           {"distance_m", std::round(r.distance_m)},
           {"eta_method", !r.by_road     ? "straight_line"
                          : r.calibrated ? "road+calibrated"
                                         : "road"}};
    if (!r.substitute_for.empty()) j["substitute_for"] = r.substitute_for;
    if (r.first_responder) j["first_responder"] = true;
    return j;
  };
  Json list = Json::array();
  for (const auto& r : rec.units) list.push_back(unit_json(r));
  if (!divertible.empty()) {
    // The plan filled from available and divertible units together: a
    // committed unit it picks would arrive sooner than the available one
    // picked in its place, or fills what no available unit can.
    std::vector<Unit> all = units;
    for (auto u : divertible) {
      u.status = UnitStatus::kAvailable;
      all.push_back(std::move(u));
    }
    auto ideal = dispatch::Recommend(*plan, plans_, where, all, stations, assigned_types,
                                     travel_times_, priority);
    for (const auto& r : ideal.units) {
      auto f = divert_from.find(r.unit_id.value());
      if (f == divert_from.end()) continue;
      Json j = unit_json(r);
      j["divert_from"] = f->second;
      list.push_back(std::move(j));
    }
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
