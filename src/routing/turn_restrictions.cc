#include "routing/turn_restrictions.h"

#include <algorithm>

namespace beacon::routing {

SplitGraph SplitTurnRestrictions(const RoadGraph& graph) {
  const NodeIndex n = graph.nodes();
  const ArcIndex m = graph.arcs();
  SplitGraph out;

  std::vector<NodeIndex> tail(m);
  for (NodeIndex v = 0; v < n; ++v) {
    for (ArcIndex a = graph.first_out[v]; a < graph.first_out[v + 1]; ++a) tail[a] = v;
  }

  // Valid restrictions grouped by from-arc.
  std::vector<TurnRestriction> rs;
  rs.reserve(graph.restrictions.size());
  for (const auto& r : graph.restrictions) {
    if (r.from >= m || r.to >= m || r.via >= n || graph.head[r.from] != r.via ||
        tail[r.to] != r.via) {
      ++out.restrictions_invalid;
      continue;
    }
    rs.push_back(r);
  }
  std::stable_sort(rs.begin(), rs.end(), [](const TurnRestriction& a, const TurnRestriction& b) {
    return a.from < b.from;
  });

  // One copy per restricted from-arc, numbered after the input's nodes.
  std::vector<NodeIndex> copy_of_arc(m, kNoNode);
  std::vector<std::pair<std::size_t, std::size_t>> groups;  // [begin, end) into rs
  out.original_node.resize(n);
  for (NodeIndex v = 0; v < n; ++v) out.original_node[v] = v;
  std::vector<LatLon> coords = graph.coords;
  for (std::size_t i = 0; i < rs.size();) {
    std::size_t j = i;
    while (j < rs.size() && rs[j].from == rs[i].from) ++j;
    copy_of_arc[rs[i].from] = static_cast<NodeIndex>(coords.size());
    out.original_node.push_back(rs[i].via);
    coords.push_back(graph.coords[rs[i].via]);
    groups.push_back({i, j});
    i = j;
  }
  out.copies = static_cast<NodeIndex>(coords.size() - n);

  // An arc (and each of its copies) ends at the copy for it when it has one.
  auto new_head = [&](ArcIndex a) {
    return copy_of_arc[a] != kNoNode ? copy_of_arc[a] : graph.head[a];
  };
  const bool classes = graph.road_class.size() == m;
  auto road_class = [&](ArcIndex a) -> std::uint8_t { return classes ? graph.road_class[a] : 0; };
  std::vector<ArcInput> arcs;
  arcs.reserve(m + out.copies * 3);
  for (ArcIndex a = 0; a < m; ++a) {
    arcs.push_back({tail[a], new_head(a), graph.time_ms[a], graph.length_m[a], road_class(a)});
  }
  std::vector<std::uint8_t> only, no;
  for (const auto& [begin, end] : groups) {
    const NodeIndex v = rs[begin].via;
    const NodeIndex copy = copy_of_arc[rs[begin].from];
    const ArcIndex first = graph.first_out[v], last = graph.first_out[v + 1];
    only.assign(last - first, 0);
    no.assign(last - first, 0);
    bool has_only = false;
    for (std::size_t i = begin; i < end; ++i) {
      if (rs[i].kind == TurnRestriction::Kind::kOnly) {
        has_only = true;
        only[rs[i].to - first] = 1;
      } else {
        no[rs[i].to - first] = 1;
      }
    }
    for (ArcIndex t = first; t < last; ++t) {
      if (no[t - first] || (has_only && !only[t - first])) continue;
      arcs.push_back({copy, new_head(t), graph.time_ms[t], graph.length_m[t], road_class(t)});
    }
  }
  out.graph = BuildGraph(std::move(coords), std::move(arcs));
  out.graph.road_class_names = graph.road_class_names;
  return out;
}

}  // namespace beacon::routing
