// Driver: the commands a replay sends to Beacon, the way call-takers and
// dispatchers would. InProcessDriver runs them on a service::Center with a
// simulated clock and an in-memory store (same domain code as the server);
// HttpDriver sends them to a running server over its public API. Each call
// is timed (wall clock) for the report's latency table.
// Not thread-safe: one replay drives one Driver.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "dispatch/response_plan.h"
#include "dispatch/travel_times.h"
#include "model/types.h"
#include "replay/http_client.h"
#include "service/locations.h"

namespace beacon::routing {
class RoadNetwork;
}

namespace beacon::replay {

using Json = nlohmann::json;

struct CallAnswer {
  std::int64_t call_id = 0;
  std::int64_t incident_id = 0;
  bool duplicate = false;
};

// Latency samples per operation ("call", "recommend", ...), in microseconds.
using Latencies = std::map<std::string, std::vector<double>>;

class Driver {
 public:
  virtual ~Driver() = default;
  // `now` is the simulated time of the command (in-process: the clock is set
  // to it; over HTTP the server uses its own clock).
  virtual Status EnsureStation(TimeMs now, const model::Station& s) = 0;
  virtual Status EnsureUnit(TimeMs now, const model::Unit& u) = 0;
  virtual Result<CallAnswer> CreateCall(TimeMs now, const model::CallInput& in) = 0;
  // The body of GET /incidents/{id}/recommendations.
  virtual Result<Json> Recommend(TimeMs now, std::int64_t incident_id) = 0;
  virtual Status Assign(TimeMs now, std::int64_t incident_id, const std::string& unit_id) = 0;
  virtual Status SetStatus(TimeMs now, const std::string& unit_id, model::UnitStatus s) = 0;
  virtual Status SetPosition(TimeMs now, const std::string& unit_id, LatLon where) = 0;
  virtual Status Close(TimeMs now, std::int64_t incident_id, const std::string& disposition) = 0;
  // Current status of every unit (to start from what the server has).
  virtual Result<std::map<std::string, model::UnitStatus>> UnitStatuses(TimeMs now) = 0;
  virtual std::string Describe() const = 0;
  // Geocoding on intake for an in-process run (a server has its own);
  // `resolver` must outlive the driver.
  virtual void SetLocationResolver(const service::LocationResolver* resolver) { (void)resolver; }

  Latencies& latencies() { return latencies_; }

 protected:
  Latencies latencies_;
};

// Runs the domain code in this process. `plans` and `travel_times` must
// outlive the driver.
std::unique_ptr<Driver> MakeInProcessDriver(const dispatch::ResponsePlans& plans,
                                            const dispatch::TravelTimes& travel_times);
// The same over the road graph, with the snap of every point the Center
// asks about remembered (exact coordinates; units mostly stand at their
// stations): the same travel times as `network` itself, without snapping
// each available unit again on every recommendation. `network` must outlive
// the driver.
std::unique_ptr<Driver> MakeInProcessDriver(const dispatch::ResponsePlans& plans,
                                            const routing::RoadNetwork& network);

// Logs in as `user` (needs the supervisor role: calls, dispatch, close,
// stations and units). Fails with the server's message.
Result<std::unique_ptr<Driver>> MakeHttpDriver(const HttpTarget& target, const std::string& user,
                                               const std::string& password);

}  // namespace beacon::replay
