#include "service/center.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "cap/parser.h"
#include "cap/writer.h"
#include "correlate/duplicate_detector.h"
#include "dispatch/recommender.h"
#include "intake/alert_request.h"
#include "model/permissions.h"

namespace beacon::service {

using model::Incident;
using model::IncidentStatus;
using model::Unit;
using model::UnitStatus;

// Accumulates one command's changes. Used under Center::mu_.
class Center::Tx {
 public:
  Tx(Center& c, const Actor& a)
      : c_(c), actor_(a), now_(c.clock_.Now()), records_(c.store_.KeepsRecords()) {}
  TimeMs now() const { return now_; }

  // With a store that keeps no records (store::Store::KeepsRecords) the
  // methods below change only the in-memory state (timeline, event
  // sequence numbers) and render nothing.
  void Put(const model::Call& x) {
    if (!records_) return;
    batch_.upserts.push_back(
        {store::Table::kCalls, std::to_string(x.id.value()), model::ToJson(x, true).dump()});
  }
  void Put(const model::Station& x) {
    if (!records_) return;
    batch_.upserts.push_back({store::Table::kStations, x.id.value(), model::ToJson(x).dump()});
  }
  void Event(std::string type, const Json& data) {
    if (!records_) {
      ++c_.seq_;
      return;
    }
    Event(std::move(type), data.dump());
  }
  void Event(std::string type, std::string data) {
    if (!records_) {
      ++c_.seq_;
      return;
    }
    batch_.events.push_back({++c_.seq_, now_, std::move(type), std::move(data)});
  }
  // Stores the record and emits `type` with it, rendering the JSON once.
  void PutEvent(std::string type, const Incident& x) {
    if (!records_) {
      ++c_.seq_;
      return;
    }
    std::string doc = model::ToJson(x, /*with_timeline=*/false).dump();
    std::string added = "[";
    for (const auto& entry : added_[x.id.value()]) {
      if (added.size() > 1) added += ',';
      added += entry;
    }
    added += ']';
    added_.erase(x.id.value());
    Event(std::move(type), R"({"incident":)" + doc + R"(,"timeline_added":)" + added + "}");
    batch_.upserts.push_back(
        {store::Table::kIncidents, std::to_string(x.id.value()), std::move(doc)});
  }
  void PutEvent(std::string type, const Unit& x) {
    if (!records_) {
      ++c_.seq_;
      return;
    }
    std::string doc = model::ToJson(x).dump();
    Event(std::move(type), R"({"unit":)" + doc + "}");
    batch_.upserts.push_back({store::Table::kUnits, x.id.value(), std::move(doc)});
  }
  void Audit(std::string action, std::string object) {
    if (!records_) return;
    batch_.audit.push_back({now_, actor_.user, std::string(model::ToString(actor_.role)),
                            std::move(action), std::move(object), actor_.reason});
  }
  // Appends to the incident's timeline; the entry is stored as its own row
  // and streamed with the incident's next event, so a long incident does
  // not cost more per change than a short one.
  void Timeline(Incident& i, std::string kind, std::string text) {
    i.timeline.push_back({now_, std::move(kind), std::move(text), actor_.user});
    if (!records_) return;
    std::string doc = model::ToJson(i.timeline.back()).dump();
    added_[i.id.value()].push_back(doc);
    batch_.timeline.push_back(
        {i.id.value(), static_cast<std::int64_t>(i.timeline.size()) - 1, std::move(doc)});
  }
  // A timeline entry with its own time and author (an imported EIDO note).
  void TimelineAs(Incident& i, TimeMs time, std::string user, std::string kind, std::string text) {
    i.timeline.push_back({time, std::move(kind), std::move(text), std::move(user)});
    if (!records_) return;
    std::string doc = model::ToJson(i.timeline.back()).dump();
    added_[i.id.value()].push_back(doc);
    batch_.timeline.push_back(
        {i.id.value(), static_cast<std::int64_t>(i.timeline.size()) - 1, std::move(doc)});
  }
  void Put(const model::Camera& x) {
    if (!records_) return;
    batch_.upserts.push_back(
        {store::Table::kCameras, std::to_string(x.id.value()), model::ToJson(x).dump()});
  }
  store::Batch& batch() { return batch_; }

 private:
  Center& c_;
  const Actor& actor_;
  TimeMs now_;
  bool records_;
  store::Batch batch_;
  // Timeline entries (JSON) added since the incident's last event.
  std::map<std::int64_t, std::vector<std::string>> added_;
};

namespace {

std::string IncidentObject(IncidentId id) { return "incident/" + std::to_string(id.value()); }
std::string UnitObject(const UnitId& id) { return "unit/" + id.value(); }

Json CallEvent(const model::Call& c) { return {{"call", model::ToJson(c, false)}}; }

}  // namespace

Center::Center(store::Store& store, const dispatch::ResponsePlans& plans,
               const dispatch::TravelTimes& travel_times, const Clock& clock, EventSink& sink)
    : store_(store),
      plans_(plans),
      travel_times_(travel_times),
      clock_(clock),
      sink_(sink),
      open_index_(plans.duplicate_distance_m()) {}

Status Center::Load(const store::Snapshot& snap) {
  std::lock_guard lock(mu_);
  try {
    for (const auto& d : snap.calls) {
      auto c = model::CallFromJson(Json::parse(d));
      next_call_ = std::max(next_call_, c.id.value() + 1);
      calls_.emplace(c.id.value(), std::move(c));
    }
    for (const auto& d : snap.incidents) {
      auto i = model::IncidentFromJson(Json::parse(d));
      next_incident_ = std::max(next_incident_, i.id.value() + 1);
      if (i.status == IncidentStatus::kOpen && i.location) open_index_.Insert(i.id, *i.location);
      if (i.eido) eido_incidents_[i.eido->incident_id] = i.id.value();
      incidents_.emplace(i.id.value(), std::move(i));
    }
    for (const auto& row : snap.timeline) {
      auto it = incidents_.find(row.incident_id);
      if (it == incidents_.end()) continue;
      it->second.timeline.push_back(model::TimelineEntryFromJson(Json::parse(row.doc)));
    }
    for (const auto& d : snap.units) {
      auto u = model::UnitFromJson(Json::parse(d));
      units_.emplace(u.id.value(), std::move(u));
    }
    for (const auto& d : snap.stations) {
      auto s = model::StationFromJson(Json::parse(d));
      stations_.emplace(s.id.value(), std::move(s));
    }
    for (const auto& d : snap.cameras) {
      auto c = model::CameraFromJson(Json::parse(d));
      next_camera_ = std::max(next_camera_, c.id.value() + 1);
      cameras_.emplace(c.id.value(), std::move(c));
    }
    LoadAlerts(snap);
  } catch (const Json::exception& e) {
    return Status(Code::kInternal, std::string("stored record is corrupt: ") + e.what());
  }
  seq_ = snap.last_event_seq;
  return Status::Ok();
}

void Center::Submit(Tx& tx, Json body, Done done) {
  auto events = tx.batch().events;
  store_.Submit(std::move(tx.batch()), [this, events = std::move(events), body = std::move(body),
                                        done = std::move(done)](const Status& s) mutable {
    if (!s.ok()) {
      done(s);
      return;
    }
    if (!events.empty()) sink_.Publish(events);
    done(std::move(body));
  });
}

model::Incident* Center::OpenIncident(IncidentId id, Status& err) {
  auto it = incidents_.find(id.value());
  if (it == incidents_.end()) {
    err = NotFound("no incident " + std::to_string(id.value()));
    return nullptr;
  }
  if (it->second.status != IncidentStatus::kOpen) {
    err = Conflict("incident " + std::to_string(id.value()) + " is " +
                   std::string(model::ToString(it->second.status)));
    return nullptr;
  }
  return &it->second;
}

void Center::ReleaseUnit(Tx& tx, Unit& u, const std::string& why) {
  if (u.incident_id) {
    auto it = incidents_.find(u.incident_id->value());
    if (it != incidents_.end()) {
      for (auto& as : it->second.assignments) {
        if (as.unit_id == u.id && !as.released_at) as.released_at = tx.now();
      }
      tx.Timeline(it->second, "unit_released", u.id.value() + " released: " + why);
      tx.PutEvent("incident.updated", it->second);
    }
  }
  u.incident_id.reset();
  u.status = UnitStatus::kAvailable;
  u.status_at = tx.now();
  tx.PutEvent("unit.updated", u);
}

void Center::CreateCall(const Actor& a, model::CallInput in, Done done) {
  std::unique_lock lock(mu_);
  Tx tx(*this, a);
  auto body = AddCall(tx, a, std::move(in), std::nullopt);
  if (!body) return done(body.error());
  Submit(tx, std::move(*body), std::move(done));
}

// The whole of taking a call, shared by POST /calls and CAP intake. `link`
// forces the incident (a CAP Update of an earlier alert's incident).
Result<Json> Center::AddCall(Tx& tx, const Actor& a, model::CallInput in,
                             std::optional<correlate::Match> link) {
  const auto* plan = plans_.Find(in.incident_type);
  if (!plan) {
    return Invalid(
        "unknown incident_type \"" + in.incident_type + "\"; valid codes: " + plans_.CodeList(),
        "incident_type");
  }
  TimeMs received = in.received_at.value_or(tx.now());
  if (received > tx.now() + 5 * 60 * 1000) {
    return Invalid("received_at is more than 5 minutes in the future", "received_at");
  }

  model::Call call;
  call.id = CallId{next_call_++};
  call.channel = in.channel;
  call.received_at = received;
  call.created_at = tx.now();
  call.created_by = a.user;
  call.location = in.location;
  call.accuracy_m = in.accuracy_m;
  call.address = std::move(in.address);
  call.incident_type = in.incident_type;
  call.narrative = std::move(in.narrative);
  call.caller = std::move(in.caller);
  call.source = std::move(in.source);

  std::optional<correlate::Match> match = std::move(link);
  if (!match && call.location) {
    std::vector<correlate::OpenIncident> open;
    for (IncidentId id : open_index_.Near(*call.location, plans_.duplicate_distance_m())) {
      const Incident& inc = incidents_.at(id.value());
      const auto* p = plans_.Find(inc.incident_type);
      open.push_back({inc.id, *inc.location, p ? p->category : "", inc.last_call_at});
    }
    match = correlate::FindDuplicate(
        {*call.location, plan->category, received}, open,
        {plans_.duplicate_distance_m(), plans_.duplicate_window_s()},
        [&](const std::string& x, const std::string& y) { return plans_.Compatible(x, y); });
  }

  Incident* inc;
  if (match) {
    inc = &incidents_.at(match->incident_id.value());
    call.duplicate_of = inc->id;
    inc->call_ids.push_back(call.id);
    inc->last_call_at = std::max(inc->last_call_at, received);
    tx.Timeline(
        *inc, "call_linked",
        "call " + std::to_string(call.id.value()) + " linked as duplicate: " + match->reason);
    if (plan->priority < inc->priority) {
      // A more urgent report of the same incident (an alarm that turns out
      // to be a working fire) upgrades the incident's type, so its response
      // plan, and so the recommendations, follow.
      tx.Timeline(*inc, "upgraded",
                  "type " + inc->incident_type + " (priority " + std::to_string(inc->priority) +
                      ") upgraded to " + plan->code + " (priority " +
                      std::to_string(plan->priority) + ") by call " +
                      std::to_string(call.id.value()));
      inc->incident_type = plan->code;
      inc->priority = plan->priority;
    }
  } else {
    Incident fresh;
    fresh.id = IncidentId{next_incident_++};
    fresh.incident_type = plan->code;
    fresh.priority = plan->priority;
    fresh.location = call.location;
    fresh.address = call.address;
    fresh.opened_at = tx.now();
    fresh.last_call_at = received;
    fresh.call_ids.push_back(call.id);
    tx.Timeline(fresh, "opened",
                "opened from call " + std::to_string(call.id.value()) + " (" +
                    std::string(model::ToString(call.channel)) + ", " + plan->name + ")");
    inc = &incidents_.emplace(fresh.id.value(), std::move(fresh)).first->second;
    if (inc->location) open_index_.Insert(inc->id, *inc->location);
  }
  call.incident_id = inc->id;
  tx.Put(call);
  tx.Event("call.created", CallEvent(call));
  tx.PutEvent(match ? "incident.updated" : "incident.opened", *inc);
  tx.Audit("call.create", "call/" + std::to_string(call.id.value()));

  Json body = {{"call_id", call.id.value()}, {"incident_id", inc->id.value()}};
  if (match) {
    body["duplicate_of"] = inc->id.value();
    body["link_reason"] = match->reason;
  }
  calls_.emplace(call.id.value(), std::move(call));
  return body;
}

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

void Center::Merge(const Actor& a, IncidentId from_id, IncidentId into_id, Done done) {
  std::unique_lock lock(mu_);
  if (from_id == into_id) return done(Invalid("cannot merge an incident into itself", "into"));
  Status err;
  Incident* from = OpenIncident(from_id, err);
  if (!from) return done(err);
  Incident* into = OpenIncident(into_id, err);
  if (!into) {
    return done(
        Status(err.code() == Code::kNotFound ? Code::kInvalid : err.code(), err.message(), "into"));
  }
  Tx tx(*this, a);
  for (auto cid : from->call_ids) {
    auto& c = calls_.at(cid.value());
    c.incident_id = into->id;
    into->call_ids.push_back(cid);
    tx.Put(c);
    tx.Event("call.updated", CallEvent(c));
  }
  for (auto& as : from->assignments) {
    if (as.released_at) continue;
    into->assignments.push_back(as);
    as.released_at = tx.now();
    auto& u = units_.at(as.unit_id.value());
    u.incident_id = into->id;
    tx.PutEvent("unit.updated", u);
  }
  into->last_call_at = std::max(into->last_call_at, from->last_call_at);
  if (from->priority < into->priority) {
    into->incident_type = from->incident_type;
    into->priority = from->priority;
  }
  std::string moved = std::to_string(from->call_ids.size());
  from->call_ids.clear();
  if (from->location) open_index_.Erase(from->id, *from->location);
  from->status = IncidentStatus::kMerged;
  from->merged_into = into->id;
  from->closed_at = tx.now();
  tx.Timeline(*from, "merged", "merged into incident " + std::to_string(into->id.value()));
  tx.Timeline(*into, "merged",
              "incident " + std::to_string(from->id.value()) + " merged in (" + moved +
                  " calls); undo with split");
  tx.PutEvent("incident.merged", *from);
  tx.PutEvent("incident.updated", *into);
  tx.Audit("incident.merge", IncidentObject(from->id) + "->" + IncidentObject(into->id));
  Submit(tx, model::ToJson(*into), std::move(done));
}

void Center::Split(const Actor& a, IncidentId from_id, std::vector<CallId> call_ids, Done done) {
  std::unique_lock lock(mu_);
  Status err;
  Incident* from = OpenIncident(from_id, err);
  if (!from) return done(err);
  std::set<std::int64_t> moving;
  for (size_t i = 0; i < call_ids.size(); ++i) {
    auto id = call_ids[i];
    bool belongs =
        std::find(from->call_ids.begin(), from->call_ids.end(), id) != from->call_ids.end();
    std::string field = "call_ids[" + std::to_string(i) + "]";
    if (!belongs) {
      return done(Invalid("call " + std::to_string(id.value()) + " is not part of incident " +
                              std::to_string(from_id.value()),
                          field));
    }
    if (!moving.insert(id.value()).second) {
      return done(Invalid("call " + std::to_string(id.value()) + " is listed twice", field));
    }
  }
  if (moving.size() == from->call_ids.size()) {
    return done(Invalid("cannot split off every call; at least one must stay", "call_ids"));
  }
  Tx tx(*this, a);
  Incident fresh;
  fresh.id = IncidentId{next_incident_++};
  fresh.opened_at = tx.now();
  std::vector<CallId> staying;
  for (auto cid : from->call_ids) {
    auto& c = calls_.at(cid.value());
    if (!moving.count(cid.value())) {
      staying.push_back(cid);
      continue;
    }
    if (fresh.call_ids.empty()) {
      fresh.incident_type = c.incident_type;
      const auto* p = plans_.Find(c.incident_type);
      fresh.priority = p ? p->priority : 3;
      fresh.address = c.address;
    }
    if (!fresh.location && c.location) fresh.location = c.location;
    fresh.last_call_at = std::max(fresh.last_call_at, c.received_at);
    fresh.call_ids.push_back(cid);
    c.incident_id = fresh.id;
    tx.Put(c);
    tx.Event("call.updated", CallEvent(c));
  }
  from->call_ids = std::move(staying);
  // The remaining incident is placed at its first remaining call with a location.
  if (from->location) open_index_.Erase(from->id, *from->location);
  from->last_call_at = 0;
  for (auto cid : from->call_ids) {
    const auto& c = calls_.at(cid.value());
    from->last_call_at = std::max(from->last_call_at, c.received_at);
  }
  for (auto cid : from->call_ids) {
    const auto& c = calls_.at(cid.value());
    if (c.location) {
      from->location = c.location;
      break;
    }
  }
  if (from->location) open_index_.Insert(from->id, *from->location);
  if (fresh.location) open_index_.Insert(fresh.id, *fresh.location);
  tx.Timeline(fresh, "split",
              "split from incident " + std::to_string(from->id.value()) + " with " +
                  std::to_string(fresh.call_ids.size()) + " calls");
  tx.Timeline(*from, "split",
              std::to_string(fresh.call_ids.size()) + " calls split off into incident " +
                  std::to_string(fresh.id.value()));
  tx.PutEvent("incident.updated", *from);
  tx.PutEvent("incident.opened", fresh);
  tx.Audit("incident.split", IncidentObject(from->id) + "->" + IncidentObject(fresh.id));
  Json body = model::ToJson(fresh);
  incidents_.emplace(fresh.id.value(), std::move(fresh));
  Submit(tx, std::move(body), std::move(done));
}

void Center::Close(const Actor& a, IncidentId id, std::string disposition, Done done) {
  std::unique_lock lock(mu_);
  Status err;
  Incident* inc = OpenIncident(id, err);
  if (!inc) return done(err);
  Tx tx(*this, a);
  for (const auto& uid : inc->ActiveUnits()) {
    auto it = units_.find(uid.value());
    if (it != units_.end()) ReleaseUnit(tx, it->second, "incident closed");
  }
  if (inc->location) open_index_.Erase(inc->id, *inc->location);
  inc->status = IncidentStatus::kClosed;
  inc->closed_at = tx.now();
  inc->disposition = disposition;
  tx.Timeline(*inc, "closed", "closed: " + disposition);
  tx.PutEvent("incident.closed", *inc);
  tx.Audit("incident.close", IncidentObject(inc->id));
  Submit(tx, model::ToJson(*inc), std::move(done));
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

void Center::GetCall(const Actor& a, CallId id, Done done) {
  std::unique_lock lock(mu_);
  auto it = calls_.find(id.value());
  if (it == calls_.end()) return done(NotFound("no call " + std::to_string(id.value())));
  bool personal =
      model::Allowed(a.role, model::Permission::kReadPersonal) && it->second.caller.has_value();
  Json body = model::ToJson(it->second, personal);
  if (!personal) {
    lock.unlock();
    return done(std::move(body));
  }
  Tx tx(*this, a);
  tx.Audit("call.read_personal", "call/" + std::to_string(id.value()));
  Submit(tx, std::move(body), std::move(done));
}

void Center::GetIncident(const Actor& a, IncidentId id, Done done) {
  std::unique_lock lock(mu_);
  auto it = incidents_.find(id.value());
  if (it == incidents_.end()) return done(NotFound("no incident " + std::to_string(id.value())));
  bool may = model::Allowed(a.role, model::Permission::kReadPersonal);
  bool personal = false;
  Json calls = Json::array();
  for (auto cid : it->second.call_ids) {
    const auto& c = calls_.at(cid.value());
    personal = personal || (may && c.caller.has_value());
    calls.push_back(model::ToJson(c, may));
  }
  Json body = model::ToJson(it->second);
  body["calls"] = std::move(calls);
  if (!personal) {
    lock.unlock();
    return done(std::move(body));
  }
  Tx tx(*this, a);
  tx.Audit("incident.read_personal", IncidentObject(id));
  Submit(tx, std::move(body), std::move(done));
}

Result<Json> Center::ListIncidents(std::string_view filter) const {
  if (filter != "open" && filter != "closed" && filter != "all") {
    return Invalid("status must be open, closed or all", "status");
  }
  std::lock_guard lock(mu_);
  std::vector<const Incident*> out;
  for (const auto& [id, inc] : incidents_) {
    bool open = inc.status == IncidentStatus::kOpen;
    if (filter == "all" || (filter == "open") == open) out.push_back(&inc);
  }
  // Most urgent first, then oldest first: the order a dispatcher works in.
  std::sort(out.begin(), out.end(), [](const Incident* x, const Incident* y) {
    if (x->priority != y->priority) return x->priority < y->priority;
    return x->opened_at < y->opened_at;
  });
  Json arr = Json::array();
  for (const auto* inc : out) {
    Json j = model::ToJson(*inc);
    j.erase("timeline");
    arr.push_back(std::move(j));
  }
  return Json{{"incidents", std::move(arr)}};
}

std::vector<model::Station> Center::StationList() const {
  std::vector<model::Station> out;
  for (const auto& [id, s] : stations_) out.push_back(s);
  return out;
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

Json Center::IncidentTypes() const {
  Json arr = Json::array();
  for (const auto& t : plans_.types()) {
    Json units = Json::object();
    for (const auto& n : t.units) units[n.unit_type] = n.count;
    arr.push_back({{"code", t.code},
                   {"name", t.name},
                   {"category", t.category},
                   {"priority", t.priority},
                   {"units", std::move(units)}});
  }
  return {{"incident_types", std::move(arr)}};
}

CenterStats Center::Stats() const {
  std::lock_guard lock(mu_);
  CenterStats s;
  s.calls = static_cast<std::int64_t>(calls_.size());
  for (const auto& [id, inc] : incidents_) s.open_incidents += inc.status == IncidentStatus::kOpen;
  s.units = static_cast<std::int64_t>(units_.size());
  s.last_seq = seq_;
  return s;
}

namespace {

bool SameLoc(const std::optional<LatLon>& a, const std::optional<LatLon>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (std::abs(a->lat - b->lat) < 1e-7 && std::abs(a->lon - b->lon) < 1e-7);
}

bool SameCaller(const std::optional<model::Caller>& a, const std::optional<model::Caller>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->name == b->name && a->phone == b->phone);
}

Json CameraSummary(const model::Camera& c) {
  return {{"id", c.id.value()}, {"name", c.name}, {"lat", c.location.lat}, {"lon", c.location.lon}};
}

}  // namespace

// ---- CAP 1.2 -------------------------------------------------------------

void Center::LoadAlerts(const store::Snapshot& snap) {
  for (const auto& d : snap.alerts) {
    Json j = Json::parse(d);
    std::int64_t id = j.at("id").get<std::int64_t>();
    next_alert_ = std::max(next_alert_, id + 1);
    if (j.at("direction") == "received") {
      CapReceived r;
      r.alert_id = id;
      if (j.contains("call_id")) r.call_id = j["call_id"].get<std::int64_t>();
      if (j.contains("incident_id")) r.incident_id = j["incident_id"].get<std::int64_t>();
      r.sha256 = j.at("sha256").get<std::string>();
      r.result = j.at("result");
      cap_received_[j.at("key").get<std::string>()] = std::move(r);
    } else {
      std::string xml = j.at("xml").get<std::string>();
      j.erase("xml");
      issued_[id] = {std::move(j), std::move(xml)};
    }
  }
}

model::Incident* Center::CapIncident(const std::string& key) {
  auto it = cap_received_.find(key);
  if (it == cap_received_.end()) return nullptr;
  std::optional<std::int64_t> inc_id = it->second.incident_id;
  // The call's incident is the current one: calls move on merge and split.
  if (it->second.call_id) {
    auto c = calls_.find(*it->second.call_id);
    if (c != calls_.end()) inc_id = c->second.incident_id.value();
  }
  if (!inc_id) return nullptr;
  for (size_t hops = 0; hops <= incidents_.size(); ++hops) {
    auto inc = incidents_.find(*inc_id);
    if (inc == incidents_.end()) return nullptr;
    if (inc->second.status == IncidentStatus::kMerged && inc->second.merged_into) {
      inc_id = inc->second.merged_into->value();
      continue;
    }
    return &inc->second;
  }
  return nullptr;
}

void Center::ReceiveCap(const Actor& a, ReceivedCap in, Done done) {
  std::unique_lock lock(mu_);
  const cap::Alert& alert = in.alert;
  std::string key = alert.Key();
  if (auto it = cap_received_.find(key); it != cap_received_.end()) {
    if (it->second.sha256 != in.sha256) {
      return done(Conflict("a different message with sender " + alert.sender + ", identifier " +
                               alert.identifier + " and sent " + alert.sent +
                               " was received before (alert " +
                               std::to_string(it->second.alert_id) +
                               "); a correction must be an Update with a new identifier",
                           "identifier"));
    }
    Json again = it->second.result;
    again["duplicate"] = true;
    return done(std::move(again));
  }
  Tx tx(*this, a);
  std::int64_t alert_id = next_alert_++;
  Json source = {{"standard", "CAP 1.2"},  {"alert_id", alert_id}, {"identifier", alert.identifier},
                 {"sender", alert.sender}, {"sent", alert.sent},   {"msg_type", alert.msg_type},
                 {"status", alert.status}, {"sha256", in.sha256}};
  if (alert.signed_xml) source["signed"] = true;
  Json refs = Json::array();
  for (const auto& r : alert.references) refs.push_back(r.Key());
  if (!refs.empty()) source["references"] = refs;

  // The earlier alert this one updates or cancels: the first reference
  // Beacon has received whose incident is still open.
  Incident* linked = nullptr;
  std::string linked_key;
  for (const auto& r : alert.references) {
    Incident* inc = CapIncident(r.Key());
    if (inc && inc->status == IncidentStatus::kOpen) {
      linked = inc;
      linked_key = r.Key();
      break;
    }
  }

  Json body = {{"alert_id", alert_id},
               {"identifier", alert.identifier},
               {"sender", alert.sender},
               {"sent", alert.sent},
               {"msg_type", alert.msg_type}};
  CapReceived rec;
  rec.alert_id = alert_id;
  rec.sha256 = in.sha256;
  if (in.call) {
    in.call->source = source;
    std::optional<correlate::Match> link;
    if (linked) {
      link = correlate::Match{linked->id, 0, 0, "CAP Update of " + linked_key};
    }
    auto r = AddCall(tx, a, std::move(*in.call), std::move(link));
    if (!r) {
      --next_alert_;
      return done(r.error());
    }
    rec.call_id = r->at("call_id").get<std::int64_t>();
    rec.incident_id = r->at("incident_id").get<std::int64_t>();
    body["call_id"] = *rec.call_id;
    body["incident_id"] = *rec.incident_id;
  } else if (linked) {
    std::string why = alert.note.value_or("");
    if (why.empty() && !alert.infos.empty()) {
      why = alert.infos.front().headline.value_or(alert.infos.front().event);
    }
    tx.Timeline(*linked, "cap_cancel",
                "CAP Cancel " + key + " of " + linked_key + (why.empty() ? "" : ": " + why) +
                    " (the incident stays open until a supervisor closes it)");
    tx.PutEvent("incident.updated", *linked);
    rec.incident_id = linked->id.value();
    body["incident_id"] = *rec.incident_id;
  }
  if (linked) body["linked_to"] = linked_key;
  body["linked"] = linked != nullptr;
  rec.result = body;

  Json doc = source;
  doc["id"] = alert_id;
  doc["direction"] = "received";
  doc["key"] = key;
  doc["received_by"] = a.user;
  doc["received_at"] = FormatRfc3339(tx.now());
  if (rec.call_id) doc["call_id"] = *rec.call_id;
  if (rec.incident_id) doc["incident_id"] = *rec.incident_id;
  doc["result"] = body;
  doc["xml_base64"] = std::move(in.xml_base64);
  tx.batch().upserts.push_back({store::Table::kAlerts, std::to_string(alert_id), doc.dump()});
  tx.Audit("cap.receive", "alert/" + std::to_string(alert_id) + ":" + key);
  cap_received_[key] = std::move(rec);
  Submit(tx, std::move(body), std::move(done));
}

namespace {

// A CAP identifier Beacon issues: unique per sender (the alert id) and
// readable ("beacon-20261123T161247-42"); no spaces, commas, < or &.
std::string IssuedIdentifier(const std::string& sent, std::int64_t id) {
  std::string compact;
  for (char c : sent.substr(0, 19)) {
    if (c != '-' && c != ':') compact += c;
  }
  return "beacon-" + compact + "-" + std::to_string(id);
}

cap::Alert BuildAlert(const intake::AlertIssueRequest& r, const std::string& identifier,
                      const std::string& sender, const std::string& sent,
                      std::vector<cap::Reference> references) {
  cap::Alert a;
  a.identifier = identifier;
  a.sender = sender;
  a.sent = sent;
  a.status = r.status;
  a.msg_type = r.msg_type;
  a.scope = "Public";
  a.references = std::move(references);
  a.incidents = "beacon-incident-" + std::to_string(r.incident_id.value());
  for (const auto& t : r.languages) {
    cap::Info info;
    info.language = t.language;
    info.categories = {r.category};
    info.event = t.event;
    info.response_types = r.response_types;
    info.urgency = r.urgency;
    info.severity = r.severity;
    info.certainty = r.certainty;
    if (r.expires) info.expires = cap::FormatCapTime(*r.expires);
    info.headline = t.headline;
    info.description = t.description;
    info.instruction = t.instruction;
    cap::Area area;
    area.desc = r.area.description;
    if (!r.area.polygon.empty()) area.polygons.push_back(r.area.polygon);
    if (r.area.circle_centre)
      area.circles.push_back({*r.area.circle_centre, r.area.circle_radius_km});
    info.areas.push_back(std::move(area));
    a.infos.push_back(std::move(info));
  }
  return a;
}

}  // namespace

void Center::ImportIncident(const Actor& a, eido::Document doc, const eido::Identity& self,
                            Done done) {
  if (eido::IsOwnId(doc.incident_id, self.agency)) {
    return done(Conflict("$id \"" + doc.incident_id + "\" is an incident of this centre (" +
                             self.agency + "); it is not imported back",
                         "$id"));
  }
  // The incident type: the first candidate Beacon knows as a code.
  const dispatch::IncidentTypePlan* plan = nullptr;
  for (const auto& cand : doc.type_candidates) {
    std::string upper;
    for (char c : cand)
      upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    if ((plan = plans_.Find(cand)) || (plan = plans_.Find(upper))) break;
  }
  bool type_known = plan != nullptr;
  std::unique_lock lock(mu_);
  Tx tx(*this, a);
  for (const auto& c : doc.calls) {
    if (c.received_at > tx.now() + 5 * 60 * 1000) {
      return done(Invalid(c.field + ".callStartTimestamp is more than 5 minutes in the future",
                          c.field + ".callStartTimestamp"));
    }
  }
  Incident* inc = nullptr;
  bool created = false;
  if (auto it = eido_incidents_.find(doc.incident_id); it != eido_incidents_.end()) {
    inc = &incidents_.at(it->second);
    if (inc->status == IncidentStatus::kClosed && doc.closed) {
      // A closed incident sent again: nothing to change, but the receipt is
      // still audited.
      tx.Audit("incident.import_eido", IncidentObject(inc->id) + " <- " + doc.incident_id);
      return Submit(tx,
                    {{"incident_id", inc->id.value()},
                     {"eido_id", doc.incident_id},
                     {"created", false},
                     {"changed", false},
                     {"calls_added", 0},
                     {"notes_added", 0},
                     {"resources_added", 0}},
                    std::move(done));
    }
    if (inc->status != IncidentStatus::kOpen) {
      return done(Conflict("EIDO " + doc.incident_id + " was imported as incident " +
                               std::to_string(inc->id.value()) + ", which is " +
                               std::string(model::ToString(inc->status)) + "; it takes no updates",
                           "$id"));
    }
    if (doc.updated_at < inc->eido->updated_at) {
      return done(Conflict("lastUpdateTimeStamp " + FormatRfc3339(doc.updated_at) +
                               " is older than the last import of this incident (" +
                               FormatRfc3339(inc->eido->updated_at) + ")",
                           "lastUpdateTimeStamp"));
    }
  } else {
    if (!plan) plan = plans_.Find("PUBLIC_SERVICE");
    if (!plan) plan = &plans_.types().front();
    Incident fresh;
    fresh.id = IncidentId{next_incident_++};
    fresh.incident_type = plan->code;
    fresh.priority = plan->priority;
    fresh.opened_at = tx.now();
    fresh.eido = model::EidoLink{doc.incident_id, doc.agency, doc.updated_at, {}, {}, {}};
    inc = &incidents_.emplace(fresh.id.value(), std::move(fresh)).first->second;
    eido_incidents_[doc.incident_id] = inc->id.value();
    created = true;
  }
  model::EidoLink& link = *inc->eido;
  std::vector<std::string> changes;
  if (!created && type_known && plan->code != inc->incident_type) {
    changes.push_back("type " + inc->incident_type + " -> " + plan->code);
    inc->incident_type = plan->code;
    inc->priority = plan->priority;
  }
  std::optional<LatLon> old_location = inc->location;
  if (doc.location.point && !SameLoc(doc.location.point, inc->location)) {
    inc->location = doc.location.point;
    if (!created) changes.push_back("location");
  }
  if (doc.location.address && doc.location.address != inc->address) {
    inc->address = doc.location.address;
    if (!created) changes.push_back("address");
  }
  int calls_added = 0, notes_added = 0, resources_added = 0;
  for (const auto& ec : doc.calls) {
    if (eido::IsOwnId(ec.id, self.agency)) continue;
    std::string type =
        ec.incident_type && plans_.Find(*ec.incident_type) ? *ec.incident_type : inc->incident_type;
    model::Call* call = nullptr;
    for (const auto& [eid, cid] : link.calls) {
      if (eid == ec.id) call = &calls_.at(cid.value());
    }
    bool fresh = call == nullptr;
    if (fresh) {
      model::Call c;
      c.id = CallId{next_call_++};
      c.incident_id = inc->id;
      c.created_at = tx.now();
      c.created_by = a.user;
      call = &calls_.emplace(c.id.value(), std::move(c)).first->second;
      inc->call_ids.push_back(call->id);
      link.calls.emplace_back(ec.id, call->id);
    }
    auto channel = ec.channel.value_or(model::Channel::kAgency);
    auto accuracy = ec.location.point ? ec.location.radius_m : std::nullopt;
    bool same = !fresh && call->channel == channel && call->received_at == ec.received_at &&
                SameLoc(call->location, ec.location.point) && call->accuracy_m == accuracy &&
                call->address == ec.location.address && call->incident_type == type &&
                call->narrative == ec.narrative && SameCaller(call->caller, ec.caller);
    if (same) continue;
    call->channel = channel;
    call->received_at = ec.received_at;
    call->location = ec.location.point;
    call->accuracy_m = accuracy;
    call->address = ec.location.address;
    call->incident_type = type;
    call->narrative = ec.narrative;
    call->caller = ec.caller;
    inc->last_call_at = std::max(inc->last_call_at, ec.received_at);
    tx.Put(*call);
    tx.Event(fresh ? "call.created" : "call.updated", Json{{"call", model::ToJson(*call, false)}});
    if (fresh) {
      ++calls_added;
    } else {
      changes.push_back("call " + std::to_string(call->id.value()) + " updated");
    }
  }
  if (calls_added && !created) changes.push_back(std::to_string(calls_added) + " calls added");
  // An EIDO without calls: the incident's last activity is the EIDO's time.
  if (inc->call_ids.empty()) inc->last_call_at = std::max(inc->last_call_at, doc.updated_at);
  if (!inc->location) {
    for (auto cid : inc->call_ids) {
      const auto& c = calls_.at(cid.value());
      if (c.location) {
        inc->location = c.location;
        break;
      }
    }
  }
  if (!SameLoc(old_location, inc->location)) {
    if (old_location && !created) open_index_.Erase(inc->id, *old_location);
    if (inc->location) open_index_.Insert(inc->id, *inc->location);
  }
  if (created) {
    std::string text = "imported by EIDO from " + doc.agency + " (incident " + doc.incident_id +
                       ", issued by " + doc.element;
    if (doc.agent) text += ", agent " + *doc.agent;
    text += ", last updated " + FormatRfc3339(doc.updated_at) + ")";
    if (!type_known) {
      std::string said;
      for (const auto& cand : doc.type_candidates) said += (said.empty() ? "" : " / ") + cand;
      text += said.empty() ? "; no incident type given"
                           : "; incident type \"" + said + "\" is not one of this centre's";
      text += ", set to " + inc->incident_type + ": review it";
    }
    tx.Timeline(*inc, "eido_import", text);
  }
  for (const auto& n : doc.notes) {
    if (eido::IsOwnId(n.id, self.agency)) continue;
    bool seen = false;
    for (const auto& [eid, k] : link.notes) seen = seen || eid == n.id;
    if (seen) continue;
    tx.TimelineAs(*inc, n.time, n.author.empty() ? doc.agency : n.author, "note", n.text);
    link.notes.emplace_back(n.id, static_cast<std::int64_t>(inc->timeline.size()) - 1);
    ++notes_added;
  }
  if (notes_added && !created) changes.push_back(std::to_string(notes_added) + " notes added");
  for (const auto& r : doc.resources) {
    if (eido::IsOwnId(r.id, self.agency)) continue;
    model::ForeignResource* have = nullptr;
    for (auto& x : link.resources) {
      if (x.id == r.id) have = &x;
    }
    std::string what = r.agency + " unit " + r.name +
                       (r.unit_type.empty() ? "" : " (" + r.unit_type + ")") + ": " +
                       (r.status.empty() ? "status not given" : r.status);
    if (!have) {
      link.resources.push_back(r);
      tx.Timeline(*inc, "eido_resource", "other centre's unit, not ours: " + what);
      ++resources_added;
    } else if (have->status != r.status || have->name != r.name || have->unit_type != r.unit_type ||
               have->agency != r.agency) {
      *have = r;
      tx.Timeline(*inc, "eido_resource", "other centre's unit, not ours: " + what);
      changes.push_back("unit " + r.name + " " + r.status);
    }
  }
  if (resources_added && !created) {
    changes.push_back(std::to_string(resources_added) + " other centre's units added");
  }
  // Our own export sent back keeps the incident's origin.
  if (doc.agency != self.agency) link.agency = doc.agency;
  link.updated_at = doc.updated_at;
  bool closing = doc.closed;
  if (closing) {
    for (const auto& uid : inc->ActiveUnits()) {
      auto it = units_.find(uid.value());
      if (it != units_.end()) ReleaseUnit(tx, it->second, "incident closed by " + doc.agency);
    }
    if (inc->location) open_index_.Erase(inc->id, *inc->location);
    inc->status = IncidentStatus::kClosed;
    inc->closed_at = tx.now();
    inc->disposition = doc.disposition.value_or("closed by " + doc.agency);
    changes.push_back("closed: " + *inc->disposition);
  }
  if (!created && !changes.empty()) {
    std::string text = "updated by EIDO from " + doc.agency + " (last updated " +
                       FormatRfc3339(doc.updated_at) + "): ";
    size_t shown = std::min<size_t>(changes.size(), 20);
    for (size_t i = 0; i < shown; ++i) text += (i ? "; " : "") + changes[i];
    if (shown < changes.size()) text += "; and " + std::to_string(changes.size() - shown) + " more";
    tx.Timeline(*inc, "eido_update", text);
  }
  bool changed = created || !changes.empty() || notes_added || calls_added || resources_added;
  // The incident document carries the EIDO link (and its updated_at), so it
  // is stored on every accepted import, changed or not.
  if (changed) {
    tx.PutEvent(created   ? "incident.opened"
                : closing ? "incident.closed"
                          : "incident.updated",
                *inc);
  } else {
    tx.batch().upserts.push_back({store::Table::kIncidents, std::to_string(inc->id.value()),
                                  model::ToJson(*inc, /*with_timeline=*/false).dump()});
  }
  tx.Audit("incident.import_eido", IncidentObject(inc->id) + " <- " + doc.incident_id);
  Json body = {{"incident_id", inc->id.value()},
               {"eido_id", doc.incident_id},
               {"created", created},
               {"changed", changed},
               {"calls_added", calls_added},
               {"notes_added", notes_added},
               {"resources_added", resources_added}};
  Submit(tx, std::move(body), std::move(done));
}

void Center::ExportIncident(const Actor& a, IncidentId id, const eido::Identity& self, Done done) {
  std::unique_lock lock(mu_);
  auto it = incidents_.find(id.value());
  if (it == incidents_.end()) return done(NotFound("no incident " + std::to_string(id.value())));
  const Incident& inc = it->second;
  Tx tx(*this, a);
  eido::ExportInput in;
  in.incident = &inc;
  for (auto cid : inc.call_ids) in.calls.push_back(&calls_.at(cid.value()));
  for (const auto& as : inc.assignments) {
    auto u = units_.find(as.unit_id.value());
    if (u == units_.end()) continue;
    in.units.push_back({u->first,
                        {u->second.unit_type, std::string(model::ToString(u->second.status)),
                         u->second.incident_id}});
  }
  if (const auto* plan = plans_.Find(inc.incident_type)) {
    in.type_name = plan->name;
    in.category = plan->category;
  }
  in.self = self;
  in.now = tx.now();
  Json body = eido::Export(in);
  // The EIDO carries caller name and phone: a read of personal data.
  tx.Audit("incident.export_eido", IncidentObject(id));
  Submit(tx, std::move(body), std::move(done));
}

void Center::CreateCamera(const Actor& a, intake::CameraCreateRequest req, Done done) {
  std::unique_lock lock(mu_);
  Tx tx(*this, a);
  model::Camera c{CameraId{next_camera_++},
                  std::move(req.name),
                  req.location,
                  std::move(req.stream_url),
                  tx.now(),
                  a.user};
  tx.Put(c);
  // The stream URL is handed out only by the audited view, never in events.
  tx.Event("camera.created", Json{{"camera", CameraSummary(c)}});
  tx.Audit("camera.create", "camera/" + std::to_string(c.id.value()));
  Json body = model::ToJson(c);
  cameras_.emplace(c.id.value(), std::move(c));
  Submit(tx, std::move(body), std::move(done));
}

Json Center::ListCameras() const {
  std::lock_guard lock(mu_);
  Json arr = Json::array();
  for (const auto& [id, c] : cameras_) arr.push_back(CameraSummary(c));
  return {{"cameras", std::move(arr)}};
}

Result<Json> Center::NearestCameras(IncidentId id, size_t limit) const {
  std::lock_guard lock(mu_);
  auto it = incidents_.find(id.value());
  if (it == incidents_.end()) return NotFound("no incident " + std::to_string(id.value()));
  Json arr = Json::array();
  if (it->second.location) {
    LatLon where = *it->second.location;
    std::vector<std::pair<double, const model::Camera*>> by_distance;
    for (const auto& [cid, c] : cameras_)
      by_distance.push_back({HaversineM(where, c.location), &c});
    size_t n = std::min(limit, by_distance.size());
    std::partial_sort(by_distance.begin(), by_distance.begin() + n, by_distance.end(),
                      [](const auto& x, const auto& y) {
                        if (x.first != y.first) return x.first < y.first;
                        return x.second->id.value() < y.second->id.value();
                      });
    for (size_t i = 0; i < n; ++i) {
      Json j = CameraSummary(*by_distance[i].second);
      j["distance_m"] = std::round(by_distance[i].first);
      arr.push_back(std::move(j));
    }
  }
  return Json{{"incident_id", id.value()}, {"cameras", std::move(arr)}};
}

void Center::ViewCamera(const Actor& a, IncidentId incident, CameraId camera, Done done) {
  std::unique_lock lock(mu_);
  if (!incidents_.count(incident.value())) {
    return done(NotFound("no incident " + std::to_string(incident.value())));
  }
  auto it = cameras_.find(camera.value());
  if (it == cameras_.end()) return done(NotFound("no camera " + std::to_string(camera.value())));
  Tx tx(*this, a);
  tx.Audit("camera.view",
           "camera/" + std::to_string(camera.value()) + " for " + IncidentObject(incident));
  Submit(tx,
         {{"incident_id", incident.value()},
          {"camera_id", camera.value()},
          {"name", it->second.name},
          {"stream_url", it->second.stream_url}},
         std::move(done));
}

void Center::IssueAlert(const Actor& a, Json body, const std::string& sender, Done done) {
  if (!body.is_object()) return done(Malformed("the body must be a JSON object"));
  std::unique_lock lock(mu_);
  // An Update or Cancel starts from the request of the alert it replaces.
  Json merged = body;
  IssuedAlert* previous = nullptr;
  if (auto ref = body.find("references_alert_id"); ref != body.end() && ref->is_number_integer()) {
    auto it = issued_.find(ref->get<std::int64_t>());
    if (it == issued_.end()) {
      return done(Invalid("no issued alert " + std::to_string(ref->get<std::int64_t>()),
                          "references_alert_id"));
    }
    previous = &it->second;
    if (previous->doc.contains("superseded_by")) {
      return done(Conflict("alert " + std::to_string(it->first) +
                               " was already replaced by alert " +
                               previous->doc["superseded_by"].dump() + "; reference that one",
                           "references_alert_id"));
    }
    if (previous->doc.value("msg_type", "") == "Cancel") {
      return done(
          Conflict("alert " + std::to_string(it->first) + " is a Cancel; nothing to replace",
                   "references_alert_id"));
    }
    merged = previous->doc.at("request");
    for (auto kv = body.begin(); kv != body.end(); ++kv) merged[kv.key()] = kv.value();
    if (body.contains("incident_id") && body["incident_id"] != previous->doc["incident_id"]) {
      return done(Invalid("an " + body.value("msg_type", std::string("Update")) +
                              " keeps the incident of the alert it replaces (incident " +
                              previous->doc["incident_id"].dump() + ")",
                          "incident_id"));
    }
  }
  auto req = intake::ReadAlertIssueRequest(merged);
  if (!req) return done(req.error());
  auto inc = incidents_.find(req->incident_id.value());
  if (inc == incidents_.end()) {
    return done(Invalid("no incident " + std::to_string(req->incident_id.value()), "incident_id"));
  }
  Tx tx(*this, a);
  if (req->expires && *req->expires <= tx.now()) {
    return done(Invalid("expires is in the past", "expires"));
  }
  std::int64_t id = next_alert_++;
  std::string sent = cap::FormatCapTime(tx.now());
  std::string identifier = IssuedIdentifier(sent, id);
  std::vector<cap::Reference> refs;
  Json ref_keys = Json::array();
  if (previous) {
    // The message replaced and everything it referenced.
    for (const auto& k : previous->doc.value("references", Json::array())) {
      std::string key = k.get<std::string>();
      size_t c1 = key.find(','), c2 = key.rfind(',');
      refs.push_back({key.substr(0, c1), key.substr(c1 + 1, c2 - c1 - 1), key.substr(c2 + 1)});
    }
    refs.push_back({previous->doc.at("sender").get<std::string>(),
                    previous->doc.at("identifier").get<std::string>(),
                    previous->doc.at("sent").get<std::string>()});
  }
  for (const auto& r : refs) ref_keys.push_back(r.Key());
  cap::Alert alert = BuildAlert(*req, identifier, sender, sent, refs);
  std::string xml = cap::ToXml(alert);
  // What Beacon issues must pass its own reader; anything else is a bug.
  if (auto check = cap::Parse(xml); !check) {
    --next_alert_;
    return done(Status(Code::kInternal,
                       "issued alert does not validate: " + check.error().message(),
                       check.error().field()));
  }
  const auto& first = req->languages.front();
  Json request = merged;
  request.erase("msg_type");
  request.erase("references_alert_id");
  Json doc = {{"id", id},
              {"direction", "issued"},
              {"identifier", identifier},
              {"sender", sender},
              {"sent", sent},
              {"msg_type", req->msg_type},
              {"status", req->status},
              {"incident_id", req->incident_id.value()},
              {"references", ref_keys},
              {"title", first.headline.value_or(first.event)},
              {"summary", first.description.value_or(first.instruction.value_or(""))},
              {"issued_by", a.user},
              {"request", request}};
  if (req->references_alert_id) doc["references_alert_id"] = *req->references_alert_id;
  Json stored = doc;
  stored["xml"] = xml;
  tx.batch().upserts.push_back({store::Table::kAlerts, std::to_string(id), stored.dump()});
  if (previous) {
    previous->doc["superseded_by"] = id;
    Json prev = previous->doc;
    prev["xml"] = previous->xml;
    tx.batch().upserts.push_back({store::Table::kAlerts, prev.at("id").dump(), prev.dump()});
  }
  tx.Timeline(inc->second, "alert_issued",
              "CAP " + req->msg_type + " " + identifier +
                  " issued: " + first.headline.value_or(first.event));
  tx.PutEvent("incident.updated", inc->second);
  tx.Audit("alert.issue", "alert/" + std::to_string(id) + ":" + req->msg_type);
  Json out = {{"id", id},
              {"identifier", identifier},
              {"sender", sender},
              {"sent", sent},
              {"msg_type", req->msg_type},
              {"status", req->status},
              {"incident_id", req->incident_id.value()},
              {"references", ref_keys},
              {"xml_url", "/api/v1/alerts/" + std::to_string(id) + ".xml"}};
  issued_[id] = {std::move(doc), std::move(xml)};
  Submit(tx, std::move(out), std::move(done));
}

Result<std::string> Center::IssuedAlertXml(std::int64_t id) const {
  std::lock_guard lock(mu_);
  auto it = issued_.find(id);
  if (it == issued_.end()) return NotFound("no issued alert " + std::to_string(id));
  return it->second.xml;
}

std::vector<Center::IssuedAlertSummary> Center::IssuedAlerts(size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<IssuedAlertSummary> out;
  for (auto it = issued_.rbegin(); it != issued_.rend() && out.size() < limit; ++it) {
    const Json& d = it->second.doc;
    out.push_back({it->first, d.at("identifier").get<std::string>(),
                   d.at("sender").get<std::string>(), d.at("sent").get<std::string>(),
                   d.at("msg_type").get<std::string>(), d.value("title", std::string()),
                   d.value("summary", std::string())});
  }
  return out;
}

}  // namespace beacon::service
