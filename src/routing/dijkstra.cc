#include "routing/dijkstra.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <utility>

namespace beacon::routing {
namespace {

// (tentative time, node); std::greater makes the priority queue a min-heap.
using QueueEntry = std::pair<Millis, NodeIndex>;
using MinQueue = std::priority_queue<QueueEntry, std::vector<QueueEntry>, std::greater<>>;

}  // namespace

Dijkstra::Dijkstra(const RoadGraph& graph)
    : graph_(graph),
      dist_(graph.nodes(), kUnreachable),
      parent_(graph.nodes(), kNoNode),
      stamp_(graph.nodes(), 0) {}

void Dijkstra::NextStamp() {
  if (++current_ == 0) {
    std::fill(stamp_.begin(), stamp_.end(), 0);
    current_ = 1;
  }
  settled_ = 0;
}

void Dijkstra::BuildReverse() {
  const NodeIndex n = graph_.nodes();
  rev_first_.assign(n + 1, 0);
  for (ArcIndex a = 0; a < graph_.arcs(); ++a) ++rev_first_[graph_.head[a] + 1];
  for (NodeIndex v = 0; v < n; ++v) rev_first_[v + 1] += rev_first_[v];
  rev_tail_.resize(graph_.arcs());
  rev_time_.resize(graph_.arcs());
  std::vector<ArcIndex> fill(rev_first_.begin(), rev_first_.end() - 1);
  for (NodeIndex v = 0; v < n; ++v) {
    for (ArcIndex a = graph_.first_out[v]; a < graph_.first_out[v + 1]; ++a) {
      ArcIndex slot = fill[graph_.head[a]]++;
      rev_tail_[slot] = v;
      rev_time_[slot] = graph_.time_ms[a];
    }
  }
}

std::vector<Millis> Dijkstra::OneToAll(NodeIndex source) {
  // One source, no limit: every total below kUnreachable is a path.
  return MultiSourceWithin(std::span<const NodeIndex>(&source, 1), kUnreachable);
}

TimedPath Dijkstra::OneToOne(NodeIndex source, NodeIndex target) {
  NextStamp();
  MinQueue queue;
  stamp_[source] = current_;
  dist_[source] = 0;
  parent_[source] = kNoNode;
  queue.push({0, source});
  bool found = false;
  while (!queue.empty()) {
    auto [d, v] = queue.top();
    queue.pop();
    if (d != dist_[v]) continue;
    ++settled_;
    if (v == target) {
      found = true;
      break;
    }
    for (ArcIndex a = graph_.first_out[v]; a < graph_.first_out[v + 1]; ++a) {
      std::uint64_t nd = std::uint64_t{d} + graph_.time_ms[a];
      NodeIndex h = graph_.head[a];
      if (stamp_[h] != current_ || nd < dist_[h]) {
        if (nd >= kUnreachable) continue;
        stamp_[h] = current_;
        dist_[h] = static_cast<Millis>(nd);
        parent_[h] = v;
        queue.push({dist_[h], h});
      }
    }
  }
  TimedPath result;
  if (!found) return result;
  result.time_ms = dist_[target];
  for (NodeIndex v = target; v != kNoNode; v = parent_[v]) result.path.push_back(v);
  std::reverse(result.path.begin(), result.path.end());
  return result;
}

std::vector<Millis> Dijkstra::ManyToOne(std::span<const NodeIndex> sources, NodeIndex target) {
  if (rev_first_.empty()) BuildReverse();
  NextStamp();
  // Sources still to settle; a node listed twice is counted once.
  std::vector<std::uint8_t> wanted(graph_.nodes(), 0);
  std::size_t remaining = 0;
  for (NodeIndex s : sources) {
    if (!wanted[s]) ++remaining;
    wanted[s] = 1;
  }
  MinQueue queue;
  stamp_[target] = current_;
  dist_[target] = 0;
  queue.push({0, target});
  while (!queue.empty() && remaining > 0) {
    auto [d, v] = queue.top();
    queue.pop();
    if (d != dist_[v]) continue;
    ++settled_;
    if (wanted[v]) --remaining;
    for (ArcIndex a = rev_first_[v]; a < rev_first_[v + 1]; ++a) {
      std::uint64_t nd = std::uint64_t{d} + rev_time_[a];
      NodeIndex u = rev_tail_[a];
      if (stamp_[u] != current_ || nd < dist_[u]) {
        if (nd >= kUnreachable) continue;
        stamp_[u] = current_;
        dist_[u] = static_cast<Millis>(nd);
        queue.push({dist_[u], u});
      }
    }
  }
  std::vector<Millis> out;
  out.reserve(sources.size());
  for (NodeIndex s : sources) out.push_back(stamp_[s] == current_ ? dist_[s] : kUnreachable);
  return out;
}

std::vector<Millis> Dijkstra::MultiSourceWithin(std::span<const NodeIndex> sources,
                                                Millis limit_ms) {
  std::vector<Millis> out(graph_.nodes(), kUnreachable);
  settled_ = 0;
  MinQueue queue;
  for (NodeIndex s : sources) {
    if (out[s] != 0) {
      out[s] = 0;
      queue.push({0, s});
    }
  }
  while (!queue.empty()) {
    auto [d, v] = queue.top();
    queue.pop();
    if (d != out[v]) continue;
    ++settled_;
    for (ArcIndex a = graph_.first_out[v]; a < graph_.first_out[v + 1]; ++a) {
      std::uint64_t nd = std::uint64_t{d} + graph_.time_ms[a];
      NodeIndex h = graph_.head[a];
      if (nd <= limit_ms && nd < out[h]) {
        out[h] = static_cast<Millis>(nd);
        queue.push({out[h], h});
      }
    }
  }
  return out;
}

}  // namespace beacon::routing
