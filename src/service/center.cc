// Center: construction, loading a snapshot, the commit path and the small
// shared helpers. The commands live beside it, one file per aggregate
// (calls.cc, incidents.cc, units.cc, exchange.cc, cameras.cc, alerts.cc,
// timers.cc, facilities.cc, premises.cc).
#include "service/center.h"
#include "service/center_tx.h"

#include <algorithm>

namespace beacon::service {

Center::Center(store::Store& store, const dispatch::ResponsePlans& plans,
               const dispatch::TravelTimes& travel_times, const Clock& clock, EventSink& sink)
    : store_(store),
      plans_(plans),
      travel_times_(travel_times),
      clock_(clock),
      sink_(sink),
      open_index_(plans.duplicate_distance_m()) {
  timers_enabled_ = !plans.timers().pending_s.empty() || !plans.timers().status_s.empty();
}

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
    for (const auto& [id, c] : calls_) RememberKeys(c);
    LoadAlerts(snap);
    for (const auto& d : snap.facilities) {
      auto f = model::FacilityFromJson(Json::parse(d));
      facilities_.emplace(f.id.value(), std::move(f));
    }
    for (const auto& d : snap.premises) {
      auto p = model::PremiseFromJson(Json::parse(d));
      next_premise_ = std::max(next_premise_, p.id.value() + 1);
      premises_.emplace(p.id.value(), std::move(p));
    }
    // Watches follow from the state; the stored records say which
    // crossings already fired, so none fires twice across a restart.
    if (timers_enabled_) {
      for (const auto& [id, inc] : incidents_) WatchIncident(inc, nullptr);
      for (const auto& [id, u] : units_) WatchUnit(u, nullptr);
    }
    for (const auto& d : snap.timers) {
      auto t = dispatch::TimerFromJson(Json::parse(d));
      if (!timers_.Restore(t)) stale_timers_.push_back(t.id);
    }
  } catch (const Json::exception& e) {
    return Status(Code::kInternal, std::string("stored record is corrupt: ") + e.what());
  }
  seq_ = snap.last_event_seq;
  return Status::Ok();
}

void Center::Submit(Tx& tx, Json body, Done done) {
  RefreshTimers(tx);
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

void Center::SubmitBatch(store::Batch batch, std::function<void(const Status&)> done) {
  std::lock_guard lock(mu_);
  for (auto& e : batch.events) e.seq = ++seq_;
  auto events = batch.events;
  store_.Submit(std::move(batch),
                [this, events = std::move(events), done = std::move(done)](const Status& s) {
                  if (s.ok() && !events.empty()) sink_.Publish(events);
                  done(s);
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
  u.destination.reset();
  u.status_reason.reset();
  u.status = UnitStatus::kAvailable;
  u.status_at = tx.now();
  tx.PutEvent("unit.updated", u);
}

std::vector<model::Station> Center::StationList() const {
  std::vector<model::Station> out;
  for (const auto& [id, s] : stations_) out.push_back(s);
  return out;
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

}  // namespace beacon::service
