// Micro benchmark of the routing core on a synthetic road-like graph built in
// memory (reads nothing): contraction-hierarchy preprocessing, point-to-point,
// many-to-one and coverage queries, each against plain Dijkstra, with every
// timed answer also checked against Dijkstra. Prints one JSON object.
//
//   routing_core_bench [--side=250] [--seed=1] [--queries=2000]
//                      [--witness=N] [--estimate=N] [--contract-only]
//
// The graph: a side x side grid of intersections about 120 m apart (jittered),
// each street split into 0-4 shape nodes as in OSM, with residential streets
// (30 km/h, some one-way, some missing), a primary road every 10th line
// (50 km/h) and an expressway every 40th (90 km/h). side=250 gives ~300k nodes.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "routing/contraction.h"
#include "routing/dijkstra.h"
#include "routing/query.h"
#include "routing/road_graph.h"

namespace beacon::routing {
namespace {

using Clock = std::chrono::steady_clock;

double MicrosSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

struct Summary {
  double median = 0, p90 = 0, p99 = 0, mean = 0;
  std::size_t n = 0;
};

Summary Summarize(std::vector<double> v) {
  Summary s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * v.size()))];
  };
  s.median = v[v.size() / 2];
  s.p90 = at(0.9);
  s.p99 = at(0.99);
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / v.size();
  return s;
}

std::string Json(const Summary& s) {
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "{\"median_us\": %.2f, \"p90_us\": %.2f, \"p99_us\": %.2f, \"mean_us\": %.2f, "
                "\"n\": %zu}",
                s.median, s.p90, s.p99, s.mean, s.n);
  return buf;
}

// Peak resident set size of this process so far, in MB.
double PeakRssMb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return -1;
}

RoadGraph SyntheticCity(NodeIndex side, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  const double kLat0 = 41.15, kLon0 = -8.61;
  const double kMPerDegLat = 111195.0;
  const double kMPerDegLon = kMPerDegLat * std::cos(kLat0 * std::numbers::pi / 180);
  const double kBlockM = 120;
  std::vector<LatLon> coords;
  std::vector<double> x_m, y_m;
  auto add_node = [&](double x, double y) {
    coords.push_back({kLat0 + y / kMPerDegLat, kLon0 + x / kMPerDegLon});
    x_m.push_back(x);
    y_m.push_back(y);
    return static_cast<NodeIndex>(coords.size() - 1);
  };
  for (NodeIndex j = 0; j < side; ++j) {
    for (NodeIndex i = 0; i < side; ++i) {
      add_node(i * kBlockM + (unit(rng) - 0.5) * 50, j * kBlockM + (unit(rng) - 0.5) * 50);
    }
  }
  std::vector<ArcInput> arcs;
  auto street = [&](NodeIndex a, NodeIndex b, NodeIndex line) {
    double kmh = 30;
    bool major = false;
    if (line % 40 == 0) {
      kmh = 90;
      major = true;
    } else if (line % 10 == 0) {
      kmh = 50;
      major = true;
    }
    if (!major && unit(rng) < 0.08) return;  // missing street
    kmh *= 0.8 + 0.4 * unit(rng);
    int oneway = (!major && unit(rng) < 0.2) ? (unit(rng) < 0.5 ? 1 : 2) : 0;
    int shape = static_cast<int>(unit(rng) * 5);  // 0..4 shape nodes
    std::vector<NodeIndex> chain{a};
    for (int k = 1; k <= shape; ++k) {
      double f = static_cast<double>(k) / (shape + 1);
      chain.push_back(add_node(x_m[a] + (x_m[b] - x_m[a]) * f + (unit(rng) - 0.5) * 8,
                               y_m[a] + (y_m[b] - y_m[a]) * f + (unit(rng) - 0.5) * 8));
    }
    chain.push_back(b);
    for (std::size_t k = 0; k + 1 < chain.size(); ++k) {
      NodeIndex u = chain[k], v = chain[k + 1];
      double len = std::hypot(x_m[u] - x_m[v], y_m[u] - y_m[v]);
      Millis t = std::max<Millis>(1, static_cast<Millis>(std::lround(len / (kmh / 3.6) * 1000)));
      if (oneway != 2) arcs.push_back({u, v, t, static_cast<float>(len)});
      if (oneway != 1) arcs.push_back({v, u, t, static_cast<float>(len)});
    }
  };
  for (NodeIndex j = 0; j < side; ++j) {
    for (NodeIndex i = 0; i < side; ++i) {
      NodeIndex v = j * side + i;
      if (i + 1 < side) street(v, v + 1, j);
      if (j + 1 < side) street(v, v + side, i);
    }
  }
  return BuildGraph(std::move(coords), std::move(arcs));
}

struct Settings {
  std::uint32_t seed = 1;
  int queries = 2000;
  ContractionOptions options;
  bool contract_only = false;
};

// Runs every measurement on `graph` and prints the JSON report; returns 1 if
// any answer differed from Dijkstra. `graph_json` describes the graph.
int RunAll(const RoadGraph& graph, const std::string& graph_json, double build_graph_ms,
           Settings settings) {
  std::mt19937 rng(settings.seed + 1000);
  const int queries = settings.queries;
  ContractionOptions options = settings.options;
  const bool contract_only = settings.contract_only;
  const std::uint32_t witness = options.witness_settle_limit;
  const std::uint32_t estimate = options.estimate_settle_limit;
  const NodeIndex n = graph.nodes();
  std::uniform_int_distribution<NodeIndex> node(0, n - 1);
  double rss_before_ch = PeakRssMb();

  // Preprocessing.
  ContractionStats cstats;
  int progress_calls = 0;
  options.progress = [&](double) { ++progress_calls; };
  auto t0 = Clock::now();
  ContractedGraph ch = Contract(graph, options, &cstats);
  double contract_ms = MicrosSince(t0) / 1000;
  double rss_after_ch = PeakRssMb();
  Status check = CheckContractedGraph(graph, ch);
  if (!check.ok()) {
    std::fprintf(stderr, "bad hierarchy: %s\n", check.message().c_str());
    return 1;
  }

  if (contract_only) {
    std::printf(
        "{\"nodes\": %u, \"contract_ms\": %.1f, \"peak_rss_mb\": %.1f, \"up_arcs\": %u, "
        "\"shortcuts\": %llu, \"witness_searches\": %llu, \"levels\": %u}\n",
        n, contract_ms, rss_after_ch, ch.up_arcs(),
        static_cast<unsigned long long>(cstats.shortcuts),
        static_cast<unsigned long long>(cstats.witness_searches), cstats.levels);
    return 0;
  }
  RouteEngine engine(graph, ch);
  Dijkstra dijkstra(graph);
  std::uint64_t mismatches = 0;

  // Point to point.
  std::vector<double> p2p_time_us, p2p_path_us, p2p_dijkstra_us, settled;
  for (int q = 0; q < queries; ++q) {
    NodeIndex s = node(rng), t = node(rng);
    auto start = Clock::now();
    Millis time = engine.TravelTime(s, t);
    p2p_time_us.push_back(MicrosSince(start));
    settled.push_back(static_cast<double>(engine.last_stats().settled));
    start = Clock::now();
    Route route = engine.ShortestPath(s, t);
    p2p_path_us.push_back(MicrosSince(start));
    mismatches += route.time_ms != time;
    if (q < 200) {
      start = Clock::now();
      TimedPath ref = dijkstra.OneToOne(s, t);
      p2p_dijkstra_us.push_back(MicrosSince(start));
      mismatches += ref.time_ms != time;
    }
  }

  // Many-to-one: 500 units, an incident. Preparing a new set from scratch,
  // then again after one unit moved (the common case between incidents).
  const std::size_t kUnits = 500;
  std::vector<double> prepare_us, prepare_one_moved_us, m2o_us, m2o_dijkstra_us, entries;
  for (int round = 0; round < 10; ++round) {
    std::vector<NodeIndex> units(kUnits);
    for (NodeIndex& u : units) u = node(rng);
    auto start = Clock::now();
    engine.PrepareSources(units);
    prepare_us.push_back(MicrosSince(start));
    entries.push_back(static_cast<double>(engine.last_stats().bucket_entries));
    std::vector<Millis> times(kUnits);
    for (int q = 0; q < queries / 10; ++q) {
      if (q % 10 == 0) {
        units[std::uniform_int_distribution<std::size_t>(0, kUnits - 1)(rng)] = node(rng);
        start = Clock::now();
        engine.PrepareSources(units);
        prepare_one_moved_us.push_back(MicrosSince(start));
      }
      NodeIndex target = node(rng);
      start = Clock::now();
      engine.TimesToTarget(target, times);
      m2o_us.push_back(MicrosSince(start));
      if (q < 3) {
        start = Clock::now();
        std::vector<Millis> ref = dijkstra.ManyToOne(units, target);
        m2o_dijkstra_us.push_back(MicrosSince(start));
        mismatches += ref != times;
      }
    }
  }

  // Coverage: 500 sources, 240 s.
  const Millis kLimit = 240000;
  std::vector<double> cover_us, cover_dijkstra_us, reset_us, add_us, remove_us;
  std::vector<Millis> cover;
  std::vector<NodeIndex> sources(kUnits);
  double covered_fraction = 0;
  for (int round = 0; round < 10; ++round) {
    for (NodeIndex& s : sources) s = node(rng);
    auto start = Clock::now();
    engine.Reachable(sources, kLimit, cover);
    cover_us.push_back(MicrosSince(start));
    if (round < 3) {
      start = Clock::now();
      std::vector<Millis> ref = dijkstra.MultiSourceWithin(sources, kLimit);
      cover_dijkstra_us.push_back(MicrosSince(start));
      mismatches += ref != cover;
    }
  }
  covered_fraction = static_cast<double>(std::count_if(
                         cover.begin(), cover.end(), [](Millis t) { return t != kUnreachable; })) /
                     n;
  CoverageTracker tracker(graph, ch, kLimit);
  std::vector<CoverageTracker::SourceId> ids;
  for (int round = 0; round < 5; ++round) {
    for (NodeIndex& s : sources) s = node(rng);
    auto start = Clock::now();
    ids = tracker.Reset(sources);
    reset_us.push_back(MicrosSince(start));
  }
  // Status changes: a unit leaves (busy) and another becomes available.
  for (int step = 0; step < 400; ++step) {
    std::size_t i = std::uniform_int_distribution<std::size_t>(0, ids.size() - 1)(rng);
    auto start = Clock::now();
    tracker.RemoveSource(ids[i]);
    remove_us.push_back(MicrosSince(start));
    sources[i] = node(rng);
    start = Clock::now();
    ids[i] = tracker.AddSource(sources[i]);
    add_us.push_back(MicrosSince(start));
    if (step % 100 == 99) {
      mismatches += tracker.Times() != engine.Reachable(sources, kLimit);
    }
  }

  std::printf("{\n");
  std::printf("  \"graph\": {%s, \"nodes\": %u, \"arcs\": %u, \"build_ms\": %.1f},\n",
              graph_json.c_str(), n, graph.arcs(), build_graph_ms);
  std::printf(
      "  \"preprocessing\": {\"ms\": %.1f, \"peak_rss_mb\": %.1f, "
      "\"peak_rss_before_mb\": %.1f, \"up_arcs\": %u, \"down_arcs\": %u, "
      "\"shortcuts\": %llu, \"witness_searches\": %llu, \"levels\": %u, "
      "\"witness_settle_limit\": %u, \"estimate_settle_limit\": %u, "
      "\"progress_calls\": %d},\n",
      contract_ms, rss_after_ch, rss_before_ch, ch.up_arcs(), ch.down_arcs(),
      static_cast<unsigned long long>(cstats.shortcuts),
      static_cast<unsigned long long>(cstats.witness_searches), cstats.levels, witness, estimate,
      progress_calls);
  std::printf(
      "  \"p2p\": {\"ch_time_only\": %s,\n          \"ch_with_path\": %s,\n"
      "          \"dijkstra\": %s,\n          \"settled_median\": %.0f},\n",
      Json(Summarize(p2p_time_us)).c_str(), Json(Summarize(p2p_path_us)).c_str(),
      Json(Summarize(p2p_dijkstra_us)).c_str(), Summarize(settled).median);
  std::printf(
      "  \"many_to_one\": {\"sources\": %zu, \"prepare_new_set\": %s,\n"
      "          \"prepare_one_moved\": %s,\n"
      "          \"query\": %s,\n          \"dijkstra\": %s,\n"
      "          \"bucket_entries_median\": %.0f},\n",
      kUnits, Json(Summarize(prepare_us)).c_str(), Json(Summarize(prepare_one_moved_us)).c_str(),
      Json(Summarize(m2o_us)).c_str(), Json(Summarize(m2o_dijkstra_us)).c_str(),
      Summarize(entries).median);
  std::printf(
      "  \"coverage\": {\"sources\": %zu, \"limit_ms\": %u, \"covered_fraction\": %.3f,\n"
      "          \"phast_full\": %s,\n          \"dijkstra_full\": %s,\n"
      "          \"tracker_reset\": %s,\n          \"tracker_remove\": %s,\n"
      "          \"tracker_add\": %s},\n",
      kUnits, kLimit, covered_fraction, Json(Summarize(cover_us)).c_str(),
      Json(Summarize(cover_dijkstra_us)).c_str(), Json(Summarize(reset_us)).c_str(),
      Json(Summarize(remove_us)).c_str(), Json(Summarize(add_us)).c_str());
  std::printf("  \"mismatches_vs_dijkstra\": %llu\n}\n",
              static_cast<unsigned long long>(mismatches));
  return mismatches == 0 ? 0 : 1;
}

int Main(int argc, char** argv) {
  NodeIndex side = 250;
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--side=", 7) == 0)
      side = std::atoi(argv[i] + 7);
    else if (std::strncmp(argv[i], "--seed=", 7) == 0)
      settings.seed = std::atoi(argv[i] + 7);
    else if (std::strncmp(argv[i], "--queries=", 10) == 0)
      settings.queries = std::atoi(argv[i] + 10);
    else if (std::strncmp(argv[i], "--witness=", 10) == 0) {
      settings.options.witness_settle_limit = std::atoi(argv[i] + 10);
    } else if (std::strncmp(argv[i], "--estimate=", 11) == 0) {
      settings.options.estimate_settle_limit = std::atoi(argv[i] + 11);
    } else if (std::strcmp(argv[i], "--contract-only") == 0) {
      settings.contract_only = true;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--side=250] [--seed=1] [--queries=2000] [--witness=N] "
                   "[--estimate=N] [--contract-only]\n",
                   argv[0]);
      return 2;
    }
  }
  auto t0 = Clock::now();
  RoadGraph graph = SyntheticCity(side, settings.seed);
  double build_graph_ms = MicrosSince(t0) / 1000;
  char json[160];
  std::snprintf(json, sizeof json, "\"kind\": \"synthetic grid city\", \"side\": %u, \"seed\": %u",
                side, settings.seed);
  return RunAll(graph, json, build_graph_ms, settings);
}

}  // namespace
}  // namespace beacon::routing

int main(int argc, char** argv) { return beacon::routing::Main(argc, argv); }
