#include "dispatch/travel_times.h"

namespace beacon::dispatch {

std::vector<std::optional<TravelEstimate>> StraightLineTravelTimes::ToTarget(
    std::span<const LatLon> sources, LatLon target) const {
  std::vector<std::optional<TravelEstimate>> out;
  out.reserve(sources.size());
  for (const auto& s : sources) {
    double d = HaversineM(s, target) * detour_;
    out.push_back(TravelEstimate{d / speed_m_per_s_, d});
  }
  return out;
}

}  // namespace beacon::dispatch
