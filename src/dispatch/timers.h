// Status and pending timers (docs/dispatch.md, "Timers"): the clock a
// dispatch floor watches. A *watch* is a condition with a start time and a
// threshold — an incident waiting for its first unit (per priority), a unit
// in a status (per status). It *fires* when the elapsed time crosses the
// threshold: the timer is then *raised*, and stays raised (firing no more)
// until a dispatcher *acknowledges* it, which silences it until the next
// multiple of the threshold (since + 2×, 3×... threshold), when it fires
// again. It is *cleared* when its condition ends (a unit assigned, a status
// changed), which the owner learns from Unwatch.
//
// Fires at most once per crossing, also across a restart (Restore puts back
// what had fired), and only the latest crossing when several passed between
// two evaluations. Only watches that can fire are kept in the set ordered by
// next crossing (not raised ones), so an evaluation costs O(k log n) for k
// due timers among n watches. Not thread-safe: the owner
// (service::Center) holds its lock.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace beacon::dispatch {

// What a timer watches: an incident waiting for a unit ("pending") or a unit
// in a status ("status").
struct TimerSubject {
  std::string kind;  // "pending" | "status"
  std::optional<std::int64_t> incident_id;
  std::optional<std::string> unit_id;
  std::optional<std::string> status;  // the unit's status, for "status"
  int priority = 0;                   // the incident's, for "pending"
};

enum class TimerState { kWatching, kRaised, kAcknowledged };

struct Timer {
  std::string id;  // "incident:17:pending", "unit:E7:dispatched"
  TimerSubject subject;
  TimeMs since = 0;
  double threshold_s = 0;
  int crossing = 0;  // the last crossing fired (0: none yet)
  TimerState state = TimerState::kWatching;
  TimeMs raised_at = 0;
  std::optional<std::string> acknowledged_by;
  std::optional<TimeMs> acknowledged_at;

  // When the next crossing is due.
  TimeMs NextDue() const;
};

// Ids of the two kinds of timers.
std::string PendingTimerId(std::int64_t incident_id);
std::string StatusTimerId(const std::string& unit_id, const std::string& status);

// The JSON of a fired timer (API, stream and storage; docs/api.md).
nlohmann::json ToJson(const Timer& t);
// Inverse of ToJson for records we stored. Throws nlohmann::json::exception.
Timer TimerFromJson(const nlohmann::json& j);

class TimerBoard {
 public:
  // Watches `id` from `since` with `threshold_s` > 0. A watch that exists
  // with the same since and threshold is left alone (its fired crossings
  // kept); otherwise it starts over, and a raised or acknowledged one is
  // returned: the condition it reported has ended (the owner clears it).
  std::optional<Timer> Watch(const std::string& id, TimerSubject subject, TimeMs since,
                             double threshold_s);
  // Stops watching `id`; returns it when it had fired (it must be cleared).
  std::optional<Timer> Unwatch(const std::string& id);
  // Fires every watch whose next crossing is due at `now`, once each, at the
  // latest crossing passed; returns them raised. A raised timer is not due
  // again until acknowledged.
  std::vector<Timer> Due(TimeMs now);
  // Silences a raised timer until its next crossing. NotFound for an id that
  // is not a fired timer, Conflict when it is already acknowledged.
  Result<Timer> Acknowledge(const std::string& id, const std::string& user, TimeMs now);
  // Puts back the state of a timer fired before a restart onto the watch of
  // the same id, since and threshold; false when there is no such watch (the
  // condition ended or the thresholds changed: the record is stale).
  bool Restore(const Timer& fired);
  // Raised and acknowledged timers, the longest raised first.
  std::vector<Timer> Fired() const;
  const Timer* Find(const std::string& id) const;
  size_t watch_count() const { return timers_.size(); }

 private:
  std::unordered_map<std::string, Timer> timers_;
  // (next crossing, id) of every timer that is not raised.
  std::set<std::pair<TimeMs, std::string>> due_;
};

}  // namespace beacon::dispatch
