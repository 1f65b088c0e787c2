#include "routing/basemap.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace beacon::routing {
namespace {

struct Edge {
  NodeIndex a, b;
  bool major;
};

// Perpendicular distance of p from segment a-b, in metres, on a local
// equirectangular projection (good to well under a metre at city scale).
double SegmentDistanceM(LatLon p, LatLon a, LatLon b) {
  constexpr double kMPerDeg = 111320.0;
  double k = std::cos(a.lat * M_PI / 180.0);
  double ax = 0, ay = 0;
  double bx = (b.lon - a.lon) * k * kMPerDeg, by = (b.lat - a.lat) * kMPerDeg;
  double px = (p.lon - a.lon) * k * kMPerDeg, py = (p.lat - a.lat) * kMPerDeg;
  double dx = bx - ax, dy = by - ay;
  double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? std::clamp((px * dx + py * dy) / len2, 0.0, 1.0) : 0.0;
  double qx = ax + t * dx - px, qy = ay + t * dy - py;
  return std::sqrt(qx * qx + qy * qy);
}

void Simplify(const std::vector<LatLon>& in, double tol, std::vector<LatLon>& out) {
  if (in.size() <= 2) {
    out = in;
    return;
  }
  std::vector<char> keep(in.size(), 0);
  keep.front() = keep.back() = 1;
  std::vector<std::pair<size_t, size_t>> stack{{0, in.size() - 1}};
  while (!stack.empty()) {
    auto [i, j] = stack.back();
    stack.pop_back();
    double worst = -1;
    size_t at = i;
    for (size_t k = i + 1; k < j; ++k) {
      double d = SegmentDistanceM(in[k], in[i], in[j]);
      if (d > worst) {
        worst = d;
        at = k;
      }
    }
    if (worst > tol) {
      keep[at] = 1;
      stack.push_back({i, at});
      stack.push_back({at, j});
    }
  }
  out.clear();
  for (size_t k = 0; k < in.size(); ++k)
    if (keep[k]) out.push_back(in[k]);
}

}  // namespace

Basemap BuildBasemap(const RoadGraph& g, const std::vector<NodeIndex>& original_node,
                     double tolerance_m) {
  Basemap map;
  const NodeIndex n = g.nodes();
  auto orig = [&](NodeIndex v) { return original_node.empty() ? v : original_node[v]; };
  for (NodeIndex v = 0; v < n; ++v) {
    if (orig(v) != v) continue;
    const LatLon& c = g.coords[v];
    map.min.lat = std::min(map.min.lat, c.lat);
    map.min.lon = std::min(map.min.lon, c.lon);
    map.max.lat = std::max(map.max.lat, c.lat);
    map.max.lon = std::max(map.max.lon, c.lon);
  }

  // Undirected, deduplicated edges between road nodes.
  std::vector<Edge> edges;
  edges.reserve(g.arcs());
  for (NodeIndex v = 0; v < n; ++v) {
    for (ArcIndex e = g.first_out[v]; e < g.first_out[v + 1]; ++e) {
      NodeIndex a = orig(v), b = orig(g.head[e]);
      if (a == b) continue;
      double speed = g.time_ms[e] > 0 ? g.length_m[e] / (g.time_ms[e] / 1000.0) : 0;
      edges.push_back({std::min(a, b), std::max(a, b), speed >= kMajorSpeedMps});
    }
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
    return std::tie(x.a, x.b, x.major) > std::tie(y.a, y.b, y.major);  // major first
  });
  edges.erase(std::unique(edges.begin(), edges.end(),
                          [](const Edge& x, const Edge& y) { return x.a == y.a && x.b == y.b; }),
              edges.end());

  // Adjacency (edge ids per node) to walk chains.
  std::vector<std::uint32_t> first(n + 1, 0), adj(edges.size() * 2);
  for (const auto& e : edges) {
    ++first[e.a + 1];
    ++first[e.b + 1];
  }
  for (NodeIndex v = 0; v < n; ++v) first[v + 1] += first[v];
  {
    std::vector<std::uint32_t> fill(first.begin(), first.end() - 1);
    for (std::uint32_t i = 0; i < edges.size(); ++i) {
      adj[fill[edges[i].a]++] = i;
      adj[fill[edges[i].b]++] = i;
    }
  }
  // A chain passes through a node with exactly two edges of the same class.
  auto through = [&](NodeIndex v) {
    return first[v + 1] - first[v] == 2 &&
           edges[adj[first[v]]].major == edges[adj[first[v] + 1]].major;
  };
  std::vector<char> used(edges.size(), 0);
  std::vector<LatLon> raw;
  auto walk = [&](NodeIndex start, std::uint32_t e0) {
    raw.clear();
    raw.push_back(g.coords[start]);
    NodeIndex v = start;
    std::uint32_t e = e0;
    bool major = edges[e0].major;
    while (true) {
      used[e] = 1;
      NodeIndex w = edges[e].a == v ? edges[e].b : edges[e].a;
      raw.push_back(g.coords[w]);
      v = w;
      if (!through(v)) break;
      std::uint32_t next = adj[first[v]] == e ? adj[first[v] + 1] : adj[first[v]];
      if (used[next]) break;  // closed loop
      e = next;
    }
    BasemapLine line;
    line.major = major;
    Simplify(raw, tolerance_m, line.points);
    map.lines.push_back(std::move(line));
  };
  for (NodeIndex v = 0; v < n; ++v) {
    if (through(v)) continue;
    for (std::uint32_t k = first[v]; k < first[v + 1]; ++k)
      if (!used[adj[k]]) walk(v, adj[k]);
  }
  // What is left are loops made only of through nodes.
  for (std::uint32_t i = 0; i < edges.size(); ++i)
    if (!used[i]) walk(edges[i].a, i);
  return map;
}

}  // namespace beacon::routing
