// LocationResolver: what the Center needs from a geocoder to place calls
// that arrive as words (docs/geocoding.md). Declared here so that service/
// depends on no geocoding code; cli/ implements it over geocode::Geocoder.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/geo.h"

namespace beacon::service {

struct ResolvedAddress {
  LatLon location;
  std::string label;      // the matched place as Beacon knows it
  std::string kind;       // address, block, intersection, street, place, point
  bool verified = false;  // one candidate clearly wins (the documented rule)
  std::string why;
};

// Implementations must be thread-safe (called from every I/O thread) and
// fast (a few milliseconds at most: the call's intake waits for it).
class LocationResolver {
 public:
  virtual ~LocationResolver() = default;
  // The best candidate for an address text; nullopt when nothing matches.
  virtual std::optional<ResolvedAddress> Resolve(std::string_view address) const = 0;
  // A label for a position (the nearest address or street); nullopt when
  // no street is near.
  virtual std::optional<std::string> Describe(LatLon at) const = 0;
};

}  // namespace beacon::service
