// Center commands on calls: taking a call (REST and CAP share AddCall) and
// reading one (audited when it shows caller data).
#include "service/center.h"
#include "service/center_tx.h"

#include <algorithm>

#include "correlate/duplicate_detector.h"
#include "model/permissions.h"

namespace beacon::service {

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

}  // namespace beacon::service
