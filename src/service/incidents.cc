// Center commands on incidents: merge, split, close, detail (audited when
// it shows caller data) and the queue.
#include "service/center.h"
#include "service/center_tx.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "model/permissions.h"

namespace beacon::service {

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
  std::vector<PremiseId> premise_reads;
  body["premises"] = PremiseNotes(it->second, may, /*hazards_only=*/false, premise_reads);
  if (!personal && premise_reads.empty()) {
    lock.unlock();
    return done(std::move(body));
  }
  Tx tx(*this, a);
  if (personal) tx.Audit("incident.read_personal", IncidentObject(id));
  AuditPremiseReads(tx, premise_reads, IncidentObject(id));
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

namespace {

std::string LocText(const std::optional<LatLon>& p) {
  if (!p) return "none";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f,%.6f", p->lat, p->lon);
  return buf;
}

std::string Quoted(const std::optional<std::string>& s) { return s ? "\"" + *s + "\"" : "none"; }

}  // namespace

void Center::AddNote(const Actor& a, IncidentId id, std::string text, Done done) {
  std::unique_lock lock(mu_);
  auto it = incidents_.find(id.value());
  if (it == incidents_.end()) return done(NotFound("no incident " + std::to_string(id.value())));
  Incident& inc = it->second;
  if (inc.status == IncidentStatus::kMerged) {
    return done(Conflict("incident " + std::to_string(id.value()) + " was merged into incident " +
                         std::to_string(inc.merged_into ? inc.merged_into->value() : 0) +
                         "; add the note there"));
  }
  Tx tx(*this, a);
  tx.Timeline(inc, "note", std::move(text));
  Json note = model::ToJson(inc.timeline.back());
  tx.PutEvent("incident.updated", inc);
  tx.Audit("incident.note", IncidentObject(inc.id));
  Submit(tx, {{"incident_id", inc.id.value()}, {"note", std::move(note)}}, std::move(done));
}

void Center::PatchIncident(const Actor& a, IncidentId id, intake::IncidentPatchRequest req,
                           Done done) {
  std::unique_lock lock(mu_);
  Status err;
  Incident* inc = OpenIncident(id, err);
  if (!inc) return done(err);
  const dispatch::IncidentTypePlan* plan = nullptr;
  if (req.incident_type) {
    plan = plans_.Find(*req.incident_type);
    if (!plan) {
      return done(Invalid(
          "unknown incident_type \"" + *req.incident_type + "\"; valid codes: " + plans_.CodeList(),
          "incident_type"));
    }
  }
  Tx tx(*this, a);
  std::vector<std::string> changes;
  std::string fields;
  auto note = [&](const std::string& field, const std::string& text) {
    changes.push_back(text);
    fields += (fields.empty() ? "" : ",") + field;
  };
  if (plan && plan->code != inc->incident_type) {
    note("incident_type", "type " + inc->incident_type + " -> " + plan->code);
    inc->incident_type = plan->code;
    // The plan decides the priority unless the dispatcher sets it too.
    if (!req.priority) req.priority = plan->priority;
  }
  if (req.priority && *req.priority != inc->priority) {
    note("priority",
         "priority " + std::to_string(inc->priority) + " -> " + std::to_string(*req.priority));
    inc->priority = *req.priority;
  }
  if (req.location && LocText(req.location) != LocText(inc->location)) {
    note("location", "location " + LocText(inc->location) + " -> " + LocText(req.location));
    if (inc->location) open_index_.Erase(inc->id, *inc->location);
    inc->location = req.location;
    open_index_.Insert(inc->id, *inc->location);
  }
  if (req.address && req.address != inc->address) {
    note("address", "address " + Quoted(inc->address) + " -> " + Quoted(req.address));
    inc->address = req.address;
  }
  if (req.disposition && req.disposition != inc->disposition) {
    note("disposition",
         "disposition " + Quoted(inc->disposition) + " -> " + Quoted(req.disposition));
    inc->disposition = req.disposition;
  }
  if (!changes.empty()) {
    std::string text;
    for (const auto& c : changes) text += (text.empty() ? "" : "; ") + c;
    tx.Timeline(*inc, "changed", text);
    tx.PutEvent("incident.updated", *inc);
    tx.Audit("incident.patch", IncidentObject(inc->id) + ":" + fields);
  }
  Submit(tx, model::ToJson(*inc), std::move(done));
}

}  // namespace beacon::service
