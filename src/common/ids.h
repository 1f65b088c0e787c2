// Strong identifier types: an IncidentId cannot be passed where a CallId is
// expected. Value types; thread-compatible.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace beacon {

template <typename Tag, typename Rep>
class StrongId {
 public:
  StrongId() = default;
  explicit StrongId(Rep v) : v_(std::move(v)) {}
  const Rep& value() const { return v_; }
  auto operator<=>(const StrongId&) const = default;

 private:
  Rep v_{};
};

using CallId = StrongId<struct CallTag, std::int64_t>;
using IncidentId = StrongId<struct IncidentTag, std::int64_t>;
// Units and stations carry the call signs dispatchers use ("E21", "S21").
using UnitId = StrongId<struct UnitTag, std::string>;
using StationId = StrongId<struct StationTag, std::string>;
using EventSeq = StrongId<struct EventSeqTag, std::int64_t>;
using CameraId = StrongId<struct CameraTag, std::int64_t>;
// Facilities carry the code the centre uses ("SFGH"); premise notes a number.
using FacilityId = StrongId<struct FacilityTag, std::string>;
using PremiseId = StrongId<struct PremiseTag, std::int64_t>;

}  // namespace beacon

template <typename Tag, typename Rep>
struct std::hash<beacon::StrongId<Tag, Rep>> {
  size_t operator()(const beacon::StrongId<Tag, Rep>& id) const noexcept {
    return std::hash<Rep>{}(id.value());
  }
};
