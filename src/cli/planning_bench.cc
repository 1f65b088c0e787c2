#include "cli/planning_bench.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "planning/coverage_model.h"
#include "planning/planner.h"
#include "routing/road_network.h"

namespace beacon::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

json Summary(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
  return {{"median", at(0.5)}, {"p99", at(0.99)}, {"max", v.back()}, {"n", v.size()}};
}

}  // namespace

int PlanningBenchCommand(const PlanningBenchOptions& o) {
  auto opened = routing::RoadNetwork::Open(o.graph);
  if (!opened) {
    std::cerr << "beacon: " << opened.error().message() << "\n";
    return 2;
  }
  const auto& net = **opened;
  const auto& g = net.graph();
  planning::NodeCopies copies(g.nodes(), net.original_node());
  std::vector<routing::NodeIndex> originals;
  for (routing::NodeIndex v = 0; v < g.nodes(); ++v) {
    if (copies.IsOriginal(v)) originals.push_back(v);
  }
  if (originals.empty()) {
    std::cerr << "beacon: the graph is empty\n";
    return 2;
  }
  std::mt19937_64 rng(o.seed);
  auto node = [&] { return originals[rng() % originals.size()]; };
  std::vector<planning::StationSite> stations;
  for (int i = 0; i < o.stations; ++i) stations.push_back({"S" + std::to_string(i), node()});

  // The server's model: 240 s and 480 s kept. Units at stations, calls at
  // random nodes.
  auto t0 = Clock::now();
  planning::CoverageModel model(g, net.hierarchy(), copies);
  double construct_ms = Ms(t0, Clock::now());
  std::vector<std::string> ids;
  std::vector<size_t> home;
  for (int i = 0; i < o.calls; ++i) model.AddDemand(node());
  for (int i = 0; i < o.units; ++i) {
    ids.push_back("U" + std::to_string(i));
    home.push_back(static_cast<size_t>(i) % stations.size());
    model.SetUnit(ids.back(), stations[home.back()].node);
  }

  // Full recompute of both thresholds, and of 240 s alone.
  std::vector<double> full_both, full_240;
  for (int i = 0; i < 10; ++i) {
    t0 = Clock::now();
    model.Rebuild();
    full_both.push_back(Ms(t0, Clock::now()));
  }
  planning::CoverageModel single(g, net.hierarchy(), copies, {240});
  for (int i = 0; i < o.calls; ++i) single.AddDemand(node());
  for (int i = 0; i < o.units; ++i) single.SetUnit(ids[i], stations[home[i]].node);
  for (int i = 0; i < 10; ++i) {
    t0 = Clock::now();
    single.Rebuild();
    full_240.push_back(Ms(t0, Clock::now()));
  }

  // One unit status change: dispatched (leaves), then available again
  // (comes back), each a separate change, through the model.
  std::vector<double> change_both, change_240;
  for (int i = 0; i < o.changes; ++i) {
    size_t u = rng() % ids.size();
    t0 = Clock::now();
    model.SetUnit(ids[u], std::nullopt);
    change_both.push_back(Ms(t0, Clock::now()));
    t0 = Clock::now();
    model.SetUnit(ids[u], stations[home[u]].node);
    change_both.push_back(Ms(t0, Clock::now()));
    t0 = Clock::now();
    single.SetUnit(ids[u], std::nullopt);
    change_240.push_back(Ms(t0, Clock::now()));
    t0 = Clock::now();
    single.SetUnit(ids[u], stations[home[u]].node);
    change_240.push_back(Ms(t0, Clock::now()));
  }
  // The same for a unit alone at its node (e.g. available again at a
  // scene): it comes and leaves, each a separate change. A unit at a station
  // shared with other units changes no times, so the loop above measures
  // the bookkeeping; this one the search.
  std::vector<double> change_lone_both, change_lone_240;
  for (int i = 0; i < o.changes; ++i) {
    const routing::NodeIndex at = node();
    for (auto [m, out] :
         {std::pair{&model, &change_lone_both}, std::pair{&single, &change_lone_240}}) {
      t0 = Clock::now();
      m->SetUnit("lone", at);
      out->push_back(Ms(t0, Clock::now()));
      t0 = Clock::now();
      m->SetUnit("lone", std::nullopt);
      out->push_back(Ms(t0, Clock::now()));
    }
  }
  // Check: the incremental counts equal a full recompute.
  bool consistent = true;
  {
    auto inc240 = model.Counts(240), inc480 = model.Counts(480);
    model.Rebuild();
    auto full240 = model.Counts(240), full480 = model.Counts(480);
    consistent = inc240.nodes_covered == full240.nodes_covered &&
                 inc240.demand_covered == full240.demand_covered &&
                 inc480.nodes_covered == full480.nodes_covered &&
                 inc480.demand_covered == full480.demand_covered;
  }

  // Answering GET /coverage: counts and cells.
  std::vector<double> report;
  for (int i = 0; i < 10; ++i) {
    t0 = Clock::now();
    auto c = model.Counts(240);
    auto cells = model.Cells(240);
    report.push_back(Ms(t0, Clock::now()));
    if (cells.empty() && c.nodes_covered > 0) consistent = false;
  }

  // Move-ups: half of the units taken away from random stations leave holes.
  for (size_t u = 0; u < ids.size(); u += 2) single.SetUnit(ids[u], std::nullopt);
  std::vector<planning::MovableUnit> movable;
  auto& tracker = single.Tracker(240);
  for (size_t u = 1; u < ids.size(); u += 2) {
    single.SetUnit(ids[u], std::nullopt);
    movable.push_back({ids[u], stations[home[u]].station_id, stations[home[u]].node,
                       tracker.AddSource(stations[home[u]].node)});
  }
  t0 = Clock::now();
  auto plan = planning::PlanMoveUps(g, copies, tracker, movable, stations, single.demand(),
                                    single.demand_total(), 3);
  double moveups_ms = Ms(t0, Clock::now());

  auto covered = model.Counts(240);
  json out = {
      {"graph", o.graph},
      {"nodes", g.nodes()},
      {"road_nodes", copies.originals()},
      {"units", o.units},
      {"stations", o.stations},
      {"calls", o.calls},
      {"seed", o.seed},
      {"covered_share_240", static_cast<double>(covered.nodes_covered) / covered.nodes_total},
      {"model_construct_ms", construct_ms},
      {"full_recompute_240_ms", Summary(full_240)},
      {"full_recompute_240_480_ms", Summary(full_both)},
      {"status_change_240_ms", Summary(change_240)},
      {"status_change_240_480_ms", Summary(change_both)},
      {"status_change_lone_unit_240_ms", Summary(change_lone_240)},
      {"status_change_lone_unit_240_480_ms", Summary(change_lone_both)},
      {"coverage_report_ms", Summary(report)},
      {"moveups_ms", moveups_ms},
      {"moveups_movable", movable.size()},
      {"moveups_moves", plan.moves.size()},
      {"moveups_demand_gain", plan.after.demand_covered - plan.before.demand_covered},
      {"incremental_equals_full", consistent},
  };
  std::cout << out.dump(2) << "\n";
  return consistent ? 0 : 1;
}

}  // namespace beacon::cli
