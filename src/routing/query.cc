#include "routing/query.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <limits>

namespace beacon::routing {
namespace {

constexpr ArcIndex kNoArc = std::numeric_limits<ArcIndex>::max();
constexpr std::uint32_t kAbsent = 0xffffffffu;  // not in a heap

// The node whose arc range in `first` holds arc `a`.
NodeIndex OwnerOfArc(const std::vector<ArcIndex>& first, ArcIndex a) {
  auto it = std::upper_bound(first.begin(), first.end(), a);
  return static_cast<NodeIndex>(it - first.begin() - 1);
}

// PHAST. `time` (per rank) must be all kUnreachable on entry; on return it
// holds the time from the nearest source when <= limit, else kUnreachable.
// With `by_node`, the result is also written indexed by road-graph node.
// Returns the number of nodes within the limit.
NodeIndex Phast(const ContractedGraph& ch, internal::ArcArrays& arrays,
                std::span<const NodeIndex> source_ranks, Millis limit, Millis* time,
                Millis* by_node, QueryStats& stats) {
  std::uint64_t* marks = arrays.marks.data();
  for (NodeIndex r : source_ranks) {
    if (time[r] == 0) continue;
    time[r] = 0;
    marks[r >> 6] |= std::uint64_t{1} << (r & 63);
  }
  // Upward pass over the marked ranks in increasing order, a topological
  // order of the upward graph, so each time is final when its node is
  // scanned. Marks are cleared as they are consumed; a relaxation only marks
  // higher ranks, which the scan reaches later (same word included).
  const ArcIndex* up_first = ch.up_first.data();
  const internal::Arc* up = arrays.up.data();
  const std::size_t words = arrays.marks.size();
  for (std::size_t w = 0; w < words; ++w) {
    while (marks[w] != 0) {
      const NodeIndex v = static_cast<NodeIndex>(w * 64 + std::countr_zero(marks[w]));
      marks[w] &= marks[w] - 1;
      ++stats.settled;
      const Millis d = time[v];
      for (ArcIndex a = up_first[v]; a < up_first[v + 1]; ++a) {
        std::uint64_t nd = std::uint64_t{d} + up[a].time;
        NodeIndex h = up[a].other;
        if (nd <= limit && nd < time[h]) {
          time[h] = static_cast<Millis>(nd);
          marks[h >> 6] |= std::uint64_t{1} << (h & 63);
        }
      }
    }
  }
  // Downward sweep: ranks from the top, each pulling from higher nodes whose
  // times are final.
  const NodeIndex n = ch.nodes();
  const NodeIndex* order = ch.order.data();
  const ArcIndex* down_first = ch.down_first.data();
  const internal::Arc* down = arrays.down.data();
  NodeIndex covered = 0;
  for (NodeIndex v = n; v-- > 0;) {
    std::uint64_t best = time[v];
    for (ArcIndex a = down_first[v]; a < down_first[v + 1]; ++a) {
      best = std::min(best, std::uint64_t{time[down[a].other]} + down[a].time);
    }
    const Millis t = best <= limit ? static_cast<Millis>(best) : kUnreachable;
    time[v] = t;
    if (by_node != nullptr) by_node[order[v]] = t;
    covered += t != kUnreachable;
  }
  return covered;
}

}  // namespace

internal::ArcArrays::ArcArrays(const ContractedGraph& ch)
    : up(ch.up_arcs()), down(ch.down_arcs()), marks((std::size_t{ch.nodes()} + 63) / 64, 0) {
  for (ArcIndex a = 0; a < ch.up_arcs(); ++a) up[a] = {ch.up_head[a], ch.up_time[a]};
  for (ArcIndex a = 0; a < ch.down_arcs(); ++a) down[a] = {ch.down_tail[a], ch.down_time[a]};
}

RouteEngine::RouteEngine(const RoadGraph& graph, const ContractedGraph& ch,
                         RouteEngineOptions options)
    : graph_(graph),
      ch_(ch),
      arcs_(ch),
      up_{ch.up_first.data(), arcs_.up.data()},
      down_{ch.down_first.data(), arcs_.down.data()},
      state_(ch.nodes(), NodeState{0, {0, 0}, {kNoArc, kNoArc}, {kAbsent, kAbsent}, 0}),
      space_stamp_(ch.nodes(), 0),
      space_of_(ch.nodes(), 0),
      bucket_stamp_(ch.nodes(), 0),
      bucket_of_(ch.nodes(), 0) {
  assert(ch.nodes() == graph.nodes());
  const NodeIndex n = ch.nodes();
  const NodeIndex core = options.many_to_one_core == RouteEngineOptions::kAutoCore
                             ? std::min<NodeIndex>(4096, n / 16)
                             : std::min(options.many_to_one_core, n);
  core_begin_ = n - core;
  core_times_.assign(core, kUnreachable);
  summary_.assign((arcs_.marks.size() + 63) / 64, 0);
  source_nodes_.resize(n);
  source_arcs_.reserve(std::size_t{ch.down_first[core_begin_]} + ch.up_first[core_begin_]);
  for (NodeIndex v = 0; v < n; ++v) {
    SourceNode& node = source_nodes_[v];
    node.first = static_cast<ArcIndex>(source_arcs_.size());
    if (v < core_begin_) {
      for (ArcIndex a = ch.down_first[v]; a < ch.down_first[v + 1]; ++a) {
        source_arcs_.push_back(arcs_.down[a]);
      }
    }
    node.mid = static_cast<ArcIndex>(source_arcs_.size());
    if (v < core_begin_) {
      for (ArcIndex a = ch.up_first[v]; a < ch.up_first[v + 1]; ++a) {
        source_arcs_.push_back(arcs_.up[a]);
      }
    }
    node.end = static_cast<ArcIndex>(source_arcs_.size());
    node.time = kUnreachable;
  }
}

void RouteEngine::NextStamp() {
  if (++current_ == 0) {
    for (NodeState& st : state_) st.stamp = 0;
    current_ = 1;
  }
  heap_[0].clear();
  heap_[1].clear();
}

RouteEngine::NodeState& RouteEngine::Touch(NodeIndex v) {
  NodeState& st = state_[v];
  if (st.stamp != current_) {
    st = {current_, {kUnreachable, kUnreachable}, {kNoArc, kNoArc}, {kAbsent, kAbsent}, 0};
  }
  return st;
}

// A 4-ary min-heap per direction whose positions live in NodeState, so a
// node's time, parent and heap position share one cache line.
template <int kDir>
void RouteEngine::SiftUp(std::uint32_t i) {
  std::vector<HeapEntry>& heap = heap_[kDir];
  const HeapEntry e = heap[i];
  while (i > 0) {
    std::uint32_t parent = (i - 1) / 4;
    if (!(e.time < heap[parent].time)) break;
    heap[i] = heap[parent];
    state_[heap[i].node].heap_pos[kDir] = i;
    i = parent;
  }
  heap[i] = e;
  state_[e.node].heap_pos[kDir] = i;
}

template <int kDir>
NodeIndex RouteEngine::PopMin() {
  std::vector<HeapEntry>& heap = heap_[kDir];
  const NodeIndex top = heap.front().node;
  state_[top].heap_pos[kDir] = kAbsent;
  const HeapEntry last = heap.back();
  heap.pop_back();
  const std::uint32_t size = static_cast<std::uint32_t>(heap.size());
  if (size == 0) return top;
  std::uint32_t i = 0;
  while (true) {
    std::uint32_t first = 4 * i + 1;
    if (first >= size) break;
    std::uint32_t end = std::min(first + 4, size);
    std::uint32_t best = first;
    for (std::uint32_t c = first + 1; c < end; ++c) {
      if (heap[c].time < heap[best].time) best = c;
    }
    if (!(heap[best].time < last.time)) break;
    heap[i] = heap[best];
    state_[heap[i].node].heap_pos[kDir] = i;
    i = best;
  }
  heap[i] = last;
  state_[last.node].heap_pos[kDir] = i;
  return top;
}

template <int kDir>
void RouteEngine::Reach(NodeIndex v, Millis time, ArcIndex parent) {
  NodeState& st = Touch(v);
  st.time[kDir] = time;
  st.parent[kDir] = parent;
  if (st.heap_pos[kDir] == kAbsent) {
    heap_[kDir].push_back({time, v});
    SiftUp<kDir>(static_cast<std::uint32_t>(heap_[kDir].size() - 1));
  } else {
    heap_[kDir][st.heap_pos[kDir]].time = time;
    SiftUp<kDir>(st.heap_pos[kDir]);
  }
}

template <int kDir>
bool RouteEngine::SettleNext(ArcView relax, ArcView stall, std::uint64_t& best) {
  const NodeIndex v = PopMin<kDir>();
  const NodeState& sv = state_[v];
  const Millis d = sv.time[kDir];
  ++stats_.settled;
  if (sv.time[1 - kDir] != kUnreachable) {
    std::uint64_t total = std::uint64_t{d} + sv.time[1 - kDir];
    if (total < best) {
      best = total;
      meet_ = v;
    }
  }
  // Stall-on-demand: a shorter path to v through a higher node u means v's
  // time is not its distance, so no shortest up-down path continues from it.
  for (ArcIndex a = stall.first[v]; a < stall.first[v + 1]; ++a) {
    const NodeState& su = state_[stall.arcs[a].other];
    if (su.stamp == current_ && std::uint64_t{su.time[kDir]} + stall.arcs[a].time < d) {
      ++stats_.stalled;
      return false;
    }
  }
  for (ArcIndex a = relax.first[v]; a < relax.first[v + 1]; ++a) {
    std::uint64_t nd = std::uint64_t{d} + relax.arcs[a].time;
    if (nd >= best) continue;  // also keeps every stored time < kUnreachable
    const NodeIndex h = relax.arcs[a].other;
    const NodeState& sh = state_[h];
    if (sh.stamp != current_ || nd < sh.time[kDir]) Reach<kDir>(h, static_cast<Millis>(nd), a);
  }
  return true;
}

std::uint64_t RouteEngine::BidirectionalSearch(NodeIndex s, NodeIndex t) {
  stats_ = {};
  NextStamp();
  Reach<0>(s, 0, kNoArc);
  Reach<1>(t, 0, kNoArc);
  std::uint64_t best = kUnreachable;
  meet_ = kNoNode;
  constexpr std::uint64_t kEmpty = std::numeric_limits<std::uint64_t>::max();
  while (true) {
    std::uint64_t f = heap_[0].empty() ? kEmpty : heap_[0].front().time;
    std::uint64_t b = heap_[1].empty() ? kEmpty : heap_[1].front().time;
    if (std::min(f, b) >= best) break;
    if (f <= b) {
      SettleNext<0>(up_, down_, best);
    } else {
      SettleNext<1>(down_, up_, best);
    }
  }
  return best;
}

Millis RouteEngine::TravelTime(NodeIndex source, NodeIndex target) {
  if (source == target) return 0;
  std::uint64_t best = BidirectionalSearch(ch_.rank[source], ch_.rank[target]);
  return best < kUnreachable ? static_cast<Millis>(best) : kUnreachable;
}

Route RouteEngine::ShortestPath(NodeIndex source, NodeIndex target) {
  Route route;
  if (source == target) {
    route.time_ms = 0;
    route.path = {source};
    return route;
  }
  const NodeIndex s = ch_.rank[source];
  const NodeIndex t = ch_.rank[target];
  std::uint64_t best = BidirectionalSearch(s, t);
  if (best >= kUnreachable) return route;
  route.time_ms = static_cast<Millis>(best);
  // The hierarchy's path: up from s to meet_, then down to t.
  segments_.clear();
  for (NodeIndex v = meet_; v != s;) {
    ArcIndex a = state_[v].parent[0];
    NodeIndex p = OwnerOfArc(ch_.up_first, a);
    segments_.push_back({p, v, ch_.up_time[a], ch_.up_middle[a]});
    v = p;
  }
  std::reverse(segments_.begin(), segments_.end());
  for (NodeIndex v = meet_; v != t;) {
    ArcIndex a = state_[v].parent[1];
    NodeIndex next = OwnerOfArc(ch_.down_first, a);
    segments_.push_back({v, next, ch_.down_time[a], ch_.down_middle[a]});
    v = next;
  }
  route.path.push_back(source);
  double length_m = 0;
  for (const Segment& segment : segments_) UnpackInto(segment, route, length_m);
  route.length_m = static_cast<float>(length_m);
  return route;
}

void RouteEngine::UnpackInto(const Segment& segment, Route& route, double& length_m) {
  unpack_stack_.clear();
  unpack_stack_.push_back(segment);
  while (!unpack_stack_.empty()) {
    Segment s = unpack_stack_.back();
    unpack_stack_.pop_back();
    if (s.middle == kNoNode) {
      // A road arc; among parallel arcs with this (fastest) time, the shortest.
      const NodeIndex from = ch_.order[s.x];
      const NodeIndex to = ch_.order[s.y];
      float arc_length = std::numeric_limits<float>::infinity();
      for (ArcIndex a = graph_.first_out[from]; a < graph_.first_out[from + 1]; ++a) {
        if (graph_.head[a] == to && graph_.time_ms[a] == s.time) {
          arc_length = std::min(arc_length, graph_.length_m[a]);
        }
      }
      assert(arc_length != std::numeric_limits<float>::infinity());
      length_m += arc_length;
      route.path.push_back(to);
      continue;
    }
    // x -> m is stored at m (down, tail x); m -> y is stored at m (up, head y).
    const NodeIndex m = s.middle;
    ArcIndex first_half = ch_.down_first[m];
    while (ch_.down_tail[first_half] != s.x) ++first_half;
    ArcIndex second_half = ch_.up_first[m];
    while (ch_.up_head[second_half] != s.y) ++second_half;
    unpack_stack_.push_back({m, s.y, ch_.up_time[second_half], ch_.up_middle[second_half]});
    unpack_stack_.push_back({s.x, m, ch_.down_time[first_half], ch_.down_middle[first_half]});
  }
}

template <int kDir, typename Visit>
void RouteEngine::UpwardSearch(NodeIndex start, Visit&& visit) {
  NextStamp();
  Reach<kDir>(start, 0, kNoArc);
  std::uint64_t unbounded = kUnreachable;
  const ArcView relax = kDir == 0 ? up_ : down_;
  const ArcView stall = kDir == 0 ? down_ : up_;
  while (!heap_[kDir].empty()) {
    const NodeIndex v = heap_[kDir].front().node;
    if (SettleNext<kDir>(relax, stall, unbounded)) visit(v, state_[v].time[kDir]);
  }
}

void RouteEngine::NextBucketStamp() {
  if (++bucket_current_ == 0) {
    std::fill(bucket_stamp_.begin(), bucket_stamp_.end(), 0);
    bucket_current_ = 1;
  }
}

void RouteEngine::SourceSearch(NodeIndex start, std::vector<SpaceEntry>& out) {
  if (start >= core_begin_) {
    out.push_back({start, 0});
    return;
  }
  // The upward graph is acyclic with edges towards higher ranks, so taking
  // the reached nodes in increasing rank settles each after all its
  // predecessors: no priority queue. A two-level bitset holds the reached,
  // unscanned ranks (it is all zero again on return, as arcs_.marks must
  // be). Relaxations take the minimum without branching; times go back to
  // kUnreachable from visited_ at the end instead of being stamped.
  SourceNode* nodes = source_nodes_.data();
  const internal::Arc* arcs = source_arcs_.data();
  std::uint64_t* marks = arcs_.marks.data();
  std::uint64_t* summary = summary_.data();
  auto mark = [&](NodeIndex v) {
    marks[v >> 6] |= std::uint64_t{1} << (v & 63);
    summary[v >> 12] |= std::uint64_t{1} << ((v >> 6) & 63);
  };
  visited_.clear();
  nodes[start].time = 0;
  mark(start);
  for (std::size_t sw = start >> 12; sw < summary_.size(); ++sw) {
    while (summary[sw] != 0) {
      const std::size_t w = sw * 64 + std::countr_zero(summary[sw]);
      while (marks[w] != 0) {
        const NodeIndex v = static_cast<NodeIndex>(w * 64 + std::countr_zero(marks[w]));
        marks[w] &= marks[w] - 1;
        visited_.push_back(v);
        const SourceNode node = nodes[v];
        const Millis d = node.time;
        if (d == kUnreachable) continue;  // only reached by sums that overflowed
        if (v >= core_begin_) {
          // The core is left to TimesToTarget: keep the time, go no further.
          out.push_back({v, d});
          continue;
        }
        // Stall-on-demand: a shorter path to v through a higher node shows
        // that d is not v's distance. The higher node's time need not be
        // final: any time it holds is the length of a real path. Nodes of a
        // fastest path are never stalled, so every entry on one is exact.
        std::uint64_t via_higher = kUnreachable;
        for (ArcIndex a = node.first; a < node.mid; ++a) {
          via_higher =
              std::min(via_higher, std::uint64_t{nodes[arcs[a].other].time} + arcs[a].time);
        }
        if (via_higher < d) {
          ++stats_.stalled;
          continue;
        }
        out.push_back({v, d});
        for (ArcIndex a = node.mid; a < node.end; ++a) {
          const NodeIndex h = arcs[a].other;
          Millis& th = nodes[h].time;
          // At most th, so it fits; a sum >= kUnreachable leaves th as it was.
          th = static_cast<Millis>(std::min(std::uint64_t{th}, std::uint64_t{d} + arcs[a].time));
          __builtin_prefetch(arcs + nodes[h].first);
          mark(h);
        }
      }
      summary[sw] &= summary[sw] - 1;
    }
  }
  stats_.settled += visited_.size();
  for (NodeIndex v : visited_) nodes[v].time = kUnreachable;
}

void RouteEngine::PrepareSources(std::span<const NodeIndex> sources) {
  stats_ = {};
  // Deduplicate by node: units at one station share a search.
  NextBucketStamp();
  source_slot_.assign(sources.size(), 0);
  slot_rank_.clear();
  for (std::size_t i = 0; i < sources.size(); ++i) {
    NodeIndex r = ch_.rank[sources[i]];
    if (bucket_stamp_[r] != bucket_current_) {
      bucket_stamp_[r] = bucket_current_;
      bucket_of_[r] = static_cast<std::uint32_t>(slot_rank_.size());
      slot_rank_.push_back(r);
    }
    source_slot_[i] = bucket_of_[r];
  }
  slots_ = static_cast<std::uint32_t>(slot_rank_.size());
  slot_times_.assign(slots_, kUnreachable);

  // Each slot's search space: kept from the previous set when its node was
  // in it (units mostly stay put between calls), else searched now.
  std::vector<ArcIndex>& space_first = space_first_next_;
  std::vector<SpaceEntry>& space = space_next_;
  space_first.assign(1, 0);
  space.clear();
  // The searches are short and start at scattered nodes, so their time is
  // mostly cache misses on the first nodes; the next sources' nodes, their
  // arcs and their neighbours are fetched ahead, one step deeper each.
  const SourceNode* nodes = source_nodes_.data();
  const internal::Arc* arcs = source_arcs_.data();
  for (std::uint32_t slot = 0; slot < slots_; ++slot) {
    const NodeIndex r = slot_rank_[slot];
    if (slot + 3 < slots_) __builtin_prefetch(nodes + slot_rank_[slot + 3]);
    if (slot + 2 < slots_) {
      const SourceNode& next = nodes[slot_rank_[slot + 2]];
      if (next.end > next.first) {
        __builtin_prefetch(arcs + next.first);
        __builtin_prefetch(arcs + next.end - 1);
      }
    }
    if (slot + 1 < slots_) {
      const SourceNode& next = nodes[slot_rank_[slot + 1]];
      for (ArcIndex a = next.first; a < next.end; ++a) __builtin_prefetch(nodes + arcs[a].other);
    }
    if (space_stamp_[r] == space_current_) {
      const std::uint32_t old = space_of_[r];
      space.insert(space.end(), space_.begin() + space_first_[old],
                   space_.begin() + space_first_[old + 1]);
      ++stats_.reused;
    } else {
      SourceSearch(r, space);
    }
    space_first.push_back(static_cast<ArcIndex>(space.size()));
  }
  if (++space_current_ == 0) {
    std::fill(space_stamp_.begin(), space_stamp_.end(), 0);
    space_current_ = 1;
  }
  for (std::uint32_t slot = 0; slot < slots_; ++slot) {
    space_stamp_[slot_rank_[slot]] = space_current_;
    space_of_[slot_rank_[slot]] = slot;
  }
  space_.swap(space);
  space_first_.swap(space_first);

  // Buckets: the entries below the core grouped by rank (counting sort);
  // the core entries in a list of their own.
  NextBucketStamp();
  std::uint32_t buckets = 0;
  std::size_t below = 0;
  for (const SpaceEntry& e : space_) {
    if (e.rank >= core_begin_) continue;
    ++below;
    if (bucket_stamp_[e.rank] != bucket_current_) {
      bucket_stamp_[e.rank] = bucket_current_;
      bucket_of_[e.rank] = buckets++;
    }
  }
  bucket_first_.assign(std::size_t{buckets} + 1, 0);
  for (const SpaceEntry& e : space_) {
    if (e.rank < core_begin_) ++bucket_first_[bucket_of_[e.rank] + 1];
  }
  for (std::uint32_t b = 0; b < buckets; ++b) bucket_first_[b + 1] += bucket_first_[b];
  bucket_entries_.resize(below);
  core_entries_.clear();
  bucket_fill_.assign(bucket_first_.begin(), bucket_first_.end() - 1);
  for (std::uint32_t slot = 0; slot < slots_; ++slot) {
    for (ArcIndex i = space_first_[slot]; i < space_first_[slot + 1]; ++i) {
      const SpaceEntry& e = space_[i];
      if (e.rank < core_begin_) {
        bucket_entries_[bucket_fill_[bucket_of_[e.rank]]++] = {slot, e.time};
      } else {
        core_entries_.push_back({slot, e.rank - core_begin_, e.time});
      }
    }
  }
  stats_.bucket_entries = space_.size();
}

void RouteEngine::TimesToTarget(NodeIndex target, std::span<Millis> times) {
  assert(times.size() == source_slot_.size());
  stats_ = {};
  if (source_slot_.empty()) return;
  std::fill(slot_times_.begin(), slot_times_.end(), kUnreachable);
  std::fill(core_times_.begin(), core_times_.end(), kUnreachable);
  Millis* slot_times = slot_times_.data();
  Millis* core_times = core_times_.data();
  const NodeIndex core_begin = core_begin_;
  UpwardSearch<1>(ch_.rank[target], [&](NodeIndex v, Millis time) {
    if (v >= core_begin) {
      core_times[v - core_begin] = time;
      return;
    }
    if (bucket_stamp_[v] != bucket_current_) return;
    const std::uint32_t b = bucket_of_[v];
    const BucketEntry* e = bucket_entries_.data() + bucket_first_[b];
    const BucketEntry* end = bucket_entries_.data() + bucket_first_[b + 1];
    stats_.bucket_entries += static_cast<std::uint64_t>(end - e);
    for (; e != end; ++e) {
      std::uint64_t total = std::uint64_t{e->time} + time;
      if (total < slot_times[e->slot]) slot_times[e->slot] = static_cast<Millis>(total);
    }
  });
  if (!core_entries_.empty()) {
    // Sources met the target's search in the core only through the nodes
    // where they entered it. Per core node, from the top down: its time to
    // the target up through the core and then down the target's search
    // (upward arcs of core nodes stay in the core). A fastest path whose
    // highest node is in the core enters it at a node whose entry is exact
    // and climbs to that highest node, whose backward time is exact.
    const NodeIndex n = ch_.nodes();
    const ArcIndex* up_first = ch_.up_first.data();
    const internal::Arc* up = arcs_.up.data();
    for (NodeIndex v = n; v-- > core_begin;) {
      std::uint64_t best = core_times[v - core_begin];
      for (ArcIndex a = up_first[v]; a < up_first[v + 1]; ++a) {
        best = std::min(best, std::uint64_t{core_times[up[a].other - core_begin]} + up[a].time);
      }
      core_times[v - core_begin] = static_cast<Millis>(std::min<std::uint64_t>(best, kUnreachable));
    }
    for (const CoreEntry& e : core_entries_) {
      std::uint64_t total = std::uint64_t{e.time} + core_times[e.core];
      if (total < slot_times[e.slot]) slot_times[e.slot] = static_cast<Millis>(total);
    }
    stats_.bucket_entries += core_entries_.size();
  }
  for (std::size_t i = 0; i < source_slot_.size(); ++i) times[i] = slot_times_[source_slot_[i]];
}

std::vector<Millis> RouteEngine::TimesToTarget(NodeIndex target) {
  std::vector<Millis> times(source_slot_.size());
  TimesToTarget(target, times);
  return times;
}

void RouteEngine::Reachable(std::span<const NodeIndex> sources, Millis limit_ms,
                            std::vector<Millis>& times) {
  stats_ = {};
  const NodeIndex n = ch_.nodes();
  sweep_.assign(n, kUnreachable);
  times.resize(n);
  std::vector<NodeIndex> ranks(sources.size());
  for (std::size_t i = 0; i < sources.size(); ++i) ranks[i] = ch_.rank[sources[i]];
  Phast(ch_, arcs_, ranks, limit_ms, sweep_.data(), times.data(), stats_);
}

std::vector<Millis> RouteEngine::Reachable(std::span<const NodeIndex> sources, Millis limit_ms) {
  std::vector<Millis> times;
  Reachable(sources, limit_ms, times);
  return times;
}

// ---------------------------------------------------------------------------

CoverageTracker::CoverageTracker(const RoadGraph& graph, const ContractedGraph& ch, Millis limit_ms)
    : ch_(ch),
      limit_ms_(limit_ms),
      time_(ch.nodes(), kUnreachable),
      heap_(ch.nodes()),
      arcs_(ch),
      region_stamp_(ch.nodes(), 0) {
  const NodeIndex n = graph.nodes();
  out_first_.assign(n + 1, 0);
  in_first_.assign(n + 1, 0);
  for (NodeIndex v = 0; v < n; ++v) {
    for (ArcIndex a = graph.first_out[v]; a < graph.first_out[v + 1]; ++a) {
      if (graph.head[a] == v) continue;
      ++out_first_[ch.rank[v] + 1];
      ++in_first_[ch.rank[graph.head[a]] + 1];
    }
  }
  for (NodeIndex r = 0; r < n; ++r) {
    out_first_[r + 1] += out_first_[r];
    in_first_[r + 1] += in_first_[r];
  }
  out_arcs_.resize(out_first_[n]);
  in_arcs_.resize(in_first_[n]);
  std::vector<ArcIndex> out_fill(out_first_.begin(), out_first_.end() - 1);
  std::vector<ArcIndex> in_fill(in_first_.begin(), in_first_.end() - 1);
  for (NodeIndex v = 0; v < n; ++v) {
    for (ArcIndex a = graph.first_out[v]; a < graph.first_out[v + 1]; ++a) {
      NodeIndex h = graph.head[a];
      if (h == v) continue;
      out_arcs_[out_fill[ch.rank[v]]++] = {ch.rank[h], graph.time_ms[a]};
      in_arcs_[in_fill[ch.rank[h]]++] = {ch.rank[v], graph.time_ms[a]};
    }
  }
}

std::vector<CoverageTracker::SourceId> CoverageTracker::Reset(std::span<const NodeIndex> sources) {
  std::vector<SourceId> ids(sources.size());
  source_rank_.assign(sources.size(), kNoNode);
  free_ids_.clear();
  for (std::size_t i = 0; i < sources.size(); ++i) {
    ids[i] = static_cast<SourceId>(i);
    source_rank_[i] = ch_.rank[sources[i]];
  }
  active_ = sources.size();
  std::fill(time_.begin(), time_.end(), kUnreachable);
  QueryStats stats;
  covered_ = Phast(ch_, arcs_, source_rank_, limit_ms_, time_.data(), nullptr, stats);
  return ids;
}

void CoverageTracker::Relax() {
  while (!heap_.Empty()) {
    const Millis d = heap_.MinKey();
    const NodeIndex v = heap_.Pop();
    for (ArcIndex a = out_first_[v]; a < out_first_[v + 1]; ++a) {
      const Arc& arc = out_arcs_[a];
      std::uint64_t nd = std::uint64_t{d} + arc.time;
      if (nd <= limit_ms_ && nd < time_[arc.other]) {
        if (time_[arc.other] == kUnreachable) ++covered_;
        time_[arc.other] = static_cast<Millis>(nd);
        heap_.Update(arc.other, static_cast<Millis>(nd));
        if (log_changes_) changed_.push_back(arc.other);
      }
    }
  }
}

CoverageTracker::SourceId CoverageTracker::AddSource(NodeIndex node) {
  SourceId id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    id = static_cast<SourceId>(source_rank_.size());
    source_rank_.push_back(kNoNode);
  }
  const NodeIndex r = ch_.rank[node];
  source_rank_[id] = r;
  ++active_;
  if (time_[r] == 0) return id;  // another source is here already
  if (time_[r] == kUnreachable) ++covered_;
  time_[r] = 0;
  if (log_changes_) changed_.push_back(r);
  heap_.Clear();
  heap_.Push(r, 0);
  Relax();
  return id;
}

void CoverageTracker::RemoveSource(SourceId id) {
  assert(id < source_rank_.size() && source_rank_[id] != kNoNode);
  const NodeIndex source = source_rank_[id];
  source_rank_[id] = kNoNode;
  free_ids_.push_back(id);
  --active_;
  // Another source at the same node (units sharing a station): nothing
  // changes.
  if (std::find(source_rank_.begin(), source_rank_.end(), source) != source_rank_.end()) return;
  if (++region_current_ == 0) {
    std::fill(region_stamp_.begin(), region_stamp_.end(), 0);
    region_current_ = 1;
  }
  // The region: nodes reached from the source along tight arcs (time[u] +
  // arc == time[v]). A node outside it has a fastest path from another
  // source that avoids the region (a path through a region node would make
  // it tight from this source too), so its time stays exact.
  region_.clear();
  region_.push_back(source);
  region_stamp_[source] = region_current_;
  for (std::size_t i = 0; i < region_.size(); ++i) {
    const NodeIndex u = region_[i];
    const std::uint64_t tu = time_[u];
    for (ArcIndex a = out_first_[u]; a < out_first_[u + 1]; ++a) {
      const Arc& arc = out_arcs_[a];
      const Millis tv = time_[arc.other];
      if (tv == kUnreachable || tu + arc.time != tv ||
          region_stamp_[arc.other] == region_current_) {
        continue;
      }
      region_stamp_[arc.other] = region_current_;
      region_.push_back(arc.other);
    }
  }
  for (NodeIndex v : region_) time_[v] = kUnreachable;
  covered_ -= static_cast<NodeIndex>(region_.size());
  // Every node whose time may change is in the region: log it once here
  // (the refill below only sets region nodes).
  if (log_changes_) changed_.insert(changed_.end(), region_.begin(), region_.end());
  heap_.Clear();
  // Other sources standing inside the region.
  for (NodeIndex r : source_rank_) {
    if (r == kNoNode || region_stamp_[r] != region_current_ || time_[r] == 0) continue;
    time_[r] = 0;
    ++covered_;
    heap_.Update(r, 0);
  }
  // Entries from the region's border.
  for (NodeIndex v : region_) {
    std::uint64_t best = time_[v];
    for (ArcIndex a = in_first_[v]; a < in_first_[v + 1]; ++a) {
      const Arc& arc = in_arcs_[a];
      if (region_stamp_[arc.other] == region_current_) continue;
      best = std::min(best, std::uint64_t{time_[arc.other]} + arc.time);
    }
    if (best <= limit_ms_ && best < time_[v]) {
      if (time_[v] == kUnreachable) ++covered_;
      time_[v] = static_cast<Millis>(best);
      heap_.Update(v, static_cast<Millis>(best));
    }
  }
  // Relax sets region nodes only (the others' times are exact already),
  // all logged above.
  const bool log = log_changes_;
  log_changes_ = false;
  Relax();
  log_changes_ = log;
}

std::vector<Millis> CoverageTracker::Times() const {
  std::vector<Millis> out(time_.size());
  for (NodeIndex r = 0; r < time_.size(); ++r) out[ch_.order[r]] = time_[r];
  return out;
}

}  // namespace beacon::routing
