// Profile: the data-driven vehicle profile that decides which OSM ways are
// routable, in which directions and how fast, and which turn restrictions
// apply. Loaded from a JSON file (config/routing_profile.json; the format is
// specified in docs/routing_profile.md).
//
// Owns its tables; the tag views passed in are borrowed for the call only.
// Immutable after loading, so one Profile may be shared between threads.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace beacon::routing {

// One OSM tag, borrowed from the caller's storage.
struct Tag {
  std::string_view key;
  std::string_view value;
};
using TagSpan = std::span<const Tag>;

// What the profile makes of one way. Speeds already include speed_factor.
struct WayRule {
  bool routable = false;
  bool forward = false;   // may be driven in the direction of the way's nodes
  bool backward = false;  // may be driven against it
  double forward_kmh = 0;
  double backward_kmh = 0;
};

// What the profile makes of a type=restriction relation's tags.
enum class RestrictionRule {
  kNotRestriction,  // not type=restriction
  kIgnored,         // not for this vehicle: no restriction key we read, an
                    // exempt vehicle in `except`, or an unknown value
  kNo,              // restriction=no_*
  kOnly,            // restriction=only_*
};

// BLAKE2b-256 of the profile's canonical JSON: identifies the profile a
// graph file was built with.
using ProfileHash = std::array<std::uint8_t, 32>;

class Profile {
 public:
  // Parses the JSON text of a profile. Errors name the offending key as a
  // path ("highways.primary.speed_kmh") in the message and in field().
  static Result<Profile> Parse(std::string_view json_text);
  static Result<Profile> Load(const std::string& path);

  // Applies the profile to a way's tags.
  WayRule EvaluateWay(TagSpan tags) const;
  // Classifies a relation's tags (type, restriction*, except).
  RestrictionRule EvaluateRestriction(TagSpan tags) const;

  // The speed (km/h, before speed_factor) that a `maxspeed` value gives on a
  // road whose class default is `class_default_kmh`: numbers in km/h, "mph",
  // "knots", "none", entries of implicit_kmh, "a;b" (the lower); anything
  // else, or a value outside [min_kmh, max_kmh], gives the class default.
  double MaxspeedKmh(std::string_view value, double class_default_kmh) const;

  const std::string& name() const { return name_; }
  const ProfileHash& hash() const { return hash_; }
  std::string HashHex() const;

 private:
  struct HighwayClass {
    bool routable = true;
    double speed_kmh = 0;
    bool implied_oneway = false;
    std::string default_access;  // "" = no default (allowed)
  };
  using Strings = std::vector<std::string>;

  std::string name_;
  ProfileHash hash_{};
  double speed_factor_ = 1.0;
  std::map<std::string, HighwayClass, std::less<>> highways_;

  bool use_maxspeed_ = true;
  Strings maxspeed_forward_keys_;
  Strings maxspeed_backward_keys_;
  std::optional<double> none_kmh_;  // nullopt: class default
  std::map<std::string, double, std::less<>> implicit_kmh_;
  double min_kmh_ = 5;
  double max_kmh_ = 150;

  std::string oneway_key_ = "oneway";
  Strings oneway_forward_;
  Strings oneway_backward_;
  Strings oneway_both_;
  Strings oneway_closed_;
  Strings oneway_junctions_;

  Strings access_keys_;  // most specific first
  Strings access_deny_;
  Strings access_allow_;

  std::map<std::string, Strings, std::less<>> exclude_;

  Strings restriction_keys_;  // most specific first
  Strings restriction_exempt_;
};

}  // namespace beacon::routing
