// The unit status machine: the explicit table of legal transitions.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace beacon::model {

enum class UnitStatus {
  kAvailable,
  kDispatched,
  kEnRoute,
  kOnScene,
  kTransporting,
  kAtHospital,
  kOutOfService,
};

std::string_view ToString(UnitStatus s);
std::optional<UnitStatus> ParseUnitStatus(std::string_view text);
// Every status, in the order above (for error messages and docs).
std::span<const UnitStatus> AllUnitStatuses();

// Statuses a unit may move to from `from` by a status change request.
// `dispatched` is never reachable this way: only an assignment dispatches.
std::vector<UnitStatus> AllowedNext(UnitStatus from);
bool CanTransition(UnitStatus from, UnitStatus to);

}  // namespace beacon::model
