// Duplicate-call detection: decides whether a new call reports an incident
// that is already open. Pure; thread-safe.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/geo.h"
#include "common/ids.h"

namespace beacon::correlate {

struct OpenIncident {
  IncidentId id;
  LatLon location;
  std::string category;
  TimeMs last_call_at = 0;
};

struct NewCall {
  LatLon location;
  std::string category;
  TimeMs received_at = 0;
};

struct DuplicateRule {
  double max_distance_m = 300;
  double window_s = 1200;
};

struct Match {
  IncidentId incident_id;
  double distance_m = 0;
  double minutes_since_last_call = 0;
  std::string reason;  // for the incident timeline
};

// `compatible(a, b)` says whether two incident categories may be one incident.
// Picks the nearest open incident within the distance whose last call is
// within the time window; ties go to the most recent incident.
template <typename CompatibleFn>
std::optional<Match> FindDuplicate(const NewCall& call, const std::vector<OpenIncident>& open,
                                   const DuplicateRule& rule, CompatibleFn&& compatible);

// Every open incident the call may report, nearest first (ties: most
// recent first), at most `limit`.
template <typename CompatibleFn>
std::vector<Match> FindCandidates(const NewCall& call, const std::vector<OpenIncident>& open,
                                  const DuplicateRule& rule, CompatibleFn&& compatible,
                                  size_t limit);

std::string DescribeMatch(double distance_m, double minutes, const std::string& category_a,
                          const std::string& category_b);

template <typename CompatibleFn>
std::vector<Match> FindCandidates(const NewCall& call, const std::vector<OpenIncident>& open,
                                  const DuplicateRule& rule, CompatibleFn&& compatible,
                                  size_t limit) {
  struct Hit {
    const OpenIncident* inc;
    double d, dt_s;
  };
  std::vector<Hit> hits;
  for (const auto& inc : open) {
    double dt_s = static_cast<double>(call.received_at - inc.last_call_at) / 1000.0;
    if (dt_s < -rule.window_s || dt_s > rule.window_s) continue;
    double d = HaversineM(call.location, inc.location);
    if (d > rule.max_distance_m) continue;
    if (!compatible(call.category, inc.category)) continue;
    hits.push_back({&inc, d, dt_s});
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    if (a.d != b.d) return a.d < b.d;
    if (a.inc->last_call_at != b.inc->last_call_at)
      return a.inc->last_call_at > b.inc->last_call_at;
    return a.inc->id < b.inc->id;
  });
  if (hits.size() > limit) hits.resize(limit);
  std::vector<Match> out;
  for (const auto& h : hits) {
    out.push_back({h.inc->id, h.d, h.dt_s / 60.0,
                   DescribeMatch(h.d, h.dt_s / 60.0, call.category, h.inc->category)});
  }
  return out;
}

template <typename CompatibleFn>
std::optional<Match> FindDuplicate(const NewCall& call, const std::vector<OpenIncident>& open,
                                   const DuplicateRule& rule, CompatibleFn&& compatible) {
  auto best = FindCandidates(call, open, rule, std::forward<CompatibleFn>(compatible), 1);
  if (best.empty()) return std::nullopt;
  return std::move(best.front());
}

}  // namespace beacon::correlate
