// IndexedMinHeap: a d-ary min-heap of integer ids (nodes) keyed by `Key`,
// with decrease-key and arbitrary key updates. Internal to routing/: the
// shortest-path searches and the contraction's priority queue use it.
//
// The heap owns a position array with one slot per possible id, so it is
// sized once (Resize) and reused across searches: Clear() costs O(size()),
// not O(ids). Not thread-safe; one heap per search state.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace beacon::routing {

template <typename Key, unsigned kArity = 4>
class IndexedMinHeap {
 public:
  static_assert(kArity >= 2);

  explicit IndexedMinHeap(std::size_t ids = 0) { Resize(ids); }

  // Forgets every entry; ids are then 0 .. ids-1.
  void Resize(std::size_t ids) {
    heap_.clear();
    pos_.assign(ids, kAbsent);
  }
  std::size_t ids() const { return pos_.size(); }

  bool Empty() const { return heap_.empty(); }
  std::size_t Size() const { return heap_.size(); }
  bool Contains(std::uint32_t id) const { return pos_[id] != kAbsent; }
  Key MinKey() const { return heap_.front().key; }
  std::uint32_t MinId() const { return heap_.front().id; }
  Key KeyOf(std::uint32_t id) const { return heap_[pos_[id]].key; }

  // `id` must not be in the heap.
  void Push(std::uint32_t id, Key key) {
    assert(!Contains(id));
    heap_.push_back({key, id});
    SiftUp(heap_.size() - 1);
  }

  // `id` must be in the heap and `key` must not exceed its key.
  void DecreaseKey(std::uint32_t id, Key key) {
    std::size_t i = pos_[id];
    assert(!(heap_[i].key < key));
    heap_[i].key = key;
    SiftUp(i);
  }

  // Inserts `id` or moves it to `key`, up or down.
  void Update(std::uint32_t id, Key key) {
    if (!Contains(id)) return Push(id, key);
    std::size_t i = pos_[id];
    Key old = heap_[i].key;
    heap_[i].key = key;
    if (key < old) {
      SiftUp(i);
    } else {
      SiftDown(i);
    }
  }

  // Removes and returns the id with the smallest key.
  std::uint32_t Pop() {
    assert(!heap_.empty());
    std::uint32_t id = heap_.front().id;
    pos_[id] = kAbsent;
    Entry last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) {
      heap_.front() = last;
      pos_[last.id] = 0;
      SiftDown(0);
    }
    return id;
  }

  void Clear() {
    for (const Entry& e : heap_) pos_[e.id] = kAbsent;
    heap_.clear();
  }

 private:
  static constexpr std::uint32_t kAbsent = std::numeric_limits<std::uint32_t>::max();
  struct Entry {
    Key key;
    std::uint32_t id;
  };

  void SiftUp(std::size_t i) {
    Entry e = heap_[i];
    while (i > 0) {
      std::size_t parent = (i - 1) / kArity;
      if (!(e.key < heap_[parent].key)) break;
      heap_[i] = heap_[parent];
      pos_[heap_[i].id] = static_cast<std::uint32_t>(i);
      i = parent;
    }
    heap_[i] = e;
    pos_[e.id] = static_cast<std::uint32_t>(i);
  }

  void SiftDown(std::size_t i) {
    Entry e = heap_[i];
    const std::size_t n = heap_.size();
    while (true) {
      std::size_t first = i * kArity + 1;
      if (first >= n) break;
      std::size_t last = first + kArity < n ? first + kArity : n;
      std::size_t best = first;
      for (std::size_t c = first + 1; c < last; ++c) {
        if (heap_[c].key < heap_[best].key) best = c;
      }
      if (!(heap_[best].key < e.key)) break;
      heap_[i] = heap_[best];
      pos_[heap_[i].id] = static_cast<std::uint32_t>(i);
      i = best;
    }
    heap_[i] = e;
    pos_[e.id] = static_cast<std::uint32_t>(i);
  }

  std::vector<Entry> heap_;
  std::vector<std::uint32_t> pos_;
};

}  // namespace beacon::routing
