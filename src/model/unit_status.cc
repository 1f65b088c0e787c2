#include "model/unit_status.h"

#include <array>

namespace beacon::model {
namespace {

constexpr std::array kAll = {UnitStatus::kAvailable,    UnitStatus::kDispatched,
                             UnitStatus::kEnRoute,      UnitStatus::kOnScene,
                             UnitStatus::kTransporting, UnitStatus::kAtHospital,
                             UnitStatus::kOutOfService};

}  // namespace

std::string_view ToString(UnitStatus s) {
  switch (s) {
    case UnitStatus::kAvailable:
      return "available";
    case UnitStatus::kDispatched:
      return "dispatched";
    case UnitStatus::kEnRoute:
      return "en_route";
    case UnitStatus::kOnScene:
      return "on_scene";
    case UnitStatus::kTransporting:
      return "transporting";
    case UnitStatus::kAtHospital:
      return "at_hospital";
    case UnitStatus::kOutOfService:
      return "out_of_service";
  }
  return "available";
}

std::optional<UnitStatus> ParseUnitStatus(std::string_view text) {
  for (UnitStatus s : kAll) {
    if (ToString(s) == text) return s;
  }
  return std::nullopt;
}

std::span<const UnitStatus> AllUnitStatuses() { return kAll; }

std::vector<UnitStatus> AllowedNext(UnitStatus from) {
  using S = UnitStatus;
  // Any committed unit may be released (cleared) back to available: a
  // dispatcher cancels a response or the crew clears early.
  switch (from) {
    case S::kAvailable:
      return {S::kOutOfService};
    case S::kDispatched:
      return {S::kEnRoute, S::kOnScene, S::kAvailable};
    case S::kEnRoute:
      return {S::kOnScene, S::kAvailable};
    case S::kOnScene:
      return {S::kTransporting, S::kAvailable};
    case S::kTransporting:
      return {S::kAtHospital, S::kAvailable};
    case S::kAtHospital:
      return {S::kAvailable};
    case S::kOutOfService:
      return {S::kAvailable};
  }
  return {};
}

bool CanTransition(UnitStatus from, UnitStatus to) {
  for (UnitStatus s : AllowedNext(from)) {
    if (s == to) return true;
  }
  return false;
}

}  // namespace beacon::model
