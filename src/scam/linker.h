// Linker: reports joined into campaigns, incrementally and explained.
//
// Two reports are linked when they share a normalised identifier key
// ("phone:+18333041447") or when their texts are near-duplicates (exact
// Jaccard of masked word shingles at or above the threshold, candidates
// from MinHash LSH). A campaign is a connected set of linked reports
// (union-find); its id is its earliest report. Every link the linker makes
// is kept (report, with, why), and they form a spanning tree of each
// campaign: the explanation of why each report is in it.
//
// An analyst's decisions are separations: two sets of reports that may
// never be in one campaign (a split; a report pinned out of its campaign is
// a separation of that report from the rest). A separation re-links the
// campaign it cuts: its reports are joined again, in arrival order, under
// every separation; later reports respect them too (a report that would
// join two separated campaigns joins the one its strongest link points to).
//
// Reports are numbered 0, 1, 2... in the order they are added (Index).
// Not thread-safe: the owner (service::ScamDesk) serialises calls.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scam/minhash.h"

namespace beacon::scam {

class Linker {
 public:
  using Index = std::uint32_t;
  using KeyId = std::uint32_t;

  enum class Reason : std::uint8_t { kIdentifier, kText };
  struct Link {
    Index report = 0;  // the later report ...
    Index with = 0;    // ... linked to this earlier one
    Reason reason = Reason::kIdentifier;
    KeyId key = 0;         // the shared identifier (kIdentifier)
    float similarity = 0;  // exact Jaccard (kText)
  };
  struct Added {
    Index index = 0;
    Index campaign = 0;         // the campaign's earliest report
    std::vector<Link> links;    // the links this report made
    std::vector<Index> merged;  // campaigns (ids before) that joined into `campaign`
    std::vector<Link> refused;  // links a separation did not allow
  };

  explicit Linker(TextConfig config);

  // The id of an identifier key, interned on first use.
  KeyId Intern(std::string_view key);
  const std::string& KeyText(KeyId k) const { return key_text_[k]; }
  std::optional<KeyId> FindKey(std::string_view key) const;

  // Adds the next report (Index size()) with its identifier keys (distinct)
  // and its text; links it and returns what happened.
  Added Add(std::span<const KeyId> keys, std::string_view text);

  size_t size() const { return parent_.size(); }
  // The campaign (its earliest report) of a report.
  Index CampaignOf(Index r) const { return first_[Root(r)]; }
  // Members of a report's campaign, ascending.
  std::vector<Index> Members(Index r) const;
  size_t CampaignSize(Index r) const { return size_[Root(r)]; }
  // Every campaign id (earliest report), ascending.
  std::vector<Index> Campaigns() const;
  // The links inside a campaign (a spanning tree of it).
  std::vector<Link> CampaignLinks(Index r) const;
  std::span<const KeyId> Keys(Index r) const;
  std::span<const std::uint32_t> ShinglesOf(Index r) const;
  // Reports that carry a key, ascending.
  const std::vector<Index>& KeyReports(KeyId k) const { return key_reports_[k]; }
  size_t key_count() const { return key_text_.size(); }

  // Keeps `a` and `b` apart from now on and re-links the campaigns they
  // are in. Returns the campaigns (ids) the re-link produced.
  std::vector<Index> Separate(const std::vector<Index>& a, const std::vector<Index>& b);

  const TextConfig& config() const { return config_; }
  size_t MemoryBytes() const;

 private:
  struct Candidate {
    Index with;
    Reason reason;
    KeyId key;
    float similarity;
  };
  // A separation as seen from one campaign: which sides of it it holds.
  struct SideMask {
    std::uint32_t separation;
    std::uint8_t mask;  // 1: side a, 2: side b
  };

  Index Root(Index r) const;
  Index FindCompress(Index r);
  bool Blocked(Index ra, Index rb) const;
  void Union(Index ra, Index rb);
  // Finds the candidates of report m among reports accepted by `in_scope`,
  // links it and records the links. `reps` maps keys to one report per
  // campaign holding the key.
  template <typename Scope, typename Reps>
  void LinkOne(Index m, Scope&& in_scope, Reps& reps, bool insert, Added& out);
  void RebuildReps(const std::vector<KeyId>& keys);

  TextConfig config_;
  MinHasher hasher_;
  BucketIndex buckets_;
  std::vector<std::uint32_t> band_keys_;  // scratch

  std::unordered_map<std::string, KeyId> key_ids_;
  std::vector<std::string> key_text_;
  std::vector<std::vector<Index>> key_reports_;
  std::vector<std::vector<Index>> key_reps_;  // one report per campaign with the key

  // Per report.
  std::vector<Index> parent_;
  std::vector<std::uint32_t> size_;       // at roots
  std::vector<Index> first_;              // at roots: earliest member
  std::vector<Index> next_;               // circular list of a campaign's members
  std::vector<std::uint32_t> key_begin_;  // CSR into keys_ (size()+1)
  std::vector<KeyId> keys_;
  std::vector<std::uint64_t> shingle_begin_;  // CSR into shingles_ (size()+1)
  std::vector<std::uint32_t> shingles_;
  std::vector<std::uint32_t> link_begin_;  // per report: its links in links_
  std::vector<std::uint16_t> link_count_;
  std::uint32_t tag_ = 0;
  std::vector<Link> links_;
  std::vector<std::uint32_t> stamp_;  // per report: last Add that compared it

  // Separations and the sides each report is on; at roots, the sides the
  // campaign holds.
  std::uint32_t separations_ = 0;
  std::unordered_map<Index, std::vector<SideMask>> report_sides_;
  std::unordered_map<Index, std::vector<SideMask>> root_sides_;
};

}  // namespace beacon::scam
