// Center commands of the exchange with other centres: NENA EIDO import and
// export (docs/eido.md).
#include "service/center.h"
#include "service/center_tx.h"

#include <algorithm>
#include <cmath>

namespace beacon::service {

namespace {

bool SameLoc(const std::optional<LatLon>& a, const std::optional<LatLon>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (std::abs(a->lat - b->lat) < 1e-7 && std::abs(a->lon - b->lon) < 1e-7);
}

bool SameCaller(const std::optional<model::Caller>& a, const std::optional<model::Caller>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->name == b->name && a->phone == b->phone);
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

}  // namespace beacon::service
