#include "dispatch/timers.h"

#include <algorithm>
#include <cmath>

namespace beacon::dispatch {
namespace {

TimeMs ThresholdMs(double threshold_s) {
  return static_cast<TimeMs>(std::llround(threshold_s * 1000));
}

// The crossing `now` is in, at least one past the last fired: after a pause
// (a restart, a slow tick) one fire at the latest, never one per crossing.
int LatestCrossing(const Timer& t, TimeMs now) {
  const TimeMs step = ThresholdMs(t.threshold_s);
  int latest = step > 0 ? static_cast<int>((now - t.since) / step) : t.crossing + 1;
  return std::max(t.crossing + 1, latest);
}

std::string_view StateName(TimerState s) {
  switch (s) {
    case TimerState::kWatching:
      return "watching";
    case TimerState::kRaised:
      return "raised";
    case TimerState::kAcknowledged:
      return "acknowledged";
  }
  return "watching";
}

}  // namespace

TimeMs Timer::NextDue() const { return since + (crossing + 1) * ThresholdMs(threshold_s); }

std::string PendingTimerId(std::int64_t incident_id) {
  return "incident:" + std::to_string(incident_id) + ":pending";
}

std::string StatusTimerId(const std::string& unit_id, const std::string& status) {
  return "unit:" + unit_id + ":" + status;
}

nlohmann::json ToJson(const Timer& t) {
  nlohmann::json j = {{"timer_id", t.id},
                      {"kind", t.subject.kind},
                      {"since", FormatRfc3339(t.since)},
                      {"threshold_s", t.threshold_s},
                      {"crossing", t.crossing},
                      {"state", StateName(t.state)},
                      {"raised_at", FormatRfc3339(t.raised_at)}};
  if (t.subject.incident_id) j["incident_id"] = *t.subject.incident_id;
  if (t.subject.unit_id) j["unit_id"] = *t.subject.unit_id;
  if (t.subject.status) j["status"] = *t.subject.status;
  if (t.subject.kind == "pending") j["priority"] = t.subject.priority;
  if (t.acknowledged_by) j["acknowledged_by"] = *t.acknowledged_by;
  if (t.acknowledged_at) j["acknowledged_at"] = FormatRfc3339(*t.acknowledged_at);
  return j;
}

Timer TimerFromJson(const nlohmann::json& j) {
  Timer t;
  t.id = j.at("timer_id").get<std::string>();
  t.subject.kind = j.at("kind").get<std::string>();
  if (auto it = j.find("incident_id"); it != j.end())
    t.subject.incident_id = it->get<std::int64_t>();
  if (auto it = j.find("unit_id"); it != j.end()) t.subject.unit_id = it->get<std::string>();
  if (auto it = j.find("status"); it != j.end()) t.subject.status = it->get<std::string>();
  t.subject.priority = j.value("priority", 0);
  t.since = ParseRfc3339(j.at("since").get<std::string>()).value_or(0);
  t.threshold_s = j.at("threshold_s").get<double>();
  t.crossing = j.at("crossing").get<int>();
  auto state = j.at("state").get<std::string>();
  t.state = state == "acknowledged" ? TimerState::kAcknowledged : TimerState::kRaised;
  t.raised_at = ParseRfc3339(j.value("raised_at", "")).value_or(0);
  if (auto it = j.find("acknowledged_by"); it != j.end())
    t.acknowledged_by = it->get<std::string>();
  if (auto it = j.find("acknowledged_at"); it != j.end()) {
    t.acknowledged_at = ParseRfc3339(it->get<std::string>());
  }
  return t;
}

std::optional<Timer> TimerBoard::Watch(const std::string& id, TimerSubject subject, TimeMs since,
                                       double threshold_s) {
  std::optional<Timer> ended;
  auto it = timers_.find(id);
  if (it != timers_.end()) {
    Timer& t = it->second;
    if (t.since == since && t.threshold_s == threshold_s) {
      t.subject = std::move(subject);  // e.g. the incident's priority label
      return std::nullopt;
    }
    ended = Unwatch(id);
  }
  Timer t;
  t.id = id;
  t.subject = std::move(subject);
  t.since = since;
  t.threshold_s = threshold_s;
  due_.emplace(t.NextDue(), id);
  timers_.emplace(id, std::move(t));
  return ended;
}

std::optional<Timer> TimerBoard::Unwatch(const std::string& id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return std::nullopt;
  due_.erase({it->second.NextDue(), id});
  std::optional<Timer> fired;
  if (it->second.state != TimerState::kWatching) fired = std::move(it->second);
  timers_.erase(it);
  return fired;
}

std::vector<Timer> TimerBoard::Due(TimeMs now) {
  std::vector<Timer> out;
  while (!due_.empty() && due_.begin()->first <= now) {
    Timer& t = timers_.at(due_.begin()->second);
    due_.erase(due_.begin());
    t.crossing = LatestCrossing(t, now);
    t.state = TimerState::kRaised;
    t.raised_at = now;
    t.acknowledged_by.reset();
    t.acknowledged_at.reset();
    out.push_back(t);
  }
  return out;
}

Result<Timer> TimerBoard::Acknowledge(const std::string& id, const std::string& user, TimeMs now) {
  auto it = timers_.find(id);
  if (it == timers_.end() || it->second.state == TimerState::kWatching) {
    return NotFound("no raised timer " + id + " (GET /timers lists them)");
  }
  Timer& t = it->second;
  if (t.state == TimerState::kAcknowledged) {
    return Conflict("timer " + id + " was already acknowledged by " +
                        t.acknowledged_by.value_or("?") + "; it fires again at its next threshold",
                    "timer_id");
  }
  t.state = TimerState::kAcknowledged;
  t.acknowledged_by = user;
  t.acknowledged_at = now;
  // Silent until the next crossing after now.
  const TimeMs step = ThresholdMs(t.threshold_s);
  if (step > 0) t.crossing = std::max(t.crossing, static_cast<int>((now - t.since) / step));
  due_.emplace(t.NextDue(), t.id);
  return t;
}

bool TimerBoard::Restore(const Timer& fired) {
  auto it = timers_.find(fired.id);
  if (it == timers_.end()) return false;
  Timer& t = it->second;
  if (t.since != fired.since || t.threshold_s != fired.threshold_s) return false;
  due_.erase({t.NextDue(), t.id});
  t.crossing = fired.crossing;
  t.state = fired.state;
  t.raised_at = fired.raised_at;
  t.acknowledged_by = fired.acknowledged_by;
  t.acknowledged_at = fired.acknowledged_at;
  if (t.state != TimerState::kRaised) due_.emplace(t.NextDue(), t.id);
  return true;
}

std::vector<Timer> TimerBoard::Fired() const {
  std::vector<Timer> out;
  for (const auto& [id, t] : timers_) {
    if (t.state != TimerState::kWatching) out.push_back(t);
  }
  std::sort(out.begin(), out.end(), [](const Timer& a, const Timer& b) {
    return a.raised_at != b.raised_at ? a.raised_at < b.raised_at : a.id < b.id;
  });
  return out;
}

const Timer* TimerBoard::Find(const std::string& id) const {
  auto it = timers_.find(id);
  return it == timers_.end() ? nullptr : &it->second;
}

}  // namespace beacon::dispatch
