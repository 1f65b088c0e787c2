// Center's timers (docs/dispatch.md, "Timers"): pending incidents and unit
// statuses watched against the thresholds of the response-plans file. The
// watches follow every command through RefreshTimers, called by Submit for
// the incidents and units the command touched.
#include "service/center.h"
#include "service/center_tx.h"

namespace beacon::service {

namespace {
const Actor kTimerClock{"system", model::Role::kAdmin, "timers"};
}  // namespace

void Center::WatchIncident(const Incident& inc, Tx* tx) {
  const std::string id = dispatch::PendingTimerId(inc.id.value());
  const auto& thresholds = plans_.timers().pending_s;
  auto since = inc.PendingSince();
  auto threshold = thresholds.find(inc.priority);
  std::optional<dispatch::Timer> ended;
  if (since && threshold != thresholds.end()) {
    dispatch::TimerSubject subject{"pending", inc.id.value(), std::nullopt, std::nullopt,
                                   inc.priority};
    ended = timers_.Watch(id, std::move(subject), *since, threshold->second);
  } else {
    ended = timers_.Unwatch(id);
  }
  if (ended && tx) ClearTimer(*tx, *ended);
}

void Center::WatchUnit(const Unit& u, Tx* tx) {
  const auto& thresholds = plans_.timers().status_s;
  const std::string status(model::ToString(u.status));
  auto threshold = thresholds.find(status);
  std::string want =
      threshold != thresholds.end() ? dispatch::StatusTimerId(u.id.value(), status) : "";
  auto current = unit_timer_.find(u.id.value());
  if (current != unit_timer_.end() && current->second != want) {
    auto ended = timers_.Unwatch(current->second);
    if (ended && tx) ClearTimer(*tx, *ended);
    unit_timer_.erase(current);
  }
  if (want.empty()) return;
  std::optional<std::int64_t> incident;
  if (u.incident_id) incident = u.incident_id->value();
  dispatch::TimerSubject subject{"status", incident, u.id.value(), status, 0};
  auto ended = timers_.Watch(want, std::move(subject), u.status_at, threshold->second);
  if (ended && tx) ClearTimer(*tx, *ended);
  unit_timer_[u.id.value()] = std::move(want);
}

void Center::ClearTimer(Tx& tx, const dispatch::Timer& t) {
  Json j = dispatch::ToJson(t);
  j["state"] = "cleared";
  tx.Event("timer.cleared", Json{{"timer", std::move(j)}});
  tx.EraseTimer(t.id);
}

void Center::RefreshTimers(Tx& tx) {
  if (!timers_enabled_) return;
  for (auto id : tx.touched_incidents()) {
    auto it = incidents_.find(id);
    if (it != incidents_.end()) WatchIncident(it->second, &tx);
  }
  for (const auto& id : tx.touched_units()) {
    auto it = units_.find(id);
    if (it != units_.end()) WatchUnit(it->second, &tx);
  }
}

void Center::EvaluateTimers() {
  std::unique_lock lock(mu_);
  if (!timers_enabled_) return;
  Tx tx(*this, kTimerClock);
  auto due = timers_.Due(tx.now());
  if (due.empty() && stale_timers_.empty()) return;
  for (const auto& id : stale_timers_) {
    tx.Event("timer.cleared", Json{{"timer", {{"timer_id", id}, {"state", "cleared"}}}});
    tx.EraseTimer(id);
  }
  stale_timers_.clear();
  for (const auto& t : due) tx.PutEvent("timer.raised", t);
  Submit(tx, Json::object(), [](Result<Json>) {});
}

Json Center::ListTimers() const {
  std::lock_guard lock(mu_);
  const TimeMs now = clock_.Now();
  Json arr = Json::array();
  for (const auto& t : timers_.Fired()) {
    Json j = dispatch::ToJson(t);
    j["elapsed_s"] = (now - t.since) / 1000;
    arr.push_back(std::move(j));
  }
  return {{"timers", std::move(arr)}};
}

void Center::AcknowledgeTimer(const Actor& a, const std::string& timer_id, Done done) {
  std::unique_lock lock(mu_);
  Tx tx(*this, a);
  auto t = timers_.Acknowledge(timer_id, a.user, tx.now());
  if (!t) return done(t.error());
  tx.PutEvent("timer.acknowledged", *t);
  tx.Audit("timer.acknowledge", "timer/" + timer_id);
  Submit(tx, Json{{"timer", dispatch::ToJson(*t)}}, std::move(done));
}

size_t Center::TimerWatchCount() const {
  std::lock_guard lock(mu_);
  return timers_.watch_count();
}

}  // namespace beacon::service
