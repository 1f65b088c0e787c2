// Planner: live planning for the command room. Follows the units, stations
// and calls of the centre (fed from committed events, api/planning_feed.h)
// and answers coverage, move-up suggestions and demand counts.
// docs/planning.md has the definitions (available unit, demand, district).
//
// Keeps a pointer to the road network (null without --graph: then only the
// demand counts work and coverage answers kConflict). Thread-safe: one mutex
// guards the state and is held briefly (an update costs one incremental
// tracker change per kept threshold); move-up planning copies what it needs
// and runs on its own tracker under a second mutex, so it never holds up the
// updates.
#pragma once

#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/types.h"
#include "planning/coverage_model.h"
#include "routing/road_network.h"

namespace beacon::planning {

// A unit further than this from its home station is not "at" it.
inline constexpr double kAtStationM = 250;

enum class DemandBy { kHour, kWeekday, kDistrict, kType };
std::optional<DemandBy> ParseDemandBy(std::string_view text);
std::string_view ToString(DemandBy by);

// One counted call: no caller, no narrative, no address.
struct DemandRecord {
  TimeMs received_at = 0;
  std::string incident_type;
  std::optional<LatLon> location;
};
struct DemandBucket {
  std::string key;
  std::int64_t count = 0;
};
// Counts of `records` received in [from, to): by hour "00".."23" and
// weekday "mon".."sun" (UTC; every key, zeros included), by district (the
// nearest station in a straight line, every station listed, plus "none" for
// calls without a location or when there is no station) or by incident type
// (the types seen, sorted).
std::vector<DemandBucket> CountDemand(const std::vector<DemandRecord>& records,
                                      const std::vector<model::Station>& stations, DemandBy by,
                                      std::optional<TimeMs> from, std::optional<TimeMs> to);

struct CoverageReport {
  int seconds = 0;
  CoverageCounts counts;
  std::vector<CoverageCell> cells;
};
struct MoveUpReport {
  int seconds = 0;
  int movable_units = 0;
  MoveUpPlan plan;
};

class Planner {
 public:
  explicit Planner(const routing::RoadNetwork* network);

  // The state at start (from the store snapshot), before any event.
  void Load(const std::vector<model::Unit>& units, const std::vector<model::Station>& stations,
            const std::vector<model::Call>& calls);
  // A unit was created or changed (status, position, station).
  void OnUnit(const model::Unit& unit);
  void OnStation(const model::Station& station);
  // A call was created.
  void OnCall(const model::Call& call);

  bool has_graph() const { return network_ != nullptr; }
  // kConflict without a road graph.
  Result<CoverageReport> Coverage(int seconds);
  Result<MoveUpReport> MoveUps(int seconds, int max_moves);
  std::vector<DemandBucket> Demand(DemandBy by, std::optional<TimeMs> from,
                                   std::optional<TimeMs> to) const;

 private:
  std::optional<NodeIndex> Snap(LatLon where) const;
  // The fixed time a calibrated network adds to every ETA: coverage within
  // T seconds is road time within T minus it.
  Millis EtaOffsetMs() const {
    return static_cast<Millis>(std::llround(network_->fixed_s() * 1000));
  }
  std::optional<LatLon> Position(const model::Unit& u) const;  // requires mu_
  void Update(const model::Unit& u);                           // requires mu_
  void AddCall(const model::Call& c);                          // requires mu_

  const routing::RoadNetwork* network_;
  std::unique_ptr<NodeCopies> copies_;

  mutable std::mutex mu_;
  std::map<std::string, model::Unit> units_;
  std::map<std::string, model::Station> stations_;
  std::vector<DemandRecord> demand_;
  std::unique_ptr<CoverageModel> model_;

  std::mutex plan_mu_;  // taken without mu_ held
  int scratch_seconds_ = 0;
  std::unique_ptr<routing::CoverageTracker> scratch_;
};

Status NoGraph();

}  // namespace beacon::planning
