// TravelTimes: how long a unit takes to reach a place. Dispatch declares it;
// routing/ implements it over the road graph, StraightLineTravelTimes
// estimates it without one. Implementations must be thread-safe.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "common/geo.h"

namespace beacon::dispatch {

struct TravelEstimate {
  double eta_s = 0;
  double distance_m = 0;  // < 0 when the implementation did not compute it
  bool by_road = false;   // over the road graph, or a straight-line estimate
  // Road time adjusted by a calibration learnt from the centre's history
  // (beacon calibrate, docs/calibration.md); only with by_road.
  bool calibrated = false;
};

class TravelTimes {
 public:
  virtual ~TravelTimes() = default;
  // One entry per source; nullopt when the target cannot be reached from it.
  virtual std::vector<std::optional<TravelEstimate>> ToTarget(std::span<const LatLon> sources,
                                                              LatLon target) const = 0;
  // One pair, always with its distance (ToTarget may skip distances to stay
  // fast; callers fill them for the few units they pick).
  virtual std::optional<TravelEstimate> Between(LatLon from, LatLon to) const {
    LatLon one[] = {from};
    return ToTarget(one, to)[0];
  }
};

// Straight-line estimate: distance = great-circle distance x detour factor,
// time = distance / speed. Defaults (1.4, 40 km/h) are documented in
// docs/dispatch.md.
class StraightLineTravelTimes final : public TravelTimes {
 public:
  explicit StraightLineTravelTimes(double speed_m_per_s = 40.0 / 3.6, double detour = 1.4)
      : speed_m_per_s_(speed_m_per_s), detour_(detour) {}
  std::vector<std::optional<TravelEstimate>> ToTarget(std::span<const LatLon> sources,
                                                      LatLon target) const override;

 private:
  double speed_m_per_s_;
  double detour_;
};

}  // namespace beacon::dispatch
