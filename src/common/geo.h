// Geographic primitives. Value types.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace beacon {

struct LatLon {
  double lat = 0;
  double lon = 0;
};

// Great-circle distance in metres (haversine, mean Earth radius).
double HaversineM(LatLon a, LatLon b);
// True when lat in [-90, 90], lon in [-180, 180] and both finite.
bool ValidLatLon(double lat, double lon);
// Parses "LAT,LON" (the CLI's and query strings' coordinate form); nullopt
// unless both are numbers in range.
std::optional<LatLon> ParseLatLon(std::string_view text);
// True when `p` lies inside the polygon `ring` (even-odd rule on lat/lon as
// plane coordinates, good for the few hundred metres of a premise). The ring
// may repeat its first point at the end.
bool InsidePolygon(LatLon p, const std::vector<LatLon>& ring);

}  // namespace beacon
