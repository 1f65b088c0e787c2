// Geographic primitives. Value types.
#pragma once

namespace beacon {

struct LatLon {
  double lat = 0;
  double lon = 0;
};

// Great-circle distance in metres (haversine, mean Earth radius).
double HaversineM(LatLon a, LatLon b);
// True when lat in [-90, 90], lon in [-180, 180] and both finite.
bool ValidLatLon(double lat, double lon);

}  // namespace beacon
