#include "common/geo.h"

#include <charconv>
#include <cmath>

namespace beacon {

double HaversineM(LatLon a, LatLon b) {
  constexpr double kEarthRadiusM = 6371008.8;
  constexpr double kRad = M_PI / 180.0;
  double dlat = (b.lat - a.lat) * kRad;
  double dlon = (b.lon - a.lon) * kRad;
  double h = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(a.lat * kRad) *
                                                           std::cos(b.lat * kRad) *
                                                           std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusM * std::asin(std::sqrt(std::min(1.0, h)));
}

bool ValidLatLon(double lat, double lon) {
  return std::isfinite(lat) && std::isfinite(lon) && lat >= -90 && lat <= 90 && lon >= -180 &&
         lon <= 180;
}

std::optional<LatLon> ParseLatLon(std::string_view s) {
  auto comma = s.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  double lat = 0, lon = 0;
  auto a = std::from_chars(s.data(), s.data() + comma, lat);
  auto b = std::from_chars(s.data() + comma + 1, s.data() + s.size(), lon);
  if (a.ec != std::errc() || a.ptr != s.data() + comma || b.ec != std::errc() ||
      b.ptr != s.data() + s.size() || !ValidLatLon(lat, lon)) {
    return std::nullopt;
  }
  return LatLon{lat, lon};
}

bool InsidePolygon(LatLon p, const std::vector<LatLon>& ring) {
  bool inside = false;
  const size_t n = ring.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const LatLon& a = ring[i];
    const LatLon& b = ring[j];
    if ((a.lat > p.lat) != (b.lat > p.lat) &&
        p.lon < (b.lon - a.lon) * (p.lat - a.lat) / (b.lat - a.lat) + a.lon) {
      inside = !inside;
    }
  }
  return inside;
}

}  // namespace beacon
