#include "cli/routing_bench.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "routing/dijkstra.h"
#include "routing/query.h"
#include "routing/road_network.h"

namespace beacon::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double Micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

json Summary(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
  return {{"median", at(0.5)}, {"p99", at(0.99)}, {"n", v.size()}};
}

double Median(const json& s) { return s.is_null() ? 0 : s["median"].get<double>(); }

}  // namespace

int RoutingBenchCommand(const RoutingBenchOptions& o) {
  auto opened = routing::RoadNetwork::Open(o.graph);
  if (!opened) {
    std::cerr << "beacon: " << opened.error().message() << "\n";
    return 2;
  }
  const auto& net = **opened;
  const auto& g = net.graph();
  if (g.nodes() == 0) {
    std::cerr << "beacon: the graph is empty\n";
    return 2;
  }
  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<routing::NodeIndex> node(0, g.nodes() - 1);
  routing::RouteEngine engine(g, net.hierarchy());
  routing::Dijkstra dijkstra(g);
  const routing::Millis limit = static_cast<routing::Millis>(o.coverage_s * 1000);
  std::uint64_t mismatches = 0;

  // Point to point (travel time only, as recommendations need).
  std::vector<double> p2p, p2p_dijkstra;
  for (int i = 0; i < o.pairs; ++i) {
    auto s = node(rng), t = node(rng);
    auto t0 = Clock::now();
    auto ms = engine.TravelTime(s, t);
    p2p.push_back(Micros(t0, Clock::now()));
    if (i < o.dijkstra_pairs) {
      t0 = Clock::now();
      auto ref = dijkstra.OneToOne(s, t);
      p2p_dijkstra.push_back(Micros(t0, Clock::now()));
      mismatches += ref.time_ms != ms;
    }
  }

  // Many-to-one: a unit set, then incidents.
  std::vector<double> prepare, m2o, m2o_dijkstra;
  for (int set = 0; set < std::max(1, o.incidents / 20); ++set) {
    std::vector<routing::NodeIndex> units(static_cast<size_t>(o.units));
    for (auto& u : units) u = node(rng);
    auto t0 = Clock::now();
    engine.PrepareSources(units);
    prepare.push_back(Micros(t0, Clock::now()));
    for (int i = 0; i < 20; ++i) {
      auto t = node(rng);
      t0 = Clock::now();
      auto times = engine.TimesToTarget(t);
      m2o.push_back(Micros(t0, Clock::now()));
      if (i == 0) {
        t0 = Clock::now();
        auto ref = dijkstra.ManyToOne(units, t);
        m2o_dijkstra.push_back(Micros(t0, Clock::now()));
        mismatches += ref != times;
      }
    }
  }

  // Coverage: every node within the limit of the units, full and incremental.
  std::vector<double> full, incremental, full_dijkstra;
  std::vector<routing::Millis> times;
  for (int set = 0; set < 10; ++set) {
    std::vector<routing::NodeIndex> units(static_cast<size_t>(o.units));
    for (auto& u : units) u = node(rng);
    auto t0 = Clock::now();
    engine.Reachable(units, limit, times);
    full.push_back(Micros(t0, Clock::now()) / 1000);
    t0 = Clock::now();
    auto ref = dijkstra.MultiSourceWithin(units, limit);
    full_dijkstra.push_back(Micros(t0, Clock::now()) / 1000);
    mismatches += ref != times;
  }
  {
    std::vector<routing::NodeIndex> units(static_cast<size_t>(o.units));
    for (auto& u : units) u = node(rng);
    routing::CoverageTracker tracker(g, net.hierarchy(), limit);
    auto ids = tracker.Reset(units);
    // A status change: one unit leaves (dispatched), another comes back.
    for (int i = 0; i < 100; ++i) {
      auto which = ids[static_cast<size_t>(rng() % ids.size())];
      auto t0 = Clock::now();
      tracker.RemoveSource(which);
      incremental.push_back(Micros(t0, Clock::now()) / 1000);
      t0 = Clock::now();
      auto added = tracker.AddSource(node(rng));
      incremental.push_back(Micros(t0, Clock::now()) / 1000);
      std::replace(ids.begin(), ids.end(), which, added);
    }
  }

  json p2p_s = Summary(p2p), m2o_s = Summary(m2o), full_s = Summary(full);
  json out = {
      {"graph", o.graph},
      {"nodes", g.nodes()},
      {"arcs", g.arcs()},
      {"shortcuts", net.hierarchy().up_arcs() + net.hierarchy().down_arcs() - g.arcs()},
      {"units", o.units},
      {"seed", o.seed},
      {"p2p_us", p2p_s},
      {"p2p_dijkstra_us", Summary(p2p_dijkstra)},
      {"many_to_one_us", m2o_s},
      {"many_to_one_dijkstra_us", Summary(m2o_dijkstra)},
      {"prepare_us", Summary(prepare)},
      {"coverage_full_ms", full_s},
      {"coverage_full_dijkstra_ms", Summary(full_dijkstra)},
      {"coverage_incremental_ms", Summary(incremental)},
      {"speedup_vs_dijkstra",
       {{"p2p", Median(Summary(p2p_dijkstra)) / std::max(Median(p2p_s), 1e-9)},
        {"many_to_one", Median(Summary(m2o_dijkstra)) / std::max(Median(m2o_s), 1e-9)},
        {"coverage_full", Median(Summary(full_dijkstra)) / std::max(Median(full_s), 1e-9)}}},
      {"mismatches_vs_dijkstra", mismatches},
  };
  std::cout << out.dump(2) << "\n";
  return mismatches == 0 ? 0 : 1;
}

}  // namespace beacon::cli
