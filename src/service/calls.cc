// Center commands on calls: taking a call (REST and CAP share AddCall), the
// duplicate decision on intake (certain link, suggestions, or link mode),
// a call-taker's corrections, and reading a call (audited when it shows
// caller data).
#include "service/center.h"
#include "service/center_tx.h"

#include <algorithm>

#include "common/clock.h"
#include "correlate/duplicate_detector.h"
#include "model/permissions.h"

namespace beacon::service {

void Center::CreateCall(const Actor& a, model::CallInput in, Done done) {
  Json location = ResolveLocation(in);  // before the lock: geocoding takes a few ms at most
  std::unique_lock lock(mu_);
  Tx tx(*this, a);
  auto body = AddCall(tx, a, std::move(in), std::nullopt);
  if (!body) return done(body.error());
  body->update(location);
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

  call.alarm_panel = std::move(in.alarm_panel);
  call.location_info = in.location_info;

  // Which incident the call belongs to: the one a CAP Update names, the one
  // the call-taker confirmed, or one it certainly belongs to (same callback
  // number or alarm panel within the window). Otherwise open incidents near
  // it are suggested (docs/dispatch.md), or, in link mode, the nearest is
  // linked as before.
  std::optional<correlate::Match> match = std::move(link);
  std::vector<correlate::Match> suggestions;
  if (!match && in.link_to) {
    Status err;
    Incident* target = OpenIncident(*in.link_to, err);
    if (!target) {
      return Status(err.code() == Code::kNotFound ? Code::kInvalid : err.code(), err.message(),
                    "link_to");
    }
    match = correlate::Match{target->id, 0, 0, "confirmed by " + a.user};
  }
  if (!match) {
    if (auto id = CertainMatch(call.caller, call.alarm_panel, received)) {
      match = correlate::Match{*id, 0, 0,
                               call.alarm_panel ? "same alarm panel " + *call.alarm_panel
                                                : std::string("same callback number")};
    }
  }
  if (!match && call.location) {
    suggestions = Candidates(*call.location, plan->category, received);
    if (plans_.duplicate_mode() == dispatch::DuplicateMode::kLink && !suggestions.empty()) {
      match = std::move(suggestions.front());
      suggestions.clear();
    }
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
    fresh.location_info = call.location_info;
    fresh.opened_at = tx.now();
    fresh.last_call_at = received;
    fresh.call_ids.push_back(call.id);
    tx.Timeline(fresh, "opened",
                "opened from call " + std::to_string(call.id.value()) + " (" +
                    std::string(model::ToString(call.channel)) + ", " + plan->name + ")");
    for (const auto& m : suggestions) {
      fresh.possible_duplicates.push_back(
          {m.incident_id, m.distance_m, m.minutes_since_last_call * 60, m.reason});
      tx.Timeline(fresh, "possible_duplicate",
                  "possible duplicate of incident " + std::to_string(m.incident_id.value()) + ": " +
                      m.reason);
    }
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
  } else {
    Json dups = Json::array();
    for (const auto& d : inc->possible_duplicates) dups.push_back(model::ToJson(d));
    body["possible_duplicates"] = std::move(dups);
  }
  RememberKeys(call);
  calls_.emplace(call.id.value(), std::move(call));
  return body;
}

namespace {

// The digits of a phone number, the last ten when there are more (so
// "+1 415 555 0100" and "(415) 555-0100" are one number); empty when too
// short to identify a line.
std::string PhoneKey(const std::optional<model::Caller>& caller) {
  if (!caller || !caller->phone) return {};
  std::string digits;
  for (char c : *caller->phone) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (digits.size() < 7) return {};
  return digits.size() > 10 ? digits.substr(digits.size() - 10) : digits;
}

}  // namespace

std::optional<IncidentId> Center::CertainMatch(const std::optional<model::Caller>& caller,
                                               const std::optional<std::string>& panel,
                                               TimeMs received) const {
  auto check = [&](const std::map<std::string, RecentKey>& keys,
                   const std::string& key) -> std::optional<IncidentId> {
    if (key.empty()) return std::nullopt;
    auto it = keys.find(key);
    if (it == keys.end()) return std::nullopt;
    double dt_s = static_cast<double>(received - it->second.last) / 1000.0;
    if (dt_s < -plans_.duplicate_window_s() || dt_s > plans_.duplicate_window_s())
      return std::nullopt;
    auto inc = incidents_.find(it->second.incident.value());
    if (inc == incidents_.end() || inc->second.status != IncidentStatus::kOpen) return std::nullopt;
    return inc->second.id;
  };
  if (panel) {
    if (auto id = check(recent_panels_, *panel)) return id;
  }
  return check(recent_phones_, PhoneKey(caller));
}

void Center::RememberKeys(const model::Call& call) {
  auto remember = [&](std::map<std::string, RecentKey>& keys, const std::string& key) {
    if (key.empty()) return;
    auto& k = keys[key];
    if (k.last <= call.received_at) k = {call.incident_id, call.received_at};
  };
  remember(recent_phones_, PhoneKey(call.caller));
  if (call.alarm_panel) remember(recent_panels_, *call.alarm_panel);
}

std::vector<correlate::Match> Center::Candidates(LatLon where, const std::string& category,
                                                 TimeMs received) const {
  std::vector<correlate::OpenIncident> open;
  for (IncidentId id : open_index_.Near(where, plans_.duplicate_distance_m())) {
    const Incident& inc = incidents_.at(id.value());
    const auto* p = plans_.Find(inc.incident_type);
    open.push_back({inc.id, *inc.location, p ? p->category : "", inc.last_call_at});
  }
  constexpr size_t kMaxSuggestions = 5;
  return correlate::FindCandidates(
      {where, category, received}, open,
      {plans_.duplicate_distance_m(), plans_.duplicate_window_s()},
      [&](const std::string& x, const std::string& y) { return plans_.Compatible(x, y); },
      kMaxSuggestions);
}

Result<Json> Center::PossibleDuplicates(const intake::DuplicateQuery& q) const {
  const auto* plan = plans_.Find(q.incident_type);
  if (!plan) {
    return Invalid(
        "unknown incident_type \"" + q.incident_type + "\"; valid codes: " + plans_.CodeList(),
        "incident_type");
  }
  std::lock_guard lock(mu_);
  TimeMs now = clock_.Now();
  Json out = {{"possible_duplicates", Json::array()}};
  std::optional<model::Caller> caller;
  if (q.phone) caller = model::Caller{std::nullopt, q.phone};
  if (auto id = CertainMatch(caller, q.alarm_panel, now)) {
    out["certain"] = {{"incident_id", id->value()},
                      {"reason", q.alarm_panel ? "same alarm panel" : "same callback number"}};
  }
  for (const auto& m : Candidates(q.location, plan->category, now)) {
    out["possible_duplicates"].push_back(model::ToJson(model::DuplicateSuggestion{
        m.incident_id, m.distance_m, m.minutes_since_last_call * 60, m.reason}));
  }
  return out;
}

void Center::PatchCall(const Actor& a, CallId id, intake::CallPatchRequest req, Done done) {
  std::unique_lock lock(mu_);
  auto it = calls_.find(id.value());
  if (it == calls_.end()) return done(NotFound("no call " + std::to_string(id.value())));
  model::Call& call = it->second;
  Tx tx(*this, a);
  std::vector<std::string> changed;
  auto correct = [&](const char* field, std::optional<std::string> model::Caller::*member,
                     const std::optional<std::string>& value) {
    if (!value) return;
    if (!call.caller) call.caller = model::Caller{};
    auto& slot = (*call.caller).*member;
    if (slot == value) return;
    call.corrections.push_back({tx.now(), a.user, field, slot, true});
    slot = value;
    changed.push_back(field);
  };
  correct("caller.name", &model::Caller::name, req.caller_name);
  correct("caller.phone", &model::Caller::phone, req.caller_phone);
  if (req.narrative) {
    std::string stamp = "[" + FormatRfc3339(tx.now()) + " " + a.user + "] ";
    call.narrative =
        call.narrative ? *call.narrative + "\n" + stamp + *req.narrative : stamp + *req.narrative;
    call.corrections.push_back({tx.now(), a.user, "narrative", std::nullopt, false});
    changed.push_back("narrative");
  }
  std::string fields;
  for (const auto& f : changed) fields += (fields.empty() ? "" : ", ") + f;
  if (!changed.empty()) {
    RememberKeys(call);
    tx.Put(call);
    tx.Event("call.updated", CallEvent(call));
    auto inc = incidents_.find(call.incident_id.value());
    if (inc != incidents_.end()) {
      // Caller data never goes into the timeline (it is streamed): only what changed.
      std::string text = "call " + std::to_string(call.id.value()) + " corrected: " + fields;
      if (req.narrative) text += "; narrative added: " + *req.narrative;
      tx.Timeline(inc->second, "call_corrected", text);
      tx.PutEvent("incident.updated", inc->second);
    }
    tx.Audit("call.patch", "call/" + std::to_string(call.id.value()) + ":" + fields);
  }
  bool personal = model::Allowed(a.role, model::Permission::kReadPersonal);
  Submit(tx, model::ToJson(call, personal), std::move(done));
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
