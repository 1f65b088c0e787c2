#include "routing/strong_components.h"

#include <algorithm>
#include <limits>

namespace beacon::routing {

StrongComponents FindStrongComponents(std::span<const ArcIndex> first_out,
                                      std::span<const NodeIndex> head) {
  const NodeIndex n = first_out.empty() ? 0 : static_cast<NodeIndex>(first_out.size() - 1);
  constexpr std::uint32_t kUnvisited = std::numeric_limits<std::uint32_t>::max();
  StrongComponents out;
  out.component.assign(n, kUnvisited);
  std::vector<std::uint32_t> index(n, kUnvisited);
  std::vector<std::uint32_t> low(n, 0);
  std::vector<NodeIndex> stack;  // Tarjan's node stack
  struct Frame {
    NodeIndex v;
    ArcIndex next;
  };
  std::vector<Frame> calls;  // explicit DFS call stack
  std::uint32_t counter = 0;

  for (NodeIndex root = 0; root < n; ++root) {
    if (index[root] != kUnvisited) continue;
    index[root] = low[root] = counter++;
    stack.push_back(root);
    calls.push_back({root, first_out[root]});
    while (!calls.empty()) {
      Frame& f = calls.back();
      const NodeIndex v = f.v;
      if (f.next < first_out[v + 1]) {
        const NodeIndex w = head[f.next++];
        if (index[w] == kUnvisited) {
          index[w] = low[w] = counter++;
          stack.push_back(w);
          calls.push_back({w, first_out[w]});  // invalidates f
        } else if (out.component[w] == kUnvisited) {
          // w is still on the stack: it belongs to the component being built.
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      calls.pop_back();
      if (!calls.empty()) {
        NodeIndex parent = calls.back().v;
        low[parent] = std::min(low[parent], low[v]);
      }
      if (low[v] == index[v]) {
        const auto id = static_cast<std::uint32_t>(out.sizes.size());
        NodeIndex size = 0;
        NodeIndex w;
        do {
          w = stack.back();
          stack.pop_back();
          out.component[w] = id;
          ++size;
        } while (w != v);
        out.sizes.push_back(size);
        if (size > out.sizes[out.largest]) out.largest = id;
      }
    }
  }
  return out;
}

}  // namespace beacon::routing
