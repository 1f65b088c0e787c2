#include "scam/linker.h"

#include <algorithm>

namespace beacon::scam {
namespace {

// Newest entries of a bucket checked for the new report's campaign.
constexpr int kBucketHeld = 4;

}  // namespace

Linker::Linker(TextConfig config) : config_(config), hasher_(config_), buckets_(config_.bands) {
  key_begin_.push_back(0);
  shingle_begin_.push_back(0);
}

Linker::KeyId Linker::Intern(std::string_view key) {
  auto [it, fresh] = key_ids_.try_emplace(std::string(key), static_cast<KeyId>(key_text_.size()));
  if (fresh) {
    key_text_.emplace_back(key);
    key_reports_.emplace_back();
    key_reps_.emplace_back();
  }
  return it->second;
}

std::optional<Linker::KeyId> Linker::FindKey(std::string_view key) const {
  auto it = key_ids_.find(std::string(key));
  if (it == key_ids_.end()) return std::nullopt;
  return it->second;
}

Linker::Index Linker::Root(Index r) const {
  while (parent_[r] != r) r = parent_[r];
  return r;
}

Linker::Index Linker::FindCompress(Index r) {
  while (parent_[r] != r) {
    parent_[r] = parent_[parent_[r]];  // path halving
    r = parent_[r];
  }
  return r;
}

bool Linker::Blocked(Index ra, Index rb) const {
  auto a = root_sides_.find(ra);
  if (a == root_sides_.end()) return false;
  auto b = root_sides_.find(rb);
  if (b == root_sides_.end()) return false;
  for (const auto& x : a->second) {
    for (const auto& y : b->second) {
      if (x.separation == y.separation && (x.mask | y.mask) == 3) return true;
    }
  }
  return false;
}

void Linker::Union(Index ra, Index rb) {
  if (size_[ra] < size_[rb]) std::swap(ra, rb);
  parent_[rb] = ra;
  size_[ra] += size_[rb];
  first_[ra] = std::min(first_[ra], first_[rb]);
  std::swap(next_[ra], next_[rb]);  // splices the two circular member lists
  auto moved = root_sides_.find(rb);
  if (moved != root_sides_.end()) {
    auto& into = root_sides_[ra];
    for (const auto& s : moved->second) {
      auto it = std::find_if(into.begin(), into.end(),
                             [&](const SideMask& x) { return x.separation == s.separation; });
      if (it == into.end()) {
        into.push_back(s);
      } else {
        it->mask |= s.mask;
      }
    }
    root_sides_.erase(rb);
  }
}

template <typename Scope, typename Reps>
void Linker::LinkOne(Index m, Scope&& in_scope, Reps& reps, bool insert, Added& out) {
  auto try_link = [&](const Candidate& c) {
    Index rm = FindCompress(m), rc = FindCompress(c.with);
    if (rm == rc) return;
    Link link{m, c.with, c.reason, c.key, c.similarity};
    if (Blocked(rm, rc)) {
      out.refused.push_back(link);
      return;
    }
    if (size_[rm] > 1 || first_[rm] != m) out.merged.push_back(first_[rm]);
    out.merged.push_back(first_[rc]);
    Union(rm, rc);
    out.links.push_back(link);
    if (link_count_[m] == 0xffff) return;
    links_.push_back(link);
    ++link_count_[m];
  };
  // Shared identifiers first: they are the strongest evidence.
  for (KeyId k : Keys(m)) {
    std::vector<Index> current = reps[k];  // a copy: try_link changes nothing in it
    for (Index rep : current) {
      if (rep != m && in_scope(rep)) try_link({rep, Reason::kIdentifier, k, 0});
    }
  }
  auto sh = ShinglesOf(m);
  if (!sh.empty()) {
    hasher_.BandKeys(sh, band_keys_);
    std::vector<Candidate> similar;
    std::uint32_t tag = ++tag_;
    for (int b = 0; b < config_.bands; ++b) {
      buckets_.ForEach(b, band_keys_[b], config_.max_bucket_scan, [&](Index item) {
        if (item == m || stamp_[item] == tag || !in_scope(item)) return;
        stamp_[item] = tag;
        if (FindCompress(item) == FindCompress(m)) return;
        double j = Jaccard(sh, ShinglesOf(item));
        if (j >= config_.threshold) {
          similar.push_back({item, Reason::kText, 0, static_cast<float>(j)});
        }
      });
    }
    std::sort(similar.begin(), similar.end(), [](const Candidate& a, const Candidate& b) {
      return a.similarity != b.similarity ? a.similarity > b.similarity : a.with < b.with;
    });
    for (const auto& c : similar) try_link(c);
    if (insert) {
      // A bucket whose newest entries already hold m's campaign does not
      // need m as well: the next report with this band meets the campaign
      // there. This keeps the buckets of a script reported thousands of
      // times short.
      Index root = FindCompress(m);
      for (int b = 0; b < config_.bands; ++b) {
        bool held = false;
        buckets_.ForEach(b, band_keys_[b], kBucketHeld,
                         [&](Index item) { held = held || FindCompress(item) == root; });
        if (!held) buckets_.Insert(b, band_keys_[b], m);
      }
    }
  }
  // One report per campaign holding each key, so the next report with the
  // key compares with each campaign once.
  for (KeyId k : Keys(m)) {
    auto& rs = reps[k];
    rs.push_back(m);
    std::vector<Index> kept;
    std::vector<Index> roots;
    for (Index r : rs) {
      Index root = FindCompress(r);
      if (std::find(roots.begin(), roots.end(), root) == roots.end()) {
        roots.push_back(root);
        kept.push_back(r);
      }
    }
    rs.swap(kept);
  }
  std::sort(out.merged.begin(), out.merged.end());
  out.merged.erase(std::unique(out.merged.begin(), out.merged.end()), out.merged.end());
}

Linker::Added Linker::Add(std::span<const KeyId> keys, std::string_view text) {
  auto m = static_cast<Index>(parent_.size());
  parent_.push_back(m);
  size_.push_back(1);
  first_.push_back(m);
  next_.push_back(m);
  keys_.insert(keys_.end(), keys.begin(), keys.end());
  key_begin_.push_back(static_cast<std::uint32_t>(keys_.size()));
  auto sh = Shingles(text, config_);
  shingles_.insert(shingles_.end(), sh.begin(), sh.end());
  shingle_begin_.push_back(shingles_.size());
  link_begin_.push_back(static_cast<std::uint32_t>(links_.size()));
  link_count_.push_back(0);
  stamp_.push_back(0);
  for (KeyId k : keys) key_reports_[k].push_back(m);
  Added out;
  out.index = m;
  LinkOne(
      m, [](Index) { return true; }, key_reps_, /*insert=*/true, out);
  out.campaign = first_[Root(m)];
  auto& merged = out.merged;
  merged.erase(std::remove(merged.begin(), merged.end(), out.campaign), merged.end());
  return out;
}

std::span<const Linker::KeyId> Linker::Keys(Index r) const {
  return {keys_.data() + key_begin_[r], key_begin_[r + 1] - key_begin_[r]};
}

std::span<const std::uint32_t> Linker::ShinglesOf(Index r) const {
  return {shingles_.data() + shingle_begin_[r],
          static_cast<size_t>(shingle_begin_[r + 1] - shingle_begin_[r])};
}

std::vector<Linker::Index> Linker::Members(Index r) const {
  Index root = Root(r);
  std::vector<Index> out{root};
  for (Index x = next_[root]; x != root; x = next_[x]) out.push_back(x);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Linker::Index> Linker::Campaigns() const {
  std::vector<Index> out;
  for (Index i = 0; i < parent_.size(); ++i) {
    if (first_[Root(i)] == i) out.push_back(i);
  }
  return out;
}

std::vector<Linker::Link> Linker::CampaignLinks(Index r) const {
  std::vector<Link> out;
  for (Index m : Members(r)) {
    for (std::uint32_t i = 0; i < link_count_[m]; ++i) out.push_back(links_[link_begin_[m] + i]);
  }
  return out;
}

void Linker::RebuildReps(const std::vector<KeyId>& keys) {
  for (KeyId k : keys) {
    std::vector<Index> kept, roots;
    for (Index r : key_reports_[k]) {
      Index root = FindCompress(r);
      if (std::find(roots.begin(), roots.end(), root) == roots.end()) {
        roots.push_back(root);
        kept.push_back(r);
      }
    }
    key_reps_[k].swap(kept);
  }
}

std::vector<Linker::Index> Linker::Separate(const std::vector<Index>& a,
                                            const std::vector<Index>& b) {
  std::uint32_t sep = separations_++;
  std::vector<Index> roots;
  auto mark = [&](const std::vector<Index>& side, std::uint8_t mask) {
    for (Index r : side) {
      if (r >= parent_.size()) continue;
      report_sides_[r].push_back({sep, mask});
      roots.push_back(Root(r));
    }
  };
  mark(a, 1);
  mark(b, 2);
  std::sort(roots.begin(), roots.end());
  roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
  std::vector<Index> members;
  for (Index root : roots) {
    auto m = Members(root);
    members.insert(members.end(), m.begin(), m.end());
  }
  std::sort(members.begin(), members.end());
  // Every member stands alone again, holding only its own sides ...
  std::vector<bool> in_set(parent_.size(), false);
  for (Index m : members) {
    in_set[m] = true;
    root_sides_.erase(m);
  }
  for (Index m : members) {
    parent_[m] = m;
    size_[m] = 1;
    first_[m] = m;
    next_[m] = m;
    link_count_[m] = 0;
    if (auto it = report_sides_.find(m); it != report_sides_.end()) root_sides_[m] = it->second;
  }
  // ... and is linked again in arrival order, under every separation.
  std::unordered_map<KeyId, std::vector<Index>> reps;
  std::vector<KeyId> keys;
  for (Index m : members) {
    link_begin_[m] = static_cast<std::uint32_t>(links_.size());
    Added ignored;
    LinkOne(
        m, [&](Index x) { return in_set[x] && x < m; }, reps, /*insert=*/false, ignored);
    auto k = Keys(m);
    keys.insert(keys.end(), k.begin(), k.end());
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  RebuildReps(keys);
  std::vector<Index> out;
  for (Index m : members) out.push_back(first_[Root(m)]);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

size_t Linker::MemoryBytes() const {
  auto cap = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  size_t b = buckets_.MemoryBytes() + cap(parent_) + cap(size_) + cap(first_) + cap(next_) +
             cap(key_begin_) + cap(keys_) + cap(shingle_begin_) + cap(shingles_) +
             cap(link_begin_) + cap(link_count_) + cap(links_) + cap(stamp_);
  for (size_t k = 0; k < key_text_.size(); ++k) {
    b += key_text_[k].capacity() + sizeof(std::string) + cap(key_reports_[k]) + cap(key_reps_[k]) +
         2 * sizeof(std::vector<Index>) + 32;  // + the hash map's node
  }
  return b;
}

}  // namespace beacon::scam
